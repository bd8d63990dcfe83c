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
    duplicata::{destination_du_titre, DetailsDuplicata, DuplicataSaisie, TitulaireAuCpi, CAS_PARTICULIER},
    pieces::TypePiece,
    procedures::{DetailsPropres, Document},
    Etape,
};

pub struct Duplicata;

/// Étape « Motif de la demande ».
impl Saisie for DuplicataSaisie {
    type Details = DetailsDuplicata;
    fn ranger(self, _: &AppState, details: &mut DetailsDuplicata, v: Option<&VehiculeRecord>, d: &DemarcheRecord) -> AppResult<()> {
        let v = vehicule_de_la_demarche(v)?;
        details.saisie = Some(self.clone());
        details.demande = None;
        details.demande = Some(self.valider(d.pour_qui, v.vol_certificat_enregistre).map_err(AppError::Validation)?);
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

    /// Un vol que le registre ne connaît pas : la déclaration de vol.
    fn pieces_requises(&self, _pour_qui: PourQui, details: &DetailsDemarche) -> Vec<TypePiece> {
        DetailsDuplicata::de(details).and_then(|d| d.demande.as_ref()).map(|d| d.pieces_requises()).unwrap_or_default()
    }

    /// « Transmission de la déclaration et certificat de situation
    /// administrative » : le CSA accompagne l'envoi de la déclaration de vol.
    fn document_disponible(&self, document: Document, etat: EtatDemarche, details: &DetailsDemarche) -> bool {
        let declaration = !self.pieces_requises(PourQui::MoiMeme, details).is_empty();
        match document {
            Document::CertificatSituationAdministrative => declaration && !matches!(etat, EtatDemarche::Abandonnee | EtatDemarche::Refusee),
            autre => etat == EtatDemarche::Terminee && self.documents().contains(&autre),
        }
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
        pdf.para(destination_du_titre(demande.cas_particulier));
        if demande.declaration_de_vol {
            pdf.para("Vol non encore enregistré au système d'immatriculation : déclaration de vol contrôlée par le CERT.");
        }
    }

    fn document(&self, document: Document, d: &DemarcheRecord, v: Option<&VehiculeRecord>, donnees: &Donnees) -> AppResult<Vec<u8>> {
        let v = vehicule_de_la_demarche(v)?;
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
            Document::CertificatSituationAdministrative => {
                super::cession::csa(d, v, donnees, "Certificat de situation administrative joint à la demande de duplicata pour vol.")
            }
            Document::Recapitulatif => Err(AppError::Introuvable("Ce document n'existe pas pour cette démarche.".into())),
        }
    }

    /// Avant le paiement : « à payer ». Le paiement enregistré : un nouveau
    /// certificat (numéro SIV s'il était FNI) et le CPI.
    async fn terminer(&self, Validation { state, d, v, mut donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        let v = vehicule_de_la_demarche(v)?;
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
