//! « Je n'ai pas de code confidentiel » : un nouveau code est envoyé au
//! titulaire, jamais au demandeur s'il ne l'est pas, selon le mode
//! d'acheminement du support (e-mail et/ou courrier), et la page de
//! démonstration de l'agent du CERT liste les envois, codes masqués.
//!
//! Règles (issue « Hardening ») :
//! - « pour moi-même » : seulement un véhicule du compte ;
//! - le courrier part à l'adresse du certificat ; l'e-mail seulement au compte
//!   du titulaire quand c'est lui qui demande ;
//! - limité par compte, et par véhicule pour les tiers (le titulaire garde
//!   son propre compteur) ;
//! - l'ancien code et les codes déjà envoyés restent valables jusqu'à ce que
//!   l'un d'eux serve (un tiers ne prive pas le titulaire de son code) ;
//!   une démarche ouverte avec un code qui a depuis été remplacé ne se valide
//!   plus.

use super::*;
use crate::{
    db::{EnvoiRecord, NewEnvoi},
    http::auth::{AgentCert, Citoyen},
    http::limites::{cle_demande_code_compte, cle_demande_code_vehicule_tiers, rendre, reserver},
};
use axum::extract::State;
use immat_domain::{
    adresse_postale::lignes_afnor,
    api::Canal,
    limites::{message_demandes_code, Limite},
    procedures::{DemandeCodeConfidentiel, EnvoiCodeConfidentiel},
    regles::{destination_courrier, mode_acheminement, DestinationCourrier, TitulaireCompte},
    CodeConfidentiel, Immatriculation, PourQui, CODES_CONFIDENTIELS_EN_ATTENTE_MAX, CODE_CONFIDENTIEL_ATTENTE_JOURS,
    CODE_CONFIDENTIEL_LONGUEUR,
};
use rand::RngCore;
use time::Duration;

/// « Je n'ai pas de code confidentiel », pour moi-même, sur un véhicule qui
/// n'est pas au compte : sans code, il ne peut pas y être ajouté.
const HORS_COMPTE_SANS_CODE: &str = "Aucun véhicule de votre compte n'est immatriculé sous ce numéro. Si c'est votre véhicule, \
     pas encore ajouté à votre compte, choisissez « Pour quelqu'un d'autre » : le nouveau code part par courrier à l'adresse \
     du titulaire inscrite sur le certificat. Avec ce code, « Ajouter un véhicule » le rattache à votre compte.";

/// Le code tel que les agents le voient dans la boîte d'envoi : seuls les
/// deux derniers caractères restent.
pub fn masquer(code: &CodeConfidentiel) -> String {
    code.to_string().chars().enumerate().map(|(i, c)| if c == '-' || i >= 7 { c } else { '•' }).collect()
}

fn corps(immat: &Immatriculation, code: &str) -> String {
    format!(
        "Bonjour,\n\nVoici le nouveau code confidentiel du certificat d'immatriculation du véhicule {immat} : {code}\n\n\
         Il remplacera le précédent dès sa première utilisation ; d'ici là, l'ancien reste valable. \
         Conservez-le : il vous sera demandé pour les démarches en ligne.\n\n\
         Immat — environnement de démonstration, service non officiel."
    )
}

