//! « Je n'ai pas de code confidentiel » : un nouveau code est envoyé selon le
//! mode d'acheminement du support (e-mail et/ou courrier), et la page de
//! démonstration de l'agent du CERT liste les envois.

use super::*;
use crate::{
    db::{EnvoiRecord, NewEnvoi},
    http::auth::hash_password,
};
use immat_domain::{
    adresse_postale::lignes_afnor,
    procedures::{DemandeCodeConfidentiel, EnvoiCodeConfidentiel},
    regles::{destination_courrier, mode_acheminement, DestinationCourrier, TitulaireCompte},
    CODE_CONFIDENTIEL_LONGUEUR,
};

pub async fn demander(
    State(state): State<AppState>,
    CurrentUser(compte): CurrentUser,
    AppJson(req): AppJson<DemandeCodeConfidentiel>,
) -> AppResult<AppJson<EnvoiCodeConfidentiel>> {
    let titulaire_compte = TitulaireCompte::de(compte.profil)
        .ok_or_else(|| AppError::Interdit("Un compte d'agent du CERT ne fait pas de démarche.".into()))?;
    let immat = Immatriculation::parse(&req.immatriculation).map_err(|e| AppError::champ("immatriculation", e))?;
    let v = state
        .repo
        .vehicule_par_immatriculation(&immat.to_string())
        .await?
        .ok_or_else(|| AppError::champ("immatriculation", "Aucun véhicule n'est immatriculé sous ce numéro."))?;
    let mode = mode_acheminement(titulaire_compte, req.pour_qui);
    let mut octets = [0u8; CODE_CONFIDENTIEL_LONGUEUR];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let code = CodeConfidentiel::from_random(&octets);
    let compact = code.compact().to_owned();
    let hash = tokio::task::spawn_blocking(move || hash_password(&compact)).await.map_err(|e| anyhow::anyhow!(e))??;
    state.repo.maj_code_confidentiel(v.id, &hash).await?;
    let objet = format!("Votre code confidentiel pour le véhicule {immat}");
    let corps = format!(
        "Bonjour,\n\nVoici le nouveau code confidentiel du certificat d'immatriculation du véhicule {immat} : {code}\n\n\
         Il remplace le précédent. Conservez-le : il vous sera demandé pour les démarches en ligne.\n\n\
         Immat — environnement de démonstration, service non officiel."
    );
    if mode.email {
        state
            .repo
            .enregistrer_envoi(&NewEnvoi {
                canal: "email".into(),
                destinataire: compte.email.clone(),
                objet: objet.clone(),
                corps: corps.clone(),
                vehicule_id: Some(v.id),
            })
            .await?;
        // Le relais SMTP, s'il est configuré ; son échec est journalisé,
        // l'e-mail reste dans la boîte d'envoi.
        if let Err(e) = crate::mail::envoyer(&state.config, &compte.email, &objet, &corps).await {
            tracing::warn!(error = %e, "envoi SMTP du code confidentiel impossible");
        }
    }
    if mode.courrier {
        let destination = destination_courrier(v.location_longue_duree);
        let lignes = lignes_afnor(&nom_titulaire(&v), &adresse_du_vehicule(&v));
        let note = match destination {
            DestinationCourrier::AdresseDuTitulaire => "Adresse du titulaire figurant sur le certificat d'immatriculation.",
            DestinationCourrier::AdresseExpeditionPrecedentTitre => {
                "Location longue durée : adresse d'expédition du précédent titre."
            }
        };
        state
            .repo
            .enregistrer_envoi(&NewEnvoi {
                canal: "courrier".into(),
                destinataire: lignes.join("\n"),
                objet: objet.clone(),
                corps: format!("{corps}\n\n({note})"),
                vehicule_id: Some(v.id),
            })
            .await?;
    }
    let message = match (mode.email, mode.courrier) {
        (true, true) => format!(
            "Un nouveau code confidentiel a été envoyé par courrier à l'adresse du titulaire et par e-mail à {}.",
            compte.email
        ),
        _ => "Un nouveau code confidentiel a été envoyé par courrier à l'adresse postale du titulaire.".to_owned(),
    };
    Ok(AppJson(EnvoiCodeConfidentiel { email: mode.email, courrier: mode.courrier, message }))
}

/// Page de démonstration de l'agent du CERT : les e-mails et courriers émis.
pub async fn envois(State(state): State<AppState>, CurrentUser(compte): CurrentUser) -> AppResult<AppJson<Vec<EnvoiRecord>>> {
    if compte.profil != Profil::AgentCert {
        return Err(AppError::Interdit("Cette page est réservée aux agents du CERT.".into()));
    }
    Ok(AppJson(state.repo.envois().await?))
}
