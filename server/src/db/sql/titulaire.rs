//! Le changement de titulaire : la démarche de l'acquéreur et son
//! code de cession, puis le registre au nouveau titulaire.

use super::*;

/// Le brouillon et la réservation du code de cession, dans une transaction.
pub(super) async fn creer(
    repo: &SqlRepository,
    numero: &str,
    compte_id: i64,
    vehicule_id: i64,
    pour_qui: PourQui,
    donnees: &serde_json::Value,
    code_cession_id: Option<i64>,
) -> DbResult<(DemarcheRecord, bool)> {
    let maintenant = repo.clock.now();
    let mut tx = repo.pool.begin().await?;
    verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
    let (d, cree) =
        inserer_brouillon(&mut tx, numero, compte_id, vehicule_id, Teleprocedure::ChangementTitulaire, pour_qui, donnees, maintenant)
            .await?;
    if let Some(code_id) = code_cession_id {
        // Usage unique : libre, ou déjà pris par cette même démarche (reprise).
        let pris = sqlx::query(
            "update code_cession set utilise_at = coalesce(utilise_at, $1), utilise_par = $2
             where code_cession_id = $3 and vehicule_id = $4 and (utilise_at is null or utilise_par = $2)",
        )
        .bind(ts(maintenant))
        .bind(d.id)
        .bind(code_id)
        .bind(vehicule_id)
        .execute(&mut *tx)
        .await?;
        if pris.rows_affected() != 1 {
            return Err(DbError::Conflict("Ce code de cession a déjà été utilisé.".into()));
        }
    }
    tx.commit().await?;
    Ok((d, cree))
}

/// La démarche passe à « terminée » et le véhicule au nouveau titulaire, à
/// condition que le registre porte encore le vendeur lu au démarrage.
pub(super) async fn terminer(
    repo: &SqlRepository,
    e: Ecriture<'_>,
    vehicule_id: i64,
    n: &NouveauTitulaireRegistre,
) -> DbResult<DemarcheRecord> {
    let mut tx = repo.pool.begin().await?;
    let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, repo.clock.now()).await?;
    let a = &n.adresse;
    let r = sqlx::query(
        "update vehicule set compte_id = $1, immatriculation = $2, type_immatriculation = $3, numero_formule = $4,
         date_certificat = null, titulaire_nom = $5, titulaire_prenoms = $6, titulaire_raison_sociale = $7,
         titulaire_siren = $8, titulaire_date_naissance = null, titulaire_lieu_naissance = null, cotitulaire = $9, adresse_voie = $10, adresse_complement = $11, adresse_lieu_dit = $12,
         adresse_code_postal = $13, adresse_commune = $14, changements_adresse = 0, cede = false,
         code_confidentiel_hash = null, code_confidentiel_version = code_confidentiel_version + 1
         where vehicule_id = $15 and code_confidentiel_version = $16 and immatriculation = $17",
    )
    .bind(n.compte_id)
    .bind(&n.certificat.immatriculation)
    .bind(code_of(&immat_domain::TypeImmatriculation::Siv))
    .bind(&n.certificat.numero_formule)
    .bind(&n.titulaire_nom)
    .bind(&n.titulaire_prenoms)
    .bind(&n.titulaire_raison_sociale)
    .bind(&n.titulaire_siren)
    .bind(&n.cotitulaire)
    .bind(&a.voie)
    .bind(&a.complement)
    .bind(&a.lieu_dit)
    .bind(&a.code_postal)
    .bind(&a.commune)
    .bind(vehicule_id)
    .bind(n.certificat.version_registre)
    .bind(&n.certificat.ancienne_immatriculation)
    .execute(&mut *tx)
    .await
    .map_err(numero_pris)?;
    if r.rows_affected() != 1 {
        return Err(DbError::Conflict("Le titulaire de ce véhicule a changé depuis le début de cette démarche.".into()));
    }
    // Les codes confidentiels en attente (envoyés à l'ancien titulaire)
    // tombent, et aucun code de cession de l'ancien titulaire ne sert plus.
    sqlx::query("delete from code_confidentiel_en_attente where vehicule_id = $1").bind(vehicule_id).execute(&mut *tx).await?;
    sqlx::query("update code_cession set utilise_at = coalesce(utilise_at, $1) where vehicule_id = $2")
        .bind(ts(repo.clock.now()))
        .bind(vehicule_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ecrite)
}

/// Un nouveau certificat au même titulaire (duplicata) : démarche terminée,
/// numéro de formule (et numéro SIV pour un véhicule FNI), à condition que
/// le véhicule porte encore l'ancien numéro et la version du registre lue au
/// démarrage (ni cédé ni passé à un autre titulaire entre-temps). Le nouveau
/// certificat vient avec un nouveau code confidentiel : l'ancien ne sert
/// plus, les codes en attente tombent, et le compteur des changements
/// d'adresse repart de zéro.
pub(super) async fn nouveau_certificat(
    repo: &SqlRepository,
    e: Ecriture<'_>,
    vehicule_id: i64,
    c: &NouveauCertificat,
) -> DbResult<DemarcheRecord> {
    let mut tx = repo.pool.begin().await?;
    let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, repo.clock.now()).await?;
    let r = sqlx::query(
        "update vehicule set immatriculation = $1, type_immatriculation = $2, numero_formule = $3, date_certificat = null,
         changements_adresse = 0, code_confidentiel_hash = null, code_confidentiel_version = code_confidentiel_version + 1
         where vehicule_id = $4 and immatriculation = $5 and code_confidentiel_version = $6",
    )
    .bind(&c.immatriculation)
    .bind(code_of(&immat_domain::TypeImmatriculation::Siv))
    .bind(&c.numero_formule)
    .bind(vehicule_id)
    .bind(&c.ancienne_immatriculation)
    .bind(c.version_registre)
    .execute(&mut *tx)
    .await
    .map_err(numero_pris)?;
    if r.rows_affected() != 1 {
        return Err(DbError::Conflict("Le registre de ce véhicule a changé depuis le début de cette démarche.".into()));
    }
    sqlx::query("delete from code_confidentiel_en_attente where vehicule_id = $1").bind(vehicule_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(ecrite)
}

/// Le numéro attribué (libre à la lecture) pris entre-temps par une autre
/// démarche : un conflit, pas une erreur technique ; rien n'est écrit.
fn numero_pris(e: sqlx::Error) -> DbError {
    match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            DbError::Conflict("Le numéro d'immatriculation attribué vient d'être pris par une autre demande : validez à nouveau.".into())
        }
        e => e.into(),
    }
}