pub async fn demander(
    State(state): State<AppState>,
    Citoyen(compte): Citoyen,
    AppJson(req): AppJson<DemandeCodeConfidentiel>,
) -> AppResult<AppJson<EnvoiCodeConfidentiel>> {
    let titulaire_compte = TitulaireCompte::de(compte.profil)
        .ok_or_else(|| AppError::Interdit("Un compte d'agent du CERT ne fait pas de démarche.".into()))?;
    let immat = Immatriculation::parse(&req.immatriculation).map_err(|e| AppError::champ("immatriculation", e))?;
    // Le compteur du compte est pris avant toute recherche : sonder les
    // numéros d'immatriculation coûte une demande.
    let cle_compte = cle_demande_code_compte(compte.id);
    reserver(&state, &cle_compte, &Limite::DEMANDE_CODE_COMPTE, message_demandes_code).await?;
    let v = state.repo.vehicule_par_immatriculation(&immat.to_string()).await?;
    let demandeur_titulaire = v.as_ref().is_some_and(|v| v.compte_id == Some(compte.id));
    let v = match (req.pour_qui, v) {
        (PourQui::MoiMeme, Some(v)) if demandeur_titulaire => v,
        (PourQui::MoiMeme, _) => return Err(AppError::champ("immatriculation", HORS_COMPTE_SANS_CODE)),
        (PourQui::Autrui, Some(v)) => v,
        (PourQui::Autrui, None) => return Err(AppError::champ("immatriculation", "Aucun véhicule n'est immatriculé sous ce numéro.")),
    };
    // Les tiers ont un compteur commun par véhicule ; le titulaire n'y entre
    // pas : des tiers ne l'empêchent jamais de demander son code.
    let cle_tiers = cle_demande_code_vehicule_tiers(v.id);
    if !demandeur_titulaire {
        reserver(&state, &cle_tiers, &Limite::DEMANDE_CODE_VEHICULE_TIERS, message_demandes_code).await?;
    }

    let mode = mode_acheminement(titulaire_compte, req.pour_qui);
    // L'e-mail ne part qu'au compte du titulaire, quand c'est lui qui
    // demande ; sinon le courrier seul (à l'adresse du certificat).
    let email = mode.email && demandeur_titulaire;
    let courrier = mode.courrier || !email;

    let mut octets = [0u8; CODE_CONFIDENTIEL_LONGUEUR];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let code = CodeConfidentiel::from_random(&octets);
    let hash = match state.hacheur.hacher(code.compact().to_owned()).await {
        Ok(h) => h,
        Err(e) => {
            rendre(&state, &[&cle_compte, &cle_tiers]).await;
            return Err(e.into());
        }
    };
    let expire = state.now() + Duration::days(CODE_CONFIDENTIEL_ATTENTE_JOURS);
    state.repo.proposer_code_confidentiel(v.id, &hash, expire, CODES_CONFIDENTIELS_EN_ATTENTE_MAX).await?;

    let objet = format!("Votre code confidentiel pour le véhicule {immat}");
    let masque = masquer(&code);
    if email {
        // La boîte d'envoi ne garde que la forme masquée ; le relais SMTP, s'il
        // est configuré, reçoit le code (son échec est journalisé).
        state
            .repo
            .enregistrer_envoi(&NewEnvoi {
                canal: Canal::Email,
                destinataire: compte.email.clone(),
                objet: objet.clone(),
                corps: corps(&immat, &masque),
                vehicule_id: Some(v.id),
            })
            .await?;
        if let Err(e) = crate::mail::envoyer(&state.config, &compte.email, &objet, &corps(&immat, &code.to_string())).await {
            tracing::warn!(error = %e, "envoi SMTP du code confidentiel impossible");
        }
    }
    if courrier {
        let destination = destination_courrier(v.location_longue_duree);
        let lignes = lignes_afnor(&nom_titulaire(&v), &adresse_du_vehicule(&v));
        let note = match destination {
            DestinationCourrier::AdresseDuTitulaire => "Adresse du titulaire figurant sur le certificat d'immatriculation.",
            DestinationCourrier::AdresseExpeditionPrecedentTitre => "Location longue durée : adresse d'expédition du précédent titre.",
        };
        // Le courrier est enregistré pour le service d'impression avec le code
        // masqué (l'impression n'est pas construite : voir le README).
        state
            .repo
            .enregistrer_envoi(&NewEnvoi {
                canal: Canal::Courrier,
                destinataire: lignes.join("\n"),
                objet: objet.clone(),
                corps: format!("{}\n\n({note})", corps(&immat, &masque)),
                vehicule_id: Some(v.id),
            })
            .await?;
    }
    // Au titulaire, l'endroit exact ; à un tiers, rien de l'adresse d'autrui.
    let ou = if v.location_longue_duree {
        "à l'adresse d'expédition du précédent titre (location longue durée)".to_owned()
    } else if demandeur_titulaire {
        format!("à l'adresse du titulaire inscrite sur le certificat ({} {})", v.adresse_code_postal, v.adresse_commune)
    } else {
        "à l'adresse postale du titulaire figurant sur le certificat d'immatriculation".to_owned()
    };
    let message = if email {
        format!(
            "Un nouveau code confidentiel a été envoyé par courrier {ou} et par e-mail à {}. \
             Votre code actuel reste valable tant que le nouveau n'a pas servi ; le nouveau vaut {CODE_CONFIDENTIEL_ATTENTE_JOURS} jours.",
            compte.email
        )
    } else if mode.email {
        // Le tableau du support prévoit aussi l'e-mail (professionnel
        // habilité pour un client) : il ne part pas, et l'écran dit pourquoi.
        format!(
            "Un nouveau code confidentiel a été envoyé par courrier {ou}. Le tableau d'acheminement prévoit aussi un e-mail \
             pour un professionnel habilité qui agit pour un client ; par sécurité, Immat n'envoie le code qu'au titulaire : \
             votre client vous le communiquera."
        )
    } else {
        format!("Un nouveau code confidentiel a été envoyé par courrier {ou}.")
    };
    Ok(AppJson(EnvoiCodeConfidentiel { email, courrier, message }))
}

/// Page de démonstration de l'agent du CERT : les e-mails et courriers émis.
pub async fn envois(State(state): State<AppState>, AgentCert(_): AgentCert) -> AppResult<AppJson<Vec<EnvoiRecord>>> {
    let mut envois = state.repo.envois().await?;
    // L'instant d'émission, lisible, heure de Paris.
    for e in &mut envois {
        let t = time::OffsetDateTime::parse(&e.created_at, &time::format_description::well_known::Rfc3339)
            .map_err(|err| DbError::Corrupt(format!("date d'envoi « {} » : {err}", e.created_at)))?;
        e.created_at = horodatage(t);
    }
    Ok(AppJson(envois))
}

