//! Changement de titulaire et paiement, en mémoire du processus sur un vrai
//! fichier SQLite : la preuve de la cession, le paiement chez le prestataire
//! de démonstration, la notification rejouée, le rapprochement, le double
//! paiement.

use crate::common;

use axum::http::StatusCode;
use common::TestApp;
use immat_domain::paiement::EtatPaiement;
use serde_json::{json, Value};

const JULIEN: &str = "julien.paul@demo.immat.fr";
const MARIE: &str = "marie.dupont@demo.immat.fr";
const GARAGE: &str = "garage.central@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

/// Julien déclare la cession de AB-123-CD ; rend le code de cession.
async fn julien_cede(app: &TestApp) -> String {
    let cookie = app.login(JULIEN).await;
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "cession", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let cession = json!({
        "acquereur": {"type_personne": "physique", "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985"},
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
        "date_cession": app.state.now().date().to_string(), "heure_cession": "09:00"
    });
    assert_eq!(app.put_json(&format!("{base}/cession"), &cession, &cookie).await.status, StatusCode::OK);
    assert_eq!(app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &cookie).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["code_cession"].as_str().unwrap().to_owned()
}

fn demarrage(immat: &str, code_cession: &str) -> Value {
    json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme", "immatriculation": immat,
           "preuve": {"mode": "code_cession", "code_cession": code_cession}})
}

