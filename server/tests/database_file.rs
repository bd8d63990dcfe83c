//! Contre un vrai fichier SQLite : migrations, idempotence des données de
//! démonstration, persistance après réouverture.

use immat_server::{config::Config, db, demo};

#[tokio::test]
async fn migrations_et_demo_idempotentes_sur_fichier() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("data"), dir.path().join("dist"));
    {
        let repo = db::connect(&config).await.unwrap();
        demo::seed(repo.as_ref()).await.unwrap();
        demo::seed(repo.as_ref()).await.unwrap();
    }
    assert!(dir.path().join("data/immat.db").exists());
    // Réouverture : les migrations déjà appliquées ne rejouent pas.
    let repo = db::connect(&config).await.unwrap();
    demo::seed(repo.as_ref()).await.unwrap();
    for c in &demo::COMPTES {
        let compte = repo.compte_par_email(c.email).await.unwrap().expect("compte");
        assert_eq!(compte.profil, c.profil);
    }
    let julien = repo.compte_par_email("julien.paul@demo.immat.fr").await.unwrap().unwrap();
    assert_eq!(repo.vehicules_du_compte(julien.id).await.unwrap().len(), 3);
    let marie = repo.compte_par_email("marie.dupont@demo.immat.fr").await.unwrap().unwrap();
    let siens = repo.vehicules_du_compte(marie.id).await.unwrap();
    assert!(siens.iter().any(|v| v.situation.vol), "un véhicule volé");
    assert!(siens.iter().any(|v| v.situation.otci), "un véhicule sous OTCI");
}

#[tokio::test]
async fn url_de_base_inconnue_refusee() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("data"), dir.path().join("dist"));
    config.database_url = Some("mysql://localhost/immat".into());
    assert!(db::connect(&config).await.is_err());
    config.database_url = Some("postgres://localhost/immat".into());
    let err = db::connect(&config).await.err().unwrap().to_string();
    assert!(err.contains("PostgreSQL"), "{err}");
}
