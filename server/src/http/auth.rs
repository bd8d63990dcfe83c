//! Connexion par e-mail et mot de passe (argon2), déconnexion, « qui
//! suis-je ». La session est un cookie HttpOnly, SameSite=Lax (Secure
//! derrière HTTPS), renouvelé à chaque connexion ; seul son hachage est
//! stocké.

use super::{
    error::*,
    limites::{cle_connexion_client, cle_connexion_compte, rendre, reserver},
    routes::Routes,
    AppState,
};
use crate::db::CompteRecord;
use axum::{
    extract::{ConnectInfo, FromRequestParts, State},
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use immat_domain::{
    api::{LoginRequest, Utilisateur},
    limites::{message_connexion_bloquee, Limite},
    Profil,
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use time::Duration;

pub use crate::hachage::{hash_password, verify_password};

pub const SESSION_COOKIE: &str = "immat_session";

pub fn routes() -> Routes {
    Routes::new().post("/auth/login", login).post("/auth/logout", logout).get("/auth/me", me)
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn session_token(headers: &HeaderMap) -> Option<String> {
    lire_cookie(headers, SESSION_COOKIE)
}

/// La valeur (non vide) du cookie `nom` de la requête.
pub(crate) fn lire_cookie(headers: &HeaderMap, nom: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == nom)
        .map(|(_, v)| v.to_owned())
        .filter(|v| !v.is_empty())
}

pub(crate) fn cookie(state: &AppState, value: &str, max_age_secs: i64) -> HeaderValue {
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

/// L'usager connecté, quel que soit son profil ; sans session valide, la
/// requête reçoit 401.
pub struct CurrentUser(pub CompteRecord);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = session_token(&parts.headers).ok_or(AppError::NonAuthentifie)?;
        let compte = state.repo.compte_de_session(&token_hash(&token), state.now()).await?.ok_or(AppError::NonAuthentifie)?;
        Ok(Self(compte))
    }
}

/// Un usager qui fait des démarches (personne physique ou morale,
/// professionnel) : un agent du CERT reçoit 403.
pub struct Citoyen(pub CompteRecord);

impl FromRequestParts<AppState> for Citoyen {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentUser(compte) = CurrentUser::from_request_parts(parts, state).await?;
        if compte.profil == Profil::AgentCert {
            return Err(AppError::Interdit("Un compte d'agent du CERT ne fait pas de démarche.".into()));
        }
        Ok(Self(compte))
    }
}

/// Un agent du CERT : tout autre compte reçoit 403.
pub struct AgentCert(pub CompteRecord);

impl FromRequestParts<AppState> for AgentCert {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CurrentUser(compte) = CurrentUser::from_request_parts(parts, state).await?;
        if compte.profil != Profil::AgentCert {
            return Err(AppError::Interdit("Cette page est réservée aux agents du CERT.".into()));
        }
        Ok(Self(compte))
    }
}

/// L'adresse du pair TCP, quand le serveur écoute un vrai socket (absente
/// dans les tests en mémoire).
pub struct PairTcp(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PairTcp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)))
    }
}

