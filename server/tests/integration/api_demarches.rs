//! Changement d'adresse et déclaration de cession, de bout en bout dans
//! l'API (application en mémoire, vrai fichier SQLite).

use crate::common;

use axum::http::{header, StatusCode};
use serde_json::{json, Value};

const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

async fn put_json(app: &common::TestApp, uri: &str, body: &Value, cookie: &str) -> common::Resp {
    app.put_json(uri, body, cookie).await
}

async fn demarrer(app: &common::TestApp, cookie: &str, tp: &str, immat: &str, code: &str) -> common::Resp {
    app.post_json(
        "/api/v1/demarches",
        &json!({"teleprocedure": tp, "pour_qui": "moi_meme", "immatriculation": immat, "code_confidentiel": code}),
        Some(cookie),
    )
    .await
}

#[tokio::test]
async fn changement_d_adresse_complet_avec_proposition_acceptee() {
    let app = common::spawn().await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    // Compte certifié, pour moi-même : pas de code confidentiel.
    let r = demarrer(&app, &cookie, "changement_adresse", "ef789gh", "").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    let numero = d["numero"].as_str().unwrap().to_owned();
    assert_eq!(d["etape"], "saisie");
    assert_eq!(d["vehicule"]["titulaire"]["nom"], "DUPONT");
    // Démarrer à nouveau reprend la même démarche.
    let r = demarrer(&app, &cookie, "changement_adresse", "EF-789-GH", "").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["numero"], numero.as_str());

    let base = format!("/api/v1/demarches/{numero}");
    let adresse = json!({"adresse": {"voie": "5, place de l'Église", "code_postal": "13001", "commune": "Marseile"}});
    let r = put_json(&app, &format!("{base}/adresse"), &adresse, &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etape"], "verification");
    assert_eq!(d["details"]["teleprocedure"], "changement_adresse");
    assert_eq!(d["details"]["adresse"]["verification"], json!({"resultat": "proposition", "code_postal": "13001", "commune": "MARSEILLE"}));
    assert_eq!(d["details"]["saisie"]["commune"], "Marseile", "la saisie est conservée");
    let r = put_json(&app, &format!("{base}/verification"), &json!({"accepter": true}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["etape"], "recapitulatif");
    assert_eq!(r.json()["details"]["adresse"]["retenue"]["commune"], "MARSEILLE");
    assert_eq!(r.json()["details"]["adresse"]["retenue"]["voie"], "5 PLACE DE L EGLISE");
    assert_eq!(r.json()["taxes"]["y5"], 0, "étiquette gratuite");

    // Sans les CLU : refus au champ.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": ["exactitude"]}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "clu");
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etat"], "terminee");
    assert_eq!(d["documents"][0]["libelle"], "Récapitulatif de la demande");

    // Le registre porte la nouvelle adresse.
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
    assert_eq!(v["titulaire"]["adresse"]["commune"], "MARSEILLE");
    assert_eq!(v["changements_adresse"], 1, "une étiquette de plus sur le certificat");
    assert!(v["demarches"].as_array().unwrap().is_empty(), "la démarche terminée n'est plus en cours");
    assert_eq!(e["demarches_terminees"][0]["numero"], numero.as_str());

    let pdf = app.get(&format!("{base}/documents/recapitulatif.pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    // Une démarche terminée ne se modifie plus.
    let r = put_json(&app, &format!("{base}/adresse"), &adresse, &cookie).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Un autre compte ne la voit pas.
    let autre = app.login("julien.paul@demo.immat.fr").await;
    assert_eq!(app.get(&base, Some(&autre)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn adresse_invalide_erreurs_au_champ_et_saisie_conservee() {
    let app = common::spawn().await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let numero = demarrer(&app, &cookie, "changement_adresse", "EF-789-GH", "").await.json()["numero"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/demarches/{numero}");
    let r = put_json(
        &app,
        &format!("{base}/adresse"),
        &json!({"adresse": {"voie": "3 rue X", "code_postal": "1300", "commune": "Marseille"}}),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "adresse.code_postal");
    let r = put_json(
        &app,
        &format!("{base}/adresse"),
        &json!({"adresse": {"voie": "3 rue X", "code_postal": "75999", "commune": "Marseille"}}),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("ne correspond à aucune commune"));
    let d = app.get(&base, Some(&cookie)).await.json();
    assert_eq!(d["details"]["saisie"]["code_postal"], "75999", "rien n'est perdu");
    assert_eq!(d["etape"], "saisie");
}

#[tokio::test]
async fn compte_classique_code_confidentiel_requis_puis_blocage_apres_5_erreurs() {
    let app = common::spawn().await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let r = demarrer(&app, &cookie, "changement_adresse", "AB-123-CD", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "code_confidentiel");
    for restant in (1..=4).rev() {
        let r = demarrer(&app, &cookie, "changement_adresse", "AB-123-CD", "ZZZZ-ZZZZ").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains(&format!("Il vous reste {restant} essai")));
    }
    let r = demarrer(&app, &cookie, "changement_adresse", "AB-123-CD", "ZZZZ-ZZZZ").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.json()["message"].as_str().unwrap().contains("15 minutes"));
    // Même le bon code est refusé pendant le blocage.
    let r = demarrer(&app, &cookie, "changement_adresse", "AB-123-CD", "AB2C-D3EF").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Un autre véhicule n'est pas bloqué.
    let r = demarrer(&app, &cookie, "changement_adresse", "CD-456-EF", "gh4j k5lm").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn vehicule_vole_refuse_avec_sa_raison() {
    let app = common::spawn().await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let r = demarrer(&app, &cookie, "changement_adresse", "JK-567-LM", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "immatriculation");
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("déclaré volé"));
    let r = demarrer(&app, &cookie, "cession", "GH-234-JK", "").await;
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("OTCI"));
    // Le véhicule d'un autre, « pour moi-même » : refusé.
    let r = demarrer(&app, &cookie, "cession", "AB-123-CD", "").await;
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("Aucun véhicule de votre compte"));
}

#[tokio::test]
async fn declaration_de_cession_code_de_cession_et_csa() {
    let app = common::spawn().await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    // Véhicule gagé : autorisé avec un avertissement.
    let r = demarrer(&app, &cookie, "cession", "CD-456-EF", "GH4J-K5LM").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    assert!(d["avertissement"].as_str().unwrap().contains("gage"));
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let cession = json!({
        "acquereur": {"type_personne": "physique", "nom": "Martin", "prenoms": "Léa", "date_naissance": "1990-07-14"},
        "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"},
        "date_cession": "01/01/2026", "heure_cession": "10:15"
    });
    let r = put_json(&app, &format!("{base}/cession"), &cession, &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["details"]["adresse"]["verification"]["resultat"], "conforme");
    assert_eq!(r.json()["details"]["cession"]["acquereur"]["nom"], "Martin");
    let r = put_json(&app, &format!("{base}/verification"), &json!({"accepter": true}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    let code = d["code_cession"].as_str().unwrap();
    assert!(immat_domain::CodeCession::parse(code).is_ok(), "{code}");
    assert_eq!(d["documents"].as_array().unwrap().len(), 2);
    assert!(d["details"]["code_cession_expire_le"].as_str().is_some(), "date d'expiration (15 jours)");
    assert_eq!(d["etape"], "fin");
    // Le code n'est rendu qu'une fois.
    assert!(app.get(&base, Some(&cookie)).await.json()["code_cession"].is_null());
    let csa = app.get(&format!("{base}/documents/certificat-situation-administrative.pdf"), Some(&cookie)).await;
    assert_eq!(csa.status, StatusCode::OK);
    assert!(csa.body.starts_with(b"%PDF-"));
    // Le véhicule est « cédé » : seconde cession et changement d'adresse refusés.
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "CD-456-EF").unwrap().clone();
    assert_eq!(v["situation"]["cede"], true);
    let r = demarrer(&app, &cookie, "cession", "CD-456-EF", "GH4J-K5LM").await;
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("déjà été enregistrée"));
    let r = demarrer(&app, &cookie, "changement_adresse", "CD-456-EF", "GH4J-K5LM").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn je_n_ai_pas_de_code_confidentiel_envoi_masque_et_ancien_code_valable() {
    let app = common::spawn_at(time::macros::datetime!(2026-11-27 14:05 UTC)).await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "moi_meme"}), Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["email"], true);
    assert_eq!(r.json()["courrier"], true);
    assert!(r.json()["message"].as_str().unwrap().contains("par e-mail à julien.paul@demo.immat.fr"));
    assert_eq!(app.get("/api/v1/cert/envois", Some(&cookie)).await.status, StatusCode::FORBIDDEN);
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    let envois = envois.as_array().unwrap();
    assert_eq!(envois.len(), 2);
    let courrier = envois.iter().find(|e| e["canal"] == "courrier").unwrap();
    let lignes: Vec<&str> = courrier["destinataire"].as_str().unwrap().lines().collect();
    assert_eq!(lignes, ["JULIEN PAUL", "12 RUE DE LA REPUBLIQUE", "69002 LYON"]);
    let email = envois.iter().find(|e| e["canal"] == "email").unwrap();
    assert_eq!(email["destinataire"], "julien.paul@demo.immat.fr");
    // Émis à 14:05 UTC : 15:05 à Paris (heure d'hiver).
    assert_eq!(email["created_at"], "27/11/2026 à 15:05");
    // Les agents ne voient qu'un code masqué, jamais le code.
    for e in envois {
        let corps = e["corps"].as_str().unwrap();
        let code = corps.split(" : ").nth(1).unwrap().split_whitespace().next().unwrap();
        assert!(code.starts_with("••••-••"), "{code}");
        assert_eq!(code.chars().count(), 9, "{code}");
    }
    // L'ancien code reste valable tant que le nouveau n'a pas servi.
    let r = demarrer(&app, &cookie, "changement_adresse", "AB-123-CD", "AB2C-D3EF").await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Pour quelqu'un d'autre, personne physique : courrier seulement, à
    // l'adresse du titulaire ; rien n'est envoyé au demandeur.
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "autrui"}), Some(&marie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["email"], false);
    assert_eq!(r.json()["courrier"], true);
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    assert!(envois.as_array().unwrap().iter().all(|e| e["destinataire"] != "marie.dupont@demo.immat.fr"));
}

