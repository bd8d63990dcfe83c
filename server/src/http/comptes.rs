//! Les comptes ANTS « classiques » créés par les usagers : « Créer un
//! compte » (lien de confirmation à usage unique, 24 heures), « Mot de passe
//! oublié » (lien à usage unique, 30 minutes ; la réponse ne dit jamais si
//! l'adresse a un compte ; toutes les sessions se ferment au changement).
//!
//! Les liens partent par le relais SMTP et sont gardés dans la boîte
//! d'envoi : en entier en démonstration (les parcours les y lisent), masqués
//! sinon (un agent ne doit pas pouvoir s'en servir).

use super::{
    auth::{adresse_client, new_token, token_hash, PairTcp},
    error::*,
    limites::{rendre, reserver},
    routes::Routes,
    AppState,
};
use crate::db::{ChangementEmail, NewCompte, NewEnvoi, UsageJeton};
use axum::{extract::State, http::HeaderMap};
use immat_domain::{
    api::Canal,
    compte::{valider_mot_de_passe, ChangementAdresseElectronique, DemandeReinitialisation, InscriptionSaisie, Jeton, NouveauMotDePasse},
    limites::{message_envois_bloques, Limite},
    Email,
};
use serde::Serialize;
use time::Duration;

/// Validité d'un lien de confirmation.
pub const CONFIRMATION_HEURES: i64 = 24;
/// Validité d'un lien de nouveau mot de passe.
pub const REINITIALISATION_MINUTES: i64 = 30;

pub fn routes() -> Routes {
    Routes::new()
        .post("/auth/inscription", inscription)
        .post("/auth/confirmation", confirmation)
        .post("/auth/mot-de-passe-oublie", mot_de_passe_oublie)
        .post("/auth/mot-de-passe", nouveau_mot_de_passe)
        .post("/auth/confirmation-adresse", confirmation_adresse)
        .post("/compte/adresse-electronique", changement_adresse)
}

/// Une réponse faite d'un message.
#[derive(Debug, Serialize)]
pub struct Message {
    pub message: String,
}

fn message(m: impl Into<String>) -> AppJson<Message> {
    AppJson(Message { message: m.into() })
}

const INSCRIPTION_ENVOYEE: &str = "Si cette adresse électronique n'a pas encore de compte, un e-mail vient d'y être envoyé : \
     ouvrez le lien qu'il contient (valable 24 heures) pour confirmer votre adresse et activer votre compte.";
const REINITIALISATION_ENVOYEE: &str = "Si un compte existe pour cette adresse électronique, un e-mail vient d'y être envoyé : \
     ouvrez le lien qu'il contient (valable 30 minutes) pour choisir un nouveau mot de passe.";
const LIEN_PERIME: &str = "Ce lien n'est plus valable : il a déjà servi ou il a expiré. Demandez-en un nouveau.";

/// Un lien déjà utilisé, expiré ou inconnu : 410.
fn lien_perime() -> AppError {
    AppError::Requete { status: axum::http::StatusCode::GONE, code: immat_domain::api::CodeErreur::Conflit, message: LIEN_PERIME.into() }
}

/// Réserve un envoi de lien (par adresse et par client) ; au-delà : 429.
async fn reserver_envoi(state: &AppState, email: &Email, client: &str) -> AppResult<()> {
    let (cle_adresse, cle_client) = (format!("envoi-lien:adresse:{}", email.as_str()), format!("envoi-lien:client:{client}"));
    reserver(state, &cle_client, &Limite::ENVOI_LIEN_CLIENT, message_envois_bloques).await?;
    if let Err(e) = reserver(state, &cle_adresse, &Limite::ENVOI_LIEN_ADRESSE, message_envois_bloques).await {
        rendre(state, &[&cle_client]).await;
        return Err(e);
    }
    Ok(())
}

/// L'e-mail : au relais SMTP en entier, à la boîte d'envoi en entier en
/// démonstration seulement.
async fn envoyer(state: &AppState, a: &str, objet: &str, corps: impl Fn(&str) -> String, lien: &str) -> AppResult<()> {
    let garde = if state.config.demo { lien.to_owned() } else { "(lien masqué hors démonstration)".to_owned() };
    state
        .repo
        .enregistrer_envoi(&NewEnvoi {
            canal: Canal::Email,
            destinataire: a.to_owned(),
            objet: objet.to_owned(),
            corps: corps(&garde),
            vehicule_id: None,
        })
        .await?;
    if let Err(e) = crate::mail::envoyer(&state.config, a, objet, &corps(lien)).await {
        tracing::warn!(error = %e, "envoi SMTP du lien impossible");
    }
    Ok(())
}

fn lien(state: &AppState, chemin: &str, jeton: &str) -> String {
    format!("{}{chemin}?jeton={jeton}", state.config.url_publique.trim_end_matches('/'))
}

