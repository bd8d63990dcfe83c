//! Les paiements (côté service) et les opérations du prestataire de
//! démonstration, en SQLite. Toute écriture d'état est conditionnelle.

use super::*;
use immat_domain::paiement::{EtatPaiement, ResultatTransaction};

fn paiement_from_row(r: &Ligne) -> DbResult<PaiementRecord> {
    let etat: String = r.try_get("etat")?;
    Ok(PaiementRecord {
        id: r.try_get("paiement_id")?,
        demarche_id: r.try_get("demarche_id")?,
        tentative: r.try_get("tentative")?,
        refdet: r.try_get("refdet")?,
        idop: r.try_get("idop")?,
        montant_centimes: r.try_get("montant_centimes")?,
        etat: EtatPaiement::depuis_code(&etat).ok_or(DbError::Corrupt(etat))?,
        carte_fin: r.try_get("carte_fin")?,
        numero_autorisation: r.try_get("numero_autorisation")?,
        cree_le: instant_requis(r, "cree_le")?,
        regle_le: instant_facultatif(r, "regle_le")?,
    })
}

fn operation_from_row(r: &Ligne) -> DbResult<OperationRecord> {
    let resultrans = match r.try_get::<Option<String>, _>("resultrans")? {
        None => None,
        Some(c) => Some(ResultatTransaction::depuis_code(&c).ok_or(DbError::Corrupt(c))?),
    };
    Ok(OperationRecord {
        idop: r.try_get("idop")?,
        refdet: r.try_get("refdet")?,
        montant_centimes: r.try_get("montant_centimes")?,
        objet: r.try_get("objet")?,
        urlnotif: r.try_get("urlnotif")?,
        urlredirect: r.try_get("urlredirect")?,
        resultrans,
        defi: r.try_get("defi")?,
        carte_fin: r.try_get("carte_fin")?,
        numauto: r.try_get("numauto")?,
        cree_le: instant_requis(r, "cree_le")?,
        traite_le: instant_facultatif(r, "traite_le")?,
    })
}

#[async_trait::async_trait]
impl PaiementRepository for SqlRepository {
    async fn creer_paiement(&self, demarche_id: i64, numero: &str, montant_centimes: i64) -> DbResult<PaiementRecord> {
        // Le rang de la tentative est calculé par l'insertion même ; l'index
        // unique partiel refuse une seconde tentative en cours.
        let r = sqlx::query(
            "insert into paiement (demarche_id, tentative, refdet, montant_centimes, etat, cree_le)
             select $1, t, $2 || '-' || case when t < 10 then '0' else '' end || t, $3, 'en_cours', $4
             from (select coalesce(max(tentative), 0) + 1 as t from paiement where demarche_id = $1) as prochaine
             returning *",
        )
        .bind(demarche_id)
        .bind(numero)
        .bind(montant_centimes)
        .bind(ts(self.clock.now()))
        .fetch_one(&self.pool)
        .await;
        match r {
            Ok(row) => paiement_from_row(&row),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(DbError::Conflict("Un paiement est déjà en cours pour cette démarche.".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn attacher_idop(&self, paiement_id: i64, idop: &str) -> DbResult<()> {
        // Une tentative abandonnée entre-temps (écrite sans opération depuis
        // plus d'une minute) ne reçoit plus d'opération : personne n'est
        // envoyé payer une tentative que le service ne suivrait plus.
        let r = sqlx::query("update paiement set idop = $1 where paiement_id = $2 and idop is null and etat = $3")
            .bind(idop)
            .bind(paiement_id)
            .bind(EtatPaiement::EnCours.code())
            .execute(&self.pool)
            .await?;
        if r.rows_affected() != 1 {
            return Err(DbError::Conflict("paiement déjà rattaché à une opération".into()));
        }
        Ok(())
    }

    async fn paiement_par_idop(&self, idop: &str) -> DbResult<Option<PaiementRecord>> {
        sqlx::query("select * from paiement where idop = $1")
            .bind(idop)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(paiement_from_row)
            .transpose()
    }

    async fn paiements_de(&self, demarche_id: i64) -> DbResult<Vec<PaiementRecord>> {
        sqlx::query("select * from paiement where demarche_id = $1 order by tentative desc")
            .bind(demarche_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(paiement_from_row)
            .collect()
    }

    async fn regler_paiement(
        &self,
        paiement_id: i64,
        etat: EtatPaiement,
        carte_fin: Option<&str>,
        numero_autorisation: Option<&str>,
        quand: OffsetDateTime,
    ) -> DbResult<bool> {
        let r = sqlx::query(
            "update paiement set etat = $1, carte_fin = $2, numero_autorisation = $3, regle_le = $4
             where paiement_id = $5 and etat = 'en_cours'",
        )
        .bind(etat.code())
        .bind(carte_fin)
        .bind(numero_autorisation)
        .bind(ts(quand))
        .bind(paiement_id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn paiements_en_cours(&self) -> DbResult<Vec<PaiementRecord>> {
        sqlx::query("select * from paiement where etat = 'en_cours' order by paiement_id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(paiement_from_row)
            .collect()
    }

    async fn demarches_a_finaliser(&self) -> DbResult<Vec<DemarcheRecord>> {
        sqlx::query(
            "select * from demarche where etat = $1
             or (etat = $2 and exists (select 1 from paiement p where p.demarche_id = demarche.demarche_id and p.etat = 'paye'))
             order by demarche_id",
        )
        .bind(code_of(&EtatDemarche::Payee))
        .bind(code_of(&EtatDemarche::APayer))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(demarche_from_row)
        .collect()
    }

    async fn demarche(&self, id: i64) -> DbResult<DemarcheRecord> {
        let row = sqlx::query("select * from demarche where demarche_id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(demarche_from_row).transpose()?.ok_or(DbError::NotFound)
    }
}

#[async_trait::async_trait]
impl PayfipRepository for SqlRepository {
    async fn payfip_creer(&self, op: &OperationRecord) -> DbResult<()> {
        sqlx::query(
            "insert into payfip_operation (idop, refdet, montant_centimes, objet, urlnotif, urlredirect, cree_le)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&op.idop)
        .bind(&op.refdet)
        .bind(op.montant_centimes)
        .bind(&op.objet)
        .bind(&op.urlnotif)
        .bind(&op.urlredirect)
        .bind(ts(op.cree_le))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn payfip_operation(&self, idop: &str) -> DbResult<Option<OperationRecord>> {
        sqlx::query("select * from payfip_operation where idop = $1")
            .bind(idop)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(operation_from_row)
            .transpose()
    }

    async fn payfip_defi(&self, idop: &str) -> DbResult<bool> {
        let r = sqlx::query("update payfip_operation set defi = true where idop = $1 and resultrans is null")
            .bind(idop)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn payfip_conclure(
        &self,
        idop: &str,
        resultat: ResultatTransaction,
        carte_fin: Option<&str>,
        numauto: Option<&str>,
        quand: OffsetDateTime,
    ) -> DbResult<bool> {
        let r = sqlx::query(
            "update payfip_operation set resultrans = $1, carte_fin = $2, numauto = $3, traite_le = $4, defi = false
             where idop = $5 and resultrans is null",
        )
        .bind(resultat.code())
        .bind(carte_fin)
        .bind(numauto)
        .bind(ts(quand))
        .bind(idop)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn payfip_notifiee(&self, idop: &str, quand: OffsetDateTime) -> DbResult<()> {
        sqlx::query("update payfip_operation set notifie_le = $1 where idop = $2").bind(ts(quand)).bind(idop).execute(&self.pool).await?;
        Ok(())
    }
}
