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
pub fn cle_demande_code_compte(compte_id: i64) -> String {
    format!("demande-code:compte:{compte_id}")
}
/// Les demandes des tiers pour un véhicule (le titulaire n'y est pas compté).
pub fn cle_demande_code_vehicule_tiers(vehicule_id: i64) -> String {
    format!("demande-code:vehicule:{vehicule_id}:tiers")
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
pub async fn reserver(state: &AppState, cle: &str, limite: &Limite, message: impl Fn(i64) -> String) -> AppResult<u32> {
    let now = state.now();
    match state.repo.reserver_tentative(cle, limite, now).await? {
        Reservation::Accordee(n) => Ok(n),
        Reservation::Bloquee(jusqu_a) => Err(trop(message, jusqu_a, now)),
    }
}

/// Rend des tentatives réservées qui n'ont pas pu être jugées (erreur du
/// serveur, hachage surchargé) : une panne ne compte pas comme un échec.
pub async fn rendre(state: &AppState, cles: &[&str]) {
    let now = state.now();
    for cle in cles {
        if let Err(e) = state.repo.rendre_tentative(cle, now).await {
            tracing::warn!(error = %e, cle, "tentative non rendue");
        }
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

/// Vérifie le code confidentiel saisi par `compte_id` pour le véhicule `v` ;
/// rend la version du code du véhicule qui vaut désormais.
///
/// Deux compteurs, chacun réservé avant le calcul argon2 (des essais
/// parallèles ne passent pas au-delà du maximum) :
/// - ce compte sur ce véhicule : au 5e échec, 15 minutes de blocage ;
/// - ce compte, tous véhicules : qui essaie des codes au hasard est bloqué
///   24 heures.
///
/// Aucun compteur n'est commun à plusieurs comptes : un tiers ne bloque ni
/// le titulaire ni un mandataire qui a le bon code.
///
/// Les codes en attente (« Je n'ai pas de code confidentiel ») sont acceptés
/// aussi ; le premier qui sert remplace l'ancien code.
/// Les deux compteurs d'un essai de code : le compte pour ce véhicule, le
/// compte tous véhicules confondus.
pub struct Compteurs<'a> {
    pub vehicule_compte: (&'a str, Limite),
    pub compte: (&'a str, Limite),
    /// Un compteur des échecs sur ce véhicule, tous comptes confondus
    /// (preuves devinables) : bloqué, plus personne n'essaie.
    pub tous_comptes: Option<(&'a str, Limite)>,
    pub bloque: fn(i64) -> String,
    pub errone: fn(u32) -> String,
    /// Le champ où dire l'erreur.
    pub champ: &'a str,
}

/// Un essai de code sous limites : les tentatives sont réservées avant le
/// jugement ; un succès les rend, un échec compte et peut bloquer.
pub async fn essayer<T>(
    state: &AppState,
    c: &Compteurs<'_>,
    juge: impl std::future::Future<Output = AppResult<Option<T>>>,
) -> AppResult<T> {
    let (cle_vc, limite_vc) = (c.vehicule_compte.0, &c.vehicule_compte.1);
    let cle_c = c.compte.0;
    if let Some((cle, _)) = &c.tous_comptes {
        let now = state.now();
        if let Some(jusqu_a) = state.repo.blocage(cle, now).await? {
            return Err(trop(c.bloque, jusqu_a, now));
        }
    }
    let n = reserver(state, cle_vc, limite_vc, c.bloque).await?;
    if let Err(e) = reserver(state, cle_c, &c.compte.1, c.bloque).await {
        rendre(state, &[cle_vc]).await;
        return Err(e);
    }
    let trouve = match juge.await {
        Ok(t) => t,
        Err(e) => {
            rendre(state, &[cle_vc, cle_c]).await;
            return Err(e);
        }
    };
    let now = state.now();
    if let Some(t) = trouve {
        state.repo.effacer_tentatives(cle_vc, now).await?;
        state.repo.rendre_tentative(cle_c, now).await?;
        return Ok(t);
    }
    if let Some((cle, limite)) = &c.tous_comptes {
        if let Reservation::Accordee(m) = state.repo.reserver_tentative(cle, limite, now).await? {
            if let ApresEchec::Bloque { secondes } = limite.apres_echec(m) {
                state.repo.bloquer(cle, now + Duration::seconds(secondes)).await?;
            }
        }
    }
    match limite_vc.apres_echec(n) {
        ApresEchec::Bloque { secondes } => {
            let jusqu_a = now + Duration::seconds(secondes);
            state.repo.bloquer(cle_vc, jusqu_a).await?;
            Err(trop(c.bloque, jusqu_a, now))
        }
        ApresEchec::EssaisRestants(reste) => Err(AppError::champ(c.champ, (c.errone)(reste))),
    }
}

pub async fn verifier_code(state: &AppState, v: &VehiculeRecord, compte_id: i64, code: &CodeConfidentiel) -> AppResult<i64> {
    let (cle_vc, cle_c) = (cle_code_vehicule_compte(v.id, compte_id), cle_code_compte(compte_id));
    let compteurs = Compteurs {
        vehicule_compte: (&cle_vc, Limite::CODE_CONFIDENTIEL_VEHICULE_COMPTE),
        compte: (&cle_c, Limite::CODE_CONFIDENTIEL_COMPTE),
        tous_comptes: None,
        bloque: message_code_bloque,
        errone: message_code_errone,
        champ: "code_confidentiel",
    };
    let en_attente = essayer(state, &compteurs, juger(state, v, code)).await?;
    Ok(match en_attente {
        Some(id) if state.repo.adopter_code_confidentiel(v.id, id).await? => v.code_confidentiel_version + 1,
        Some(_) => state.repo.vehicule(v.id).await?.code_confidentiel_version,
        None => v.code_confidentiel_version,
    })
}

/// Un code confidentiel essayé « pour moi-même » sur un numéro que le
/// registre ne connaît pas : la même réponse qu'un code faux (mêmes limites,
/// même message, un calcul argon2 comme pour un vrai véhicule), pour que le
/// numéro inconnu ne se distingue pas d'un véhicule existant.
pub async fn echec_code_vehicule_inconnu(
    state: &AppState,
    immatriculation: &immat_domain::Immatriculation,
    compte_id: i64,
    code: &CodeConfidentiel,
) -> AppError {
    let (cle_ic, cle_c) = (format!("code:immatriculation:{immatriculation}:compte:{compte_id}"), cle_code_compte(compte_id));
    let compteurs = Compteurs {
        vehicule_compte: (&cle_ic, Limite::CODE_CONFIDENTIEL_VEHICULE_COMPTE),
        compte: (&cle_c, Limite::CODE_CONFIDENTIEL_COMPTE),
        tous_comptes: None,
        bloque: message_code_bloque,
        errone: message_code_errone,
        champ: "code_confidentiel",
    };
    let factice = vec![((), super::auth::dummy_hash().to_owned())];
    let juge = async { state.hacheur.trouver(code.compact().to_owned(), factice).await.map(|_| None::<()>).map_err(AppError::from) };
    match essayer(state, &compteurs, juge).await {
        Err(e) => e,
        // Le juge ne trouve jamais : inatteignable, dit comme un code faux.
        Ok(()) => AppError::champ("code_confidentiel", message_code_errone(0)),
    }
}

pub fn cle_preuve_vehicule_compte(vehicule_id: i64, compte_id: i64) -> String {
    format!("preuve-cession:vehicule:{vehicule_id}:compte:{compte_id}")
}
pub fn cle_preuve_compte(compte_id: i64) -> String {
    format!("preuve-cession:compte:{compte_id}")
}
pub fn cle_preuve_vehicule(vehicule_id: i64) -> String {
    format!("preuve-cession:vehicule:{vehicule_id}")
}

async fn juger(state: &AppState, v: &VehiculeRecord, code: &CodeConfidentiel) -> AppResult<Option<Option<i64>>> {
    let mut candidats = Vec::new();
    if let Some(h) = &v.code_confidentiel_hash {
        candidats.push((None, h.clone()));
    }
    for (id, h) in state.repo.codes_en_attente(v.id, state.now()).await? {
        candidats.push((Some(id), h));
    }
    Ok(state.hacheur.trouver(code.compact().to_owned(), candidats).await?)
}
