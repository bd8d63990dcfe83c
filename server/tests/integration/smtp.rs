//! Le code confidentiel part aussi par SMTP quand un relais est configuré :
//! un faux relais SMTP local reçoit le message.

use crate::common;

use axum::http::StatusCode;
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// Un relais SMTP minimal : une connexion, rend le contenu de DATA.
async fn faux_relais(listener: TcpListener) -> String {
    let (socket, _) = listener.accept().await.unwrap();
    let (r, mut w) = socket.into_split();
    let mut lines = BufReader::new(r).lines();
    w.write_all(b"220 faux-relais ESMTP\r\n").await.unwrap();
    let mut data = String::new();
    let mut in_data = false;
    while let Ok(Some(line)) = lines.next_line().await {
        if in_data {
            if line == "." {
                in_data = false;
                w.write_all(b"250 ok\r\n").await.unwrap();
            } else {
                data.push_str(&line);
                data.push('\n');
            }
            continue;
        }
        let cmd = line.to_ascii_uppercase();
        if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
            w.write_all(b"250 faux-relais\r\n").await.unwrap();
        } else if cmd.starts_with("DATA") {
            in_data = true;
            w.write_all(b"354 go\r\n").await.unwrap();
        } else if cmd.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await.unwrap();
            break;
        } else {
            w.write_all(b"250 ok\r\n").await.unwrap();
        }
    }
    data
}

#[tokio::test]
async fn code_confidentiel_envoye_par_le_relais_smtp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let relais = tokio::spawn(faux_relais(listener));
    let app = common::spawn_with(|c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "moi_meme"}), Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let data = tokio::time::timeout(std::time::Duration::from_secs(10), relais).await.unwrap().unwrap();
    assert!(data.contains("To: julien.paul@demo.immat.fr"), "{data}");
    // Le titulaire reçoit le code en clair (la boîte d'envoi, elle, ne garde
    // qu'une forme masquée) ; ce code ouvre ensuite une démarche.
    let texte = corps_du_message(&data);
    assert!(texte.contains("AB-123-CD"), "{texte}");
    let code = texte.split("AB-123-CD : ").nth(1).and_then(|s| s.split_whitespace().next()).expect("code dans l'e-mail");
    assert!(immat_domain::CodeConfidentiel::parse(code).is_ok(), "{code}");
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "changement_adresse", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": code}),
            Some(&cookie),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Le nouveau code a servi : l'ancien ne vaut plus.
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let julien2 = app.login("julien.paul@demo.immat.fr").await;
    let r = app
        .post_json(
            "/api/v1/demarches",
            &json!({"teleprocedure": "cession", "pour_qui": "moi_meme", "immatriculation": "AB-123-CD", "code_confidentiel": "AB2C-D3EF"}),
            Some(&julien2),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    assert!(!envois.to_string().contains(code), "la boîte d'envoi ne contient pas le code");
}

/// Le texte d'un message reçu par le relais : en-têtes ôtés, corps décodé
/// (quoted-printable ou base64, selon le choix de lettre).
fn corps_du_message(data: &str) -> String {
    let (entetes, corps) = data.split_once("\n\n").unwrap_or((data, ""));
    let entetes = entetes.to_ascii_lowercase();
    if entetes.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let brut: String = corps.split_whitespace().collect();
        let octets = base64::engine::general_purpose::STANDARD.decode(brut).expect("base64");
        String::from_utf8(octets).expect("utf-8")
    } else if entetes.contains("content-transfer-encoding: quoted-printable") {
        let joint = corps.replace("=\n", "");
        let mut octets = Vec::new();
        let b = joint.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                if let Ok(v) = u8::from_str_radix(&joint[i + 1..i + 3], 16) {
                    octets.push(v);
                    i += 3;
                    continue;
                }
            }
            octets.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&octets).into_owned()
    } else {
        corps.to_owned()
    }
}

#[tokio::test]
async fn relais_injoignable_rien_n_est_perdu() {
    // Un port fermé : l'envoi échoue, l'e-mail reste dans la boîte d'envoi.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let app = common::spawn_with(|c| c.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let cookie = app.login("julien.paul@demo.immat.fr").await;
    let r = app
        .post_json("/api/v1/code-confidentiel/demande", &json!({"immatriculation": "AB-123-CD", "pour_qui": "moi_meme"}), Some(&cookie))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let agent = app.login("agent.cert@demo.immat.fr").await;
    let envois = app.get("/api/v1/cert/envois", Some(&agent)).await.json();
    assert!(envois.as_array().unwrap().iter().any(|e| e["canal"] == "email"));
}
