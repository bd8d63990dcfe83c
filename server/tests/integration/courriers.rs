//! Les courriers de la boîte d'envoi : de vraies lettres PDF, adresse AFNOR
//! dans la fenêtre, code masqué dans la copie d'archive.

use crate::common::{self, TestApp};
use axum::http::{header, StatusCode};
use serde_json::json;

const JULIEN: &str = "julien.paul@demo.immat.fr";
const AGENT: &str = "agent.cert@demo.immat.fr";

/// Le texte d'un PDF, lu par `pdftotext` (poppler-utils, installé par la
/// commande de test).
fn pdftotext(octets: &[u8], dir: &std::path::Path) -> String {
    let chemin = dir.join("courrier.pdf");
    std::fs::write(&chemin, octets).unwrap();
    let sortie = std::process::Command::new("pdftotext").args(["-layout"]).arg(&chemin).arg("-").output().expect("pdftotext installé");
    assert!(sortie.status.success(), "{}", String::from_utf8_lossy(&sortie.stderr));
    String::from_utf8(sortie.stdout).unwrap()
}

async fn envoi_courrier(app: &TestApp, agent: &str) -> i64 {
    let envois = app.get("/api/v1/cert/envois", Some(agent)).await.json();
    envois.as_array().unwrap().iter().find(|e| e["canal"] == "courrier").expect("un courrier")["id"].as_i64().unwrap()
}

#[tokio::test]
async fn le_courrier_du_code_confidentiel_est_une_lettre_pdf_au_code_masque() {
    let app = common::spawn().await;
    let julien = app.login(JULIEN).await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "moi_meme"}), Some(&julien))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Le message dit ce qui part, et où.
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("par courrier à l'adresse du titulaire inscrite sur le certificat (69002 LYON)"), "{message}");
    assert!(message.contains("par e-mail à julien.paul@demo.immat.fr"), "{message}");

    let agent = app.login(AGENT).await;
    let id = envoi_courrier(&app, &agent).await;
    let r = app.get(&format!("/api/v1/cert/envois/{id}/courrier"), Some(&agent)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.headers.get(header::CONTENT_TYPE).unwrap(), "application/pdf");
    assert!(r.body.starts_with(b"%PDF-"));
    let texte = pdftotext(&r.body, app.dir.path());
    for attendu in ["JULIEN PAUL", "12 RUE DE LA REPUBLIQUE", "69002 LYON", "Objet : Votre code confidentiel pour le véhicule AB-123-CD"] {
        assert!(texte.contains(attendu), "« {attendu} » absent :\n{texte}");
    }
    assert!(texte.contains(&format!("Référence : IMMAT-C-{id:06}")), "{texte}");
    assert!(texte.contains("••••-••"), "code masqué :\n{texte}");
    assert!(texte.contains("Copie d'archive"), "{texte}");
    // Le bloc adresse est dans la fenêtre : à droite de la page (pdftotext
    // -layout garde la colonne), sur des lignes de 38 caractères au plus.
    let ligne = texte.lines().find(|l| l.contains("12 RUE DE LA REPUBLIQUE")).unwrap();
    assert!(ligne.find("12 RUE").unwrap() > 30, "adresse à droite : « {ligne} »");

    // Un usager n'ouvre pas la boîte d'envoi ; un e-mail ou un numéro inconnu : 404.
    assert_eq!(app.get(&format!("/api/v1/cert/envois/{id}/courrier"), Some(&julien)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/cert/envois/{id}/courrier"), None).await.status, StatusCode::UNAUTHORIZED);
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    let email = envois.as_array().unwrap().iter().find(|e| e["canal"] == "email").unwrap()["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/cert/envois/{email}/courrier"), Some(&agent)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/cert/envois/999999/courrier", Some(&agent)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/cert/envois/abc/courrier", Some(&agent)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn un_tiers_lit_que_le_code_part_chez_le_titulaire_sans_son_adresse() {
    let app = common::spawn().await;
    let marie = app.login("marie.dupont@demo.immat.fr").await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "autrui"}), Some(&marie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let message = r.json()["message"].as_str().unwrap().to_owned();
    assert!(message.contains("par courrier"), "{message}");
    assert!(!message.contains("LYON") && !message.contains("69002"), "{message}");
}
