//! Téléprocédure « Changement d'adresse ».

use super::*;
use crate::db::NouvelleAdresseRegistre;
use immat_domain::{adresse_postale::valider_adresse, demarche, procedures::NouvelleAdresse, taxes::ETIQUETTES_PAR_CERTIFICAT};

/// Étape 2 : la nouvelle adresse ; « Poursuivre » l'enregistre et la vérifie.
pub async fn saisir_adresse(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    Path(numero): Path<String>,
    AppJson(req): AppJson<NouvelleAdresse>,
) -> AppResult<AppJson<DemarcheVue>> {
    let (d, v) = charger(&state, compte.id, &numero).await?;
    exiger_brouillon(&d)?;
    if d.teleprocedure != Teleprocedure::ChangementAdresse {
        return Err(AppError::Conflit("Cette démarche n'est pas un changement d'adresse.".into()));
    }
    let mut donnees = Donnees::de(&d)?;
    // La saisie est gardée telle quelle, même invalide : rien n'est perdu.
    donnees.adresse_saisie = Some(req.adresse.clone());
    let resultat = valider_adresse(&req.adresse, "adresse")
        .map_err(AppError::Validation)
        .and_then(|a| verifier_adresse(&state, &a, "adresse").map(|verif| (a, verif)))
        .map(|(a, verif)| {
            move |donnees: &mut Donnees| {
                donnees.adresse_normalisee = Some(a);
                donnees.verification = Some(verif);
            }
        });
    enregistrer_saisie(&state, d, &v, donnees, resultat).await
}

/// « Valider » : la demande est terminée (étiquette gratuite) et le registre
/// porte la nouvelle adresse ; ou, quand un nouveau certificat est émis, la
/// démarche passe « à payer ».
pub async fn terminer(state: &AppState, d: DemarcheRecord, v: VehiculeRecord, clu: Vec<String>) -> AppResult<AppJson<DemarcheVue>> {
    let mut donnees = Donnees::de(&d)?;
    let adresse = donnees.adresse_retenue.clone().ok_or_else(|| AppError::Conflit("Adresse non vérifiée.".into()))?;
    let taxes = taxes_de(state, &d, &v)?;
    let vers = demarche::valider(d.etat, taxes.montant_du()).map_err(|e| AppError::Conflit(e.to_string()))?;
    donnees.clu_acceptees = clu;
    donnees.valide_le = Some(horodatage(state.now()));
    donnees.taxes = Some(taxes);
    let donnees = donnees.json()?;
    let d = if vers == EtatDemarche::Terminee {
        state
            .repo
            .terminer_changement_adresse(
                &d,
                vers,
                &donnees,
                v.id,
                &NouvelleAdresseRegistre {
                    voie: adresse.voie.clone(),
                    complement: adresse.complement.clone(),
                    code_postal: adresse.code_postal.clone(),
                    commune: adresse.commune.clone(),
                    etiquettes_par_certificat: ETIQUETTES_PAR_CERTIFICAT,
                },
            )
            .await?
    } else {
        // Le paiement en ligne n'est pas encore construit : la démarche est
        // conservée « à payer », le registre n'est pas modifié.
        state.repo.changer_etat(&d, vers, 4, &donnees).await?
    };
    let v = state.repo.vehicule(v.id).await?;
    Ok(AppJson(vue(state, &d, &v)?))
}