/// Marie démarre avec le code, saisit, vérifie, valide : la démarche est à
/// payer. Rend (cookie, base de l'URL).
async fn marie_jusqu_au_paiement(app: &TestApp, code: &str) -> (String, String) {
    let cookie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", code), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    // « Le système reconnaît l'ancien titulaire. »
    assert_eq!(d["details"]["ancien_titulaire"]["nom"], "PAUL");
    let base = format!("/api/v1/demarches/{}", d["numero"].as_str().unwrap());
    let titulaire = json!({
        "usage": "personnel", "type_personne": "physique", "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985",
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"}
    });
    let r = app.put_json(&format!("{base}/titulaire"), &titulaire, &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etape"], "verification");
    let r = app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = r.json();
    assert_eq!(d["etat"], "a_payer");
    (cookie, base)
}

/// « Payer » : rend l'idop de la page du prestataire.
async fn payer(app: &TestApp, base: &str, cookie: &str) -> String {
    let r = app.post_json(&format!("{base}/paiements"), &json!({}), Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let url = r.json()["url"].as_str().unwrap().to_owned();
    url.strip_prefix("/payfip/paiement?idop=").expect("page du prestataire").to_owned()
}

async fn carte(app: &TestApp, idop: &str, numero: &str) -> common::Resp {
    app.post_form("/payfip/paiement", &[("idop", idop), ("numero", numero), ("expiration", "12/30"), ("cryptogramme", "123")]).await
}

async fn paiements(app: &TestApp, base: &str, cookie: &str) -> Vec<immat_server::db::PaiementRecord> {
    let numero = base.rsplit('/').next().unwrap();
    let d = app.repo.demarche_par_numero(numero).await.unwrap().unwrap();
    let _ = cookie;
    app.repo.paiements_de(d.id).await.unwrap()
}

#[tokio::test]
async fn vente_puis_changement_de_titulaire_paye_et_cpi() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    let d = app.get(&base, Some(&cookie)).await.json();
    // Y1 au domicile du nouveau titulaire (Rennes, Bretagne : 60 €/CV × 5 CV),
    // Y4 11 €, Y5 2,76 €.
    assert_eq!(d["taxes"]["y1"], 30000);
    assert_eq!(d["taxes"]["y4"], 1100);
    assert_eq!(d["taxes"]["y5"], 276);
    assert!(d["regle_y1"].as_str().unwrap().starts_with("Bretagne : 60,00"), "{}", d["regle_y1"]);

    let idop = payer(&app, &base, &cookie).await;
    let page = app.get(&format!("/payfip/paiement?idop={idop}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("313,76"), "montant sur la page du prestataire");
    let r = carte(&app, &idop, "4111 1111 1111 1111").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Paiement accepté") && r.text().contains("Cliquer ici pour enregistrer votre paiement"));
    assert!(!r.text().contains("4111 1111") && !r.text().contains("4111111111111111"), "le numéro n'est pas rendu");

    // Sans notification ni clic : rien n'est encore enregistré.
    assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "a_payer");
    // La même notification cinq fois : un seul paiement enregistré.
    for _ in 0..5 {
        let r = app.post_json("/api/v1/paiements/notification", &json!({"idop": idop}), None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let p = paiements(&app, &base, &cookie).await;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].etat, EtatPaiement::Paye);
    assert_eq!(p[0].carte_fin.as_deref(), Some("1111"));
    assert_eq!(p[0].montant_centimes, 31376);

    // Le clic de l'usager, après la notification : la démarche terminée, rien de plus.
    let d = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&cookie)).await.json();
    assert_eq!(d["etat"], "terminee");
    assert_eq!(paiements(&app, &base, &cookie).await.len(), 1);
    let docs: Vec<&str> = d["documents"].as_array().unwrap().iter().map(|x| x["libelle"].as_str().unwrap()).collect();
    assert_eq!(docs, ["Certificat provisoire d'immatriculation (CPI)", "Récapitulatif de la demande"]);
    let cpi = &d["details"]["cpi"];
    assert_eq!(cpi["immatriculation"], "AB-123-CD");
    assert_eq!(cpi["taxes_payees"], 31376);
    let pdf = app.get(&format!("{base}/documents/certificat-provisoire-immatriculation.pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));

    // Le véhicule a quitté l'espace du vendeur pour celui de l'acquéreur.
    let julien = app.login(JULIEN).await;
    let immats = |e: Value| -> Vec<String> {
        e["vehicules"].as_array().unwrap().iter().map(|v| v["immatriculation"].as_str().unwrap().to_owned()).collect()
    };
    assert!(!immats(app.get("/api/v1/espace", Some(&julien)).await.json()).contains(&"AB-123-CD".to_owned()));
    assert!(immats(app.get("/api/v1/espace", Some(&cookie)).await.json()).contains(&"AB-123-CD".to_owned()));
    // Le courrier du nouveau certificat part chez la nouvelle titulaire, à
    // sa nouvelle adresse, avec un nouveau code (masqué ici).
    let envois = app.repo.envois().await.unwrap();
    let courrier = envois.iter().find(|e| e.objet.starts_with("Votre nouveau certificat d'immatriculation")).expect("courrier émis");
    assert_eq!(courrier.destinataire, "MARIE DUPONT\n1 PLACE DE LA GARE\n35000 RENNES");
    assert!(!courrier.corps.contains("PAUL"), "{}", courrier.corps);

    // Une seconde tentative de paiement : « Vous avez déjà payé… ».
    let r = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["message"], "Vous avez déjà payé. La démarche a été mise à jour.");
    assert_eq!(r.json()["code"], "deja_paye");
}

#[tokio::test]
async fn code_de_cession_errone_autre_vehicule_deja_utilise_expire() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let marie = app.login(MARIE).await;
    // Erroné : au champ, avec les essais restants.
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", "ZZZZ-ZZZZ-ZZZZ"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let champ = &r.json()["champs"][0];
    assert_eq!(champ["champ"], "preuve.code_cession");
    assert!(champ["message"].as_str().unwrap().contains("Il vous reste 4 essais"), "{champ}");
    // Le bon code sur un autre véhicule.
    let r = app.post_json("/api/v1/demarches", &demarrage("EF-789-GH", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    // Marie le prend ; le garage ne peut plus s'en servir.
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let garage = app.login(GARAGE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["champs"][0]["message"], "Ce code de cession a déjà été utilisé.");
    // Marie reprend sa demande avec le même code.
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Le numéro de formule ne remplace pas un code de cession en cours.
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD",
                    "preuve": {"mode": "certificat", "formule_ou_date": "2021AB12345"}}),
            Some(&garage),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
}

