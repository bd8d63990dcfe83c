//! Les démarches. Le cadre commun (`commun`) ne connaît aucune téléprocédure
//! par son nom : démarrage (initiateur, immatriculation, code confidentiel
//! selon le tableau du support, situation du véhicule), reprise, vérification
//! de l'adresse, « Valider », documents. Chaque téléprocédure est un module
//! qui implémente [`Procedure`] et une ligne du registre [`procedure`].

pub mod cert;
mod cession;
mod changement_adresse;
mod changement_titulaire;
pub mod code_confidentiel;
mod commun;
mod complementaire;
mod cpi;
mod documents;
mod donnees;
mod duplicata;
mod heure;
pub mod paiement;
pub mod pieces;

pub use crate::http::vehicules::VEHICULE_HORS_COMPTE;
pub use commun::{adresse_du_vehicule, nom_titulaire, titulaire_vue};
pub use heure::horodatage;

use super::{error::*, routes::Routes, AppState};
use crate::{
    db::{DbError, DemarcheRecord, VehiculeRecord},
    documents::Pdf,
};
use axum::http::StatusCode;
use donnees::Donnees;
use immat_domain::{
    procedures::{DemarcheVue, Demarrage, DetailsDemarche, Document, NouvelleDemarche},
    taxes::{ObjetTaxe, Taxes, VehiculeFiscal},
    EtatDemarche, PourQui, Teleprocedure,
};
use serde::{Deserialize, Serialize};

/// Ce qu'une téléprocédure apporte au cadre commun.
#[async_trait::async_trait]
pub trait Procedure: Send + Sync + 'static {
    /// Le domicile (code postal) qui fixe la taxe régionale, et l'usage de
    /// collection : par défaut, ceux du titulaire inscrit au registre.
    fn contexte_fiscal(&self, _details: &DetailsDemarche, v: Option<&VehiculeRecord>) -> ContexteFiscal {
        ContexteFiscal { code_postal: v.map(|v| v.adresse_code_postal.clone()).unwrap_or_default(), collection: false }
    }

    /// Ce qui est taxé et le véhicule qui fixe le montant : par défaut, la
    /// téléprocédure et le véhicule inscrit. `None` : pas encore connu (une
    /// saisie incomplète).
    fn assiette(&self, details: &DetailsDemarche, v: Option<&VehiculeRecord>) -> AppResult<Option<(ObjetTaxe, VehiculeFiscal)>> {
        let v = vehicule_de_la_demarche(v)?;
        let objet = ObjetTaxe::de(details.teleprocedure(), v.changements_adresse)
            .ok_or_else(|| anyhow::anyhow!("{} : pas d'objet de taxe", details.teleprocedure().libelle()))?;
        Ok(Some((objet, commun::vehicule_fiscal(v)?)))
    }

    /// « Démarrer la procédure », une fois l'initiateur, le numéro et le code
    /// contrôlés : par défaut, la démarche du titulaire (ou de son
    /// mandataire) sur un véhicule inscrit.
    async fn demarrer(
        &self,
        state: &AppState,
        compte: &crate::db::CompteRecord,
        req: &NouvelleDemarche,
        demarrage: Demarrage,
    ) -> AppResult<(StatusCode, DemarcheVue)> {
        commun::demarrer_sur_son_vehicule(state, compte, req, demarrage).await
    }

    /// La vue de la démarche montre-t-elle le véhicule tel que le registre
    /// l'inscrit (titulaire, adresse) ? Par défaut oui : le démarrage a
    /// vérifié le droit de l'usager (véhicule du compte, code confidentiel,
    /// code de cession).
    fn montre_le_registre(&self, _d: &DemarcheRecord, _v: &VehiculeRecord) -> bool {
        true
    }

    /// « Valider » et « Payer » exigent-ils que le registre n'ait pas changé
    /// depuis le démarrage et que la situation du véhicule le permette ? Par
    /// défaut oui : la démarche écrit au registre. (La TPC n'y écrit pas : le
    /// CERT contrôle.)
    fn controle_le_registre(&self, _d: &DemarcheRecord, _v: &VehiculeRecord) -> bool {
        true
    }

    /// Un document qui lui est propre (autre que le récapitulatif).
    fn document(&self, _document: Document, _d: &DemarcheRecord, _v: Option<&VehiculeRecord>, _donnees: &Donnees) -> AppResult<Vec<u8>> {
        Err(AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))
    }

    /// Émet-elle un nouveau certificat, vu ses taxes ?
    fn nouveau_certificat(&self, _taxes: &Taxes) -> bool {
        false
    }

    /// La saisie est-elle complète pour « Valider » ?
    fn prete(&self, details: &DetailsDemarche) -> bool;

    /// Les pièces que le CERT doit contrôler : s'il y en a, « Valider » met
    /// la demande en attente du CERT (le mode itératif) au lieu de la
    /// conclure ; elle se paie et se termine après son acceptation.
    fn pieces_requises(&self, _pour_qui: PourQui, _details: &DetailsDemarche) -> Vec<immat_domain::pieces::TypePiece> {
        Vec::new()
    }

    /// Les pièces que l'usager peut envoyer (celles que la saisie en cours
    /// peut demander) : par défaut, les pièces requises.
    fn pieces_acceptees(&self, pour_qui: PourQui, details: &DetailsDemarche) -> Vec<immat_domain::pieces::TypePiece> {
        self.pieces_requises(pour_qui, details)
    }

    /// « Valider » la met-il en attente du CERT ? Par défaut, quand elle a
    /// des pièces à contrôler.
    fn instruite_par_le_cert(&self, pour_qui: PourQui, details: &DetailsDemarche) -> bool {
        !self.pieces_requises(pour_qui, details).is_empty()
    }

    /// Un document est-il disponible dans cet état ? Par défaut, les
    /// documents de la démarche terminée.
    fn document_disponible(&self, document: Document, etat: EtatDemarche, _details: &DetailsDemarche) -> bool {
        etat == EtatDemarche::Terminee && self.documents().contains(&document)
    }

    /// Les documents d'une démarche terminée.
    fn documents(&self) -> &'static [Document];

    /// Sa partie du récapitulatif PDF.
    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees);

    /// « Valider » : écrit la démarche dans l'état `vers` (calculé par le
    /// cycle de vie du domaine) et ce qu'elle change au registre, ensemble et
    /// une seule fois. Rend la démarche écrite et, le cas échéant, un secret à
    /// montrer une seule fois (le code de cession).
    async fn terminer(&self, validation: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)>;

    /// Ses routes de saisie (l'étape « Saisie » de son assistant :
    /// `commun::route_de_saisie::<SaSaisie>()`).
    fn routes(&self) -> Routes;
}

