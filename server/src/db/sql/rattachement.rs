//! Le rattachement d'un véhicule du registre à un compte : une écriture
//! conditionnelle (le véhicule sans compte, ou déjà à ce compte), jamais
//! le véhicule d'un autre compte.

use super::*;

#[async_trait::async_trait]
impl RattachementRepository for SqlRepository {
    async fn rattacher_vehicule(&self, vehicule_id: i64, compte_id: i64, version_lue: i64) -> DbResult<Rattachement> {
        // La version du code lue avec la preuve : un changement de titulaire
        // (ou un nouveau code) passé entre-temps l'a changée, et le véhicule
        // déclaré cédé attend son acquéreur.
        let r = sqlx::query(
            "update vehicule set compte_id = $1
             where vehicule_id = $2 and compte_id is null and code_confidentiel_version = $3 and cede = false
               and exists (select 1 from compte where compte_id = $1 and supprime_le is null)",
        )
        .bind(compte_id)
        .bind(vehicule_id)
        .bind(version_lue)
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            return Ok(Rattachement::Rattache);
        }
        let actuel: Option<Option<i64>> = sqlx::query_scalar("select compte_id from vehicule where vehicule_id = $1")
            .bind(vehicule_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(if actuel.flatten() == Some(compte_id) { Rattachement::DejaAuCompte } else { Rattachement::Ailleurs })
    }

    async fn vehicules_sans_compte_nes_le(&self, date_naissance: &str) -> DbResult<Vec<VehiculeRecord>> {
        let rows = sqlx::query("select * from vehicule where compte_id is null and titulaire_date_naissance = $1 order by immatriculation")
            .bind(date_naissance)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(vehicule_from_row).collect()
    }
}