#[tokio::test]
async fn code_de_cession_expire_apres_15_jours() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    app.clock.advance(time::Duration::days(16));
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("expiré"), "{}", r.text());
}

#[tokio::test]
async fn compte_classique_refuse_et_vente_sans_declaration_par_numero_de_formule() {
    let app = common::spawn().await;
    // Un compte classique ne fait pas de changement de titulaire.
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("EF-789-GH", "ABCD-EFGH-JK23"), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("compte ANTS certifié"));
    // Vente sans déclaration en ligne : le numéro de formule du certificat.
    let garage = app.login(GARAGE).await;
    let formule = |f: &str| {
        json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme", "immatriculation": "LM-890-NP",
               "preuve": {"mode": "certificat", "formule_ou_date": f}})
    };
    let r = app.post_json("/api/v1/demarches", &formule("2022LM89013"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["champs"][0]["champ"], "preuve.formule_ou_date");
    let r = app.post_json("/api/v1/demarches", &formule("2022LM89012"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Son propre véhicule : refusé.
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("EF-789-GH", "ABCD-EFGH-JK23"), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("déjà à votre nom"));
}

#[tokio::test]
async fn carte_refusee_puis_acceptee_sans_rien_ressaisir_et_clic_de_l_usager() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    let idop = payer(&app, &base, &cookie).await;
    // Une carte invalide : erreur au champ, rien n'est conclu.
    let r = carte(&app, &idop, "4111 1111 1111 1112").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("Le numéro de la carte n&#39;est pas valide."), "{}", r.text());
    let r = carte(&app, &idop, "4000 0000 0000 0002").await;
    assert!(r.text().contains("Paiement refusé"));
    // Retour au service : le refus est constaté, la démarche reste à payer.
    let r = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "a_payer");
    assert_eq!(r.json()["paiement"]["etat"], "refuse");
    assert!(r.json()["details"]["titulaire"].is_object(), "la saisie est intacte");
    // Seconde tentative, autre opération.
    let idop2 = payer(&app, &base, &cookie).await;
    assert_ne!(idop, idop2);
    assert!(carte(&app, &idop2, "4111111111111111").await.text().contains("Paiement accepté"));
    let r = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&cookie)).await;
    assert_eq!(r.json()["etat"], "terminee");
    let p = paiements(&app, &base, &cookie).await;
    let etats: Vec<(i64, EtatPaiement)> = p.iter().map(|p| (p.tentative, p.etat)).collect();
    assert_eq!(etats, [(2, EtatPaiement::Paye), (1, EtatPaiement::Refuse)]);
    assert!(p[0].refdet.ends_with("-02"));
}

#[tokio::test]
async fn defi_3d_secure_et_abandon() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    let idop = payer(&app, &base, &cookie).await;
    let r = carte(&app, &idop, "4000 0000 0000 3220").await;
    assert!(r.text().contains("Authentification 3-D Secure"), "{}", r.text());
    // Recharger la page garde le défi.
    assert!(app.get(&format!("/payfip/paiement?idop={idop}"), None).await.text().contains("Code reçu par SMS"));
    let r = app.post_form("/payfip/defi", &[("idop", &idop), ("code", "123456")]).await;
    assert!(r.text().contains("Paiement accepté"), "{}", r.text());
    app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&cookie)).await;
    assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "terminee");

    // Un autre acheteur abandonne : rien n'est débité, il peut recommencer.
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    let idop = payer(&app, &base, &cookie).await;
    assert!(app.post_form("/payfip/annuler", &[("idop", &idop)]).await.text().contains("Paiement abandonné"));
    // Payer après l'abandon : le refus est constaté, une nouvelle opération.
    let idop2 = payer(&app, &base, &cookie).await;
    assert_ne!(idop, idop2);
    assert_eq!(paiements(&app, &base, &cookie).await[1].etat, EtatPaiement::Abandonne);
}