/// « Créer un compte » : le compte attend la confirmation de l'adresse. Une
/// adresse qui a déjà un compte reçoit la même réponse (rien n'est révélé) ;
/// si ce compte n'est pas encore confirmé, un nouveau lien lui est envoyé.
async fn inscription(
    State(state): State<AppState>,
    headers: HeaderMap,
    PairTcp(pair): PairTcp,
    AppJson(req): AppJson<InscriptionSaisie>,
) -> AppResult<AppJson<Message>> {
    let i = req.valider().map_err(AppError::Validation)?;
    reserver_envoi(&state, &i.email, &adresse_client(&state, &headers, pair)).await?;
    let jeton = new_token();
    let expire = state.now() + Duration::hours(CONFIRMATION_HEURES);
    let hash = state.hacheur.hacher(req.mot_de_passe.clone()).await?;
    let (raison_sociale, siren) = match &i.entreprise {
        Some((r, s)) => (Some(r.clone()), Some(s.as_str().to_owned())),
        None => (None, None),
    };
    let nouveau = NewCompte {
        email: i.email.as_str().to_owned(),
        password_hash: hash,
        prenom: i.prenoms.to_string(),
        nom: i.nom.to_string().to_uppercase(),
        profil: i.profil,
        certifie_franceconnect: false,
        raison_sociale,
        siren,
    };
    let civilite = match i.civilite {
        immat_domain::compte::Civilite::Madame => "madame",
        immat_domain::compte::Civilite::Monsieur => "monsieur",
    };
    let objet = "Confirmez votre adresse électronique — compte ANTS (démonstration)";
    match state.repo.creer_compte_a_confirmer(&nouveau, civilite, &token_hash(&jeton), expire).await? {
        Some(_) => {}
        None => {
            // L'adresse a déjà un compte : confirmé, il n'en apprend rien de
            // plus que « vous avez déjà un compte » ; à confirmer, un nouveau
            // lien (le mot de passe saisi ici n'est pas pris).
            let existant = state.repo.compte_par_email(i.email.as_str()).await?.ok_or(crate::db::DbError::NotFound)?;
            if existant.confirme {
                let corps = |_: &str| {
                    "Bonjour,\n\nUne demande de création de compte a été faite avec votre adresse électronique, qui a déjà un compte. \
                     Si vous avez oublié votre mot de passe, utilisez « Mot de passe oublié » sur la page de connexion.\n\n\
                     Si vous n'êtes pas à l'origine de cette demande, ignorez ce message."
                        .to_owned()
                };
                envoyer(&state, &existant.email, "Vous avez déjà un compte ANTS (démonstration)", corps, "").await?;
                return Ok(message(INSCRIPTION_ENVOYEE));
            }
            state.repo.creer_jeton(existant.id, UsageJeton::Confirmation, &token_hash(&jeton), expire).await?;
        }
    }
    let l = lien(&state, "/confirmation", &jeton);
    let corps = |l: &str| {
        format!(
            "Bonjour,\n\nPour confirmer votre adresse électronique et activer votre compte, ouvrez ce lien (valable \
             {CONFIRMATION_HEURES} heures, une seule fois) :\n\n{l}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message."
        )
    };
    envoyer(&state, i.email.as_str(), objet, corps, &l).await?;
    Ok(message(INSCRIPTION_ENVOYEE))
}

/// Le lien de confirmation : usage unique, 24 heures.
async fn confirmation(State(state): State<AppState>, AppJson(req): AppJson<Jeton>) -> AppResult<AppJson<Message>> {
    if req.jeton.len() > 128 || !state.repo.confirmer_compte(&token_hash(&req.jeton), state.now()).await? {
        return Err(lien_perime());
    }
    Ok(message("Votre adresse électronique est confirmée : vous pouvez maintenant vous connecter."))
}

/// « Mot de passe oublié » : toujours la même réponse.
async fn mot_de_passe_oublie(
    State(state): State<AppState>,
    headers: HeaderMap,
    PairTcp(pair): PairTcp,
    AppJson(req): AppJson<DemandeReinitialisation>,
) -> AppResult<AppJson<Message>> {
    let email = Email::parse(&req.email).map_err(|e| AppError::champ("email", e))?;
    reserver_envoi(&state, &email, &adresse_client(&state, &headers, pair)).await?;
    if let Some(c) = state.repo.compte_par_email(email.as_str()).await?.filter(|c| c.confirme) {
        let jeton = new_token();
        state
            .repo
            .creer_jeton(c.id, UsageJeton::Reinitialisation, &token_hash(&jeton), state.now() + Duration::minutes(REINITIALISATION_MINUTES))
            .await?;
        let l = lien(&state, "/nouveau-mot-de-passe", &jeton);
        let corps = |l: &str| {
            format!(
                "Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable {REINITIALISATION_MINUTES} minutes, une seule \
                 fois) :\n\n{l}\n\nToutes vos sessions ouvertes seront fermées. Si vous n'êtes pas à l'origine de cette demande, ignorez \
                 ce message : votre mot de passe actuel reste valable."
            )
        };
        envoyer(&state, &c.email, "Nouveau mot de passe — compte ANTS (démonstration)", corps, &l).await?;
    }
    Ok(message(REINITIALISATION_ENVOYEE))
}