/// L'adresse du client, pour la limite des connexions : l'en-tête configuré
/// derrière un proxy inverse (sa dernière adresse, celle que le proxy a
/// vue), sinon le pair TCP, sinon « local » (tests en mémoire).
pub fn adresse_client(state: &AppState, parts_headers: &HeaderMap, pair: Option<SocketAddr>) -> String {
    if let Some(nom) = &state.config.client_ip_header {
        if let Some(ip) = parts_headers
            .get(nom.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
        {
            return ip.to_owned();
        }
    }
    pair.map(|a| a.ip().to_string()).unwrap_or_else(|| "local".into())
}

/// Connexion. Chaque essai est d'abord réservé (par adresse électronique,
/// qu'un compte existe ou non, et par client) : au-delà de la limite, 429
/// avec `Retry-After`, même si le mot de passe est juste. Une adresse
/// inconnue et un mauvais mot de passe reçoivent la même réponse.
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    PairTcp(pair): PairTcp,
    AppJson(req): AppJson<LoginRequest>,
) -> AppResult<Response> {
    let email = req.valider().map_err(AppError::Validation)?;
    let cle_client = cle_connexion_client(&adresse_client(&state, &headers, pair));
    let cle_compte = cle_connexion_compte(email.as_str());
    reserver(&state, &cle_client, &Limite::CONNEXION_CLIENT, message_connexion_bloquee).await?;
    if let Err(e) = reserver(&state, &cle_compte, &Limite::CONNEXION_COMPTE, message_connexion_bloquee).await {
        rendre(&state, &[&cle_client]).await;
        return Err(e);
    }
    let verdict = async {
        let compte = state.repo.compte_par_email(email.as_str()).await?;
        // Sans compte, on vérifie quand même contre un hachage factice, pour
        // un temps égal.
        // Un compte sans mot de passe (créé par FranceConnect) aussi.
        let hash = compte
            .as_ref()
            .map(|c| c.password_hash.clone())
            .filter(|h| crate::hachage::a_un_mot_de_passe(h))
            .unwrap_or_else(|| dummy_hash().to_owned());
        let ok = state.hacheur.verifier(req.password.clone(), hash).await?;
        AppResult::Ok((compte, ok))
    }
    .await;
    // Une panne (base, hachage surchargé) ne compte pas comme un échec.
    let (compte, ok) = match verdict {
        Ok(v) => v,
        Err(e) => {
            rendre(&state, &[&cle_client, &cle_compte]).await;
            return Err(e);
        }
    };
    let Some(compte) = compte.filter(|c| ok && crate::hachage::a_un_mot_de_passe(&c.password_hash)) else {
        return Err(AppError::IdentifiantsInvalides);
    };
    let now = state.now();
    state.repo.effacer_tentatives(&cle_compte, now).await?;
    state.repo.rendre_tentative(&cle_client, now).await?;
    // Le bon mot de passe, mais l'adresse n'est pas confirmée : pas de session.
    if !compte.confirme {
        return Err(AppError::Interdit(
            "Votre adresse électronique n'est pas encore confirmée : ouvrez le lien reçu par e-mail. \
             Sans lien valable, refaites « Créer un compte » avec la même adresse pour en recevoir un nouveau."
                .into(),
        ));
    }
    // Rotation : l'ancienne session de ce navigateur disparaît.
    if let Some(old) = session_token(&headers) {
        state.repo.supprimer_session(&token_hash(&old)).await?;
    }
    let token = new_token();
    let duree = Duration::hours(state.config.session_hours);
    state.repo.creer_session(&token_hash(&token), compte.id, now + duree).await?;
    let mut resp = AppJson(utilisateur(&compte)).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie(&state, &token, duree.whole_seconds()));
    Ok(resp)
}

/// Un hachage factice, calculé une fois, pour les comptes inexistants.
pub(crate) fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    // Un hachage invalide échouerait vite : le temps trahirait l'absence du
    // compte. `hash_password` n'échoue pas sur une entrée constante.
    HASH.get_or_init(|| {
        hash_password("mot-de-passe-factice")
            .unwrap_or_else(|_| String::from("$argon2id$v=19$m=19456,t=2,p=1$c2VsLWZhY3RpY2U$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo"))
    })
}

/// Déconnexion. Une session ouverte par FranceConnect se ferme aussi chez
/// le fournisseur : la réponse (200) donne l'adresse où envoyer le
/// navigateur (`end_session_endpoint`, jeton d'identité en indice) ; sinon
/// 204.
async fn logout(State(state): State<AppState>, headers: HeaderMap, CurrentUser(_): CurrentUser) -> AppResult<Response> {
    let mut id_token = None;
    if let Some(token) = session_token(&headers) {
        id_token = state.repo.fermer_session(&token_hash(&token)).await?;
    }
    let fournisseur = match (id_token, state.franceconnect.as_deref()) {
        (Some(jeton), Some(fc)) => fc.deconnexion(&jeton).await,
        _ => None,
    };
    let mut resp = match fournisseur {
        Some(url) => AppJson(immat_domain::franceconnect::Redirection { url }).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    };
    resp.headers_mut().insert(header::SET_COOKIE, cookie(&state, "", 0));
    Ok(resp)
}

async fn me(CurrentUser(c): CurrentUser) -> AppJson<Utilisateur> {
    AppJson(utilisateur(&c))
}
