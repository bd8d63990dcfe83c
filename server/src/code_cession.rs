//! Le code de cession côté acquéreur : il est lié au véhicule, valable 15
//! jours et à usage unique. La téléprocédure « Changement de titulaire » (à
//! venir) l'appellera ; la règle est déjà écrite et testée ici.

use crate::{db::Repository, http::auth::verify_password};
use immat_domain::CodeCession;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeCessionError {
    #[error("Ce code de cession ne correspond pas à ce véhicule.")]
    Inconnu,
    #[error("Ce code de cession a expiré : il était valable 15 jours. Le vendeur doit vous en fournir un nouveau.")]
    Expire,
    #[error("Ce code de cession a déjà été utilisé.")]
    DejaUtilise,
}

/// Vérifie le code pour ce véhicule et le consomme.
pub async fn consommer(
    repo: &dyn Repository,
    vehicule_id: i64,
    code: &CodeCession,
    maintenant: OffsetDateTime,
) -> anyhow::Result<Result<(), CodeCessionError>> {
    let codes = repo.codes_cession(vehicule_id).await?;
    let saisi = code.compact().to_owned();
    let trouve = tokio::task::spawn_blocking(move || codes.into_iter().find(|c| verify_password(&saisi, &c.code_hash))).await?;
    let Some(c) = trouve else {
        return Ok(Err(CodeCessionError::Inconnu));
    };
    if c.utilise {
        return Ok(Err(CodeCessionError::DejaUtilise));
    }
    if c.expire_at.is_none_or(|e| e <= maintenant) {
        return Ok(Err(CodeCessionError::Expire));
    }
    if !repo.marquer_code_cession_utilise(c.id, maintenant).await? {
        return Ok(Err(CodeCessionError::DejaUtilise));
    }
    Ok(Ok(()))
}
