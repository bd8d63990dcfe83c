//! « S'identifier avec FranceConnect » et « Certifier mon compte avec
//! FranceConnect ».
//!
//! - `POST /auth/franceconnect` : part chez le fournisseur d'identité. Le
//!   `state` est lié au navigateur par un cookie HttpOnly (pas de connexion
//!   imposée par un lien forgé) ; nonce et vérificateur PKCE restent en base.
//! - `POST /compte/franceconnect` : la même chose pour certifier le compte
//!   classique connecté, après son mot de passe.
//! - `GET /auth/franceconnect/retour` : consomme la tentative (une fois),
//!   échange le code, vérifie le jeton, puis ouvre la session ; tout échec
//!   revient sur `/connexion?franceconnect=<code>` (ou `/mon-compte?…`),
//!   sans session.
//! - La déconnexion d'une session FranceConnect passe par le fournisseur
//!   (`auth::logout` rend son adresse).

use super::{
    auth::{adresse_client, cookie, lire_cookie, new_token, session_token, token_hash, PairTcp},
    error::*,
    limites::reserver,
    routes::Routes,
    AppState,
};
use crate::db::{CreationFranceConnect, NewCompteFranceConnect, TentativeFranceConnect};
use crate::franceconnect::IdentiteRecue;
use axum::{
    extract::{Query, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use immat_domain::{
    compte::{CertificationFranceConnect, Civilite, TypeCompte},
    franceconnect::{CertificationCompte, EchecFranceConnect, Redirection},
    limites::{message_franceconnect_bloque, Limite},
};
use serde::Deserialize;
use time::Duration;

/// Le cookie qui lie le `state` au navigateur parti chez le fournisseur.
pub const COOKIE_ETAT: &str = "immat_fc_etat";
/// Durée d'une tentative.
pub const TENTATIVE_MINUTES: i64 = 10;
const CHEMIN_RETOUR: &str = "/api/v1/auth/franceconnect/retour";

pub fn routes() -> Routes {
    Routes::new()
        .post("/auth/franceconnect", connexion)
        .get("/auth/franceconnect/retour", retour)
        .post("/compte/franceconnect", certification)
}

fn cookie_etat(state: &AppState, valeur: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    // Lax : le retour est une navigation de premier niveau (GET) depuis le
    // fournisseur ; le cookie n'est envoyé qu'au chemin du retour.
    HeaderValue::from_str(&format!("{COOKIE_ETAT}={valeur}; Path={CHEMIN_RETOUR}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("immat_fc_etat=; Max-Age=0"))
}

fn fournisseur(state: &AppState) -> AppResult<&crate::franceconnect::FranceConnect> {
    state.franceconnect.as_deref().ok_or_else(|| AppError::Requete {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: immat_domain::api::CodeErreur::NonDisponible,
        message: EchecFranceConnect::Indisponible.message().into(),
    })
}

/// Réserve un départ vers FranceConnect pour ce client (chaque départ
/// écrit une tentative en base).
async fn reserver_depart(state: &AppState, headers: &HeaderMap, pair: Option<std::net::SocketAddr>) -> AppResult<()> {
    let cle = format!("franceconnect:client:{}", adresse_client(state, headers, pair));
    reserver(state, &cle, &Limite::FRANCECONNECT_CLIENT, message_franceconnect_bloque).await.map(|_| ())
}

/// Part chez le fournisseur : l'adresse à ouvrir, le cookie d'état.
async fn depart(state: &AppState, compte_id: Option<i64>) -> AppResult<Response> {
    let fc = fournisseur(state)?;
    let a = fc.autorisation().await.map_err(|e| AppError::Requete {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: immat_domain::api::CodeErreur::NonDisponible,
        message: e.message().into(),
    })?;
    let t = TentativeFranceConnect { nonce: a.nonce, verificateur_pkce: a.verificateur_pkce, compte_id };
    state.repo.creer_tentative_franceconnect(&token_hash(&a.etat), &t, state.now() + Duration::minutes(TENTATIVE_MINUTES)).await?;
    let mut resp = AppJson(Redirection { url: a.url }).into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie_etat(state, &a.etat, TENTATIVE_MINUTES * 60));
    Ok(resp)
}

async fn connexion(State(state): State<AppState>, headers: HeaderMap, PairTcp(pair): PairTcp) -> AppResult<Response> {
    fournisseur(&state)?;
    reserver_depart(&state, &headers, pair).await?;
    depart(&state, None).await
}

/// « Certifier mon compte avec FranceConnect » : le compte connecté, un
/// particulier non encore certifié, prouve qu'il est à l'usager par son
/// mot de passe (compté avec les essais de connexion).
async fn certification(
    State(state): State<AppState>,
    headers: HeaderMap,
    PairTcp(pair): PairTcp,
    super::auth::Citoyen(c): super::auth::Citoyen,
    AppJson(req): AppJson<CertificationCompte>,
) -> AppResult<Response> {
    fournisseur(&state)?;
    if c.profil.certification_franceconnect(c.siren.is_some()).is_none() {
        return Err(AppError::Interdit(
            "FranceConnect identifie une personne : un particulier certifie ainsi son compte, une société (SIREN déclaré) par son \
             représentant légal. Un professionnel de l'automobile l'est par son habilitation."
                .into(),
        ));
    }
    if c.type_compte() == TypeCompte::Certifie {
        return Err(AppError::Conflit("Votre compte est déjà certifié.".into()));
    }
    if c.profil.certification_franceconnect(c.siren.is_some()) == Some(CertificationFranceConnect::RepresentantLegal)
        && state.repo.habilitation_du_compte(c.id).await?.is_some_and(|h| !h.etat.peut_redeclarer())
    {
        return Err(AppError::Conflit(EchecFranceConnect::DemandeEnCours.message().into()));
    }
    super::mon_compte::verifier_mot_de_passe(&state, &c, &req.mot_de_passe).await?;
    reserver_depart(&state, &headers, pair).await?;
    depart(&state, Some(c.id)).await
}

#[derive(Debug, Deserialize)]
pub struct ParametresRetour {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

fn vers(chemin: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut resp = (StatusCode::SEE_OTHER, [(header::LOCATION, chemin.to_owned())]).into_response();
    for c in cookies {
        resp.headers_mut().append(header::SET_COOKIE, c);
    }
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Le retour du fournisseur. Jamais d'erreur JSON : le navigateur y arrive
/// par une redirection, il repart vers une page du SPA qui explique.
async fn retour(State(state): State<AppState>, headers: HeaderMap, Query(p): Query<ParametresRetour>) -> Response {
    // Le cookie d'état ne sert qu'une fois : effacé dès que le `state` reçu
    // est le sien. Un lien forgé (autre `state`) ne l'efface pas : il ne
    // peut pas interrompre une connexion en cours.
    let efface = cookie_etat(&state, "", 0);
    let echec = |page: &str, e: EchecFranceConnect| vers(&format!("{page}?franceconnect={}", e.code()), vec![efface.clone()]);

    let (Some(etat), Some(du_cookie)) = (p.state.as_deref(), lire_cookie(&headers, COOKIE_ETAT)) else {
        return vers(&format!("/connexion?franceconnect={}", EchecFranceConnect::Etat.code()), vec![]);
    };
    if etat != du_cookie {
        return vers(&format!("/connexion?franceconnect={}", EchecFranceConnect::Etat.code()), vec![]);
    }
    let tentative = match state.repo.consommer_tentative_franceconnect(&token_hash(etat), state.now()).await {
        Ok(Some(t)) => t,
        Ok(None) => return echec("/connexion", EchecFranceConnect::Etat),
        Err(e) => {
            tracing::error!(erreur = %e, "FranceConnect : tentative illisible");
            return echec("/connexion", EchecFranceConnect::Indisponible);
        }
    };
    let page = if tentative.compte_id.is_some() { "/mon-compte" } else { "/connexion" };
    if p.error.is_some() {
        return echec(page, EchecFranceConnect::Annule);
    }
    let Some(code) = p.code.as_deref().filter(|c| !c.is_empty()) else {
        return echec(page, EchecFranceConnect::Jeton);
    };
    let Some(fc) = state.franceconnect.as_deref() else {
        return echec(page, EchecFranceConnect::Indisponible);
    };
    let identite = match fc.identite(code, &tentative.verificateur_pkce, &tentative.nonce).await {
        Ok(i) => i,
        Err(e) => return echec(page, e),
    };
    match ouvrir(&state, &headers, &tentative, &identite).await {
        Ok(Ok((session, cible))) => vers(cible, vec![efface, session]),
        Ok(Err(e)) => echec(page, e),
        Err(e) => {
            tracing::error!(erreur = %e, "FranceConnect : session non ouverte");
            echec(page, EchecFranceConnect::Indisponible)
        }
    }
}

/// Trouve, crée ou certifie le compte, puis ouvre la session.
async fn ouvrir(
    state: &AppState,
    headers: &HeaderMap,
    tentative: &TentativeFranceConnect,
    identite: &IdentiteRecue,
) -> AppResult<Result<(HeaderValue, &'static str), EchecFranceConnect>> {
    let Ok(certifiee) = identite.pivot.valider() else {
        return Ok(Err(EchecFranceConnect::Identite));
    };
    let lieu = serde_json::to_string(&certifiee.naissance).map_err(|e| AppError::Interne(e.into()))?;
    let nouveau = NewCompteFranceConnect {
        sub: identite.sub.clone(),
        email: certifiee.email.as_str().to_owned(),
        // Pas de mot de passe : aucun secret ne correspond ; « Mot de passe
        // oublié » en donne un.
        password_hash: crate::hachage::SANS_MOT_DE_PASSE.to_owned(),
        civilite: certifiee.civilite.map(|c| {
            match c {
                Civilite::Madame => "madame",
                Civilite::Monsieur => "monsieur",
            }
            .to_owned()
        }),
        prenom: certifiee.prenoms.as_str().to_owned(),
        nom: certifiee.nom().as_str().to_owned(),
        nom_de_naissance: certifiee.nom_de_naissance.as_str().to_owned(),
        date_naissance: certifiee.date_naissance.to_string(),
        lieu_naissance: lieu,
    };
    let (compte_id, cible) = match tentative.compte_id {
        // Certification : le navigateur doit toujours être celui du compte.
        Some(id) => {
            let courant = match session_token(headers) {
                Some(t) => state.repo.compte_de_session(&token_hash(&t), state.now()).await?,
                None => None,
            };
            let Some(courant) = courant.filter(|c| c.id == id) else {
                return Ok(Err(EchecFranceConnect::Etat));
            };
            // Le profil relu au retour (il a pu changer pendant le passage
            // chez le fournisseur) : un particulier se certifie, une société
            // déclare son représentant, rien d'autre.
            let certification = courant.profil.certification_franceconnect(courant.siren.is_some());
            let Some(certification) = certification else {
                return Ok(Err(EchecFranceConnect::Etat));
            };
            if let (CertificationFranceConnect::RepresentantLegal, Some(siren)) = (certification, courant.siren.as_deref()) {
                // Le représentant légal d'une société : son identité attend la
                // vérification du CERT ; le compte reste celui de la société.
                let representant = format!(
                    "{} {}, né(e) le {}",
                    certifiee.prenoms.as_str(),
                    certifiee.nom_de_naissance.as_str().to_uppercase(),
                    immat_domain::DateFr::from(certifiee.date_naissance)
                );
                if !state.repo.declarer_representant(id, siren, &representant, state.now()).await? {
                    return Ok(Err(EchecFranceConnect::DemandeEnCours));
                }
                return ouvrir_session(state, headers, id, identite, "/mon-compte?franceconnect=representant").await;
            }
            if !state.repo.certifier_compte(id, &nouveau).await? {
                return Ok(Err(EchecFranceConnect::DejaLiee));
            }
            (id, "/mon-compte?franceconnect=certifie")
        }
        None => match state.repo.compte_par_sub(&identite.sub).await? {
            Some(c) => (c.id, "/mon-espace"),
            None => match state.repo.creer_compte_franceconnect(&nouveau).await? {
                CreationFranceConnect::Cree(id) | CreationFranceConnect::DejaLie(id) => (id, "/mon-espace"),
                CreationFranceConnect::AdresseExistante => return Ok(Err(EchecFranceConnect::CompteExistant)),
            },
        },
    };
    // Les véhicules dont la personne certifiée est le titulaire inscrit
    // rejoignent son compte ; une identité presque la même est signalée.
    let cible = match super::vehicules::rattacher_par_identite(state, compte_id, &certifiee).await {
        Ok(r) if r.partiels > 0 && cible == "/mon-espace" => "/espace-vehicule?vehicules=partiel",
        Ok(_) => cible,
        Err(e) => {
            tracing::warn!(erreur = %e, compte_id, "rattachement par l'identité non fait");
            cible
        }
    };
    ouvrir_session(state, headers, compte_id, identite, cible).await
}

/// La session ouverte par FranceConnect (l'ancienne fermée), et la page où
/// repartir.
async fn ouvrir_session(
    state: &AppState,
    headers: &HeaderMap,
    compte_id: i64,
    identite: &IdentiteRecue,
    cible: &'static str,
) -> AppResult<Result<(HeaderValue, &'static str), EchecFranceConnect>> {
    if let Some(old) = session_token(headers) {
        state.repo.fermer_session(&token_hash(&old)).await?;
    }
    let token = new_token();
    let duree = Duration::hours(state.config.session_hours);
    state.repo.creer_session_franceconnect(&token_hash(&token), compte_id, state.now() + duree, &identite.id_token).await?;
    Ok(Ok((cookie(state, &token, duree.whole_seconds()), cible)))
}
