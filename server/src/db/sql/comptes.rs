//! Les comptes créés par les usagers : création à confirmer,
//! jetons des liens (usage unique, expiration), nouveau mot de passe. Chaque
//! jeton se consomme par une écriture conditionnelle (non utilisé, non
//! expiré), dans la même transaction que ce qu'il autorise.

use super::*;

/// Le compte d'un jeton, verrouillé avant le jeton lui-même : toutes les
/// transactions prennent le compte d'abord (sur PostgreSQL, jamais un
/// interblocage entre un lien consommé et une suppression de compte).
/// Sur SQLite, rien : la transaction doit commencer par son écriture (une
/// lecture d'abord la ferait échouer si un autre écrit entre-temps).
async fn verrouiller_compte_du_jeton(tx: &mut Connexion, jeton_hash: &str) -> DbResult<()> {
    if !VERROUS_DE_LIGNE {
        return Ok(());
    }
    let compte: Option<i64> =
        sqlx::query_scalar("select compte_id from jeton_compte where jeton_hash = $1").bind(jeton_hash).fetch_optional(&mut *tx).await?;
    if let Some(id) = compte {
        verrouiller(tx, Verrou::Compte(id)).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl CompteRepository for SqlRepository {
    async fn creer_compte_a_confirmer(
        &self,
        c: &NewCompte,
        civilite: &str,
        jeton_hash: &str,
        expire_le: OffsetDateTime,
    ) -> DbResult<Option<i64>> {
        let mut tx = self.pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "insert into compte (email, password_hash, prenom, nom, profil, certifie_franceconnect, raison_sociale, siren, civilite,
                created_at)
             values ($1, $2, $3, $4, $5, false, $6, $7, $8, $9)
             on conflict (email) do nothing returning compte_id",
        )
        .bind(&c.email)
        .bind(&c.password_hash)
        .bind(&c.prenom)
        .bind(&c.nom)
        .bind(code_of(&c.profil))
        .bind(&c.raison_sociale)
        .bind(&c.siren)
        .bind(civilite)
        .bind(ts(self.clock.now()))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        sqlx::query("insert into jeton_compte (jeton_hash, compte_id, usage, expire_le) values ($1, $2, $3, $4)")
            .bind(jeton_hash)
            .bind(id)
            .bind(UsageJeton::Confirmation.code())
            .bind(ts(expire_le))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn creer_jeton(&self, compte_id: i64, usage: UsageJeton, jeton_hash: &str, expire_le: OffsetDateTime) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        // Deux demandes simultanées : la seconde attend, puis efface le lien
        // de la première (un seul lien valable à la fois).
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        sqlx::query("delete from jeton_compte where compte_id = $1 and usage = $2 and utilise_le is null")
            .bind(compte_id)
            .bind(usage.code())
            .execute(&mut *tx)
            .await?;
        sqlx::query("insert into jeton_compte (jeton_hash, compte_id, usage, expire_le) values ($1, $2, $3, $4)")
            .bind(jeton_hash)
            .bind(compte_id)
            .bind(usage.code())
            .bind(ts(expire_le))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn compte_du_jeton(&self, jeton_hash: &str, usage: UsageJeton, maintenant: OffsetDateTime) -> DbResult<Option<CompteRecord>> {
        sqlx::query(
            "select c.* from jeton_compte j join compte c using (compte_id)
             where j.jeton_hash = $1 and j.usage = $2 and j.utilise_le is null and j.expire_le > $3 and c.supprime_le is null",
        )
        .bind(jeton_hash)
        .bind(usage.code())
        .bind(ts(maintenant))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(compte_from_row)
        .transpose()
    }

    async fn confirmer_compte(&self, jeton_hash: &str, maintenant: OffsetDateTime) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        verrouiller_compte_du_jeton(&mut tx, jeton_hash).await?;
        let compte: Option<i64> = sqlx::query_scalar(
            "update jeton_compte set utilise_le = $1
             where jeton_hash = $2 and usage = $3 and utilise_le is null and expire_le > $1
             returning compte_id",
        )
        .bind(ts(maintenant))
        .bind(jeton_hash)
        .bind(UsageJeton::Confirmation.code())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(compte) = compte else {
            return Ok(false);
        };
        sqlx::query("update compte set confirme_le = coalesce(confirme_le, $1) where compte_id = $2")
            .bind(ts(maintenant))
            .bind(compte)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn sessions_du_compte(&self, compte_id: i64, maintenant: OffsetDateTime) -> DbResult<Vec<SessionRecord>> {
        let rows = sqlx::query(
            "select token_hash, created_at, expires_at from session where compte_id = $1 and expires_at > $2
             order by created_at desc, token_hash limit 50",
        )
        .bind(compte_id)
        .bind(ts(maintenant))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SessionRecord {
                    token_hash: r.try_get("token_hash")?,
                    created_at: r.try_get("created_at")?,
                    expires_at: r.try_get("expires_at")?,
                })
            })
            .collect()
    }

    async fn fermer_sessions(&self, compte_id: i64) -> DbResult<()> {
        sqlx::query("delete from session where compte_id = $1").bind(compte_id).execute(&self.pool).await?;
        Ok(())
    }

    async fn supprimer_compte(&self, compte_id: i64, password_hash_factice: &str, maintenant: OffsetDateTime) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        // Le compte d'abord : une démarche démarrée en même temps (qui le
        // verrouille aussi) est vue par la vérification ci-dessous, ou voit
        // le compte supprimé.
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        // L'identité effacée, l'adresse libérée : remplacée par une valeur
        // qui n'est pas une adresse (sans « @ », aucune route ne l'accepte,
        // personne ne peut la réserver d'avance), la connexion impossible ;
        // seulement sans démarche en cours, vérifié dans la même instruction.
        let ancienne: String =
            sqlx::query_scalar("select email from compte where compte_id = $1").bind(compte_id).fetch_one(&mut *tx).await?;
        let r = sqlx::query(
            "update compte set email = 'supprime:' || compte_id, password_hash = $1, prenom = '', nom = 'Compte supprimé',
                    civilite = null, raison_sociale = null, siren = null, confirme_le = null, certifie_franceconnect = false,
                    fc_sub = null, nom_de_naissance = null, date_naissance = null, lieu_naissance = null, certifie_le = null,
                    supprime_le = $3
             where compte_id = $2 and profil <> 'agent_cert' and supprime_le is null
               and not exists (select 1 from demarche where compte_id = $2 and etat not in ('terminee', 'abandonnee', 'refusee'))",
        )
        .bind(password_hash_factice)
        .bind(compte_id)
        .bind(ts(maintenant))
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        // Ce qui portait encore l'adresse : la boîte d'envoi, les compteurs.
        sqlx::query("update envoi set destinataire = '(compte supprimé)', corps = '(supprimé avec le compte)' where destinataire = $1")
            .bind(&ancienne)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from limite where cle in ('connexion:compte:' || lower($1), 'envoi-lien:adresse:' || $1)")
            .bind(&ancienne)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from session where compte_id = $1").bind(compte_id).execute(&mut *tx).await?;
        sqlx::query("delete from jeton_compte where compte_id = $1").bind(compte_id).execute(&mut *tx).await?;
        sqlx::query("update vehicule set compte_id = null where compte_id = $1").bind(compte_id).execute(&mut *tx).await?;
        // L'identité d'un représentant légal (un tiers) part avec le compte.
        sqlx::query("update habilitation set representant = null where compte_id = $1").bind(compte_id).execute(&mut *tx).await?;
        tracing::info!(compte_id, le = %ts(maintenant), "compte supprimé");
        tx.commit().await?;
        Ok(true)
    }

    async fn reinitialiser_mot_de_passe(
        &self,
        jeton_hash: &str,
        compte_id: i64,
        password_hash: &str,
        maintenant: OffsetDateTime,
    ) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        let r = sqlx::query(
            "update jeton_compte set utilise_le = $1
             where jeton_hash = $2 and compte_id = $3 and usage = $4 and utilise_le is null and expire_le > $1",
        )
        .bind(ts(maintenant))
        .bind(jeton_hash)
        .bind(compte_id)
        .bind(UsageJeton::Reinitialisation.code())
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("update compte set password_hash = $1 where compte_id = $2")
            .bind(password_hash)
            .bind(compte_id)
            .execute(&mut *tx)
            .await?;
        // Toutes les sessions du compte se ferment ; les autres liens tombent.
        sqlx::query("delete from session where compte_id = $1").bind(compte_id).execute(&mut *tx).await?;
        sqlx::query("delete from jeton_compte where compte_id = $1 and usage = $2 and utilise_le is null")
            .bind(compte_id)
            .bind(UsageJeton::Reinitialisation.code())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn creer_jeton_changement_email(
        &self,
        compte_id: i64,
        jeton_hash: &str,
        nouvelle_adresse: &str,
        expire_le: OffsetDateTime,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        // Deux demandes simultanées : la seconde attend, puis efface le lien
        // de la première (un seul lien valable à la fois).
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        sqlx::query("delete from jeton_compte where compte_id = $1 and usage = $2 and utilise_le is null")
            .bind(compte_id)
            .bind(UsageJeton::ChangementEmail.code())
            .execute(&mut *tx)
            .await?;
        sqlx::query("insert into jeton_compte (jeton_hash, compte_id, usage, expire_le, nouvelle_adresse) values ($1, $2, $3, $4, $5)")
            .bind(jeton_hash)
            .bind(compte_id)
            .bind(UsageJeton::ChangementEmail.code())
            .bind(ts(expire_le))
            .bind(nouvelle_adresse)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn changer_email(&self, jeton_hash: &str, maintenant: OffsetDateTime) -> DbResult<ChangementEmail> {
        let mut tx = self.pool.begin().await?;
        verrouiller_compte_du_jeton(&mut tx, jeton_hash).await?;
        let ligne = sqlx::query(
            "update jeton_compte set utilise_le = $1
             where jeton_hash = $2 and usage = $3 and utilise_le is null and expire_le > $1
               and exists (select 1 from compte c where c.compte_id = jeton_compte.compte_id and c.supprime_le is null)
             returning compte_id, nouvelle_adresse",
        )
        .bind(ts(maintenant))
        .bind(jeton_hash)
        .bind(UsageJeton::ChangementEmail.code())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(ligne) = ligne else {
            return Ok(ChangementEmail::Perime);
        };
        let compte_id: i64 = ligne.try_get("compte_id")?;
        let nouvelle: Option<String> = ligne.try_get("nouvelle_adresse")?;
        let nouvelle = nouvelle.ok_or_else(|| DbError::Corrupt("jeton de changement d'adresse sans adresse".into()))?;
        let ancienne: String =
            sqlx::query_scalar("select email from compte where compte_id = $1").bind(compte_id).fetch_one(&mut *tx).await?;
        let r = sqlx::query("update compte set email = $1 where compte_id = $2 and supprime_le is null")
            .bind(&nouvelle)
            .bind(compte_id)
            .execute(&mut *tx)
            .await;
        match r {
            Ok(r) if r.rows_affected() == 1 => {}
            Ok(_) => return Ok(ChangementEmail::Perime),
            // L'adresse a été prise entre la demande et le lien : le jeton
            // reste inutilisé (transaction annulée), rien ne change.
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => return Ok(ChangementEmail::AdressePrise),
            Err(e) => return Err(e.into()),
        }
        // Les autres liens encore valables (un nouveau mot de passe envoyé à
        // l'ancienne adresse, par exemple) tombent avec elle.
        sqlx::query("delete from jeton_compte where compte_id = $1 and utilise_le is null").bind(compte_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(ChangementEmail::Fait { ancienne, nouvelle })
    }
}
