//! Connexion par e-mail et mot de passe (argon2), déconnexion, « qui
//! suis-je ». La session est un cookie HttpOnly, SameSite=Lax (Secure
//! derrière HTTPS), renouvelé à chaque connexion ; seul son hachage est
//! stocké.

use super::{error::*, AppState};
use crate::db::CompteRecord;
use argon2::{password_hash::SaltString, Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use axum::{
    extract::{FromRequestParts, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use immat_domain::api::{LoginRequest, Utilisateur};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

pub const SESSION_COOKIE: &str = "immat_session";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
}

/// Hache un mot de passe (argon2id, sel aléatoire).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hachage du mot de passe : {e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("immat_session=; Path=/; Max-Age=0"))
}

pub fn utilisateur(c: &CompteRecord) -> Utilisateur {
    Utilisateur {
        id: c.id,
        email: c.email.clone(),
        prenom: c.prenom.clone(),
        nom: c.nom.clone(),
        profil: c.profil,
        type_compte: c.type_compte(),
        raison_sociale: c.raison_sociale.clone(),
        siren: c.siren.clone(),
    }
}

/// L'usager connecté ; sans session valide, la requête reçoit 401.
pub struct CurrentUser(pub CompteRecord);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(AppError::NonAuthentifie)?;
        let compte = state
            .repo
            .compte_de_session(&token_hash(&token), OffsetDateTime::now_utc())
            .await?
            .ok_or(AppError::NonAuthentifie)?;
        Ok(Self(compte))
    }
}

async fn login(State(state): State<AppState>, headers: HeaderMap, AppJson(req): AppJson<LoginRequest>) -> AppResult<Response> {
    let email = req.valider().map_err(AppError::Validation)?;
    let compte = state.repo.compte_par_email(email.as_str()).await?;
    let password = req.password.clone();
    let hash = compte.as_ref().map(|c| c.password_hash.clone());
    // La vérification est coûteuse : hors du fil asynchrone. Sans compte, on
    // vérifie quand même contre un hachage factice, pour un temps égal.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!(e))?;
    let Some(compte) = compte.filter(|_| ok) else {
        return Err(AppError::IdentifiantsInvalides);
    };
    // Rotation : l'ancienne session de ce navigateur disparaît.
    if let Some(old) = session_token(&headers) {
        state.repo.supprimer_session(&token_hash(&old)).await?;
    }
    let token = new_token();
    let duree = Duration::hours(state.config.session_hours);
    state.repo.creer_session(&token_hash(&token), compte.id, OffsetDateTime::now_utc() + duree).await?;
    let mut resp = AppJson(utilisateur(&compte)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie(&state, &token, duree.whole_seconds()));
    Ok(resp)
}



/// Un hachage factice, calculé une fois, pour les comptes inexistants.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("mot-de-passe-factice").unwrap_or_default())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, CurrentUser(_): CurrentUser) -> AppResult<Response> {
    if let Some(token) = session_token(&headers) {
        state.repo.supprimer_session(&token_hash(&token)).await?;
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie(&state, "", 0));
    Ok(resp)
}

async fn me(CurrentUser(c): CurrentUser) -> AppJson<Utilisateur> {
    AppJson(utilisateur(&c))
}
