//! Demande de duplicata (cas sans blocage) : motif, paiement, nouveau
//! certificat et CPI ; le vol renvoie au CERT (pas encore construit).

mod common;

use axum::http::StatusCode;
use common::TestApp;
use serde_json::{json, Value};

const JULIEN: &str = "julien.paul@demo.immat.fr";
const CLU: [&str; 3] = ["exactitude", "sanctions", "donnees"];

async fn demarrer(app: &TestApp, cookie: &str, immat: &str, code: &str) -> String {
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "duplicata", "pour_qui": "moi_meme", "immatriculation": immat, "code_confidentiel": code}),
            Some(cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    format!("/api/v1/demarches/{}", r.json()["numero"].as_str().unwrap())
}

async fn payer_et_terminer(app: &TestApp, base: &str, cookie: &str) -> Value {
    let p = app.post_json(&format!("{base}/paiements"), &json!({}), Some(cookie)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text());
    let idop = p.json()["url"].as_str().unwrap().rsplit('=').next().unwrap().to_owned();
    let page = app
        .post_form("/payfip/paiement", &[("idop", &idop), ("numero", "4111111111111111"), ("expiration", "12/30"), ("cryptogramme", "123")])
        .await;
    assert!(page.text().contains("13,76"), "{}", page.text());
    app.post_json(&format!("{base}/paiements/verifier"), &json!({}), Some(cookie)).await.json()
}

#[tokio::test]
async fn duplicata_pour_perte_paye_nouveau_certificat_et_cpi() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "AB-123-CD", "AB2C-D3EF").await;
    let avant = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    let r = app
        .put_json(
            &format!("{base}/duplicata"),
            &json!({"motif": "perte", "personne_concernee": "titulaire", "cas_particulier": true}),
            &cookie,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["etape"], "recapitulatif");
    // Taxes d'un duplicata : Y4 11 € et Y5 2,76 €, pas de taxe régionale.
    assert_eq!(r.json()["taxes"], json!({"y1": 0, "y2": 0, "y3": 0, "y4": 1100, "y5": 276}));
    // CLU non cochées : refus au champ.
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": []}), Some(&cookie)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "clu");
    let r = app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    assert_eq!(r.json()["etat"], "a_payer", "{}", r.text());
    let d = payer_et_terminer(&app, &base, &cookie).await;
    assert_eq!(d["etat"], "terminee", "{d}");
    assert_eq!(d["details"]["cpi"]["immatriculation"], "AB-123-CD");
    assert!(d["details"]["cpi"]["ancienne_immatriculation"].is_null());
    // Un nouveau certificat : un autre numéro de formule, le même titulaire.
    let apres = app.repo.vehicule_par_immatriculation("AB-123-CD").await.unwrap().unwrap();
    assert_ne!(apres.numero_formule, avant.numero_formule);
    assert_eq!(apres.compte_id, avant.compte_id);
    let pdf = app.get(&format!("{base}/documents/certificat-provisoire-immatriculation.pdf"), Some(&cookie)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with(b"%PDF"));
}

#[tokio::test]
async fn duplicata_d_un_vehicule_fni_donne_un_numero_siv() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "123 ABC 75", "NP6Q-R7ST").await;
    let r =
        app.put_json(&format!("{base}/duplicata"), &json!({"motif": "deterioration", "personne_concernee": "titulaire"}), &cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    app.post_json(&format!("{base}/valider"), &json!({"clu": CLU}), Some(&cookie)).await;
    let d = payer_et_terminer(&app, &base, &cookie).await;
    assert_eq!(d["details"]["cpi"]["ancienne_immatriculation"], "123 ABC 75");
    let nouveau = d["details"]["cpi"]["immatriculation"].as_str().unwrap();
    assert_eq!(immat_domain::Immatriculation::parse(nouveau).unwrap().kind(), immat_domain::TypeImmatriculation::Siv);
    assert!(app.repo.vehicule_par_immatriculation("123 ABC 75").await.unwrap().is_none());
    let e = app.get("/api/v1/espace", Some(&cookie)).await.json();
    assert!(e["vehicules"].as_array().unwrap().iter().any(|v| v["immatriculation"] == nouveau));
}

#[tokio::test]
async fn vol_du_certificat_renvoye_au_cert_la_saisie_est_gardee() {
    let app = common::spawn().await;
    let cookie = app.login(JULIEN).await;
    let base = demarrer(&app, &cookie, "AB-123-CD", "AB2C-D3EF").await;
    let r = app.put_json(&format!("{base}/duplicata"), &json!({"motif": "vol", "personne_concernee": "mandataire"}), &cookie).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["champs"][0]["champ"], "motif");
    assert!(r.json()["champs"][0]["message"].as_str().unwrap().contains("pas encore disponible"));
    let d = app.get(&base, Some(&cookie)).await.json();
    assert_eq!(d["details"]["saisie"]["personne_concernee"], "mandataire");
    assert_eq!(d["etape"], "saisie");
}
