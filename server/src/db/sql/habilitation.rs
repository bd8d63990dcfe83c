//! Les habilitations de professionnel en SQLite : une ligne par compte,
//! chaque décision est une écriture conditionnelle (`etat = 'en_attente'`).

use super::*;
use immat_domain::habilitation::{EtatHabilitation, NatureHabilitation};

fn habilitation_from_row(r: &Ligne) -> DbResult<HabilitationRecord> {
    let etat: String = r.try_get("etat")?;
    Ok(HabilitationRecord {
        id: r.try_get("habilitation_id")?,
        compte_id: r.try_get("compte_id")?,
        email: r.try_get("email")?,
        raison_sociale: r.try_get("raison_sociale")?,
        siret: r.try_get("siret")?,
        numero: r.try_get("numero")?,
        etat: EtatHabilitation::depuis_code(&etat).ok_or_else(|| DbError::Corrupt(format!("état d'habilitation « {etat} »")))?,
        demandee_le: r.try_get("demandee_le")?,
        motif_refus: r.try_get("motif_refus")?,
        nature: {
            let n: String = r.try_get("nature")?;
            NatureHabilitation::depuis_code(&n).ok_or_else(|| DbError::Corrupt(format!("nature d'habilitation « {n} »")))?
        },
        representant: r.try_get("representant")?,
    })
}

const SELECT: &str = "select h.*, c.email, c.raison_sociale from habilitation h join compte c using (compte_id)";

#[async_trait::async_trait]
impl HabilitationRepository for SqlRepository {
    async fn declarer_habilitation(&self, compte_id: i64, siret: &str, numero: &str, maintenant: OffsetDateTime) -> DbResult<bool> {
        let r = sqlx::query(
            "insert into habilitation (compte_id, siret, numero, etat, demandee_le) values ($1, $2, $3, 'en_attente', $4)
             on conflict (compte_id) do update set siret = excluded.siret, numero = excluded.numero, etat = 'en_attente',
                demandee_le = excluded.demandee_le, decidee_le = null, agent_id = null, motif_refus = null,
                nature = 'professionnel', representant = null
             where habilitation.etat = 'refusee'",
        )
        .bind(compte_id)
        .bind(siret)
        .bind(numero)
        .bind(ts(maintenant))
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn declarer_representant(&self, compte_id: i64, siren: &str, representant: &str, maintenant: OffsetDateTime) -> DbResult<bool> {
        let r = sqlx::query(
            "insert into habilitation (compte_id, siret, numero, etat, demandee_le, nature, representant)
             values ($1, $2, '', 'en_attente', $3, 'representant_legal', $4)
             on conflict (compte_id) do update set siret = excluded.siret, numero = '', etat = 'en_attente',
                demandee_le = excluded.demandee_le, decidee_le = null, agent_id = null, motif_refus = null,
                nature = 'representant_legal', representant = excluded.representant
             where habilitation.etat = 'refusee'",
        )
        .bind(compte_id)
        .bind(siren)
        .bind(ts(maintenant))
        .bind(representant)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn habilitation_du_compte(&self, compte_id: i64) -> DbResult<Option<HabilitationRecord>> {
        sqlx::query(&format!("{SELECT} where h.compte_id = $1 and c.supprime_le is null"))
            .bind(compte_id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(habilitation_from_row)
            .transpose()
    }

    async fn habilitations(&self, etat: Option<EtatHabilitation>) -> DbResult<Vec<HabilitationRecord>> {
        let rows = sqlx::query(&format!(
            "{SELECT} where ($1 is null or h.etat = $1) and c.supprime_le is null order by h.demandee_le, h.habilitation_id limit 200"
        ))
        .bind(etat.map(EtatHabilitation::code))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(habilitation_from_row).collect()
    }

    async fn decider_habilitation(
        &self,
        habilitation_id: i64,
        agent_id: i64,
        motif_refus: Option<&str>,
        maintenant: OffsetDateTime,
    ) -> DbResult<bool> {
        let etat = if motif_refus.is_some() { EtatHabilitation::Refusee } else { EtatHabilitation::Approuvee };
        let mut tx = self.pool.begin().await?;
        let decidee: Option<(i64, String)> = sqlx::query_as(
            "update habilitation set etat = $1, decidee_le = $2, agent_id = $3, motif_refus = $4
             where habilitation_id = $5 and etat = 'en_attente'
               and exists (select 1 from compte c where c.compte_id = habilitation.compte_id and c.supprime_le is null)
             returning compte_id, nature",
        )
        .bind(etat.code())
        .bind(ts(maintenant))
        .bind(agent_id)
        .bind(motif_refus)
        .bind(habilitation_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((compte, nature)) = decidee else {
            return Ok(false);
        };
        if etat == EtatHabilitation::Approuvee {
            // Un professionnel habilité change de profil ; une société
            // certifiée par son représentant légal reste une personne morale,
            // désormais certifiée.
            let changement = match NatureHabilitation::depuis_code(&nature) {
                Some(NatureHabilitation::Professionnel) => "update compte set profil = 'professionnel_habilite'",
                Some(NatureHabilitation::RepresentantLegal) => "update compte set certifie_franceconnect = true",
                None => return Err(DbError::Corrupt(format!("nature d'habilitation « {nature} »"))),
            };
            let r = sqlx::query(&format!("{changement} where compte_id = $1 and profil = 'personne_morale' and supprime_le is null"))
                .bind(compte)
                .execute(&mut *tx)
                .await?;
            if r.rows_affected() != 1 {
                // Le compte a été supprimé entre-temps : rien n'est décidé.
                return Ok(false);
            }
            if nature == NatureHabilitation::RepresentantLegal.code() {
                // Les véhicules inscrits au SIREN de la société, sans compte
                // et non cédés, rejoignent son compte (le SIREN vient d'être
                // vérifié avec le représentant).
                sqlx::query(
                    "update vehicule set compte_id = $1
                     where compte_id is null and cede = false
                       and titulaire_siren = (select siren from compte where compte_id = $1)",
                )
                .bind(compte)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }
}
