//! Téléprocédure « Demande de duplicata » (cas sans blocage : perte,
//! détérioration) : le motif, la personne concernée, le cas particulier ;
//! récapitulatif, paiement ; un nouveau certificat (numéro SIV pour un
//! véhicule FNI) et le CPI.

use super::{
    commun::{route_de_saisie, titulaire_vue, Saisie},
    *,
};
use crate::db::Ecriture;
use immat_domain::{
    demarche::etape_apres_validation,
    duplicata::{DetailsDuplicata, DuplicataSaisie, TitulaireAuCpi, CAS_PARTICULIER},
    procedures::DetailsPropres,
    Etape,
};

pub struct Duplicata;

/// Étape « Motif de la demande ».
impl Saisie for DuplicataSaisie {
    type Details = DetailsDuplicata;
    fn ranger(self, _: &AppState, details: &mut DetailsDuplicata, _: &VehiculeRecord) -> AppResult<()> {
        details.saisie = Some(self.clone());
        details.demande = None;
        details.demande = Some(self.valider().map_err(AppError::Validation)?);
        Ok(())
    }
}

#[async_trait::async_trait]
impl Procedure for Duplicata {
    fn routes(&self) -> Routes {
        route_de_saisie::<DuplicataSaisie>()
    }

    fn nouveau_certificat(&self, _taxes: &Taxes) -> bool {
        true
    }

    fn prete(&self, details: &DetailsDemarche) -> bool {
        DetailsDuplicata::de(details).is_some_and(|d| d.demande.is_some())
    }

    fn documents(&self) -> &'static [Document] {
        &[Document::CertificatProvisoire, Document::Recapitulatif]
    }

    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees) {
        let Some(demande) = DetailsDuplicata::de(&donnees.details).and_then(|d| d.demande.as_ref()) else { return };
        pdf.heading("Demande de duplicata");
        pdf.field("Motif", demande.motif.libelle());
        pdf.field("Personne concernée", demande.personne_concernee.libelle());
        if demande.cas_particulier {
            pdf.para(CAS_PARTICULIER);
        }
    }

    fn document(&self, document: Document, d: &DemarcheRecord, v: &VehiculeRecord, donnees: &Donnees) -> AppResult<Vec<u8>> {
        match document {
            Document::CertificatProvisoire => {
                let details = DetailsDuplicata::de(&donnees.details);
                let t = details
                    .and_then(|x| x.titulaire_au_cpi.as_ref())
                    .ok_or_else(|| AppError::Conflit("Le certificat provisoire n'est pas encore émis.".into()))?;
                let titulaire = cpi::TitulaireCpi {
                    titulaire: t.titulaire.nom_complet(),
                    cotitulaire: t.cotitulaire.clone(),
                    adresse: Some(t.titulaire.adresse.une_ligne()),
                    usage: None,
                };
                cpi::pdf(d, v, details.and_then(|x| x.cpi.as_ref()), &titulaire, donnees)
            }
            Document::Recapitulatif | Document::CertificatSituationAdministrative => {
                Err(AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into()))
            }
        }
    }

    /// Avant le paiement : « à payer ». Le paiement enregistré : un nouveau
    /// certificat (numéro SIV s'il était FNI) et le CPI.
    async fn terminer(&self, Validation { state, d, v, mut donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        if vers != EtatDemarche::Terminee {
            let d = state.repo.changer_etat(d, vers, etape_apres_validation(vers), &donnees.json()?).await?;
            return Ok((d, None));
        }
        let (cpi, certificat) = cpi::emettre(state, d, v, &donnees).await?;
        let details = DetailsDuplicata::de_mut(&mut donnees.details)
            .ok_or_else(|| DbError::Corrupt(format!("détails de la démarche {}", d.numero)))?;
        details.cpi = Some(cpi);
        details.titulaire_au_cpi = Some(TitulaireAuCpi { titulaire: titulaire_vue(v), cotitulaire: v.cotitulaire.clone() });
        let d = state
            .repo
            .terminer_nouveau_certificat(Ecriture { d, vers, etape: Etape::Fin, donnees: &donnees.json()? }, v.id, &certificat)
            .await?;
        Ok((d, None))
    }
}
