//! Le routeur HTTP : l'API sous `/api/v1`, puis le SPA construit, avec repli
//! sur `index.html` pour les chemins du SPA. Toute réponse passe par la
//! couche de sécurité (`securite`).

pub mod auth;
pub(crate) mod demarches;
pub use demarches::paiement::rapprocher;
pub mod comptes;
pub mod error;
mod espace;
mod franceconnect;
mod habilitation;
pub mod limites;
mod mon_compte;
pub mod routes;
pub mod securite;
pub mod vehicules;

use crate::{
    clock::{Clock, SystemClock},
    communes::Communes,
    config::Config,
    db::Repository,
    hachage::Hacheur,
};
use axum::{
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, StatusCode},
    routing::get,
    Router,
};
use error::{AppError, AppJson};
use immat_domain::api::CodeErreur;
use immat_domain::api::Health;
use routes::Routes;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower_http::{
    compression::CompressionLayer,
    services::{ServeDir, ServeFile},
    trace::TraceLayer,
};

/// Taille maximale d'un corps JSON.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// L'en-tête qui porte le jeton de réinitialisation (tests seulement).
pub const TEST_TOKEN_HEADER: &str = "x-immat-test-token";

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub repo: Arc<dyn Repository>,
    pub communes: Arc<Communes>,
    pub clock: Arc<dyn Clock>,
    pub hacheur: Hacheur,
    /// Le prestataire de paiement, vu du service (création, détail).
    pub prestataire: Arc<dyn crate::payfip::PrestatairePaiement>,
    /// Le bac à sable qui sert les pages de paiement sous `/payfip`.
    pub bac_a_sable: crate::payfip::BacASable,
    /// Le dossier des pièces jointes (hors de la racine web).
    pub pieces: crate::pieces::Stockage,
    /// Le fournisseur FranceConnect, s'il est configuré.
    pub franceconnect: Option<Arc<crate::franceconnect::FranceConnect>>,
}

impl AppState {
    pub fn new(config: Config, repo: Arc<dyn Repository>) -> Self {
        Self::with_clock(config, repo, Arc::new(SystemClock))
    }

    pub fn with_clock(config: Config, repo: Arc<dyn Repository>, clock: Arc<dyn Clock>) -> Self {
        let bac = crate::payfip::BacASable::new(
            repo.clone(),
            clock.clone(),
            std::time::Duration::from_millis(config.payfip_delai_notification_ms),
        );
        let pieces = crate::pieces::Stockage::new(config.data_dir.join("pieces"));
        let franceconnect = config.fc_emetteur.as_ref().and_then(|emetteur| {
            let fc = crate::franceconnect::ConfigFranceConnect {
                emetteur: emetteur.clone(),
                client_id: config.fc_client_id.clone(),
                client_secret: config.fc_client_secret.clone(),
                url_publique: config.url_publique.clone(),
            };
            match crate::franceconnect::FranceConnect::new(fc, clock.clone()) {
                Ok(f) => Some(Arc::new(f)),
                Err(e) => {
                    tracing::error!(erreur = %e, "FranceConnect mal configuré : désactivé");
                    None
                }
            }
        });
        Self {
            franceconnect,
            config: Arc::new(config),
            repo,
            communes: Arc::new(Communes::charger()),
            clock,
            hacheur: Hacheur::par_defaut(),
            prestataire: Arc::new(bac.clone()),
            bac_a_sable: bac,
            pieces,
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}

/// Les routes de l'API pour cette configuration (la réinitialisation de la
/// démonstration n'existe que si un jeton de test est configuré).
pub fn api_routes(config: &Config) -> Routes {
    let mut r = Routes::new().get("/health", health).get("/config", client_config);
    if config.demo && config.test_reset_token.is_some() {
        r = r.post("/demo/reinitialiser", reinitialiser_demo);
    }
    r.merge(auth::routes())
        .merge(comptes::routes())
        .merge(espace::routes())
        .merge(demarches::routes())
        .merge(franceconnect::routes())
        .merge(habilitation::routes())
        .merge(vehicules::routes())
        // En dernier : « Se déconnecter partout » ferme les sessions (le
        // balayage des autorisations parcourt les routes dans cet ordre).
        .merge(mon_compte::routes())
}

pub fn app(state: AppState) -> Router {
    let dist = state.config.dist_dir.clone();
    // Les versions brotli et gzip faites à la construction (scripts/
    // precompress.mjs) partent telles quelles selon Accept-Encoding.
    let spa = ServeDir::new(&dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(ServeFile::new(dist.join("index.html")).precompressed_br().precompressed_gzip());
    Router::new()
        .nest("/api/v1", api_routes(&state.config).into_router().fallback(api_not_found))
        .route("/api", get(api_not_found).fallback(api_not_found))
        .route("/api/{*rest}", get(api_not_found).fallback(api_not_found))
        .nest_service("/payfip", crate::payfip::routes(state.bac_a_sable.clone()))
        .fallback_service(spa)
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.clone(), securite::couche))
        // gzip à la volée pour ce qui n'a pas été compressé d'avance (le
        // JSON) ; une réponse déjà encodée n'est pas recompressée.
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
    /// « S'identifier avec FranceConnect » est disponible.
    franceconnect: bool,
}

async fn client_config(State(state): State<AppState>) -> AppJson<ClientConfig> {
    AppJson(ClientConfig { bandeau_demo: state.config.bandeau(), franceconnect: state.franceconnect.is_some() })
}

/// Tests seulement (démonstration et jeton configurés) : remet le registre
/// dans son état initial. Sans le bon jeton : 404, comme si la route
/// n'existait pas.
async fn reinitialiser_demo(State(state): State<AppState>, headers: HeaderMap) -> Result<StatusCode, AppError> {
    let attendu = state.config.test_reset_token.as_deref().unwrap_or_default();
    let recu = headers.get(TEST_TOKEN_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    // Comparaison des empreintes : durée indépendante du contenu.
    if attendu.is_empty() || Sha256::digest(attendu.as_bytes()) != Sha256::digest(recu.as_bytes()) {
        return Err(api_not_found().await);
    }
    state.repo.vider_registre_demo().await?;
    crate::demo::seed(state.repo.as_ref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn api_not_found() -> AppError {
    AppError::Requete {
        status: StatusCode::NOT_FOUND,
        code: CodeErreur::Introuvable,
        message: "Cette adresse de l'API n'existe pas.".into(),
    }
}
