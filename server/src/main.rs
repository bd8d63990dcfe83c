//! Point d'entrée : lit la configuration, prépare la base (migrations,
//! données de démonstration), puis sert l'API et le SPA jusqu'à SIGINT ou
//! SIGTERM. Toute la logique est dans la bibliothèque (`lib.rs`), pour que
//! les tests construisent la même application sans socket.

use clap::Parser;
use immat_server::{config::Config, db, demo, http};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt, EnvFilter};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::registry()
        .with(EnvFilter::try_from_default_env().unwrap_or_else(|_| "immat_server=info,tower_http=info".into()))
        .with(tracing_subscriber::fmt::layer())
        .init();

    let mut config = Config::parse();
    let clock: std::sync::Arc<dyn immat_server::clock::Clock> = std::sync::Arc::new(immat_server::clock::SystemClock);
    let repo = db::connect_with_clock(&config, clock.clone()).await?;
    demo::preparer(&config, repo.as_ref()).await?;
    if config.test_reset_token.is_some() {
        tracing::warn!("jeton de test configuré : POST /api/v1/demo/reinitialiser est ouvert à qui le présente");
    }
    let listener = tokio::net::TcpListener::bind(&config.listen).await?;
    let addr = listener.local_addr()?;
    // Le prestataire de paiement notifie le service à son adresse d'écoute.
    if config.url_interne.is_none() {
        let hote = if addr.ip().is_unspecified() { std::net::IpAddr::from([127, 0, 0, 1]) } else { addr.ip() };
        config.url_interne = Some(format!("http://{}", std::net::SocketAddr::new(hote, addr.port())));
    }
    let state = http::AppState::with_clock(config.clone(), repo, clock);
    // Le rapprochement des paiements : au démarrage (un paiement accepté
    // pendant un arrêt est enregistré), puis à intervalles réguliers.
    let rapprochement = state.clone();
    let periode = std::time::Duration::from_secs(config.rapprochement_secondes.max(1));
    tokio::spawn(async move {
        let mut tic = tokio::time::interval(periode);
        loop {
            tic.tick().await;
            match http::rapprocher(&rapprochement).await {
                Ok(n) if n > 0 => tracing::info!(n, "paiements rapprochés"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "rapprochement des paiements impossible"),
            }
        }
    });
    // Les clés de limites échues s'effacent d'heure en heure.
    let purge = state.clone();
    tokio::spawn(async move {
        let mut tic = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tic.tick().await;
            let fenetre = immat_domain::limites::Limite::plus_longue_fenetre_secondes();
            match purge.repo.purger_limites(purge.now(), fenetre).await {
                Ok(n) if n > 0 => tracing::info!(n, "limites échues effacées"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "purge des limites impossible"),
            }
        }
    });
    let app = http::app(state);
    tracing::info!(%addr, demo = config.demo, "Immat en service sur http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("arrêt propre");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
}
