//! « Mon Espace » et l'espace véhicule : les véhicules de l'usager et ses
//! démarches en cours.

use super::{auth::Citoyen, error::*, routes::Routes, AppState};
use crate::db::{DemarcheRecord, VehiculeRecord};
use axum::extract::State;
use immat_domain::{
    api::{DemarcheResume, EspaceVehicule, VehiculeVue},
    Immatriculation,
};

pub fn routes() -> Routes {
    Routes::new().get("/espace", espace)
}

pub fn demarche_resume(d: &DemarcheRecord, immat: Option<Immatriculation>) -> DemarcheResume {
    DemarcheResume {
        id: d.id,
        numero: d.numero.clone(),
        teleprocedure: d.teleprocedure,
        etat: d.etat,
        immatriculation: immat,
        cree_le: d.created_at.clone(),
        modifie_le: d.updated_at.clone(),
        controlee_par_le_cert: d.en_attente_depuis.is_some(),
    }
}

pub fn vehicule_vue(v: &VehiculeRecord, demarches: Vec<DemarcheResume>) -> AppResult<VehiculeVue> {
    let immatriculation = Immatriculation::parse(&v.immatriculation)
        .map_err(|e| anyhow::anyhow!("immatriculation invalide en base ({}): {e}", v.immatriculation))?;
    Ok(VehiculeVue {
        id: v.id,
        immatriculation,
        vin: v.vin.clone(),
        marque: v.marque.clone(),
        modele: v.modele.clone(),
        genre: v.genre,
        energie: v.energie,
        puissance_cv: v.puissance_cv,
        date_premiere_immatriculation: v.date_premiere_immatriculation,
        numero_formule: v.numero_formule.clone(),
        date_certificat: v.date_certificat,
        titulaire: super::demarches::titulaire_vue(v),
        situation: v.situation.clone(),
        changements_adresse: v.changements_adresse,
        demarches,
    })
}

async fn espace(State(state): State<AppState>, Citoyen(compte): Citoyen) -> AppResult<AppJson<EspaceVehicule>> {
    let vehicules = state.repo.vehicules_du_compte(compte.id).await?;
    let demarches = state.repo.demarches_du_compte(compte.id).await?;
    let mut vues = Vec::with_capacity(vehicules.len());
    for v in &vehicules {
        let immat = Immatriculation::parse(&v.immatriculation).ok();
        let siennes = demarches
            .iter()
            .filter(|d| d.vehicule_id == Some(v.id) && !d.etat.est_finale())
            .map(|d| demarche_resume(d, immat.clone()))
            .collect();
        vues.push(vehicule_vue(v, siennes)?);
    }
    let autres = demarches
        .iter()
        .filter(|d| !d.etat.est_finale() && !vehicules.iter().any(|v| Some(v.id) == d.vehicule_id))
        .map(|d| demarche_resume(d, None))
        .collect();
    let immat_de =
        |id: Option<i64>| vehicules.iter().find(|v| Some(v.id) == id).and_then(|v| Immatriculation::parse(&v.immatriculation).ok());
    let mut terminees = Vec::new();
    for d in
        demarches.iter().filter(|d| matches!(d.etat, immat_domain::EtatDemarche::Terminee | immat_domain::EtatDemarche::Refusee)).take(20)
    {
        let immat = match immat_de(d.vehicule_id) {
            Some(i) => Some(i),
            // Le véhicule a pu quitter le compte (cession…).
            None => match d.vehicule_id {
                Some(id) => Immatriculation::parse(&state.repo.vehicule(id).await?.immatriculation).ok(),
                None => None,
            },
        };
        terminees.push(demarche_resume(d, immat));
    }
    Ok(AppJson(EspaceVehicule { vehicules: vues, autres_demarches: autres, demarches_terminees: terminees }))
}
