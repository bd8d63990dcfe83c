//! Le témoin des mesures (`scripts/bench.sh`) : un serveur axum nu qui
//! répond un petit JSON, sur le même runtime que le service. Le rapport
//! entre le débit d'une route du service et celui-ci est le chiffre qui
//! compte sur une machine bruyante.

use axum::{routing::get, Json, Router};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let adresse = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8098".into());
    let app = Router::new().route("/api/v1/health", get(|| async { Json(serde_json::json!({"status": "ok", "version": "témoin"})) }));
    let ecoute = tokio::net::TcpListener::bind(&adresse).await?;
    println!("axum nu sur http://{adresse}");
    axum::serve(ecoute, app).await?;
    Ok(())
}
