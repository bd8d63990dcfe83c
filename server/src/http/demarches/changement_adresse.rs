//! Téléprocédure « Changement d'adresse ».

use super::{
    commun::{route_de_saisie, valider_et_verifier, Saisie},
    *,
};
use crate::db::Ecriture;
use immat_domain::{
    adresse_postale::valider_adresse,
    demarche::etape_apres_validation,
    procedures::{DetailsChangementAdresse, NouvelleAdresse},
    taxes::ETIQUETTES_PAR_CERTIFICAT,
};

pub struct ChangementAdresse;

#[async_trait::async_trait]
impl Procedure for ChangementAdresse {
    /// Une 4e adresse, ou un véhicule FNI : un nouveau certificat, payant.
    fn nouveau_certificat(&self, taxes: &Taxes) -> bool {
        taxes.montant_du()
    }

    fn prete(&self, details: &DetailsDemarche) -> bool {
        details.adresse_retenue().is_some()
    }

    fn documents(&self) -> &'static [Document] {
        &[Document::Recapitulatif]
    }

    fn recapitulatif(&self, pdf: &mut Pdf, donnees: &Donnees) {
        pdf.heading("Nouvelle adresse déclarée");
        if let Some(a) = donnees.details.adresse_retenue() {
            for l in a.lignes() {
                pdf.para(&l);
            }
        }
    }

    /// Sans taxe : la demande est terminée (étiquette gratuite) et le registre
    /// porte la nouvelle adresse. Avec un nouveau certificat, la démarche
    /// passe « à payer » ; le paiement enregistré, elle revient ici terminée.
    async fn terminer(&self, Validation { state, d, v, donnees, vers }: Validation<'_>) -> AppResult<(DemarcheRecord, Option<String>)> {
        let v = vehicule_de_la_demarche(v)?;
        let adresse = donnees.details.adresse_retenue().cloned().ok_or_else(|| AppError::Conflit("Adresse non vérifiée.".into()))?;
        let json = donnees.json()?;
        let d = if vers == EtatDemarche::Terminee {
            state
                .repo
                .terminer_changement_adresse(
                    Ecriture { d, vers, etape: etape_apres_validation(vers), donnees: &json },
                    v.id,
                    v.code_confidentiel_version,
                    &adresse,
                    ETIQUETTES_PAR_CERTIFICAT,
                )
                .await?
        } else {
            state.repo.changer_etat(d, vers, etape_apres_validation(vers), &json).await?
        };
        Ok((d, None))
    }

    fn routes(&self) -> Routes {
        route_de_saisie::<NouvelleAdresse>()
    }
}

/// Étape « Nouvelle adresse » : « Poursuivre » l'enregistre (même invalide :
/// rien n'est perdu) et la vérifie.
impl Saisie for NouvelleAdresse {
    type Details = DetailsChangementAdresse;
    fn ranger(
        self,
        state: &AppState,
        details: &mut DetailsChangementAdresse,
        _: Option<&VehiculeRecord>,
        _: &DemarcheRecord,
    ) -> AppResult<()> {
        details.adresse = None;
        let validee = valider_adresse(&self.adresse, "adresse");
        details.saisie = Some(self.adresse);
        let (_, adresse) = valider_et_verifier(state, validee, |a| a)?;
        details.adresse = Some(adresse);
        Ok(())
    }
}
