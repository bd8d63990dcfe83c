//! Un nouvel usager et ses véhicules : le code confidentiel rattache un
//! véhicule du registre à son compte (« pour moi-même » ou « Ajouter un
//! véhicule ») ; jamais le véhicule du compte d'une autre personne.

use crate::common::{self, TestApp};

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

const MDP: &str = "cheval agrafe batterie 7";
const JULIEN: &str = "julien.paul@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];
/// Un véhicule du registre sans compte, et son code (données de démonstration).
const NV: (&str, &str) = ("NV-500-AA", "NV5A-A6BC");
const NV2: (&str, &str) = ("NV-600-BB", "NV6B-B7CD");

/// Un compte classique créé aujourd'hui, confirmé par son lien : sa session.
async fn nouveau_compte(app: &TestApp, email: &str) -> String {
    let corps = json!({
        "email": email, "mot_de_passe": MDP, "civilite": "madame", "nom": "Moreau", "prenoms": "Camille",
        "personne": "physique"
    });
    let r = app.post_json("/api/v1/auth/inscription", &corps, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let envois = app.repo.envois().await.unwrap();
    let e = envois.iter().find(|e| e.destinataire == email).expect("lien de confirmation envoyé");
    let i = e.corps.find("jeton=").expect("jeton dans l'e-mail");
    let jeton = e.corps[i + 6..].split_whitespace().next().unwrap();
    let r = app.post_json("/api/v1/auth/confirmation", &json!({"jeton": jeton}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json("/api/v1/auth/login", &json!({"email": email, "password": MDP}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.session_cookie().expect("session")
}

fn demarrage(tp: &str, immat: &str, code: &str) -> Value {
    json!({"teleprocedure": tp, "pour_qui": "moi_meme", "immatriculation": immat, "code_confidentiel": code})
}

async fn mes_vehicules(app: &TestApp, cookie: &str) -> Vec<String> {
    let e = app.get("/api/v1/espace", Some(cookie)).await;
    assert_eq!(e.status, StatusCode::OK, "{}", e.text());
    e.json()["vehicules"].as_array().unwrap().iter().map(|v| v["immatriculation"].as_str().unwrap().to_owned()).collect()
}

fn message(r: &common::Resp) -> (String, String) {
    let j = r.json();
    (j["champs"][0]["champ"].as_str().unwrap_or_default().to_owned(), j["champs"][0]["message"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn un_nouveau_compte_prouve_son_vehicule_par_le_code_et_change_d_adresse() {
    let app = common::spawn().await;
    let camille = nouveau_compte(&app, "camille.moreau@exemple.fr").await;
    assert!(mes_vehicules(&app, &camille).await.is_empty());

    // Un code faux : refusé au champ du code, rien n'est rattaché.
    let faux = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", NV.0, "ZZZZ-ZZZZ"), Some(&camille)).await;
    assert_eq!(faux.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", faux.text());
    assert!(mes_vehicules(&app, &camille).await.is_empty());
    // Un numéro inconnu : exactement la même réponse que le code faux.
    let inconnu = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "ZZ-998-ZZ", "ZZZZ-ZZZZ"), Some(&camille)).await;
    assert_eq!(inconnu.status, faux.status);
    assert_eq!(message(&inconnu), message(&faux));
    assert_eq!(message(&faux).0, "code_confidentiel");
    assert!(message(&faux).1.contains("code confidentiel"), "{}", faux.text());

    // Le bon code : la démarche démarre, le véhicule rejoint le compte.
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", NV.0, NV.1), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["vehicule"]["titulaire"]["nom"], "MOREAU");
    let numero = r.json()["numero"].as_str().unwrap().to_owned();
    assert_eq!(mes_vehicules(&app, &camille).await, [NV.0]);

    // Jusqu'au bout : adresse, vérification, « Valider ».
    let base = format!("/api/v1/demarches/{numero}");
    let adresse = json!({"adresse": {"voie": "3 rue Nationale", "code_postal": "59000", "commune": "Lille"}});
    let r = app.put_json(&format!("{base}/adresse"), &adresse, &camille).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &camille).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etat"], "terminee");
    let e = app.get("/api/v1/espace", Some(&camille)).await.json();
    assert_eq!(e["vehicules"][0]["titulaire"]["adresse"]["commune"], "LILLE", "{e}");

    // Sa démarche suivante sur ce véhicule reprend le même chemin (code
    // demandé au compte classique), sans autre rattachement.
    let r = app.post_json("/api/v1/demarches", &demarrage("cession", NV.0, NV.1), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn le_bon_code_ne_deplace_pas_le_vehicule_du_compte_d_une_autre_personne() {
    let app = common::spawn().await;
    let camille = nouveau_compte(&app, "camille.moreau@exemple.fr").await;
    let julien = app.login(JULIEN).await;
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", "AB-123-CD", "AB2C-D3EF"), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(message(&r).0, "immatriculation");
    assert!(message(&r).1.contains("déjà rattaché au compte ANTS d'une autre personne"), "{}", r.text());
    assert!(!r.text().contains("PAUL") && !r.text().contains("Julien"), "{}", r.text());
    let r = app
        .post_json("/api/v1/vehicules", &json!({"immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}), Some(&camille))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(mes_vehicules(&app, &camille).await.is_empty());
    assert!(mes_vehicules(&app, &julien).await.contains(&"AB-123-CD".to_owned()));
    // Pour quelqu'un d'autre, avec le code : la démarche est possible.
    let autrui = json!({"teleprocedure": "changement_adresse", "pour_qui": "autrui", "immatriculation": "AB-123-CD",
        "code_confidentiel": "AB2C-D3EF"});
    let r = app.post_json("/api/v1/demarches", &autrui, Some(&camille)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert!(mes_vehicules(&app, &camille).await.is_empty(), "pour autrui : rien n'est rattaché");
}

#[tokio::test]
async fn ajouter_un_vehicule_erreurs_aux_champs_limites_et_reponses() {
    let app = common::spawn().await;
    let camille = nouveau_compte(&app, "camille.moreau@exemple.fr").await;
    // Saisie mal formée : une erreur par champ, rien n'est compté.
    let r = app.post_json("/api/v1/vehicules", &json!({"immatriculation": "AB 12", "code_confidentiel": "x"}), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    let champs: Vec<&str> = j["champs"].as_array().unwrap().iter().map(|c| c["champ"].as_str().unwrap()).collect();
    assert_eq!(champs, ["immatriculation", "code_confidentiel"], "{}", r.text());
    // Des codes faux : 4 refus au champ, puis blocage (429).
    let mut statuts = Vec::new();
    for _ in 0..5 {
        let r =
            app.post_json("/api/v1/vehicules", &json!({"immatriculation": NV2.0, "code_confidentiel": "ZZZZ-ZZZZ"}), Some(&camille)).await;
        statuts.push(r.status.as_u16());
    }
    assert_eq!(statuts, [422, 422, 422, 422, 429]);
    // Bloqué : même le bon code attend la fin du blocage.
    let bon = json!({"immatriculation": NV2.0, "code_confidentiel": NV2.1});
    assert_eq!(app.post_json("/api/v1/vehicules", &bon, Some(&camille)).await.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(time::Duration::minutes(16));
    let r = app.post_json("/api/v1/vehicules", &bon, Some(&camille)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["ajoute"], true);
    assert_eq!(r.json()["immatriculation"], NV2.0);
    let r = app.post_json("/api/v1/vehicules", &bon, Some(&camille)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["ajoute"], false);
    assert_eq!(mes_vehicules(&app, &camille).await, [NV2.0]);
    // Sans session : 401 ; un agent du CERT : 403.
    assert_eq!(app.post_json("/api/v1/vehicules", &bon, None).await.status, StatusCode::UNAUTHORIZED);
    let agent = app.login("agent.cert@demo.immat.fr").await;
    assert_eq!(app.post_json("/api/v1/vehicules", &bon, Some(&agent)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deux_comptes_prouvent_le_meme_vehicule_en_meme_temps_un_seul_l_obtient() {
    let app = common::spawn().await;
    let a = nouveau_compte(&app, "a.moreau@exemple.fr").await;
    let b = nouveau_compte(&app, "b.moreau@exemple.fr").await;
    let corps = json!({"immatriculation": NV.0, "code_confidentiel": NV.1});
    let mut taches = Vec::new();
    for i in 0..10 {
        let req = common::json_request(Method::POST, "/api/v1/vehicules", &corps, Some(if i % 2 == 0 { &a } else { &b }));
        let router = app.router.clone();
        taches.push(tokio::spawn(async move { router.oneshot(req).await.expect("réponse").status() }));
    }
    let mut statuts = Vec::new();
    for t in taches {
        statuts.push(t.await.unwrap().as_u16());
    }
    assert!(statuts.iter().all(|s| [200, 201, 422].contains(s)), "{statuts:?}");
    assert_eq!(statuts.iter().filter(|s| **s == 201).count(), 1, "{statuts:?}");
    let (va, vb) = (mes_vehicules(&app, &a).await, mes_vehicules(&app, &b).await);
    assert_eq!(va.len() + vb.len(), 1, "{va:?} {vb:?}");
}

#[tokio::test]
async fn un_vehicule_declare_cede_ne_rejoint_aucun_compte() {
    let app = common::spawn().await;
    // Un mandataire déclare la cession de NV-600-BB pour son titulaire.
    let julien = app.login(JULIEN).await;
    let autrui = json!({"teleprocedure": "cession", "pour_qui": "autrui", "immatriculation": NV2.0, "code_confidentiel": NV2.1});
    let r = app.post_json("/api/v1/demarches", &autrui, Some(&julien)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let base = format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap());
    let cession = json!({
        "acquereur": {"type_personne": "physique", "nom": "Martin", "prenoms": "Léa", "date_naissance": "14/07/1990"},
        "adresse": {"voie": "4 rue Nationale", "code_postal": "59000", "commune": "Lille"},
        "date_cession": app.state.now().date().to_string(), "heure_cession": "09:00"
    });
    assert_eq!(app.put_json(&format!("{base}/cession"), &cession, &julien).await.status, StatusCode::OK);
    assert_eq!(app.put_json(&format!("{base}/verification"), &json!({"accepter": true}), &julien).await.status, StatusCode::OK);
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&julien)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(mes_vehicules(&app, &julien).await.iter().all(|v| v != NV2.0), "pour autrui : rien n'est rattaché");
    // Le bon code ne l'ajoute plus à aucun compte.
    let camille = nouveau_compte(&app, "camille.moreau@exemple.fr").await;
    let r = app.post_json("/api/v1/vehicules", &json!({"immatriculation": NV2.0, "code_confidentiel": NV2.1}), Some(&camille)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(message(&r).0, "immatriculation");
    assert!(message(&r).1.contains("déclaré cédé"), "{}", r.text());
    assert!(mes_vehicules(&app, &camille).await.is_empty());
}

#[tokio::test]
async fn un_professionnel_habilite_ne_prend_pas_le_vehicule_d_un_client_par_son_code() {
    let app = common::spawn().await;
    let garage = app.login("garage.central@demo.immat.fr").await;
    let r = app.post_json("/api/v1/vehicules", &json!({"immatriculation": NV.0, "code_confidentiel": NV.1}), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(message(&r).1.contains("agit pour ses clients"), "{}", r.text());
    let r = app.post_json("/api/v1/demarches", &demarrage("changement_adresse", NV.0, NV.1), Some(&garage)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(mes_vehicules(&app, &garage).await.is_empty());
    assert_eq!(app.repo.vehicule_par_immatriculation(NV.0).await.unwrap().unwrap().compte_id, None);
    // Pour son client, avec le code : la démarche se fait.
    let autrui = json!({"teleprocedure": "changement_adresse", "pour_qui": "autrui", "immatriculation": NV.0, "code_confidentiel": NV.1});
    assert_eq!(app.post_json("/api/v1/demarches", &autrui, Some(&garage)).await.status, StatusCode::CREATED);
}
