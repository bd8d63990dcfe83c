//! L'erreur unique de l'API, traduite une seule fois en statut HTTP et en
//! corps JSON [`ApiError`] (défini dans le crate du domaine, que le SPA lit).
//!
//! Les erreurs internes (base, E/S) sont journalisées et jamais montrées :
//! l'usager reçoit un message neutre.

use crate::db::DbError;
use axum::{
    extract::rejection::JsonRejection,
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use immat_domain::api::{ApiError, ChampErreur};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("formulaire invalide")]
    Validation(Vec<ChampErreur>),
    #[error("non authentifié")]
    NonAuthentifie,
    #[error("identifiants invalides")]
    IdentifiantsInvalides,
    #[error("interdit : {0}")]
    Interdit(String),
    #[error("introuvable : {0}")]
    Introuvable(String),
    #[error("conflit : {0}")]
    Conflit(String),
    #[error("trop de tentatives : {0}")]
    TropDeTentatives(String),
    #[error("requête invalide ({code}) : {message}")]
    Requete { status: StatusCode, code: &'static str, message: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Interne(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn champ(champ: &str, message: impl ToString) -> Self {
        Self::Validation(vec![ChampErreur::new(champ, message)])
    }

    fn status_and_body(&self) -> (StatusCode, ApiError) {
        match self {
            Self::Validation(champs) => (StatusCode::UNPROCESSABLE_ENTITY, ApiError::validation(champs.clone())),
            Self::NonAuthentifie => (
                StatusCode::UNAUTHORIZED,
                ApiError::new("non_authentifie", "Votre session a expiré ou vous n'êtes pas connecté. Veuillez vous connecter."),
            ),
            Self::IdentifiantsInvalides => {
                let message = "Adresse électronique ou mot de passe incorrect.";
                let mut e = ApiError::new("identifiants_invalides", message);
                e.champs.push(ChampErreur::new("password", message));
                (StatusCode::UNAUTHORIZED, e)
            }
            Self::Interdit(m) => (StatusCode::FORBIDDEN, ApiError::new("interdit", m.clone())),
            Self::Introuvable(m) => (StatusCode::NOT_FOUND, ApiError::new("introuvable", m.clone())),
            Self::Conflit(m) => (StatusCode::CONFLICT, ApiError::new("conflit", m.clone())),
            Self::TropDeTentatives(m) => (StatusCode::TOO_MANY_REQUESTS, ApiError::new("trop_de_tentatives", m.clone())),
            Self::Requete { status, code, message } => (*status, ApiError::new(*code, message.clone())),
            Self::Db(DbError::NotFound) => {
                (StatusCode::NOT_FOUND, ApiError::new("introuvable", "L'élément demandé est introuvable."))
            }
            Self::Db(DbError::Conflict(m)) => (StatusCode::CONFLICT, ApiError::new("conflit", m.clone())),
            Self::Db(_) | Self::Interne(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiError::new("interne", "Une erreur technique est survenue. Veuillez réessayer dans quelques instants."),
            ),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        if status.is_server_error() {
            tracing::error!(error = %self, "erreur interne");
        }
        (status, Json(body)).into_response()
    }
}

/// Les refus de l'extracteur JSON d'axum, dans le format de l'API.
impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        let (status, code, message) = match &r {
            JsonRejection::MissingJsonContentType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "type_de_contenu",
                "La requête doit être envoyée en JSON (Content-Type: application/json).".to_owned(),
            ),
            JsonRejection::JsonSyntaxError(_) => {
                (StatusCode::BAD_REQUEST, "json_invalide", "Le corps de la requête n'est pas un JSON valide.".to_owned())
            }
            JsonRejection::JsonDataError(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "json_invalide",
                format!("Les données envoyées ne correspondent pas au format attendu ({}).", e.body_text()),
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                (StatusCode::PAYLOAD_TOO_LARGE, "trop_volumineux", "La requête est trop volumineuse.".to_owned())
            }
            _ => (r.status(), "requete_invalide", "La requête n'a pas pu être lue.".to_owned()),
        };
        Self::Requete { status, code, message }
    }
}

/// `Json` dont les refus passent par [`AppError`].
#[derive(axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