/// Le nouveau mot de passe, avec le jeton du lien : usage unique, toutes
/// les sessions du compte fermées.
async fn nouveau_mot_de_passe(State(state): State<AppState>, AppJson(req): AppJson<NouveauMotDePasse>) -> AppResult<AppJson<Message>> {
    if req.jeton.len() > 128 {
        return Err(lien_perime());
    }
    let hash_jeton = token_hash(&req.jeton);
    let compte = state.repo.compte_du_jeton(&hash_jeton, UsageJeton::Reinitialisation, state.now()).await?.ok_or_else(lien_perime)?;
    valider_mot_de_passe(&req.mot_de_passe, &compte.email).map_err(|m| AppError::champ("mot_de_passe", m))?;
    let hash = state.hacheur.hacher(req.mot_de_passe.clone()).await?;
    if !state.repo.reinitialiser_mot_de_passe(&hash_jeton, compte.id, &hash, state.now()).await? {
        return Err(lien_perime());
    }
    Ok(message("Votre mot de passe est changé et toutes vos sessions sont fermées : connectez-vous avec le nouveau."))
}

const CHANGEMENT_ENVOYE: &str = "Un e-mail vient d'être envoyé à la nouvelle adresse : ouvrez le lien qu'il contient (valable 24 heures) \
     pour confirmer le changement. D'ici là, votre adresse actuelle reste celle du compte.";

/// « Changer d'adresse électronique » : le mot de passe, puis un lien à la
/// nouvelle adresse. Une adresse qui a déjà un compte reçoit la même réponse
/// (rien n'est révélé) et aucun lien.
async fn changement_adresse(
    State(state): State<AppState>,
    headers: HeaderMap,
    PairTcp(pair): PairTcp,
    super::auth::Citoyen(c): super::auth::Citoyen,
    AppJson(req): AppJson<ChangementAdresseElectronique>,
) -> AppResult<AppJson<Message>> {
    let nouvelle = req.valider(&c.email).map_err(AppError::Validation)?;
    super::mon_compte::verifier_mot_de_passe(&state, &c, &req.mot_de_passe).await?;
    reserver_envoi(&state, &nouvelle, &adresse_client(&state, &headers, pair)).await?;
    if state.repo.compte_par_email(nouvelle.as_str()).await?.is_some() {
        return Ok(message(CHANGEMENT_ENVOYE));
    }
    let jeton = new_token();
    state
        .repo
        .creer_jeton_changement_email(c.id, &token_hash(&jeton), nouvelle.as_str(), state.now() + Duration::hours(CONFIRMATION_HEURES))
        .await?;
    let l = lien(&state, "/confirmation-adresse", &jeton);
    let corps = |l: &str| {
        format!(
            "Bonjour,\n\nPour que cette adresse devienne celle de votre compte ANTS, ouvrez ce lien (valable {CONFIRMATION_HEURES} heures, \
             une seule fois) :\n\n{l}\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message."
        )
    };
    envoyer(&state, nouvelle.as_str(), "Confirmez votre nouvelle adresse électronique — compte ANTS (démonstration)", corps, &l).await?;
    Ok(message(CHANGEMENT_ENVOYE))
}

/// Le lien reçu à la nouvelle adresse : usage unique, 24 heures. L'ancienne
/// adresse est prévenue.
async fn confirmation_adresse(State(state): State<AppState>, AppJson(req): AppJson<Jeton>) -> AppResult<AppJson<Message>> {
    if req.jeton.len() > 128 {
        return Err(lien_perime());
    }
    match state.repo.changer_email(&token_hash(&req.jeton), state.now()).await? {
        ChangementEmail::Perime => Err(lien_perime()),
        ChangementEmail::AdressePrise => {
            Err(AppError::Conflit("Cette adresse électronique est déjà celle d'un autre compte : le changement n'a pas été fait.".into()))
        }
        ChangementEmail::Fait { ancienne, nouvelle } => {
            let corps = |_: &str| {
                format!(
                    "Bonjour,\n\nL'adresse électronique de votre compte ANTS est maintenant {nouvelle}. Si vous n'êtes pas à l'origine de \
                     ce changement, contactez l'assistance et changez votre mot de passe."
                )
            };
            // Le changement est fait : un avis qui ne part pas ne le défait pas.
            if let Err(e) = envoyer(&state, &ancienne, "Votre adresse électronique a changé — compte ANTS (démonstration)", corps, "").await
            {
                tracing::error!(erreur = %e, "avis de changement d'adresse non enregistré");
            }
            Ok(message(format!("C'est fait : {nouvelle} est maintenant l'adresse électronique de votre compte.")))
        }
    }
}
