//! Les comptes classiques créés par les usagers : confirmation de l'adresse
//! (lien à usage unique, 24 heures), connexion refusée avant, « Mot de passe
//! oublié » (réponse identique que l'adresse existe ou non, lien de 30
//! minutes à usage unique, toutes les sessions fermées), limites d'envoi.

use crate::common;

use axum::http::StatusCode;
use common::{spawn, TestApp};
use immat_server::demo::DEMO_PASSWORD;
use serde_json::{json, Value};

const MDP: &str = "cheval agrafe batterie 7";

fn inscription(email: &str) -> Value {
    json!({
        "email": email, "mot_de_passe": MDP, "civilite": "madame", "nom": "Martin", "prenoms": "Léa",
        "personne": "physique"
    })
}

/// Le jeton du dernier lien envoyé à `email` (boîte d'envoi, démonstration).
async fn dernier_jeton(app: &TestApp, email: &str) -> Option<String> {
    let envois = app.repo.envois().await.unwrap();
    let e = envois.iter().find(|e| e.destinataire == email)?;
    let i = e.corps.find("jeton=")?;
    Some(e.corps[i + 6..].split_whitespace().next()?.to_owned())
}

async fn connexion(app: &TestApp, email: &str, mdp: &str) -> common::Resp {
    app.post_json("/api/v1/auth/login", &json!({"email": email, "password": mdp}), None).await
}

