//! « Mon compte » : l'identité du compte, ses sessions ouvertes, « Se
//! déconnecter partout », « Supprimer mon compte » (mot de passe exigé,
//! aucune démarche en cours).

use super::{
    auth::{cookie, dummy_hash, session_token, token_hash, utilisateur, Citoyen, CurrentUser},
    demarches::horodatage,
    error::*,
    limites::{cle_connexion_compte, rendre, reserver},
    routes::Routes,
    AppState,
};
use crate::db::CompteRecord;
use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use immat_domain::{
    compte::{MonCompte, SessionVue, SuppressionCompte, SUPPRESSION_DEMARCHE_EN_COURS},
    limites::{message_connexion_bloquee, Limite},
};
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

pub fn routes() -> Routes {
    Routes::new()
        .get("/compte", mon_compte)
        .post("/compte/suppression", supprimer)
        // Dernière du tableau : elle ferme toutes les sessions du compte.
        .post("/compte/deconnexion-partout", deconnexion_partout)
}

fn lisible(brut: &str) -> AppResult<String> {
    OffsetDateTime::parse(brut, &Rfc3339)
        .map(horodatage)
        .map_err(|e| crate::db::DbError::Corrupt(format!("date de session « {brut} » : {e}")).into())
}

async fn mon_compte(State(state): State<AppState>, headers: HeaderMap, CurrentUser(c): CurrentUser) -> AppResult<AppJson<MonCompte>> {
    let courante = session_token(&headers).map(|t| token_hash(&t));
    let sessions = state
        .repo
        .sessions_du_compte(c.id, state.now())
        .await?
        .iter()
        .map(|s| {
            Ok(SessionVue {
                ouverte_le: lisible(&s.created_at)?,
                expire_le: lisible(&s.expires_at)?,
                courante: courante.as_deref() == Some(s.token_hash.as_str()),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let habilitation = state.repo.habilitation_du_compte(c.id).await?.as_ref().map(super::habilitation::vue).transpose()?;
    Ok(AppJson(MonCompte { utilisateur: utilisateur(&c), sessions, habilitation }))
}

/// Une réponse sans contenu qui efface le cookie de session.
fn sans_session(state: &AppState) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(header::SET_COOKIE, cookie(state, "", 0));
    resp
}

/// « Se déconnecter partout » : toutes les sessions du compte, celle-ci
/// comprise (un appareil perdu, un mot de passe prêté).
async fn deconnexion_partout(State(state): State<AppState>, CurrentUser(c): CurrentUser) -> AppResult<Response> {
    state.repo.fermer_sessions(c.id).await?;
    Ok(sans_session(&state))
}

/// Le mot de passe du compte connecté, qui confirme une opération sensible
/// (suppression, changement d'adresse, certification). Les essais comptent
/// avec ceux de la connexion : une session volée ne sert pas à deviner le
/// mot de passe. Faux : erreur au champ `mot_de_passe`.
pub(super) async fn verifier_mot_de_passe(state: &AppState, c: &CompteRecord, mot_de_passe: &str) -> AppResult<()> {
    if !crate::hachage::a_un_mot_de_passe(&c.password_hash) {
        return Err(AppError::champ(
            "mot_de_passe",
            "Votre compte a été créé avec FranceConnect et n'a pas encore de mot de passe : choisissez-en un avec « Mot de passe \
             oublié » (page de connexion), puis recommencez.",
        ));
    }
    if mot_de_passe.is_empty() {
        return Err(AppError::champ("mot_de_passe", "Saisissez votre mot de passe pour confirmer."));
    }
    let cle = cle_connexion_compte(&c.email);
    reserver(state, &cle, &Limite::CONNEXION_COMPTE, message_connexion_bloquee).await?;
    let ok = match state.hacheur.verifier(mot_de_passe.to_owned(), c.password_hash.clone()).await {
        Ok(ok) => ok,
        Err(e) => {
            rendre(state, &[&cle]).await;
            return Err(e.into());
        }
    };
    if !ok {
        return Err(AppError::champ("mot_de_passe", "Le mot de passe est incorrect."));
    }
    state.repo.effacer_tentatives(&cle, state.now()).await?;
    Ok(())
}

/// « Supprimer mon compte » : le mot de passe, puis la suppression si aucune
/// démarche n'est en cours (vérifié dans l'écriture même).
async fn supprimer(State(state): State<AppState>, Citoyen(c): Citoyen, AppJson(req): AppJson<SuppressionCompte>) -> AppResult<Response> {
    verifier_mot_de_passe(&state, &c, &req.mot_de_passe).await?;
    if !state.repo.supprimer_compte(c.id, dummy_hash(), state.now()).await? {
        return Err(AppError::Conflit(SUPPRESSION_DEMARCHE_EN_COURS.into()));
    }
    Ok(sans_session(&state))
}
