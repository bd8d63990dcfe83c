//! Les limites de tentatives côté HTTP : clés, réservation avant la
//! vérification coûteuse, réponse 429 avec `Retry-After`. Les règles
//! (combien, combien de temps, messages) sont dans `immat_domain::limites`.

use super::{error::*, AppState};
use crate::db::{Reservation, VehiculeRecord};
use immat_domain::{
    limites::{message_code_bloque, message_code_errone, ApresEchec, Limite},
    CodeConfidentiel,
};
use time::{Duration, OffsetDateTime};

pub fn cle_connexion_compte(email: &str) -> String {
    format!("connexion:compte:{}", email.to_lowercase())
}
pub fn cle_connexion_client(client: &str) -> String {
    format!("connexion:client:{client}")
}
fn cle_code_vehicule_compte(vehicule_id: i64, compte_id: i64) -> String {
    format!("code:vehicule:{vehicule_id}:compte:{compte_id}")
}
fn cle_code_compte(compte_id: i64) -> String {
    format!("code:compte:{compte_id}")
}
fn cle_code_vehicule(vehicule_id: i64) -> String {
    format!("code:vehicule:{vehicule_id}")
}
pub fn cle_demande_code_compte(compte_id: i64) -> String {
    format!("demande-code:compte:{compte_id}")
}
pub fn cle_demande_code_vehicule(vehicule_id: i64) -> String {
    format!("demande-code:vehicule:{vehicule_id}")
}

/// Secondes restantes avant `jusqu_a`.
pub fn reste(jusqu_a: OffsetDateTime, maintenant: OffsetDateTime) -> i64 {
    (jusqu_a - maintenant).whole_seconds().max(1)
}

pub fn trop(message: impl Fn(i64) -> String, jusqu_a: OffsetDateTime, maintenant: OffsetDateTime) -> AppError {
    let s = reste(jusqu_a, maintenant);
    AppError::TropDeTentatives { message: message(s), reessayer_dans_secondes: s }
}

/// Réserve une tentative ; bloquée → 429 avec le message donné.
pub async fn reserver(
    state: &AppState,
    cle: &str,
    limite: &Limite,
    message: impl Fn(i64) -> String,
) -> AppResult<u32> {
    let now = state.now();
    match state.repo.reserver_tentative(cle, limite, now).await? {
        Reservation::Accordee(n) => Ok(n),
        Reservation::Bloquee(jusqu_a) => Err(trop(message, jusqu_a, now)),
    }
}

/// Les démarches de ce véhicule sont-elles bloquées pour ce compte (sans
/// rien compter) ? Sert au démarrage sans code confidentiel.
pub async fn exiger_non_bloque(state: &AppState, v: &VehiculeRecord, compte_id: i64) -> AppResult<()> {
    let now = state.now();
    if let Some(jusqu_a) = state.repo.blocage(&cle_code_vehicule_compte(v.id, compte_id), now).await? {
        return Err(trop(message_code_bloque, jusqu_a, now));
    }
    Ok(())
}

/// Vérifie le code confidentiel saisi par `compte_id` pour le véhicule `v`.
///
/// Trois compteurs, chacun réservé avant le calcul argon2 (des essais
/// parallèles ne passent pas au-delà du maximum) :
/// - ce compte sur ce véhicule : au 5e échec, 15 minutes de blocage ;
/// - ce compte, tous véhicules : qui essaie des codes au hasard est bloqué ;
/// - ce véhicule, tous comptes sauf celui du titulaire : un tiers ne peut
///   donc jamais bloquer le titulaire.
///
/// Le code en attente (« Je n'ai pas de code confidentiel ») est accepté
/// aussi ; s'il sert, il remplace l'ancien.
pub async fn verifier_code(state: &AppState, v: &VehiculeRecord, compte_id: i64, code: &CodeConfidentiel) -> AppResult<()> {
    let cle_vc = cle_code_vehicule_compte(v.id, compte_id);
    let cle_c = cle_code_compte(compte_id);
    let cle_v = cle_code_vehicule(v.id);
    let titulaire = v.compte_id == Some(compte_id);
    let limite_vc = Limite::CODE_CONFIDENTIEL_VEHICULE_COMPTE;
    let n = reserver(state, &cle_vc, &limite_vc, message_code_bloque).await?;
    reserver(state, &cle_c, &Limite::CODE_CONFIDENTIEL_COMPTE, message_code_bloque).await?;
    if !titulaire {
        reserver(state, &cle_v, &Limite::CODE_CONFIDENTIEL_VEHICULE, message_code_bloque).await?;
    }
    let mut candidats = Vec::new();
    if let Some(h) = &v.code_confidentiel_hash {
        candidats.push((None, h.clone()));
    }
    if let Some(h) = &v.code_confidentiel_nouveau_hash {
        candidats.push((Some(h.clone()), h.clone()));
    }
    let trouve = state.hacheur.trouver(code.compact().to_owned(), candidats).await?;
    let now = state.now();
    if let Some(nouveau) = trouve {
        state.repo.effacer_tentatives(&cle_vc, now).await?;
        state.repo.rendre_tentative(&cle_c, now).await?;
        if !titulaire {
            state.repo.rendre_tentative(&cle_v, now).await?;
        }
        if let Some(hash) = nouveau {
            state.repo.adopter_code_confidentiel(v.id, &hash).await?;
        }
        return Ok(());
    }
    match limite_vc.apres_echec(n) {
        ApresEchec::Bloque { secondes } => {
            let jusqu_a = now + Duration::seconds(secondes);
            state.repo.bloquer(&cle_vc, jusqu_a).await?;
            Err(trop(message_code_bloque, jusqu_a, now))
        }
        ApresEchec::EssaisRestants(reste) => Err(AppError::champ("code_confidentiel", message_code_errone(reste))),
    }
}
