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
    // Un PostgreSQL injoignable : une erreur qui le dit, pas une panique.
    config.database_url = Some("postgres://immat@127.0.0.1:1/immat".into());
    let err = db::connect(&config).await.err().unwrap().to_string();
    assert!(err.contains("PostgreSQL injoignable"), "{err}");
}

/// La migration 0003 crée un index unique « un brouillon par compte, véhicule
/// et téléprocédure » : sur une base qui avait déjà des doublons (ancien
/// double clic), elle abandonne les plus anciens au lieu d'échouer.
#[tokio::test]
async fn migration_0003_sur_une_base_avec_des_brouillons_en_double() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("data"), dir.path().join("dist"));
    std::fs::create_dir_all(&config.data_dir).unwrap();
    let url = config.database_url();
    {
        let opts = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url).unwrap().create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        let mut m = sqlx::migrate!("./migrations/sqlite");
        m.migrations = m.migrations.iter().filter(|x| x.version <= 2).cloned().collect::<Vec<_>>().into();
        m.run(&pool).await.unwrap();
        sqlx::query("insert into compte (compte_id, email, password_hash, prenom, nom, profil) values (1, 'a@exemple.fr', 'x', 'A', 'B', 'personne_physique')")
            .execute(&pool).await.unwrap();
        sqlx::query(
            "insert into vehicule (vehicule_id, immatriculation, type_immatriculation, vin, marque, modele, genre, energie, puissance_cv,
             date_premiere_immatriculation, compte_id, titulaire_nom, adresse_voie, adresse_code_postal, adresse_commune)
             values (1, 'AA-001-AA', 'siv', 'VF1AAAAAAAAAAAAAA', 'M', 'M', 'vp', 'essence', 5, '2020-01-01', 1, 'B', '1 RUE', '35000', 'RENNES')",
        )
        .execute(&pool).await.unwrap();
        for numero in ["2026-AAAAAAAA", "2026-BBBBBBBB"] {
            sqlx::query("insert into demarche (numero, compte_id, vehicule_id, teleprocedure, etat, pour_qui) values ($1, 1, 1, 'cession', 'brouillon', 'moi_meme')")
                .bind(numero).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    let repo = db::connect(&config).await.expect("la migration passe malgré les doublons");
    let anciens = repo.demarche_par_numero("2026-AAAAAAAA").await.unwrap().unwrap();
    let recent = repo.demarche_par_numero("2026-BBBBBBBB").await.unwrap().unwrap();
    assert_eq!(anciens.etat, immat_domain::EtatDemarche::Abandonnee);
    assert_eq!(recent.etat, immat_domain::EtatDemarche::Brouillon);
}

/// Les clés de limites échues s'effacent ; une clé bloquée reste.
#[tokio::test]
async fn purge_des_limites_echues() {
    use immat_domain::limites::Limite;
    use immat_server::db::Reservation;
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("data"), dir.path().join("dist"));
    let repo = db::connect(&config).await.unwrap();
    let t0 = time::OffsetDateTime::now_utc();
    let l = Limite::CONNEXION_COMPTE;
    assert_eq!(repo.reserver_tentative("a", &l, t0).await.unwrap(), Reservation::Accordee(1));
    assert_eq!(repo.reserver_tentative("a", &l, t0).await.unwrap(), Reservation::Accordee(2));
    repo.bloquer("b", t0 + time::Duration::days(3)).await.unwrap();
    let fenetre = Limite::plus_longue_fenetre_secondes();
    assert_eq!(repo.purger_limites(t0 + time::Duration::hours(1), fenetre).await.unwrap(), 0, "rien d'échu");
    assert_eq!(repo.purger_limites(t0 + time::Duration::days(2), fenetre).await.unwrap(), 1, "« a » échue, « b » bloquée");
    assert!(repo.blocage("b", t0 + time::Duration::days(2)).await.unwrap().is_some());
    // Une clé effacée repart de 1.
    assert_eq!(repo.reserver_tentative("a", &l, t0 + time::Duration::days(2)).await.unwrap(), Reservation::Accordee(1));
}