#[tokio::test]
async fn onglet_ferme_apres_paiement_le_rapprochement_l_enregistre_une_fois() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    let idop = payer(&app, &base, &cookie).await;
    assert!(carte(&app, &idop, "4111111111111111").await.text().contains("Paiement accepté"));
    // Ni notification ni clic : le rapprochement.
    assert_eq!(immat_server::http::rapprocher(&app.state).await.unwrap(), 1);
    assert_eq!(immat_server::http::rapprocher(&app.state).await.unwrap(), 0);
    assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "terminee");
    // La notification arrivée après coup ne change rien.
    let r = app.post_json("/api/v1/paiements/notification", &json!({"idop": idop}), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(paiements(&app, &base, &cookie).await.len(), 1);
}

#[tokio::test]
async fn double_paiement_simultane_un_seul_debit() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
    // Deux onglets : « Payer » en même temps, une seule opération.
    let (a, b) = tokio::join!(payer(&app, &base, &cookie), payer(&app, &base, &cookie));
    assert_eq!(a, b);
    // La carte envoyée deux fois en même temps : un seul débit.
    let (r1, r2) = tokio::join!(carte(&app, &a, "4111111111111111"), carte(&app, &a, "5555555555554444"));
    assert!(r1.text().contains("Paiement accepté") && r2.text().contains("Paiement accepté"));
    let op = app.repo.payfip_operation(&a).await.unwrap().unwrap();
    let fins = [r1.text().contains("se terminant par 1111"), r2.text().contains("se terminant par 4444")];
    assert_eq!(
        fins,
        [op.carte_fin.as_deref() == Some("1111"), op.carte_fin.as_deref() == Some("4444")],
        "les deux pages montrent le même débit"
    );
    let (verif, vide, notif) = (format!("{base}/paiements/verifier"), json!({}), json!({"idop": a}));
    let (v1, v2) = tokio::join!(app.post_json(&verif, &vide, Some(&cookie)), app.post_json("/api/v1/paiements/notification", &notif, None));
    assert_eq!(v1.status, StatusCode::OK, "{}", v1.text());
    assert_eq!(v2.status, StatusCode::NO_CONTENT, "{}", v2.text());
    let p = paiements(&app, &base, &cookie).await;
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].etat, EtatPaiement::Paye);
    assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "terminee");
}

#[tokio::test]
async fn autre_usager_ne_paie_ni_ne_verifie_la_demarche_d_autrui() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let (_, base) = marie_jusqu_au_paiement(&app, &code).await;
    let julien = app.login(JULIEN).await;
    assert_eq!(app.post_json(&format!("{base}/paiements"), &json!({}), Some(&julien)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&julien)).await.status, StatusCode::NOT_FOUND);
}

fn par_certificat(immat: &str, preuve: &str) -> Value {
    json!({"teleprocedure": "changement_titulaire", "pour_qui": "moi_meme", "immatriculation": immat,
           "preuve": {"mode": "certificat", "formule_ou_date": preuve}})
}

/// Saisit une personne morale à Lyon, vérifie, valide : à payer.
async fn titulaire_morale_jusqu_au_paiement(app: &TestApp, base: &str, cookie: &str) {
    let titulaire = json!({
        "usage": "professionnel", "type_personne": "morale", "raison_sociale": "Garage Central", "siren": "732829320",
        "adresse": {"voie": "2 rue Neuve", "code_postal": "69002", "commune": "Lyon"}
    });
    let r = app.put_json(&format!("{base}/titulaire"), &titulaire, cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), cookie).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "a_payer");
}

