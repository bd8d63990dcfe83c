//! Le hachage des secrets (mots de passe, codes confidentiels, codes de
//! cession) : argon2id, hors du fil asynchrone, et au plus `permis` calculs à
//! la fois. Chaque calcul prend ~19 Mio : sans cette borne, une rafale de
//! requêtes épuiserait la mémoire ; au-delà de l'attente maximale, la requête
//! reçoit 503 plutôt que d'attendre sans fin.

use argon2::{password_hash::SaltString, Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use std::{sync::Arc, time::Duration};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HachageError {
    #[error("trop de calculs de hachage en attente")]
    Surcharge,
    #[error("hachage impossible : {0}")]
    Interne(String),
}

#[derive(Clone)]
pub struct Hacheur {
    permis: Arc<Semaphore>,
    attente_max: Duration,
}

impl Hacheur {
    pub fn new(permis: usize, attente_max: Duration) -> Self {
        Self { permis: Arc::new(Semaphore::new(permis.max(1))), attente_max }
    }

    /// Autant de calculs simultanés que de cœurs (au plus 4).
    pub fn par_defaut() -> Self {
        let coeurs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Self::new(coeurs.min(4), Duration::from_secs(10))
    }

    /// Occupe un calcul jusqu'à ce que le permis rendu soit lâché (tests de
    /// surcharge).
    pub async fn occuper(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.permis.clone().acquire_owned().await.ok()
    }

    async fn calculer<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, HachageError> {
        let permis = tokio::time::timeout(self.attente_max, self.permis.clone().acquire_owned())
            .await
            .map_err(|_| HachageError::Surcharge)?
            .map_err(|e| HachageError::Interne(e.to_string()))?;
        let r = tokio::task::spawn_blocking(move || {
            let r = f();
            drop(permis);
            r
        })
        .await
        .map_err(|e| HachageError::Interne(e.to_string()))?;
        Ok(r)
    }

    pub async fn hacher(&self, secret: String) -> Result<String, HachageError> {
        self.calculer(move || hash_password(&secret)).await?
    }

    pub async fn verifier(&self, secret: String, hash: String) -> Result<bool, HachageError> {
        self.calculer(move || verify_password(&secret, &hash)).await
    }

    /// Le premier des hachages qui correspond au secret.
    pub async fn trouver<T: Send + 'static>(&self, secret: String, candidats: Vec<(T, String)>) -> Result<Option<T>, HachageError> {
        self.calculer(move || candidats.into_iter().find(|(_, h)| verify_password(&secret, h)).map(|(t, _)| t)).await
    }
}

/// Le « hachage » d'un compte sans mot de passe (créé par FranceConnect) :
/// aucun secret ne lui correspond ; « Mot de passe oublié » en donne un.
pub const SANS_MOT_DE_PASSE: &str = "!sans-mot-de-passe";

/// Le compte a un vrai mot de passe (un hachage argon2).
pub fn a_un_mot_de_passe(hash: &str) -> bool {
    hash.starts_with("$argon2")
}

/// Hache un secret (argon2id, sel aléatoire).
pub fn hash_password(secret: &str) -> Result<String, HachageError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HachageError::Interne(e.to_string()))
}

pub fn verify_password(secret: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(secret.as_bytes(), &h).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hache_puis_verifie() {
        let h = Hacheur::new(1, Duration::from_secs(5));
        let hash = h.hacher("AB2CD3EF".into()).await.unwrap();
        assert!(h.verifier("AB2CD3EF".into(), hash.clone()).await.unwrap());
        assert!(!h.verifier("AB2CD3EG".into(), hash.clone()).await.unwrap());
        assert_eq!(h.trouver("AB2CD3EF".into(), vec![(1, "x".into()), (2, hash)]).await.unwrap(), Some(2));
    }

    #[tokio::test]
    async fn au_dela_de_l_attente_maximale_surcharge() {
        let h = Hacheur::new(1, Duration::from_millis(50));
        let occupe = h.permis.clone().acquire_owned().await.unwrap();
        assert!(matches!(h.verifier("x".into(), "y".into()).await, Err(HachageError::Surcharge)));
        drop(occupe);
        assert!(!h.verifier("x".into(), "y".into()).await.unwrap());
    }
}
