//! L'erreur unique de l'API, traduite une seule fois en statut HTTP et en
//! corps JSON [`ApiError`] (défini dans le crate du domaine, que le SPA lit).
//!
//! Les erreurs internes (base, E/S) sont journalisées et jamais montrées :
//! l'usager reçoit un message neutre.

use crate::{db::DbError, hachage::HachageError};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use immat_domain::api::{ApiError, ChampErreur, CodeErreur};

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
    #[error("trop de tentatives : {message}")]
    TropDeTentatives { message: String, reessayer_dans_secondes: i64 },
    #[error("service surchargé")]
    Surcharge,
    #[error("requête invalide ({code:?}) : {message}")]
    Requete { status: StatusCode, code: CodeErreur, message: String },
    #[error("JSON non conforme : {}", .0.message)]
    Json(ApiError),
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
                ApiError::new(CodeErreur::NonAuthentifie, "Votre session a expiré ou vous n'êtes pas connecté. Veuillez vous connecter."),
            ),
            Self::IdentifiantsInvalides => {
                let message = "Adresse électronique ou mot de passe incorrect.";
                let mut e = ApiError::new(CodeErreur::IdentifiantsInvalides, message);
                e.champs.push(ChampErreur::new("password", message));
                (StatusCode::UNAUTHORIZED, e)
            }
            Self::Interdit(m) => (StatusCode::FORBIDDEN, ApiError::new(CodeErreur::Interdit, m.clone())),
            Self::Introuvable(m) => (StatusCode::NOT_FOUND, ApiError::new(CodeErreur::Introuvable, m.clone())),
            Self::Conflit(m) => (StatusCode::CONFLICT, ApiError::new(CodeErreur::Conflit, m.clone())),
            Self::TropDeTentatives { message, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, ApiError::new(CodeErreur::TropDeTentatives, message.clone()))
            }
            Self::Surcharge => (
                StatusCode::SERVICE_UNAVAILABLE,
                ApiError::new(CodeErreur::Surcharge, "Le service est très sollicité. Veuillez réessayer dans quelques instants."),
            ),
            Self::Requete { status, code, message } => (*status, ApiError::new(*code, message.clone())),
            Self::Json(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.clone()),
            Self::Db(DbError::NotFound) => {
                (StatusCode::NOT_FOUND, ApiError::new(CodeErreur::Introuvable, "L'élément demandé est introuvable."))
            }
            Self::Db(DbError::Conflict(m)) => (StatusCode::CONFLICT, ApiError::new(CodeErreur::Conflit, m.clone())),
            // Une donnée en base qui ne se lit pas : erreur interne, rien n'est écrit.
            Self::Db(_) | Self::Interne(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ApiError::new(CodeErreur::Interne, "Une erreur technique est survenue. Veuillez réessayer dans quelques instants."),
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
        let mut resp = (status, Json(body)).into_response();
        let retry = match &self {
            Self::TropDeTentatives { reessayer_dans_secondes, .. } => Some((*reessayer_dans_secondes).max(1)),
            Self::Surcharge => Some(5),
            _ => None,
        };
        if let Some(s) = retry {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        resp
    }
}

impl From<HachageError> for AppError {
    fn from(e: HachageError) -> Self {
        match e {
            HachageError::Surcharge => Self::Surcharge,
            HachageError::Interne(m) => Self::Interne(anyhow::anyhow!(m)),
        }
    }
}

/// Un corps JSON lu par l'API : type de contenu vérifié, taille bornée
/// (`DefaultBodyLimit`), et, s'il ne correspond pas au format attendu, le
/// champ fautif nommé sans rien montrer des messages internes de serde.
pub struct AppJson<T>(pub T);

fn requete(status: StatusCode, code: CodeErreur, message: &str) -> AppError {
    AppError::Requete { status, code, message: message.to_owned() }
}

impl<T, S> FromRequest<S> for AppJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json =
            req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).is_some_and(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json {
            return Err(requete(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                CodeErreur::TypeDeContenu,
                "La requête doit être envoyée en JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                requete(StatusCode::PAYLOAD_TOO_LARGE, CodeErreur::TropVolumineux, "La requête est trop volumineuse.")
            } else {
                requete(r.status(), CodeErreur::RequeteInvalide, "La requête n'a pas pu être lue.")
            }
        })?;
        let syntaxe = || requete(StatusCode::BAD_REQUEST, CodeErreur::JsonInvalide, "Le corps de la requête n'est pas un JSON valide.");
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let valeur = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
            let champ = e.path().to_string();
            let inner = e.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                return syntaxe();
            }
            let nomme = !champ.is_empty() && champ != ".";
            let message = if nomme {
                format!("Les données envoyées ne correspondent pas au format attendu (champ « {champ} »).")
            } else {
                "Les données envoyées ne correspondent pas au format attendu.".to_owned()
            };
            let mut erreur = ApiError::new(CodeErreur::JsonInvalide, message);
            if nomme {
                erreur.champs.push(ChampErreur::new(&champ, "Cette valeur n'a pas le format attendu."));
            }
            AppError::Json(erreur)
        })?;
        de.end().map_err(|_| syntaxe())?;
        Ok(Self(valeur))
    }
}

impl<T: serde::Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}
