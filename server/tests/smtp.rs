//! Le code confidentiel part aussi par SMTP quand un relais est configuré :
//! un faux relais SMTP local reçoit le message.

mod common;

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
    assert!(data.contains("AB-123-CD"), "{data}");
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
