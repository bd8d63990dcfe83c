//! Vingt appels simultanés au dépôt, sur le moteur des tests (SQLite, ou
//! PostgreSQL avec `IMMAT_TEST_POSTGRES`, où les transactions ne sont pas
//! sérialisées et où les verrous de ligne font le travail).

mod common;

use futures::future::join_all;
use immat_server::db::UsageJeton;
use time::Duration;

#[tokio::test]
async fn codes_en_attente_plafonnes_meme_demandes_ensemble() {
    let app = common::spawn().await;
    let v = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    let maintenant = time::OffsetDateTime::now_utc();
    let demandes = (0..20).map(|i| {
        let repo = app.repo.clone();
        async move { repo.proposer_code_confidentiel(v.id, &format!("hash-{i}"), maintenant + Duration::days(30), 3).await }
    });
    for r in join_all(demandes).await {
        r.unwrap();
    }
    let codes = app.repo.codes_en_attente(v.id, maintenant).await.unwrap();
    assert_eq!(codes.len(), 3, "{codes:?}");
}

#[tokio::test]
async fn un_seul_lien_valable_meme_demandes_ensemble() {
    let app = common::spawn().await;
    let julien = app.repo.compte_par_email("julien.paul@demo.immat.fr").await.unwrap().unwrap();
    let maintenant = time::OffsetDateTime::now_utc();
    let demandes =
        (0..20).map(|i| {
            let repo = app.repo.clone();
            async move {
                repo.creer_jeton(julien.id, UsageJeton::Reinitialisation, &format!("jeton-{i}"), maintenant + Duration::hours(1)).await
            }
        });
    for r in join_all(demandes).await {
        r.unwrap();
    }
    let mut valables = 0;
    for i in 0..20 {
        if app.repo.compte_du_jeton(&format!("jeton-{i}"), UsageJeton::Reinitialisation, maintenant).await.unwrap().is_some() {
            valables += 1;
        }
    }
    assert_eq!(valables, 1);
}