/// Un nouveau certificat émis (duplicata, changement de titulaire, changement
/// d'adresse au-delà des étiquettes) : le courrier qui l'annonce part à
/// l'adresse du titulaire inscrite au registre (le nouveau titulaire, la
/// nouvelle adresse), avec un nouveau code confidentiel (un code en
/// attente, qui devient le code du certificat à son premier usage). La boîte
/// d'envoi garde le code masqué. Appelé une fois, après l'écriture qui
/// termine la démarche ; un échec est journalisé (la démarche reste
/// terminée, le titulaire peut demander un code).
pub async fn courrier_nouveau_certificat(state: &AppState, demarche_id: i64) {
    if let Err(e) = emettre_courrier_nouveau_certificat(state, demarche_id).await {
        tracing::error!(demarche_id, erreur = %e, "courrier du nouveau certificat non émis");
    }
}

async fn emettre_courrier_nouveau_certificat(state: &AppState, demarche_id: i64) -> AppResult<()> {
    let d = state.repo.demarche(demarche_id).await?;
    if d.etat != immat_domain::EtatDemarche::Terminee {
        return Ok(());
    }
    let p = procedure_de(d.teleprocedure)?;
    let donnees = Donnees::de(&d)?;
    let taxes = donnees.taxes.unwrap_or_default();
    let Some(vehicule_id) = d.vehicule_id.filter(|_| p.nouveau_certificat(&taxes)) else {
        return Ok(());
    };
    let v = state.repo.vehicule(vehicule_id).await?;
    let immat = Immatriculation::parse(&v.immatriculation).map_err(|e| anyhow::anyhow!("immatriculation en base : {e}"))?;
    let mut octets = [0u8; CODE_CONFIDENTIEL_LONGUEUR];
    rand::rngs::OsRng.fill_bytes(&mut octets);
    let code = CodeConfidentiel::from_random(&octets);
    let hash = state.hacheur.hacher(code.compact().to_owned()).await?;
    let expire = state.now() + Duration::days(CODE_CONFIDENTIEL_ATTENTE_JOURS);
    state.repo.proposer_code_confidentiel(v.id, &hash, expire, CODES_CONFIDENTIELS_EN_ATTENTE_MAX).await?;
    let formule = v.numero_formule.clone().map(|f| format!(" (formule n° {f})")).unwrap_or_default();
    let corps = format!(
        "Bonjour,\n\nVotre demande n° {numero} ({tp}) est terminée. Le nouveau certificat d'immatriculation du véhicule \
         {immat}{formule} est fabriqué par l'Imprimerie nationale et vous sera adressé à cette adresse. D'ici là, le \
         certificat provisoire (CPI) téléchargé à la fin de la démarche vous permet de circuler en France.\n\n\
         Voici le code confidentiel de ce nouveau certificat : {masque}. Il vous sera demandé pour les démarches en ligne ; \
         conservez-le.\n\nImmat — environnement de démonstration, service non officiel.",
        numero = d.numero,
        tp = d.teleprocedure.libelle(),
        masque = masquer(&code),
    );
    state
        .repo
        .enregistrer_envoi(&NewEnvoi {
            canal: Canal::Courrier,
            destinataire: lignes_afnor(&nom_titulaire(&v), &adresse_du_vehicule(&v)).join("\n"),
            objet: format!("Votre nouveau certificat d'immatriculation — véhicule {immat}"),
            corps,
            vehicule_id: Some(v.id),
        })
        .await?;
    Ok(())
}

/// La référence imprimée sur un courrier de la boîte d'envoi.
pub fn reference_courrier(id: i64) -> String {
    format!("IMMAT-C-{id:06}")
}

/// `GET /cert/envois/{id}/courrier` : la copie d'archive d'un courrier, en
/// PDF (code masqué). Un e-mail ou un envoi inconnu : 404.
pub async fn courrier(
    State(state): State<AppState>,
    AgentCert(_): AgentCert,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> AppResult<axum::response::Response> {
    let introuvable = || AppError::Introuvable("Ce courrier est introuvable dans la boîte d'envoi.".into());
    let id: i64 = id.parse().map_err(|_| introuvable())?;
    let e = state.repo.envoi(id).await?.filter(|e| e.canal == Canal::Courrier).ok_or_else(introuvable)?;
    let emis = time::OffsetDateTime::parse(&e.created_at, &time::format_description::well_known::Rfc3339)
        .map_err(|err| DbError::Corrupt(format!("date d'envoi « {} » : {err}", e.created_at)))?;
    let adresse: Vec<String> = e.destinataire.lines().map(str::to_owned).collect();
    let reference = reference_courrier(e.id);
    let octets = crate::courrier::pdf(&crate::courrier::Lettre {
        adresse: &adresse,
        date: super::heure::date_de_paris(emis),
        reference: &reference,
        objet: &e.objet,
        corps: &e.corps,
        archive: true,
    })
    .map_err(AppError::Interne)?;
    Ok(super::documents::reponse_pdf(octets, &format!("courrier-{reference}.pdf")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_masque() {
        let code = CodeConfidentiel::parse("AB2C-D3EF").unwrap();
        assert_eq!(masquer(&code), "••••-••EF");
    }
}
