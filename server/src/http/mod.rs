//! Le routeur HTTP : l'API sous `/api/v1`, puis le SPA construit, avec repli
//! sur `index.html` pour les chemins du SPA.

pub mod auth;
pub(crate) mod demarches;
pub mod error;
mod espace;

use crate::{communes::Communes, config::Config, db::Repository};
use axum::{
    extract::{DefaultBodyLimit, State},
    http::StatusCode,
    routing::get,
    Router,
};
use error::{AppError, AppJson};
use immat_domain::api::Health;
use serde::Serialize;
use std::sync::Arc;
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

/// Taille maximale d'un corps JSON.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub repo: Arc<dyn Repository>,
    pub communes: Arc<Communes>,
}

impl AppState {
    pub fn new(config: Config, repo: Arc<dyn Repository>) -> Self {
        Self { config: Arc::new(config), repo, communes: Arc::new(Communes::charger()) }
    }
}

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/config", get(client_config))
        .route("/demo/reinitialiser", axum::routing::post(reinitialiser_demo))
        .merge(auth::router())
        .merge(espace::router())
        .merge(demarches::router())
        .fallback(api_not_found)
}

pub fn app(state: AppState) -> Router {
    let dist = state.config.dist_dir.clone();
    let spa = ServeDir::new(&dist).fallback(ServeFile::new(dist.join("index.html")));
    Router::new()
        .nest("/api/v1", api_router())
        .route("/api", get(api_not_found).fallback(api_not_found))
        .route("/api/{*rest}", get(api_not_found).fallback(api_not_found))
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        // gzip pour le wasm, le JS et le CSS du DSFR (et le JSON).
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn health(State(state): State<AppState>) -> AppJson<Health> {
    AppJson(Health { status: "ok".into(), version: env!("CARGO_PKG_VERSION").into(), demo: state.config.demo })
}

/// Ce que le SPA doit savoir de la configuration du serveur.
#[derive(Serialize)]
struct ClientConfig {
    /// Le bandeau « Environnement de démonstration », ou `null`.
    bandeau_demo: Option<String>,
}

async fn client_config(State(state): State<AppState>) -> AppJson<ClientConfig> {
    AppJson(ClientConfig {
        bandeau_demo: state.config.demo.then(|| "Environnement de démonstration — service non officiel".into()),
    })
}

/// Mode démonstration seulement : remet le registre dans son état initial
/// (utilisé par les parcours Playwright entre deux tests).
async fn reinitialiser_demo(State(state): State<AppState>) -> Result<StatusCode, AppError> {
    if !state.config.demo {
        return Err(api_not_found().await);
    }
    state.repo.vider_registre_demo().await?;
    crate::demo::seed(state.repo.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_not_found() -> AppError {
    AppError::Requete {
        status: StatusCode::NOT_FOUND,
        code: "introuvable",
        message: "Cette adresse de l'API n'existe pas.".into(),
    }
}
