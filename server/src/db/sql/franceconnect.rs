//! FranceConnect en SQLite : tentatives à usage unique (`delete …
//! returning`), comptes liés par leur `sub` (index unique), sessions qui
//! gardent leur jeton d'identité.

use super::*;

fn est_unicite(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[async_trait::async_trait]
impl FranceConnectRepository for SqlRepository {
    async fn creer_tentative_franceconnect(&self, etat_hash: &str, t: &TentativeFranceConnect, expire_le: OffsetDateTime) -> DbResult<()> {
        // Les tentatives expirées partent à chaque départ : la table ne
        // grossit pas des départs jamais revenus.
        sqlx::query("delete from tentative_franceconnect where expire_le <= $1").bind(ts(self.clock.now())).execute(&self.pool).await?;
        sqlx::query(
            "insert into tentative_franceconnect (etat_hash, nonce, verificateur_pkce, compte_id, expire_le)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(etat_hash)
        .bind(&t.nonce)
        .bind(&t.verificateur_pkce)
        .bind(t.compte_id)
        .bind(ts(expire_le))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn consommer_tentative_franceconnect(
        &self,
        etat_hash: &str,
        maintenant: OffsetDateTime,
    ) -> DbResult<Option<TentativeFranceConnect>> {
        let mut tx = self.pool.begin().await?;
        let ligne = sqlx::query(
            "delete from tentative_franceconnect where etat_hash = $1 and expire_le > $2
             returning nonce, verificateur_pkce, compte_id",
        )
        .bind(etat_hash)
        .bind(ts(maintenant))
        .fetch_optional(&mut *tx)
        .await?;
        sqlx::query("delete from tentative_franceconnect where expire_le <= $1").bind(ts(maintenant)).execute(&mut *tx).await?;
        tx.commit().await?;
        ligne
            .map(|r| {
                Ok(TentativeFranceConnect {
                    nonce: r.try_get("nonce")?,
                    verificateur_pkce: r.try_get("verificateur_pkce")?,
                    compte_id: r.try_get("compte_id")?,
                })
            })
            .transpose()
    }

    async fn compte_par_sub(&self, sub: &str) -> DbResult<Option<CompteRecord>> {
        sqlx::query("select * from compte where fc_sub = $1 and supprime_le is null")
            .bind(sub)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(compte_from_row)
            .transpose()
    }

    async fn creer_compte_franceconnect(&self, c: &NewCompteFranceConnect) -> DbResult<CreationFranceConnect> {
        let maintenant = ts(self.clock.now());
        let mut tx = self.pool.begin().await?;
        // Une inscription jamais confirmée sur cette adresse ne bloque pas
        // la personne que FranceConnect identifie (qui que soit l'auteur de
        // l'inscription, elle n'a jamais pu servir).
        sqlx::query("delete from compte where email = $1 and confirme_le is null and supprime_le is null and fc_sub is null")
            .bind(&c.email)
            .execute(&mut *tx)
            .await?;
        // `on conflict do nothing` sans cible : ni l'adresse ni le `sub`
        // ne sont pris deux fois, même par deux retours simultanés.
        let id: Option<i64> = sqlx::query_scalar(
            "insert into compte (email, password_hash, prenom, nom, profil, certifie_franceconnect, civilite, confirme_le,
                fc_sub, nom_de_naissance, date_naissance, lieu_naissance, certifie_le, created_at)
             values ($1, $2, $3, $4, 'personne_physique', true, $5, $6, $7, $8, $9, $10, $6, $6)
             on conflict do nothing returning compte_id",
        )
        .bind(&c.email)
        .bind(&c.password_hash)
        .bind(&c.prenom)
        .bind(&c.nom)
        .bind(&c.civilite)
        .bind(&maintenant)
        .bind(&c.sub)
        .bind(&c.nom_de_naissance)
        .bind(&c.date_naissance)
        .bind(&c.lieu_naissance)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            tx.commit().await?;
            return Ok(CreationFranceConnect::Cree(id));
        }
        tx.rollback().await?;
        match sqlx::query_scalar::<_, i64>("select compte_id from compte where fc_sub = $1 and supprime_le is null")
            .bind(&c.sub)
            .fetch_optional(&self.pool)
            .await?
        {
            Some(id) => Ok(CreationFranceConnect::DejaLie(id)),
            None => Ok(CreationFranceConnect::AdresseExistante),
        }
    }

    async fn certifier_compte(&self, compte_id: i64, c: &NewCompteFranceConnect) -> DbResult<bool> {
        let r = sqlx::query(
            "update compte set fc_sub = $1, certifie_franceconnect = true, civilite = $2, prenom = $3, nom = $4,
                nom_de_naissance = $5, date_naissance = $6, lieu_naissance = $7, certifie_le = $8
             where compte_id = $9 and fc_sub is null and supprime_le is null and profil = 'personne_physique'
               and not exists (select 1 from compte autre where autre.fc_sub = $1)",
        )
        .bind(&c.sub)
        .bind(&c.civilite)
        .bind(&c.prenom)
        .bind(&c.nom)
        .bind(&c.nom_de_naissance)
        .bind(&c.date_naissance)
        .bind(&c.lieu_naissance)
        .bind(ts(self.clock.now()))
        .bind(compte_id)
        .execute(&self.pool)
        .await;
        match r {
            Ok(r) => Ok(r.rows_affected() == 1),
            // Deux certifications simultanées du même `sub` : l'index tranche.
            Err(e) if est_unicite(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn creer_session_franceconnect(
        &self,
        token_hash: &str,
        compte_id: i64,
        expires_at: OffsetDateTime,
        id_token: &str,
    ) -> DbResult<()> {
        sqlx::query("insert into session (token_hash, compte_id, expires_at, created_at, fc_id_token) values ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(compte_id)
            .bind(ts(expires_at))
            .bind(ts(self.clock.now()))
            .bind(id_token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn fermer_session(&self, token_hash: &str) -> DbResult<Option<String>> {
        let jeton: Option<Option<String>> = sqlx::query_scalar("delete from session where token_hash = $1 returning fc_id_token")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(jeton.flatten())
    }
}
