//! L'habilitation de professionnel de l'automobile.
//! - `POST /compte/habilitation` : le compte d'une société déclare son
//!   SIRET et son numéro d'habilitation (en attente de vérification).
//! - `GET /cert/habilitations`, `POST /cert/habilitations/{id}/approuver`,
//!   `POST /cert/habilitations/{id}/refuser` : le CERT vérifie. Approuvée,
//!   la demande fait du compte celui d'un professionnel habilité (compte
//!   certifié, acheminement du code confidentiel « EMAIL + COURRIER »).

use super::{
    auth::{AgentCert, Citoyen},
    demarches::horodatage,
    error::*,
    routes::Routes,
    AppState,
};
use crate::db::HabilitationRecord;
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use immat_domain::{
    compte::VoieDeCertification,
    habilitation::{DeclarationHabilitation, EtatHabilitation, HabilitationVue, RefusHabilitation},
    Profil,
};
use serde::Deserialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

pub fn routes() -> Routes {
    Routes::new()
        .post("/compte/habilitation", declarer)
        .get("/cert/habilitations", liste)
        .post("/cert/habilitations/{id}/approuver", approuver)
        .post("/cert/habilitations/{id}/refuser", refuser)
}

pub fn vue(h: &HabilitationRecord) -> AppResult<HabilitationVue> {
    let demandee_le = OffsetDateTime::parse(&h.demandee_le, &Rfc3339)
        .map(horodatage)
        .map_err(|e| crate::db::DbError::Corrupt(format!("date d'habilitation « {} » : {e}", h.demandee_le)))?;
    Ok(HabilitationVue {
        id: h.id,
        raison_sociale: h
            .raison_sociale
            .clone()
            .ok_or_else(|| crate::db::DbError::Corrupt(format!("compte {} : personne morale sans raison sociale", h.compte_id)))?,
        siret: h.siret.clone(),
        numero: h.numero.clone(),
        etat: h.etat,
        demandee_le,
        motif_refus: h.motif_refus.clone(),
        email: h.email.clone(),
        nature: h.nature,
        representant: h.representant.clone(),
    })
}

/// La déclaration : le compte d'une société (personne morale), un SIRET de
/// cette société.
async fn declarer(
    State(state): State<AppState>,
    Citoyen(c): Citoyen,
    AppJson(req): AppJson<DeclarationHabilitation>,
) -> AppResult<(StatusCode, AppJson<HabilitationVue>)> {
    if c.profil.voie_de_certification() != Some(VoieDeCertification::Habilitation) {
        return Err(AppError::Interdit(if c.profil == Profil::ProfessionnelHabilite {
            "Votre compte est déjà celui d'un professionnel de l'automobile habilité.".into()
        } else {
            "L'habilitation se déclare depuis le compte de la société (personne morale) du professionnel.".into()
        }));
    }
    let h = req.valider(c.siren.as_deref()).map_err(AppError::Validation)?;
    if !state.repo.declarer_habilitation(c.id, h.siret.as_str(), &h.numero, state.now()).await? {
        return Err(AppError::Conflit("Une demande d'habilitation est déjà en attente de vérification pour ce compte.".into()));
    }
    let enregistree = state.repo.habilitation_du_compte(c.id).await?.ok_or(crate::db::DbError::NotFound)?;
    Ok((StatusCode::CREATED, AppJson(vue(&enregistree)?)))
}

#[derive(Debug, Deserialize)]
struct Filtre {
    etat: Option<String>,
}

async fn liste(
    State(state): State<AppState>,
    AgentCert(_): AgentCert,
    Query(f): Query<Filtre>,
) -> AppResult<AppJson<Vec<HabilitationVue>>> {
    let etat = match f.etat.as_deref().filter(|e| !e.is_empty()) {
        None => Some(EtatHabilitation::EnAttente),
        Some("toutes") => None,
        Some(code) => Some(EtatHabilitation::depuis_code(code).ok_or_else(|| AppError::champ("etat", "État inconnu."))?),
    };
    let v = state.repo.habilitations(etat).await?.iter().map(vue).collect::<AppResult<Vec<_>>>()?;
    Ok(AppJson(v))
}

fn deja_decidee() -> AppError {
    AppError::Conflit("Cette demande n'est plus en attente : elle a déjà été décidée, ou le compte a été supprimé.".into())
}

async fn approuver(State(state): State<AppState>, AgentCert(agent): AgentCert, Path(id): Path<i64>) -> AppResult<StatusCode> {
    if !state.repo.decider_habilitation(id, agent.id, None, state.now()).await? {
        return Err(deja_decidee());
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn refuser(
    State(state): State<AppState>,
    AgentCert(agent): AgentCert,
    Path(id): Path<i64>,
    AppJson(req): AppJson<RefusHabilitation>,
) -> AppResult<StatusCode> {
    let motif = req.valider().map_err(AppError::Validation)?;
    if !state.repo.decider_habilitation(id, agent.id, Some(&motif), state.now()).await? {
        return Err(deja_decidee());
    }
    Ok(StatusCode::NO_CONTENT)
}