#[tokio::test]
async fn creation_confirmation_puis_connexion() {
    let app = common::spawn().await;
    let r = app.post_json("/api/v1/auth/inscription", &inscription("lea.martin@exemple.fr"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["message"].as_str().unwrap().contains("un e-mail vient d'y être envoyé"));
    // Avant la confirmation : le bon mot de passe ne suffit pas.
    let r = connexion(&app, "lea.martin@exemple.fr", MDP).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert!(r.session_cookie().is_none());
    assert!(r.text().contains("pas encore confirmée"));
    let jeton = dernier_jeton(&app, "lea.martin@exemple.fr").await.expect("lien dans l'e-mail");
    let envois = app.repo.envois().await.unwrap();
    assert!(envois[0].corps.contains("http://127.0.0.1:8080/confirmation?jeton="), "{}", envois[0].corps);
    // Un faux jeton, puis le bon, puis le bon une seconde fois.
    let r = app.post_json("/api/v1/auth/confirmation", &json!({"jeton": "faux"}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
    let r = app.post_json("/api/v1/auth/confirmation", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json("/api/v1/auth/confirmation", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::GONE, "usage unique");
    let r = connexion(&app, "lea.martin@exemple.fr", MDP).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let moi = r.json();
    assert_eq!((moi["nom"].as_str(), moi["prenom"].as_str()), (Some("MARTIN"), Some("Léa")));
    assert_eq!(moi["type_compte"], "classique");
    // Le mot de passe n'est stocké que haché.
    let c = app.repo.compte_par_email("lea.martin@exemple.fr").await.unwrap().unwrap();
    assert!(c.password_hash.starts_with("$argon2id$"));
}

#[tokio::test]
async fn lien_de_confirmation_expire_apres_24_heures_et_nouveau_lien() {
    let app = common::spawn().await;
    app.post_json("/api/v1/auth/inscription", &inscription("paul@exemple.fr"), None).await;
    let ancien = dernier_jeton(&app, "paul@exemple.fr").await.unwrap();
    app.clock.advance(time::Duration::hours(25));
    let r = app.post_json("/api/v1/auth/confirmation", &json!({"jeton": ancien}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.text().contains("n'est plus valable"));
    // « Créer un compte » de nouveau avec la même adresse : un nouveau lien,
    // le mot de passe saisi la seconde fois n'est pas pris.
    let mut seconde = inscription("paul@exemple.fr");
    seconde["mot_de_passe"] = json!("un autre mot de passe 9");
    let r = app.post_json("/api/v1/auth/inscription", &seconde, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let nouveau = dernier_jeton(&app, "paul@exemple.fr").await.unwrap();
    assert_ne!(nouveau, ancien);
    assert_eq!(app.post_json("/api/v1/auth/confirmation", &json!({"jeton": nouveau}), None).await.status, StatusCode::OK);
    assert_eq!(connexion(&app, "paul@exemple.fr", MDP).await.status, StatusCode::OK);
    assert_eq!(connexion(&app, "paul@exemple.fr", "un autre mot de passe 9").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn adresse_deja_utilisee_meme_reponse_et_rien_ne_change() {
    let app = common::spawn().await;
    let neuve = app.post_json("/api/v1/auth/inscription", &inscription("inconnue@exemple.fr"), None).await;
    let r = app.post_json("/api/v1/auth/inscription", &inscription("julien.paul@demo.immat.fr"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, neuve.body, "la réponse ne dit pas si l'adresse a un compte");
    // Le titulaire de l'adresse est prévenu ; son compte n'a pas changé.
    let envois = app.repo.envois().await.unwrap();
    let e = envois.iter().find(|e| e.destinataire == "julien.paul@demo.immat.fr").unwrap();
    assert!(e.objet.contains("déjà un compte"));
    assert!(!e.corps.contains("jeton="));
    app.login("julien.paul@demo.immat.fr").await;
}

#[tokio::test]
async fn mot_de_passe_oublie_reponse_identique_lien_unique_sessions_fermees() {
    let app = common::spawn().await;
    let session = app.login("marie.dupont@demo.immat.fr").await;
    let inconnue = app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": "personne@exemple.fr"}), None).await;
    let connue = app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": "marie.dupont@demo.immat.fr"}), None).await;
    assert_eq!(inconnue.status, StatusCode::OK);
    assert_eq!(inconnue.body, connue.body, "la réponse ne dit pas si l'adresse existe");
    assert!(app.repo.envois().await.unwrap().iter().all(|e| e.destinataire != "personne@exemple.fr"));
    let jeton = dernier_jeton(&app, "marie.dupont@demo.immat.fr").await.expect("lien");
    // Un mot de passe qui ne respecte pas la règle : erreur au champ, le lien reste valable.
    let r = app.post_json("/api/v1/auth/mot-de-passe", &json!({"jeton": jeton, "mot_de_passe": "court"}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "mot_de_passe");
    let r = app.post_json("/api/v1/auth/mot-de-passe", &json!({"jeton": jeton, "mot_de_passe": "nouveau secret solide 42"}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // La session ouverte avant est fermée ; l'ancien mot de passe ne sert plus.
    assert_eq!(app.get("/api/v1/auth/me", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(connexion(&app, "marie.dupont@demo.immat.fr", immat_server::demo::DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(connexion(&app, "marie.dupont@demo.immat.fr", "nouveau secret solide 42").await.status, StatusCode::OK);
    // Le lien a servi.
    let r = app.post_json("/api/v1/auth/mot-de-passe", &json!({"jeton": jeton, "mot_de_passe": "encore un autre 77"}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
}

#[tokio::test]
async fn lien_de_mot_de_passe_expire_apres_30_minutes() {
    let app = common::spawn().await;
    app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": "julien.paul@demo.immat.fr"}), None).await;
    let jeton = dernier_jeton(&app, "julien.paul@demo.immat.fr").await.unwrap();
    app.clock.advance(time::Duration::minutes(31));
    let r = app.post_json("/api/v1/auth/mot-de-passe", &json!({"jeton": jeton, "mot_de_passe": "nouveau secret solide 42"}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
    app.login("julien.paul@demo.immat.fr").await;
}

#[tokio::test]
async fn personne_morale_avec_siren_et_erreurs_au_champ() {
    let app = common::spawn().await;
    let mut morale = inscription("contact@garage-dupuis.fr");
    morale["personne"] = json!("morale");
    morale["siren"] = json!("732 829 321");
    let r = app.post_json("/api/v1/auth/inscription", &morale, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let champs: Vec<_> = r.json()["champs"].as_array().unwrap().iter().map(|c| c["champ"].as_str().unwrap().to_owned()).collect();
    assert_eq!(champs, ["siren", "raison_sociale"]);
    assert!(!r.text().contains(MDP), "le mot de passe n'est jamais renvoyé");
    morale["siren"] = json!("732 829 320");
    morale["raison_sociale"] = json!("Garage Dupuis");
    assert_eq!(app.post_json("/api/v1/auth/inscription", &morale, None).await.status, StatusCode::OK);
    let c = app.repo.compte_par_email("contact@garage-dupuis.fr").await.unwrap().unwrap();
    assert_eq!(c.profil, immat_domain::Profil::PersonneMorale);
    assert_eq!((c.raison_sociale.as_deref(), c.siren.as_deref()), (Some("GARAGE DUPUIS"), Some("732829320")));
    assert!(!c.confirme);
}

#[tokio::test]
async fn envois_de_liens_limites_par_adresse() {
    let app = common::spawn().await;
    for _ in 0..3 {
        let r = app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": "julien.paul@demo.immat.fr"}), None).await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let r = app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": "julien.paul@demo.immat.fr"}), None).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
    let n = app.repo.envois().await.unwrap().iter().filter(|e| e.destinataire == "julien.paul@demo.immat.fr").count();
    assert_eq!(n, 3);
    // Seul le dernier lien vaut.
    let jeton = dernier_jeton(&app, "julien.paul@demo.immat.fr").await.unwrap();
    let r = app.post_json("/api/v1/auth/mot-de-passe", &json!({"jeton": jeton, "mot_de_passe": "nouveau secret solide 42"}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

/// « Mon compte » : l'identité, les sessions ouvertes (celle-ci marquée),
/// « Se déconnecter partout » ferme chacune.
#[tokio::test]
async fn mon_compte_sessions_et_deconnexion_partout() {
    let app = common::spawn().await;
    let ici = app.login("marie.dupont@demo.immat.fr").await;
    let ailleurs = app.login("marie.dupont@demo.immat.fr").await;
    let r = app.get("/api/v1/compte", Some(&ici)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let c = r.json();
    assert_eq!(c["utilisateur"]["email"], "marie.dupont@demo.immat.fr");
    assert_eq!(c["utilisateur"]["type_compte"], "certifie");
    let courantes: Vec<bool> = c["sessions"].as_array().unwrap().iter().map(|s| s["courante"].as_bool().unwrap()).collect();
    assert_eq!(courantes.len(), 2);
    assert_eq!(courantes.iter().filter(|c| **c).count(), 1);
    let r = app.post_json("/api/v1/compte/deconnexion-partout", &json!({}), Some(&ailleurs)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.headers[axum::http::header::SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    for cookie in [&ici, &ailleurs] {
        assert_eq!(app.get("/api/v1/auth/me", Some(cookie)).await.status, StatusCode::UNAUTHORIZED);
    }
}

/// « Supprimer mon compte » : le mot de passe, aucune démarche en cours ;
/// ensuite plus de connexion, l'adresse libérée, les démarches terminées
/// gardées.
#[tokio::test]
async fn supprimer_mon_compte_seulement_sans_demarche_en_cours() {
    let app = common::spawn().await;
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let r = app.post_json("/api/v1/compte/suppression", &json!({"mot_de_passe": "pas-le-bon"}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "mot_de_passe");
    let d = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "complementaire", "pour_qui": "moi_meme", "immatriculation": "",
                    "motif": {"categorie": "question", "sous_categorie": "champ_libre"}}),
            Some(&marie),
        )
        .await;
    assert_eq!(d.status, StatusCode::CREATED, "{}", d.text());
    let numero = d.json()["numero"].as_str().unwrap().to_owned();
    let r = app.post_json("/api/v1/compte/suppression", &json!({"mot_de_passe": "Demo-Immat-2026"}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("démarches en cours"));
    let r = app.post_json(&format!("/api/v1/demarches/{numero}/abandonner"), &json!({}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app.post_json("/api/v1/compte/suppression", &json!({"mot_de_passe": "Demo-Immat-2026"}), Some(&marie)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(app.get("/api/v1/auth/me", Some(&marie)).await.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/v1/auth/login", &json!({"email": "marie.dupont@demo.immat.fr", "password": "Demo-Immat-2026"}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(app.repo.compte_par_email("marie.dupont@demo.immat.fr").await.unwrap().is_none(), "adresse libérée");
    // Ses véhicules ne sont plus rattachés à un compte ; la démarche reste.
    assert_eq!(app.repo.vehicule_par_immatriculation("EF-789-GH").await.unwrap().unwrap().compte_id, None);
    assert!(app.repo.demarche_par_numero(&numero).await.unwrap().is_some());
}

/// Un compte supprimé ne revit pas : son ancienne adresse n'a plus de compte
/// (on peut en recréer un, neuf), la valeur qui la remplace n'est pas une
/// adresse (ni inscription ni réinitialisation possibles), et personne ne
/// peut bloquer une suppression en réservant cette valeur d'avance.
#[tokio::test]
async fn un_compte_supprime_ne_revit_pas() {
    let app = common::spawn().await;
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let id = app.get("/api/v1/auth/me", Some(&julien)).await.json()["id"].as_i64().unwrap();
    for email in [format!("supprime:{id}"), format!("compte-supprime-{id}@supprime.invalid")] {
        let r = app.post_json("/api/v1/auth/inscription", &inscription(&email), None).await;
        assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::OK, "{email} : {}", r.text());
    }
    let r = app.post_json("/api/v1/compte/suppression", &json!({"mot_de_passe": "Demo-Immat-2026"}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app.post_json("/api/v1/auth/inscription", &inscription(&format!("supprime:{id}")), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.post_json("/api/v1/auth/mot-de-passe-oublie", &json!({"email": format!("supprime:{id}")}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(dernier_jeton(&app, &format!("supprime:{id}")).await.is_none());
    // La même adresse peut servir à un compte neuf, qui n'hérite de rien.
    let r = app.post_json("/api/v1/auth/inscription", &inscription("julien.paul@demo.immat.fr"), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let jeton = dernier_jeton(&app, "julien.paul@demo.immat.fr").await.expect("lien de confirmation");
    assert_eq!(app.post_json("/api/v1/auth/confirmation", &json!({"jeton": jeton}), None).await.status, StatusCode::OK);
    let r = connexion(&app, "julien.paul@demo.immat.fr", MDP).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_ne!(r.json()["id"].as_i64(), Some(id));
}

#[tokio::test]
async fn changer_d_adresse_electronique_confirmee_sur_la_nouvelle_adresse() {
    let app = spawn().await;
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let url = "/api/v1/compte/adresse-electronique";
    // Mauvais mot de passe, même adresse : erreurs aux champs.
    let r =
        app.post_json(url, &json!({"nouvelle_adresse": "julien.nouveau@exemple.fr", "mot_de_passe": "pas-le-bon"}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "mot_de_passe");
    let r =
        app.post_json(url, &json!({"nouvelle_adresse": "JULIEN.PAUL@demo.immat.fr", "mot_de_passe": DEMO_PASSWORD}), Some(&julien)).await;
    assert_eq!(r.json()["champs"][0]["champ"], "nouvelle_adresse");

    // L'adresse d'un autre compte : même réponse, aucun lien envoyé.
    let r =
        app.post_json(url, &json!({"nouvelle_adresse": "marie.dupont@demo.immat.fr", "mot_de_passe": DEMO_PASSWORD}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK);
    let reponse_prise = r.json()["message"].clone();
    assert!(dernier_jeton(&app, "marie.dupont@demo.immat.fr").await.is_none());

    let r =
        app.post_json(url, &json!({"nouvelle_adresse": "julien.nouveau@exemple.fr", "mot_de_passe": DEMO_PASSWORD}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["message"], reponse_prise);
    // Tant que le lien n'est pas ouvert, rien ne change.
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["email"], "julien.paul@demo.immat.fr");
    let jeton = dernier_jeton(&app, "julien.nouveau@exemple.fr").await.expect("lien envoyé à la nouvelle adresse");
    let r = app.post_json("/api/v1/auth/confirmation-adresse", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["email"], "julien.nouveau@exemple.fr");
    // L'ancienne adresse est prévenue ; le lien ne sert qu'une fois.
    let envois = app.repo.envois().await.unwrap();
    assert!(envois.iter().any(|e| e.destinataire == "julien.paul@demo.immat.fr" && e.corps.contains("julien.nouveau@exemple.fr")));
    let r = app.post_json("/api/v1/auth/confirmation-adresse", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
    // La connexion se fait avec la nouvelle adresse.
    assert_eq!(connexion(&app, "julien.nouveau@exemple.fr", DEMO_PASSWORD).await.status, StatusCode::OK);
    assert_eq!(connexion(&app, "julien.paul@demo.immat.fr", DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn lien_de_changement_d_adresse_expire_ou_adresse_prise_entre_temps() {
    let app = spawn().await;
    let julien = app.login("julien.paul@demo.immat.fr").await;
    let url = "/api/v1/compte/adresse-electronique";
    let r = app.post_json(url, &json!({"nouvelle_adresse": "libre@exemple.fr", "mot_de_passe": DEMO_PASSWORD}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK);
    let jeton = dernier_jeton(&app, "libre@exemple.fr").await.unwrap();
    // Quelqu'un crée un compte avec cette adresse avant le clic.
    let r = app.post_json("/api/v1/auth/inscription", &inscription("libre@exemple.fr"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app.post_json("/api/v1/auth/confirmation-adresse", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/auth/me", Some(&julien)).await.json()["email"], "julien.paul@demo.immat.fr");

    // Un lien de plus de 24 heures est périmé.
    let r = app.post_json(url, &json!({"nouvelle_adresse": "autre@exemple.fr", "mot_de_passe": DEMO_PASSWORD}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK);
    let jeton = dernier_jeton(&app, "autre@exemple.fr").await.unwrap();
    app.clock.advance(time::Duration::hours(25));
    let r = app.post_json("/api/v1/auth/confirmation-adresse", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::GONE);
}