#[tokio::test]
async fn reinitialisation_de_demonstration() {
    let app = common::spawn_with(|c| c.test_reset_token = Some("jeton-de-test".into())).await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    demarrer(&app, &cookie, "changement_adresse", "EF-789-GH", "").await;
    let req = axum::http::Request::post("/api/v1/demo/reinitialiser")
        .header("x-immat-test-token", "jeton-de-test")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // Les comptes sont recréés : les sessions d'avant sont fermées.
    assert_eq!(app.get("/api/v1/espace", Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    assert_eq!(e["vehicules"].as_array().unwrap().len(), 3);
    assert!(e["vehicules"].as_array().unwrap().iter().all(|v| v["demarches"].as_array().unwrap().is_empty()));
}

/// Véhicule FNI : un changement d'adresse émet un nouveau certificat
/// (2,76 €) ; la démarche est « à payer » sans toucher au registre, puis le
/// même paiement que le changement de titulaire la termine.
#[tokio::test]
async fn changement_d_adresse_avec_nouveau_certificat_paye_en_ligne() {
    let app = common::spawn().await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let d = demarrer(&app, &cookie, "changement_adresse", "123 ABC 75", "NP6Q-R7ST").await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let d = d.json();
    assert_eq!(d["taxes"]["y5"], 276);
    assert_eq!(d["nouveau_certificat"], true);
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let r = put_json(
        &app,
        &format!("{base}/adresse"),
        &json!({"adresse": {"voie": "2 rue Neuve", "code_postal": "69002", "commune": "Lyon"}}),
        &cookie,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = put_json(&app, &format!("{base}/verification"), &json!({"accepter": true}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await.json();
    assert_eq!(r["etat"], "a_payer");
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "123 ABC 75").unwrap().clone();
    assert_eq!(v["titulaire"]["adresse"]["voie"], "12 RUE DE LA REPUBLIQUE");
    assert_eq!(v["demarches"][0]["etat"], "a_payer");
    // Le paiement (2,76 €, la carte acceptée du bac à sable).
    let p = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&cookie)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let idop = p.json()["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    let page = app
        .post_form("/payfip/paiement", &[("idop", &idop), ("numero", "4111111111111111"), ("expiration", "12/30"), ("cryptogramme", "123")])
        .await;
    assert!(page.text().contains("2,76"), "{}", page.text());
    let r = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&cookie)).await.json();
    assert_eq!(r["etat"], "terminee");
    assert_eq!(r["paiement"]["carte_fin"], "1111");
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "123 ABC 75").unwrap().clone();
    assert_eq!(v["titulaire"]["adresse"]["voie"], "2 RUE NEUVE");
}

/// Le mode d'acheminement du code confidentiel, à travers le serveur, pour
/// une personne morale et un professionnel habilité (tableau du support),
/// avec la règle de sécurité : l'e-mail ne part qu'au compte du titulaire
/// quand c'est lui qui demande.
#[tokio::test]
async fn acheminement_personne_morale_et_professionnel() {
    let app = common::spawn().await;
    let demande = |immat: &str, pour_qui: &str| json!({"immatriculation": immat, "pour_qui": pour_qui});
    // Personne morale, pour elle-même : e-mail et courrier.
    let morale = app.login("gestion@transports-martin.demo.immat.fr").await;
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("LM-890-NP", "moi_meme"), Some(&morale)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!((r.json()["email"].as_bool(), r.json()["courrier"].as_bool()), (Some(true), Some(true)));
    // Personne morale, pour quelqu'un d'autre : courrier.
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("AB-123-CD", "autrui"), Some(&morale)).await;
    assert_eq!((r.json()["email"].as_bool(), r.json()["courrier"].as_bool()), (Some(false), Some(true)));
    // Professionnel habilité, pour un client : le tableau dit e-mail et
    // courrier ; l'e-mail n'irait pas au titulaire, il ne part donc pas.
    let garage = app.login("garage.central@demo.immat.fr").await;
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("EF-789-GH", "autrui"), Some(&garage)).await;
    assert_eq!((r.json()["email"].as_bool(), r.json()["courrier"].as_bool()), (Some(false), Some(true)));
    // L'écran le dit clairement.
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("par sécurité, Immat n'envoie le code qu'au titulaire"), "{message}");
    assert!(!message.contains("RENNES"), "rien de l'adresse du titulaire : {message}");
    // Professionnel habilité, pour lui-même (un véhicule de son parc).
    let compte = app.repo.compte_par_email("garage.central@demo.immat.fr").await.unwrap().unwrap();
    let mut v = app.repo.vehicule_par_immatriculation("LM-890-NP").await.unwrap().unwrap();
    v.immatriculation = "GA-001-RA".into();
    v.compte_id = Some(compte.id);
    app.repo.inserer_vehicule_si_absent(&v).await.unwrap();
    let r = app.post_json("/api/v1/code-confidentiel/demande", &demande("GA-001-RA", "moi_meme"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!((r.json()["email"].as_bool(), r.json()["courrier"].as_bool()), (Some(true), Some(true)));
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    let emails: Vec<&str> =
        envois.as_array().unwrap().iter().filter(|e| e["canal"] == "email").map(|e| e["destinataire"].as_str().unwrap()).collect();
    assert_eq!(emails, ["garage.central@demo.immat.fr", "gestion@transports-martin.demo.immat.fr"]);
}

/// Le lieu-dit saisi arrive au registre (il se perdait auparavant).
#[tokio::test]
async fn changement_d_adresse_garde_le_lieu_dit() {
    let app = common::spawn().await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let d = demarrer(&app, &cookie, "changement_adresse", "EF-789-GH", "").await.json();
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let adresse =
        json!({"adresse": {"voie": "2 chemin des Vignes", "lieu_dit": "Le Haut-Bourg", "code_postal": "59000", "commune": "Lille"}});
    assert_eq!(put_json(&app, &format!("{base}/adresse"), &adresse, &cookie).await.status, StatusCode::OK);
    assert_eq!(put_json(&app, &format!("{base}/verification"), &json!({"accepter": true}), &cookie).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    let v = e["vehicules"].as_array().unwrap().iter().find(|v| v["immatriculation"] == "EF-789-GH").unwrap().clone();
    assert_eq!(v["titulaire"]["adresse"]["lieu_dit"], "LE HAUT BOURG");
    // Les dates du registre arrivent en français (jamais en ISO).
    assert_eq!(v["date_premiere_immatriculation"], "20/02/2018");
    assert_eq!(v["titulaire"]["adresse"]["voie"], "2 CHEMIN DES VIGNES");
}

/// Les instants écrits viennent de l'horloge du serveur (injectée), pas de
/// celle de SQLite.
#[tokio::test]
async fn instants_de_l_horloge_injectee() {
    use immat_server::clock::Clock;
    // Une date passée : rien ne peut venir de l'horloge de SQLite.
    let app = common::spawn_at(time::macros::datetime!(2026-03-02 10:00 UTC)).await;
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let jour = |t: time::OffsetDateTime| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day());
    let d = demarrer(&app, &cookie, "changement_adresse", "EF-789-GH", "").await.json();
    assert_eq!(d["cree_le"], "2026-03-02T10:00:00Z", "{d}");
    // Au-delà de minuit (la session de 12 heures tient encore).
    app.clock.advance(time::Duration::hours(11));
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let adresse = json!({"adresse": {"voie": "3 rue Nationale", "code_postal": "59000", "commune": "Lille"}});
    let r = put_json(&app, &format!("{base}/adresse"), &adresse, &cookie).await;
    assert_eq!(r.status, StatusCode::OK);
    let modifie = r.json()["modifie_le"].as_str().unwrap().to_owned();
    let attendu = app.clock.now();
    assert!(modifie.starts_with(&jour(attendu)), "{modifie}");
    assert!(modifie.contains(&format!("T{:02}:{:02}", attendu.hour(), attendu.minute())), "{modifie}");
    assert_ne!(r.json()["modifie_le"], r.json()["cree_le"]);
}
