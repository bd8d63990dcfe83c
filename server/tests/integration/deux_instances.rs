//! Deux instances du serveur sur une même base, sans mémoire partagée : une
//! session ouverte sur l'une vaut sur l'autre, les limites de tentatives et
//! les blocages tiennent sur les deux, une tâche de fond ne tourne qu'une
//! fois à la fois. Sur PostgreSQL (`IMMAT_TEST_POSTGRES`), c'est le
//! déploiement à plusieurs instances ; sur SQLite, deux serveurs sur un même
//! fichier.

use crate::common;

use axum::http::StatusCode;
use common::login_depuis;
use immat_server::db::TacheDeFond;
use serde_json::json;

const JULIEN: &str = "julien.paul@demo.immat.fr";
const MARIE: &str = "marie.dupont@demo.immat.fr";

#[tokio::test]
async fn session_ouverte_sur_l_une_valable_sur_l_autre_et_fermee_partout() {
    let a = common::spawn().await;
    let b = common::spawn_soeur(&a).await;
    let cookie = a.login(MARIE).await;
    let espace = b.get("/api/v1/espace", Some(&cookie)).await;
    assert_eq!(espace.status, StatusCode::OK, "{}", espace.text());
    assert!(espace.text().contains("EF-789-GH"), "{}", espace.text());
    // Une démarche démarrée sur B se reprend sur A.
    let r = b
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "changement_adresse", "pour_qui": "moi_meme", "immatriculation": "EF-789-GH", "code_confidentiel": ""}),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let numero = r.json()["numero"].as_str().unwrap().to_owned();
    let sur_a = a.get(&format!("/api/v1/demarches/{numero}"), Some(&cookie)).await;
    assert_eq!(sur_a.status, StatusCode::OK, "{}", sur_a.text());
    assert_eq!(sur_a.json()["numero"], numero.as_str());
    // Déconnexion sur B : la session ne vaut plus sur A.
    let r = b.post_json("/api/v1/auth/logout", &json!({}), Some(&cookie)).await;
    assert!(r.status.is_success(), "{}", r.status);
    assert_eq!(a.get("/api/v1/espace", Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn les_tentatives_comptent_sur_les_deux_instances() {
    let a = common::spawn().await;
    let b = common::spawn_soeur(&a).await;
    // Cinq échecs, en alternance : sur une seule instance, aucune n'en
    // verrait plus de trois.
    for i in 0..5 {
        let instance = if i % 2 == 0 { &a } else { &b };
        let r = instance.send(login_depuis(JULIEN, "mauvais", [10, 0, 0, 1])).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "essai {i}");
    }
    // Le sixième est bloqué sur les deux, même avec le bon mot de passe.
    for instance in [&b, &a] {
        let r = instance.send(login_depuis(JULIEN, immat_server::demo::DEMO_PASSWORD, [10, 0, 0, 3])).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.text());
        assert!(r.session_cookie().is_none());
    }
}

#[tokio::test]
async fn une_tache_de_fond_ne_tourne_qu_une_fois_a_la_fois() {
    let a = common::spawn().await;
    let b = common::spawn_soeur(&a).await;
    let tenu = a.repo.tache_exclusive(TacheDeFond::Rapprochement).await.unwrap().expect("le premier l'obtient");
    // Sur la même instance, personne d'autre.
    assert!(a.repo.tache_exclusive(TacheDeFond::Rapprochement).await.unwrap().is_none());
    assert_eq!(immat_server::http::rapprocher(&a.state).await.unwrap(), 0);
    if common::moteur() == "postgres" {
        // Sur l'autre instance non plus : le verrou est dans la base.
        assert!(b.repo.tache_exclusive(TacheDeFond::Rapprochement).await.unwrap().is_none());
    }
    drop(tenu);
    // Lâché, il revient (PostgreSQL : quand la connexion qui le tenait se
    // ferme, ce que le serveur voit aussitôt).
    let mut obtenu = None;
    for _ in 0..50 {
        obtenu = b.repo.tache_exclusive(TacheDeFond::Rapprochement).await.unwrap();
        if obtenu.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(obtenu.is_some(), "le verrou lâché revient à l'autre instance");
    drop(obtenu);
    // Vingt rapprochements simultanés sur les deux instances : aucun
    // n'échoue (ceux qui ne l'obtiennent pas rendent 0).
    let appels = (0..20).map(|i| {
        let state = if i % 2 == 0 { a.state.clone() } else { b.state.clone() };
        async move { immat_server::http::rapprocher(&state).await }
    });
    for r in futures::future::join_all(appels).await {
        assert_eq!(r.unwrap(), 0);
    }
}