#[tokio::test]
async fn vehicule_fni_vendu_sans_declaration_recoit_un_numero_siv() {
    let app = common::spawn().await;
    let garage = app.login(GARAGE).await;
    // Un certificat FNI n'a pas de numéro de formule : sa date seulement.
    let r = app.post_json("/api/v1/demarches", &par_certificat("123 ABC 75", "2021AB12345"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.post_json("/api/v1/demarches", &par_certificat("123 ABC 75", "12/09/2007"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    titulaire_morale_jusqu_au_paiement(&app, &base, &garage).await;
    let idop = payer(&app, &base, &garage).await;
    assert!(carte(&app, &idop, "4111111111111111").await.text().contains("Paiement accepté"));
    let d = app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(&garage)).await.json();
    assert_eq!(d["etat"], "terminee", "{d}");
    let cpi = &d["details"]["cpi"];
    assert_eq!(cpi["ancienne_immatriculation"], "123 ABC 75");
    let nouveau = cpi["immatriculation"].as_str().unwrap().to_owned();
    let i = immat_domain::Immatriculation::parse(&nouveau).unwrap();
    assert_eq!(i.kind(), immat_domain::TypeImmatriculation::Siv);
    assert!(app.repo.vehicule_par_immatriculation("123 ABC 75").await.unwrap().is_none());
    let v = app.repo.vehicule_par_immatriculation(&nouveau).await.unwrap().unwrap();
    assert_eq!(v.titulaire_raison_sociale.as_deref(), Some("Garage Central"));
    assert_eq!(v.titulaire_siren.as_deref(), Some("732829320"));
    assert!(v.code_confidentiel_hash.is_none(), "le nouveau titulaire demande son code");
    // Le garage le voit dans son espace.
    let e = app.get("/api/v1/espace", Some(&garage)).await.json();
    assert_eq!(e["vehicules"][0]["immatriculation"], nouveau.as_str());
}

#[tokio::test]
async fn opposition_au_transfert_bloque_au_demarrage_avec_sa_raison() {
    let app = common::spawn().await;
    let garage = app.login(GARAGE).await;
    let r = app.post_json("/api/v1/demarches", &par_certificat("GH-234-JK", "2020GH23456"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["champs"][0]["champ"], "immatriculation");
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("OTCI"), "{}", r.text());
}

#[tokio::test]
async fn gage_un_avertissement_que_l_acheteur_reconnait() {
    let app = common::spawn().await;
    // Julien cède CD-456-EF (gagé).
    let julien = app.login(JULIEN).await;
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "cession", "pour_qui": "moi_meme", "immatriculation": "CD-456-EF", "code_confidentiel": "GH4J-K5LM"}),
            Some(&julien),
        )
        .await;
    let cession = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let acq = json!({
        "acquereur": {"type_personne": "physique", "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985"},
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
        "date_cession": "01/11/2026", "heure_cession": "09:00"
    });
    app.put_json(&format!("{cession}/cession"), &acq, &julien).await;
    app.put_json(&format!("{cession}/verification"), &json!({"accepter": true}), &julien).await;
    let code = app.post_json(&format!("{cession}/valider"), &json!({"clu": CLU}), Some(&julien)).await.json()["code_cession"]
        .as_str()
        .unwrap()
        .to_owned();
    let marie = app.login(MARIE).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("CD-456-EF", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(r.json()["avertissement"].as_str().unwrap().contains("gage"));
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let mut titulaire = json!({
        "nom": "Dupont", "prenoms": "Marie", "date_naissance": "02/05/1985",
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"}
    });
    let r = app.put_json(&format!("{base}/titulaire"), &titulaire, &marie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "gage_pris_connaissance");
    // La saisie est gardée malgré l'erreur.
    assert_eq!(app.get(&base, Some(&marie)).await.json()["details"]["saisie"]["nom"], "Dupont");
    titulaire["gage_pris_connaissance"] = json!(true);
    assert_eq!(app.put_json(&format!("{base}/titulaire"), &titulaire, &marie).await.status, StatusCode::OK);
}

#[tokio::test]
async fn registre_change_avant_le_paiement_rien_n_est_encaisse() {
    let app = common::spawn().await;
    let garage = app.login(GARAGE).await;
    let r = app.post_json("/api/v1/demarches", &par_certificat("LM-890-NP", "2022LM89012"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    titulaire_morale_jusqu_au_paiement(&app, &base, &garage).await;
    // Entre-temps, le titulaire déclare la cession en ligne à quelqu'un d'autre.
    let martin = app.login("gestion@transports-martin.demo.immat.fr").await;
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "cession", "pour_qui": "moi_meme", "immatriculation": "LM-890-NP", "code_confidentiel": "J2K3-L4M5"}),
            Some(&martin),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let cession = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let acq = json!({
        "acquereur": {"type_personne": "morale", "raison_sociale": "Autre Garage", "siret": "73282932000074"},
        "adresse": {"voie": "1 place de la Gare", "code_postal": "35000", "commune": "Rennes"},
        "date_cession": "01/11/2026", "heure_cession": "09:00"
    });
    app.put_json(&format!("{cession}/cession"), &acq, &martin).await;
    app.put_json(&format!("{cession}/verification"), &json!({"accepter": true}), &martin).await;
    let r = app.post_json(&format!("{cession}/valider"), &json!({"clu": CLU}), Some(&martin)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Le garage ne peut plus payer : aucune tentative n'est créée.
    let r = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("Le certificat de ce véhicule a changé"), "{}", r.text());
    assert!(paiements(&app, &base, &garage).await.is_empty());
}

#[tokio::test]
async fn preuves_erronees_limitees_par_vehicule_tous_comptes() {
    let app = common::spawn().await;
    let marie = app.login(MARIE).await;
    let garage = app.login(GARAGE).await;
    for (cookie, qui) in [(&marie, "Marie"), (&garage, "garage")] {
        for i in 1..=5 {
            let r = app.post_json("/api/v1/demarches", &par_certificat("LM-890-NP", "2022LM00000"), Some(cookie)).await;
            let attendu = if i < 5 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::TOO_MANY_REQUESTS };
            assert_eq!(r.status, attendu, "{qui}, essai {i} : {}", r.text());
        }
    }
    // Le blocage par compte (15 minutes) passé, le véhicule reste fermé pour
    // la journée, même avec la bonne preuve.
    app.clock.advance(time::Duration::minutes(20));
    let r = app.post_json("/api/v1/demarches", &par_certificat("LM-890-NP", "2022LM89012"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    app.clock.advance(time::Duration::days(1));
    let garage = app.login(GARAGE).await;
    let r = app.post_json("/api/v1/demarches", &par_certificat("LM-890-NP", "2022LM89012"), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

/// Arrêt entre le règlement du paiement et le passage de la démarche à
/// « payée » : le rapprochement la termine, et « Payer » ne redemande rien.
#[tokio::test]
async fn paiement_regle_mais_demarche_encore_a_payer() {
    for par_le_rapprochement in [true, false] {
        let app = common::spawn().await;
        let code = julien_cede(&app).await;
        let (cookie, base) = marie_jusqu_au_paiement(&app, &code).await;
        let idop = payer(&app, &base, &cookie).await;
        assert!(carte(&app, &idop, "4111111111111111").await.text().contains("Paiement accepté"));
        // Le paiement est réglé, la démarche n'a pas bougé (l'arrêt).
        let p = app.repo.paiement_par_idop(&idop).await.unwrap().unwrap();
        assert!(app.repo.regler_paiement(p.id, EtatPaiement::Paye, Some("1111"), Some("000001"), app.state.now()).await.unwrap());
        assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "a_payer");
        if par_le_rapprochement {
            immat_server::http::rapprocher(&app.state).await.unwrap();
        } else {
            let r = app.post_json(&format!("{base}/paiements"), &json!({}), Some(&cookie)).await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
            assert_eq!(r.json()["code"], "deja_paye");
        }
        assert_eq!(app.get(&base, Some(&cookie)).await.json()["etat"], "terminee");
        assert_eq!(paiements(&app, &base, &cookie).await.len(), 1, "aucune seconde tentative");
    }
}

/// L'acquéreur abandonne sa démarche : le code de cession lui est rendu, il
/// recommence avec le même code ; la démarche abandonnée ne se reprend pas.
#[tokio::test]
async fn abandon_puis_reprise_avec_le_meme_code_de_cession() {
    let app = common::spawn().await;
    let code = julien_cede(&app).await;
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let r = app.post_json(&format!("{base}/abandonner"), &json!({}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(app.get(&base, Some(&marie)).await.json()["etat"], "abandonnee");
    let r = app.post_json("/api/v1/demarches", &demarrage("AB-123-CD", &code), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_ne!(format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap()), base);
}
