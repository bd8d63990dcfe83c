//! Le squelette de l'API : santé, sessions, erreurs JSON, SPA.

use crate::common;

use axum::{
    body::Body,
    http::{header, Request, StatusCode},
};
use serde_json::json;

#[tokio::test]
async fn health_repond_ok() {
    let app = common::spawn().await;
    let r = app.get("/api/v1/health", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(r.json()["demo"], true);
}

#[tokio::test]
async fn config_donne_le_bandeau_de_demonstration() {
    let app = common::spawn().await;
    let r = app.get("/api/v1/config", None).await;
    assert_eq!(r.json()["bandeau_demo"], "Environnement de démonstration — service non officiel");
}

#[tokio::test]
async fn connexion_reussie_pose_un_cookie_httponly_et_rend_l_usager() {
    let app = common::spawn().await;
    let r = app.post_json("/api/v1/auth/login", &json!({"email": " Julien.Paul@demo.immat.fr", "password": "Demo-Immat-2026"}), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let set_cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with("immat_session="));
    assert!(set_cookie.contains("HttpOnly"));
    assert!(set_cookie.contains("SameSite=Lax"));
    assert!(!set_cookie.contains("Secure"), "pas de Secure en HTTP local");
    let u = r.json();
    assert_eq!(u["prenom"], "Julien");
    assert_eq!(u["type_compte"], "classique");
}

#[tokio::test]
async fn connexion_echouee_401_avec_erreur_au_champ() {
    let app = common::spawn().await;
    let r = app.post_json("/api/v1/auth/login", &json!({"email": "julien.paul@demo.immat.fr", "password": "mauvais"}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let e = r.json();
    assert_eq!(e["code"], "identifiants_invalides");
    assert_eq!(e["champs"][0]["champ"], "password");
    assert!(r.headers.get(header::SET_COOKIE).is_none());
    // Un compte inconnu reçoit la même réponse.
    let r = app.post_json("/api/v1/auth/login", &json!({"email": "inconnu@demo.immat.fr", "password": "x"}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "identifiants_invalides");
}

#[tokio::test]
async fn connexion_formulaire_invalide_422_par_champ() {
    let app = common::spawn().await;
    let r = app.post_json("/api/v1/auth/login", &json!({"email": "pas-un-email", "password": ""}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = r.json();
    assert_eq!(e["code"], "validation");
    assert_eq!(e["champs"].as_array().unwrap().len(), 2);
    assert_eq!(e["champs"][0]["message"], "L'adresse électronique doit être au format nom@domaine.fr.");
}

#[tokio::test]
async fn qui_suis_je_avec_et_sans_session() {
    let app = common::spawn().await;
    let r = app.get("/api/v1/auth/me", None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "non_authentifie");
    let cookie = app.login("marie.dupont@demo.immat.fr").await;
    let r = app.get("/api/v1/auth/me", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["nom"], "Dupont");
    assert_eq!(r.json()["type_compte"], "certifie");
    let r = app.get("/api/v1/auth/me", Some("immat_session=jeton-forge")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn la_session_est_renouvelee_a_la_connexion_et_detruite_a_la_deconnexion() {
    let app = common::spawn().await;
    let premier = app.login("julien.paul@demo.immat.fr").await;
    // Une seconde connexion depuis le même navigateur invalide l'ancien jeton.
    let r = app
        .post_json("/api/v1/auth/login", &json!({"email": "julien.paul@demo.immat.fr", "password": "Demo-Immat-2026"}), Some(&premier))
        .await;
    let second = r.session_cookie().unwrap();
    assert_ne!(premier, second);
    assert_eq!(app.get("/api/v1/auth/me", Some(&premier)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", Some(&second)).await.status, StatusCode::OK);
    let r = app.post_json("/api/v1/auth/logout", &json!({}), Some(&second)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get("/api/v1/auth/me", Some(&second)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn route_protegee_sans_session_401() {
    let app = common::spawn().await;
    assert_eq!(app.get("/api/v1/espace", None).await.status, StatusCode::UNAUTHORIZED);
    let r = app.post_json("/api/v1/auth/logout", &json!({}), None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "non_authentifie");
}

#[tokio::test]
async fn json_malforme_400_jamais_500() {
    let app = common::spawn().await;
    let req =
        Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "application/json").body(Body::from("{\"email\": ")).unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "json_invalide");
    // Un champ du mauvais type.
    let r = app.post_json("/api/v1/auth/login", &json!({"email": 12, "password": "x"}), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "json_invalide");
}

#[tokio::test]
async fn mauvais_type_de_contenu_415() {
    let app = common::spawn().await;
    let req = Request::post("/api/v1/auth/login").header(header::CONTENT_TYPE, "text/plain").body(Body::from("email=x")).unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["code"], "type_de_contenu");
}

#[tokio::test]
async fn corps_trop_volumineux_413() {
    let app = common::spawn().await;
    let big = json!({"email": "a@b.fr", "password": "x".repeat(100_000)});
    let r = app.post_json("/api/v1/auth/login", &big, None).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["code"], "trop_volumineux");
}

#[tokio::test]
async fn api_inconnue_404_json() {
    let app = common::spawn().await;
    for uri in ["/api/v1/nexiste-pas", "/api/v2/health", "/api"] {
        let r = app.get(uri, None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(r.json()["code"], "introuvable", "{uri}");
    }
}

#[tokio::test]
async fn repli_du_spa_sur_index_html() {
    let app = common::spawn().await;
    for uri in ["/", "/mon-espace", "/espace-vehicule/procedure/cession"] {
        let r = app.get(uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}");
        assert!(r.text().contains("<title>Immat</title>"), "{uri}");
    }
}

#[tokio::test]
async fn espace_vehicule_liste_les_vehicules_du_compte() {
    let app = common::spawn().await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let r = app.get("/api/v1/espace", Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let e = r.json();
    let immats: Vec<&str> = e["vehicules"].as_array().unwrap().iter().map(|v| v["immatriculation"].as_str().unwrap()).collect();
    assert_eq!(immats, ["123 ABC 75", "AB-123-CD", "CD-456-EF"]);
    assert_eq!(e["vehicules"][2]["situation"]["gage"], true);
    // Un autre compte ne voit pas ces véhicules.
    let cookie = app.login("garage.central@demo.immat.fr").await;
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    assert!(e["vehicules"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn ressources_du_spa_compressees_en_gzip() {
    let app = common::spawn().await;
    let big = "x".repeat(10_000);
    std::fs::write(app.config.dist_dir.join("app.js"), &big).unwrap();
    let req = Request::get("/app.js").header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers.get(header::CONTENT_ENCODING).unwrap(), "gzip");
    assert!(r.body.len() < 1_000, "{} octets compressés", r.body.len());
}