/// Ce qui fixe les taxes d'une démarche, en plus du véhicule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContexteFiscal {
    pub code_postal: String,
    pub collection: bool,
}

/// Ce que « Valider » remet à la téléprocédure : la démarche lue, son
/// véhicule, ses données complétées (CLU, taxes) et l'état d'arrivée.
pub struct Validation<'a> {
    pub state: &'a AppState,
    pub d: &'a DemarcheRecord,
    pub v: Option<&'a VehiculeRecord>,
    pub donnees: Donnees,
    pub vers: EtatDemarche,
}

/// Le registre : une ligne par téléprocédure construite.
pub fn procedure(tp: Teleprocedure) -> Option<&'static dyn Procedure> {
    match tp {
        Teleprocedure::ChangementAdresse => Some(&changement_adresse::ChangementAdresse),
        Teleprocedure::Cession => Some(&cession::Cession),
        Teleprocedure::ChangementTitulaire => Some(&changement_titulaire::ChangementTitulaire),
        Teleprocedure::Duplicata => Some(&duplicata::Duplicata),
        Teleprocedure::Complementaire => Some(&complementaire::Complementaire),
    }
}

/// Les routes, dans l'ordre d'un assistant : démarrer et lire, la saisie de
/// chaque téléprocédure, puis vérifier, valider, télécharger.
pub fn routes() -> Routes {
    let mut r = commun::routes_debut();
    for tp in Teleprocedure::TOUTES {
        if let Some(p) = procedure(tp) {
            r = r.merge(p.routes());
        }
    }
    r.merge(commun::routes_fin())
        .merge(paiement::routes())
        .merge(pieces::routes())
        .merge(cert::routes())
        .post("/code-confidentiel/demande", code_confidentiel::demander)
        .get("/cert/envois", code_confidentiel::envois)
        .get("/cert/envois/{envoi}/courrier", code_confidentiel::courrier)
}

/// Le véhicule d'une démarche qui en a forcément un (toutes sauf la TPC) :
/// son absence est une donnée incohérente.
pub fn vehicule_de_la_demarche(v: Option<&VehiculeRecord>) -> AppResult<&VehiculeRecord> {
    v.ok_or_else(|| DbError::Corrupt("démarche sans véhicule".into()).into())
}

/// Une téléprocédure enregistrée, ou 404 pour une démarche d'une
/// téléprocédure qui n'est plus construite (ne devrait pas arriver).
fn procedure_de(tp: Teleprocedure) -> AppResult<&'static dyn Procedure> {
    procedure(tp).ok_or_else(|| AppError::Introuvable(format!("La téléprocédure « {} » n'est pas disponible.", tp.libelle())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Le registre et le domaine disent la même chose des téléprocédures
    /// construites.
    #[test]
    fn registre_et_domaine_d_accord() {
        for tp in Teleprocedure::TOUTES {
            assert_eq!(procedure(tp).is_some(), tp.disponible(), "{tp:?}");
            assert_eq!(DetailsDemarche::nouveau(tp).is_some(), tp.disponible(), "{tp:?}");
        }
    }
}
