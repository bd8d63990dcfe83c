//! Le code de cession côté acquéreur : il est lié au véhicule, valable 15
//! jours et à usage unique. La téléprocédure « Changement de titulaire » (à
//! venir) l'appellera ; la règle est déjà écrite et testée ici.

use crate::{db::Repository, hachage::Hacheur};
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
    hacheur: &Hacheur,
    vehicule_id: i64,
    code: &CodeCession,
    maintenant: OffsetDateTime,
) -> anyhow::Result<Result<(), CodeCessionError>> {
    let codes = repo.codes_cession(vehicule_id).await?;
    let candidats = codes.into_iter().map(|c| (c.clone(), c.code_hash)).collect();
    let trouve = hacheur.trouver(code.compact().to_owned(), candidats).await?;
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
