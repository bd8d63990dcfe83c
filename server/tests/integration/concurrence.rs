//! Vingt appels simultanés au dépôt, sur le moteur des tests (SQLite, ou
//! PostgreSQL avec `IMMAT_TEST_POSTGRES`, où les transactions ne sont pas
//! sérialisées et où les verrous de ligne font le travail).

use crate::common;

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

/// Le changement d'adresse ne s'écrit que sur le registre lu à la
/// validation : si le véhicule a changé entre-temps (nouveau code, cession,
/// autre titulaire), rien n'est écrit, ni la démarche ni l'adresse.
#[tokio::test]
async fn adresse_refusee_si_le_registre_a_change_entre_la_lecture_et_l_ecriture() {
    use immat_domain::{adresse_postale::AdresseNormalisee, demarche::Etape, EtatDemarche, PourQui, Teleprocedure};
    use immat_server::db::{DbError, Ecriture};
    let app = common::spawn().await;
    let marie = app.repo.compte_par_email("marie.dupont@demo.immat.fr").await.unwrap().unwrap();
    let lu = app.repo.vehicule_par_immatriculation("EF-789-GH").await.unwrap().unwrap();
    let donnees = serde_json::json!({});
    let (d, _) = app
        .repo
        .creer_demarche("CA-TEST-0001", marie.id, lu.id, Teleprocedure::ChangementAdresse, PourQui::MoiMeme, &donnees)
        .await
        .unwrap();
    // Entre la lecture et l'écriture, un nouveau code confidentiel sert.
    let maintenant = time::OffsetDateTime::now_utc();
    app.repo.proposer_code_confidentiel(lu.id, "nouveau", maintenant + Duration::days(30), 3).await.unwrap();
    let (code_id, _) = app.repo.codes_en_attente(lu.id, maintenant).await.unwrap()[0].clone();
    assert!(app.repo.adopter_code_confidentiel(lu.id, code_id).await.unwrap());
    let adresse = AdresseNormalisee {
        voie: "1 RUE DE LA PAIX".into(),
        complement: None,
        lieu_dit: None,
        code_postal: "75002".into(),
        commune: "PARIS".into(),
    };
    let ecriture = Ecriture { d: &d, vers: EtatDemarche::Terminee, etape: Etape::Fin, donnees: &donnees };
    let r = app.repo.terminer_changement_adresse(ecriture, lu.id, lu.code_confidentiel_version, &adresse, 3).await;
    assert!(matches!(r, Err(DbError::Conflict(_))), "{r:?}");
    let apres = app.repo.vehicule(lu.id).await.unwrap();
    assert_eq!(apres.adresse_voie, lu.adresse_voie);
    assert_eq!(app.repo.demarche(d.id).await.unwrap().etat, EtatDemarche::Brouillon);
    // Avec la version à jour, elle s'écrit.
    let ecriture = Ecriture { d: &d, vers: EtatDemarche::Terminee, etape: Etape::Fin, donnees: &donnees };
    app.repo.terminer_changement_adresse(ecriture, lu.id, apres.code_confidentiel_version, &adresse, 3).await.unwrap();
    assert_eq!(app.repo.vehicule(lu.id).await.unwrap().adresse_voie, "1 RUE DE LA PAIX");
}
