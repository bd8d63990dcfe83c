//! Le dépôt SQL, écrit une fois pour les deux moteurs.
//!
//! Ce module est compilé deux fois : dans `db::sqlite` et dans
//! `db::postgres` (attribut `#[path]`). Chaque moteur y apporte ses types
//! (`Pool`, `Ligne`, `Connexion`), ses migrations et ses verrous
//! ([`super::verrouiller`]) ; la SQL d'ici est celle que les deux
//! comprennent (paramètres `$n`, `returning`, `on conflict`, booléens
//! `true`/`false`, instants en texte RFC 3339 UTC).

use super::{migrer, verrou_de_tache, verrouiller, Connexion, Ligne, Pool, VERROUS_DE_LIGNE};
use crate::clock::Clock;
use crate::db::*;
use sqlx::Row;
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;

mod comptes;
mod franceconnect;
mod habilitation;
mod instruction;
mod paiement;
mod rattachement;
mod titulaire;

#[derive(Clone)]
pub struct SqlRepository {
    pool: Pool,
    /// L'horloge du serveur : les instants écrits (création, modification,
    /// envoi) viennent d'elle, pas de l'horloge de la base.
    clock: Arc<dyn Clock>,
    /// Les tâches de fond de ce processus (SQLite : un seul serveur par
    /// fichier ; PostgreSQL prend un verrou consultatif).
    taches: Arc<tokio::sync::Mutex<()>>,
}

impl SqlRepository {
    pub fn new(pool: Pool, clock: Arc<dyn Clock>) -> Self {
        Self { pool, clock, taches: Arc::default() }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

/// Un instant en texte RFC 3339, à la seconde (comme les lignes plus
/// anciennes : le tri par texte reste juste).
fn ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

fn envoi_from_row(r: &Ligne) -> DbResult<EnvoiRecord> {
    Ok(EnvoiRecord {
        id: r.try_get("envoi_id")?,
        canal: from_code(&r.try_get::<String, _>("canal")?)?,
        destinataire: r.try_get("destinataire")?,
        objet: r.try_get("objet")?,
        corps: r.try_get("corps")?,
        immatriculation: r.try_get("immatriculation")?,
        created_at: r.try_get("created_at")?,
    })
}

fn compte_from_row(r: &Ligne) -> DbResult<CompteRecord> {
    Ok(CompteRecord {
        id: r.try_get("compte_id")?,
        email: r.try_get("email")?,
        password_hash: r.try_get("password_hash")?,
        prenom: r.try_get("prenom")?,
        nom: r.try_get("nom")?,
        profil: from_code(&r.try_get::<String, _>("profil")?)?,
        certifie_franceconnect: r.try_get("certifie_franceconnect")?,
        raison_sociale: r.try_get("raison_sociale")?,
        siren: r.try_get("siren")?,
        confirme: r.try_get::<Option<String>, _>("confirme_le")?.is_some(),
    })
}

fn vehicule_from_row(r: &Ligne) -> DbResult<VehiculeRecord> {
    Ok(VehiculeRecord {
        id: r.try_get("vehicule_id")?,
        immatriculation: r.try_get("immatriculation")?,
        type_immatriculation: from_code(&r.try_get::<String, _>("type_immatriculation")?)?,
        vin: r.try_get("vin")?,
        marque: r.try_get("marque")?,
        modele: r.try_get("modele")?,
        genre: from_code(&r.try_get::<String, _>("genre")?)?,
        energie: from_code(&r.try_get::<String, _>("energie")?)?,
        puissance_cv: r.try_get::<i64, _>("puissance_cv")?.try_into().map_err(|_| DbError::Corrupt("puissance_cv".into()))?,
        ptac_kg: r.try_get::<Option<i64>, _>("ptac_kg")?.map(u32::try_from).transpose().map_err(|_| DbError::Corrupt("ptac_kg".into()))?,
        date_premiere_immatriculation: immat_domain::DateFr::parse(&r.try_get::<String, _>("date_premiere_immatriculation")?)
            .map_err(|e| DbError::Corrupt(format!("date_premiere_immatriculation : {e}")))?,
        numero_formule: r.try_get("numero_formule")?,
        date_certificat: r
            .try_get::<Option<String>, _>("date_certificat")?
            .map(|d| immat_domain::DateCertificat::parse(&d))
            .transpose()
            .map_err(|e| DbError::Corrupt(format!("date_certificat : {e}")))?,
        compte_id: r.try_get("compte_id")?,
        titulaire_nom: r.try_get("titulaire_nom")?,
        titulaire_prenoms: r.try_get("titulaire_prenoms")?,
        titulaire_raison_sociale: r.try_get("titulaire_raison_sociale")?,
        titulaire_siren: r.try_get("titulaire_siren")?,
        titulaire_date_naissance: r.try_get("titulaire_date_naissance")?,
        titulaire_lieu_naissance: r.try_get("titulaire_lieu_naissance")?,
        cotitulaire: r.try_get("cotitulaire")?,
        adresse_voie: r.try_get("adresse_voie")?,
        adresse_complement: r.try_get("adresse_complement")?,
        adresse_lieu_dit: r.try_get("adresse_lieu_dit")?,
        adresse_code_postal: r.try_get("adresse_code_postal")?,
        adresse_commune: r.try_get("adresse_commune")?,
        location_longue_duree: r.try_get("location_longue_duree")?,
        changements_adresse: r
            .try_get::<i64, _>("changements_adresse")?
            .try_into()
            .map_err(|_| DbError::Corrupt("changements_adresse".into()))?,
        situation: SituationAdministrative {
            gage: r.try_get("gage")?,
            otci: r.try_get("otci")?,
            ove: r.try_get("ove")?,
            ovei: r.try_get("ovei")?,
            dvs: r.try_get("dvs")?,
            suspendue: r.try_get("suspendue")?,
            annulee: r.try_get("annulee")?,
            vol: r.try_get("vol")?,
            cede: r.try_get("cede")?,
        },
        gage_creancier: r.try_get("gage_creancier")?,
        code_confidentiel_hash: r.try_get("code_confidentiel_hash")?,
        code_confidentiel_version: r.try_get("code_confidentiel_version")?,
        vol_certificat_enregistre: r.try_get("vol_certificat")?,
    })
}

fn demarche_from_row(r: &Ligne) -> DbResult<DemarcheRecord> {
    let donnees: String = r.try_get("donnees")?;
    Ok(DemarcheRecord {
        id: r.try_get("demarche_id")?,
        numero: r.try_get("numero")?,
        compte_id: r.try_get("compte_id")?,
        vehicule_id: r.try_get("vehicule_id")?,
        teleprocedure: from_code(&r.try_get::<String, _>("teleprocedure")?)?,
        etat: from_code(&r.try_get::<String, _>("etat")?)?,
        pour_qui: from_code(&r.try_get::<String, _>("pour_qui")?)?,
        donnees: serde_json::from_str(&donnees).map_err(|_| DbError::Corrupt("donnees".into()))?,
        etape: from_code(&r.try_get::<String, _>("etape")?)?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        agent_id: r.try_get("agent_id")?,
        agent_depuis: instant_facultatif(r, "agent_depuis")?,
        en_attente_depuis: r.try_get("en_attente_depuis")?,
    })
}

#[async_trait::async_trait]
impl Repository for SqlRepository {
    async fn migrate(&self) -> DbResult<()> {
        migrer(&self.pool).await
    }

    async fn tache_exclusive(&self, tache: TacheDeFond) -> DbResult<Option<VerrouTache>> {
        verrou_de_tache(&self.pool, &self.taches, tache).await
    }

    async fn compte_par_email(&self, email: &str) -> DbResult<Option<CompteRecord>> {
        sqlx::query("select * from compte where email = $1 and supprime_le is null")
            .bind(email)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(compte_from_row)
            .transpose()
    }

    async fn compte(&self, id: i64) -> DbResult<CompteRecord> {
        let row =
            sqlx::query("select * from compte where compte_id = $1").bind(id).fetch_optional(&self.pool).await?.ok_or(DbError::NotFound)?;
        compte_from_row(&row)
    }

    async fn comptes_du_domaine(&self, domaine: &str) -> DbResult<i64> {
        let n = sqlx::query_scalar("select count(*) from compte where email like '%@' || $1 or email like '%.' || $1")
            .bind(domaine)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    async fn inserer_compte_si_absent(&self, c: &NewCompte) -> DbResult<i64> {
        if let Some(existant) = self.compte_par_email(&c.email).await? {
            return Ok(existant.id);
        }
        let id: Option<i64> = sqlx::query_scalar(
            "insert into compte (email, password_hash, prenom, nom, profil, certifie_franceconnect, raison_sociale, siren, confirme_le)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (email) do nothing returning compte_id",
        )
        .bind(&c.email)
        .bind(&c.password_hash)
        .bind(&c.prenom)
        .bind(&c.nom)
        .bind(code_of(&c.profil))
        .bind(c.certifie_franceconnect)
        .bind(&c.raison_sociale)
        .bind(&c.siren)
        .bind(ts(self.clock.now()))
        .fetch_optional(&self.pool)
        .await?;
        // Deux instances qui démarrent ensemble : la seconde trouve le compte
        // que la première vient d'écrire.
        match id {
            Some(id) => Ok(id),
            None => self.compte_par_email(&c.email).await?.map(|c| c.id).ok_or(DbError::NotFound),
        }
    }

    async fn creer_session(&self, token_hash: &str, compte_id: i64, expires_at: OffsetDateTime) -> DbResult<()> {
        // L'heure d'ouverture vient de l'horloge du serveur (« Mon compte »).
        sqlx::query("insert into session (token_hash, compte_id, expires_at, created_at) values ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(compte_id)
            .bind(ts(expires_at))
            .bind(ts(self.clock.now()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn compte_de_session(&self, token_hash: &str, maintenant: OffsetDateTime) -> DbResult<Option<CompteRecord>> {
        sqlx::query(
            "select compte.* from session join compte using (compte_id)
             where session.token_hash = $1 and session.expires_at > $2 and compte.supprime_le is null",
        )
        .bind(token_hash)
        .bind(ts(maintenant))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(compte_from_row)
        .transpose()
    }

    async fn supprimer_session(&self, token_hash: &str) -> DbResult<()> {
        sqlx::query("delete from session where token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }

    async fn inserer_vehicule_si_absent(&self, v: &NewVehicule) -> DbResult<i64> {
        if let Some(id) = sqlx::query_scalar("select vehicule_id from vehicule where immatriculation = $1")
            .bind(&v.immatriculation)
            .fetch_optional(&self.pool)
            .await?
        {
            return Ok(id);
        }
        let s = &v.situation;
        let id: Option<i64> = sqlx::query_scalar(
            "insert into vehicule (immatriculation, type_immatriculation, vin, marque, modele, genre, energie,
                puissance_cv, ptac_kg, date_premiere_immatriculation, numero_formule, date_certificat, compte_id,
                titulaire_nom, titulaire_prenoms, titulaire_raison_sociale, titulaire_siren, cotitulaire,
                adresse_voie, adresse_complement, adresse_code_postal, adresse_commune, location_longue_duree,
                changements_adresse, gage, gage_creancier, otci, ove, ovei, dvs, suspendue, annulee, vol, cede,
                code_confidentiel_hash, adresse_lieu_dit, vol_certificat, titulaire_date_naissance,
                titulaire_lieu_naissance)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)
             on conflict (immatriculation) do nothing returning vehicule_id",
        )
        .bind(&v.immatriculation)
        .bind(code_of(&v.type_immatriculation))
        .bind(&v.vin)
        .bind(&v.marque)
        .bind(&v.modele)
        .bind(code_of(&v.genre))
        .bind(code_of(&v.energie))
        .bind(i64::from(v.puissance_cv))
        .bind(v.ptac_kg.map(i64::from))
        .bind(v.date_premiere_immatriculation.iso())
        .bind(&v.numero_formule)
        .bind(v.date_certificat.map(|d| d.iso()))
        .bind(v.compte_id)
        .bind(&v.titulaire_nom)
        .bind(&v.titulaire_prenoms)
        .bind(&v.titulaire_raison_sociale)
        .bind(&v.titulaire_siren)
        .bind(&v.cotitulaire)
        .bind(&v.adresse_voie)
        .bind(&v.adresse_complement)
        .bind(&v.adresse_code_postal)
        .bind(&v.adresse_commune)
        .bind(v.location_longue_duree)
        .bind(i64::from(v.changements_adresse))
        .bind(s.gage)
        .bind(&v.gage_creancier)
        .bind(s.otci)
        .bind(s.ove)
        .bind(s.ovei)
        .bind(s.dvs)
        .bind(s.suspendue)
        .bind(s.annulee)
        .bind(s.vol)
        .bind(s.cede)
        .bind(&v.code_confidentiel_hash)
        .bind(&v.adresse_lieu_dit)
        .bind(v.vol_certificat_enregistre)
        .bind(&v.titulaire_date_naissance)
        .bind(&v.titulaire_lieu_naissance)
        .fetch_optional(&self.pool)
        .await?;
        match id {
            Some(id) => Ok(id),
            None => sqlx::query_scalar("select vehicule_id from vehicule where immatriculation = $1")
                .bind(&v.immatriculation)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(DbError::NotFound),
        }
    }

    async fn vehicules_du_compte(&self, compte_id: i64) -> DbResult<Vec<VehiculeRecord>> {
        sqlx::query("select * from vehicule where compte_id = $1 order by immatriculation")
            .bind(compte_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(vehicule_from_row)
            .collect()
    }

    async fn demarches_du_compte(&self, compte_id: i64) -> DbResult<Vec<DemarcheRecord>> {
        sqlx::query("select * from demarche where compte_id = $1 order by updated_at desc, demarche_id desc")
            .bind(compte_id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(demarche_from_row)
            .collect()
    }
}

fn parse_ts(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

fn instant_requis(r: &Ligne, colonne: &str) -> DbResult<OffsetDateTime> {
    let s: String = r.try_get(colonne)?;
    parse_ts(&s).ok_or_else(|| DbError::Corrupt(format!("{colonne} : {s}")))
}

fn instant_facultatif(r: &Ligne, colonne: &str) -> DbResult<Option<OffsetDateTime>> {
    match r.try_get::<Option<String>, _>(colonne)? {
        None => Ok(None),
        Some(s) => parse_ts(&s).map(Some).ok_or_else(|| DbError::Corrupt(format!("{colonne} : {s}"))),
    }
}

/// Crée le brouillon, ou rend celui qui est déjà en cours pour ce compte,
/// ce véhicule et cette téléprocédure (`false` : il existait). L'index
/// unique partiel garantit un seul brouillon en cours : une insertion
/// concurrente perdante ne crée rien et rend l'existant. Les données
/// initiales sont écrites avec la ligne : jamais de `{}`.
#[allow(clippy::too_many_arguments)]
async fn inserer_brouillon(
    conn: &mut Connexion,
    numero: &str,
    compte_id: i64,
    vehicule_id: i64,
    tp: Teleprocedure,
    pour_qui: PourQui,
    donnees: &serde_json::Value,
    maintenant: OffsetDateTime,
) -> DbResult<(DemarcheRecord, bool)> {
    let row = sqlx::query(
        "insert into demarche (numero, compte_id, vehicule_id, teleprocedure, etat, pour_qui, etape, created_at, updated_at, donnees)
         select $1, $2, $3, $4, $5, $6, 'saisie', $7, $7, $8
         where exists (select 1 from compte where compte_id = $2 and supprime_le is null)
         on conflict (compte_id, vehicule_id, teleprocedure) where etat not in ('terminee', 'abandonnee', 'refusee') do nothing
         returning *",
    )
    .bind(numero)
    .bind(compte_id)
    .bind(vehicule_id)
    .bind(code_of(&tp))
    .bind(code_of(&EtatDemarche::Brouillon))
    .bind(code_of(&pour_qui))
    .bind(ts(maintenant))
    .bind(donnees.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        return Ok((demarche_from_row(&row)?, true));
    }
    let row = sqlx::query(
        "select * from demarche where compte_id = $1 and vehicule_id = $2 and teleprocedure = $3
         and etat not in ('terminee', 'abandonnee', 'refusee') order by demarche_id desc limit 1",
    )
    .bind(compte_id)
    .bind(vehicule_id)
    .bind(code_of(&tp))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DbError::NotFound)?;
    Ok((demarche_from_row(&row)?, false))
}

/// L'écriture conditionnelle d'une démarche : seulement si elle est encore
/// dans l'état et la version lus. Rend la démarche écrite.
async fn ecrire_demarche(
    conn: &mut Connexion,
    d: &DemarcheRecord,
    vers: EtatDemarche,
    etape: Etape,
    donnees: &serde_json::Value,
    maintenant: OffsetDateTime,
) -> DbResult<DemarcheRecord> {
    let row = sqlx::query(
        "update demarche set etat = $1, etape = $2, donnees = $3, version = version + 1,
         updated_at = $7
         where demarche_id = $4 and etat = $5 and version = $6
         returning *",
    )
    .bind(code_of(&vers))
    .bind(code_of(&etape))
    .bind(donnees.to_string())
    .bind(d.id)
    .bind(code_of(&d.etat))
    .bind(d.version)
    .bind(ts(maintenant))
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => demarche_from_row(&r),
        None => Err(DbError::Conflict(
            "Cette démarche vient d'être modifiée par ailleurs (un autre onglet, un double clic) : rechargez la page pour la reprendre où elle en est."
                .into(),
        )),
    }
}

fn secondes(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn instant(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[async_trait::async_trait]
impl LimiteRepository for SqlRepository {
    async fn reserver_tentative(&self, cle: &str, limite: &Limite, maintenant: OffsetDateTime) -> DbResult<Reservation> {
        let now = secondes(maintenant);
        // Une seule instruction : un blocage en cours reste tel quel (rien
        // n'est compté) ; une fenêtre échue ou un blocage levé font repartir
        // le compte à 1 ; sinon +1. Les expressions lisent l'ancienne ligne.
        let (tentatives, bloque): (i64, Option<i64>) = sqlx::query_as(
            "insert into limite (cle, tentatives, debut, bloque_jusqu_a) values ($1, 1, $2, null)
             on conflict (cle) do update set
               tentatives = case
                 when limite.bloque_jusqu_a > $2 then limite.tentatives
                 when limite.bloque_jusqu_a is not null or limite.debut <= $2 - $3 then 1
                 else limite.tentatives + 1 end,
               debut = case
                 when limite.bloque_jusqu_a > $2 then limite.debut
                 when limite.bloque_jusqu_a is not null or limite.debut <= $2 - $3 then $2
                 else limite.debut end,
               bloque_jusqu_a = case when limite.bloque_jusqu_a > $2 then limite.bloque_jusqu_a else null end
             returning tentatives, bloque_jusqu_a",
        )
        .bind(cle)
        .bind(now)
        .bind(limite.fenetre_secondes)
        .fetch_one(&self.pool)
        .await?;
        if let Some(b) = bloque.filter(|b| *b > now) {
            return Ok(Reservation::Bloquee(instant(b)));
        }
        let n = u32::try_from(tentatives).map_err(|_| DbError::Corrupt("limite.tentatives".into()))?;
        if n > limite.max {
            let jusqu_a = maintenant + time::Duration::seconds(limite.blocage_secondes);
            self.bloquer(cle, jusqu_a).await?;
            return Ok(Reservation::Bloquee(jusqu_a));
        }
        Ok(Reservation::Accordee(n))
    }

    async fn bloquer(&self, cle: &str, jusqu_a: OffsetDateTime) -> DbResult<()> {
        sqlx::query(
            "insert into limite (cle, tentatives, debut, bloque_jusqu_a) values ($1, 0, $2, $2)
             on conflict (cle) do update set bloque_jusqu_a = case when limite.bloque_jusqu_a > excluded.bloque_jusqu_a
               then limite.bloque_jusqu_a else excluded.bloque_jusqu_a end",
        )
        .bind(cle)
        .bind(secondes(jusqu_a))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn effacer_tentatives(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<()> {
        sqlx::query(
            "update limite set tentatives = 0, bloque_jusqu_a = null
             where cle = $1 and (bloque_jusqu_a is null or bloque_jusqu_a <= $2)",
        )
        .bind(cle)
        .bind(secondes(maintenant))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn rendre_tentative(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<()> {
        sqlx::query(
            "update limite set tentatives = case when tentatives > 0 then tentatives - 1 else 0 end
             where cle = $1 and (bloque_jusqu_a is null or bloque_jusqu_a <= $2)",
        )
        .bind(cle)
        .bind(secondes(maintenant))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn purger_limites(&self, maintenant: OffsetDateTime, plus_longue_fenetre_secondes: i64) -> DbResult<u64> {
        let now = secondes(maintenant);
        let r = sqlx::query("delete from limite where (bloque_jusqu_a is null or bloque_jusqu_a <= $1) and debut <= $1 - $2")
            .bind(now)
            .bind(plus_longue_fenetre_secondes)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }

    async fn blocage(&self, cle: &str, maintenant: OffsetDateTime) -> DbResult<Option<OffsetDateTime>> {
        let b: Option<Option<i64>> =
            sqlx::query_scalar("select bloque_jusqu_a from limite where cle = $1").bind(cle).fetch_optional(&self.pool).await?;
        Ok(b.flatten().filter(|b| *b > secondes(maintenant)).map(instant))
    }
}

#[async_trait::async_trait]
impl DemarcheRepository for SqlRepository {
    async fn vehicule_par_immatriculation(&self, immatriculation: &str) -> DbResult<Option<VehiculeRecord>> {
        sqlx::query("select * from vehicule where immatriculation = $1")
            .bind(immatriculation)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(vehicule_from_row)
            .transpose()
    }

    async fn vehicule(&self, id: i64) -> DbResult<VehiculeRecord> {
        let row = sqlx::query("select * from vehicule where vehicule_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(DbError::NotFound)?;
        vehicule_from_row(&row)
    }

    async fn proposer_code_confidentiel(&self, vehicule_id: i64, hash: &str, expire_at: OffsetDateTime, garder: u32) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        // Vingt demandes simultanées : chacune voit les codes des autres
        // avant d'en garder `garder`.
        verrouiller(&mut tx, Verrou::Vehicule(vehicule_id)).await?;
        sqlx::query("insert into code_confidentiel_en_attente (vehicule_id, code_hash, expire_at) values ($1, $2, $3)")
            .bind(vehicule_id)
            .bind(hash)
            .bind(secondes(expire_at))
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "delete from code_confidentiel_en_attente where vehicule_id = $1 and code_en_attente_id not in
             (select code_en_attente_id from code_confidentiel_en_attente where vehicule_id = $1
              order by code_en_attente_id desc limit $2)",
        )
        .bind(vehicule_id)
        .bind(i64::from(garder))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn codes_en_attente(&self, vehicule_id: i64, maintenant: OffsetDateTime) -> DbResult<Vec<(i64, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "select code_en_attente_id, code_hash from code_confidentiel_en_attente
             where vehicule_id = $1 and expire_at > $2 order by code_en_attente_id desc",
        )
        .bind(vehicule_id)
        .bind(secondes(maintenant))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    async fn adopter_code_confidentiel(&self, vehicule_id: i64, code_en_attente_id: i64) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        // Deux codes adoptés en même temps : le second attend, puis ne
        // trouve plus le sien (tous les codes en attente sont partis).
        verrouiller(&mut tx, Verrou::Vehicule(vehicule_id)).await?;
        let r = sqlx::query(
            "update vehicule set
               code_confidentiel_hash = (select code_hash from code_confidentiel_en_attente
                                         where code_en_attente_id = $2 and vehicule_id = $1),
               code_confidentiel_version = code_confidentiel_version + 1
             where vehicule_id = $1 and exists (select 1 from code_confidentiel_en_attente
                                                where code_en_attente_id = $2 and vehicule_id = $1)",
        )
        .bind(vehicule_id)
        .bind(code_en_attente_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("delete from code_confidentiel_en_attente where vehicule_id = $1").bind(vehicule_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn creer_demarche(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: i64,
        tp: Teleprocedure,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
    ) -> DbResult<(DemarcheRecord, bool)> {
        let mut tx = self.pool.begin().await?;
        // Le compte d'abord : une suppression du compte en même temps voit
        // ce brouillon, ou ce brouillon voit le compte supprimé.
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        let cree = inserer_brouillon(&mut tx, numero, compte_id, vehicule_id, tp, pour_qui, donnees, self.clock.now()).await?;
        tx.commit().await?;
        Ok(cree)
    }

    async fn creer_demarche_plafonnee(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: Option<i64>,
        tp: Teleprocedure,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
        max_en_cours: i64,
    ) -> DbResult<Option<(DemarcheRecord, bool)>> {
        let maintenant = ts(self.clock.now());
        let mut tx = self.pool.begin().await?;
        // Le compte d'abord : deux créations simultanées ne comptent pas
        // chacune sans l'autre (PostgreSQL ; SQLite n'a qu'un écrivain).
        verrouiller(&mut tx, Verrou::Compte(compte_id)).await?;
        let row = sqlx::query(
            "insert into demarche (numero, compte_id, vehicule_id, teleprocedure, etat, pour_qui, etape, created_at, updated_at, donnees)
             select $1, $2, $9, $3, $4, $5, 'saisie', $6, $6, $7
             where (select count(*) from demarche where compte_id = $2 and teleprocedure = $3
                    and etat not in ('terminee', 'abandonnee', 'refusee')) < $8
               and exists (select 1 from compte where compte_id = $2 and supprime_le is null)
             on conflict (compte_id, vehicule_id, teleprocedure) where etat not in ('terminee', 'abandonnee', 'refusee') do nothing
             returning *",
        )
        .bind(numero)
        .bind(compte_id)
        .bind(code_of(&tp))
        .bind(code_of(&EtatDemarche::Brouillon))
        .bind(code_of(&pour_qui))
        .bind(maintenant)
        .bind(donnees.to_string())
        .bind(max_en_cours)
        .bind(vehicule_id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        if let Some(row) = row {
            return Ok(Some((demarche_from_row(&row)?, true)));
        }
        // Rien d'écrit : la démarche déjà en cours sur ce véhicule, sinon la
        // limite.
        match vehicule_id {
            Some(vid) => Ok(self.demarche_en_cours(compte_id, vid, tp).await?.map(|d| (d, false))),
            None => Ok(None),
        }
    }

    async fn demarche_par_numero(&self, numero: &str) -> DbResult<Option<DemarcheRecord>> {
        sqlx::query("select * from demarche where numero = $1")
            .bind(numero)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(demarche_from_row)
            .transpose()
    }

    async fn demarche_en_cours(&self, compte_id: i64, vehicule_id: i64, tp: Teleprocedure) -> DbResult<Option<DemarcheRecord>> {
        sqlx::query(
            "select * from demarche where compte_id = $1 and vehicule_id = $2 and teleprocedure = $3
             and etat not in ('terminee', 'abandonnee', 'refusee') order by demarche_id desc limit 1",
        )
        .bind(compte_id)
        .bind(vehicule_id)
        .bind(code_of(&tp))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(demarche_from_row)
        .transpose()
    }

    async fn maj_demarche(&self, d: &DemarcheRecord, etape: Etape, donnees: &serde_json::Value) -> DbResult<DemarcheRecord> {
        self.changer_etat(d, d.etat, etape, donnees).await
    }

    async fn changer_etat(
        &self,
        d: &DemarcheRecord,
        vers: EtatDemarche,
        etape: Etape,
        donnees: &serde_json::Value,
    ) -> DbResult<DemarcheRecord> {
        let mut conn = self.pool.acquire().await?;
        ecrire_demarche(&mut conn, d, vers, etape, donnees, self.clock.now()).await
    }

    async fn terminer_changement_adresse(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        version_registre: i64,
        a: &AdresseNormalisee,
        etiquettes_par_certificat: u32,
    ) -> DbResult<DemarcheRecord> {
        let mut tx = self.pool.begin().await?;
        let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, self.clock.now()).await?;
        // Le compteur d'étiquettes s'incrémente en SQL, jamais depuis une
        // lecture ; le registre doit être encore celui lu à la validation (ni
        // cédé ni passé à un autre titulaire entre-temps).
        let r = sqlx::query(
            "update vehicule set adresse_voie = $1, adresse_complement = $2, adresse_code_postal = $3, adresse_commune = $4,
             adresse_lieu_dit = $7,
             changements_adresse = case when changements_adresse >= $5 then 0 else changements_adresse + 1 end
             where vehicule_id = $6 and code_confidentiel_version = $8",
        )
        .bind(&a.voie)
        .bind(&a.complement)
        .bind(&a.code_postal)
        .bind(&a.commune)
        .bind(i64::from(etiquettes_par_certificat))
        .bind(vehicule_id)
        .bind(&a.lieu_dit)
        .bind(version_registre)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() != 1 {
            return Err(DbError::Conflict("Le registre de ce véhicule a changé depuis le début de cette démarche.".into()));
        }
        tx.commit().await?;
        Ok(ecrite)
    }

    async fn terminer_cession(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        code_hash: &str,
        expire_at: OffsetDateTime,
    ) -> DbResult<DemarcheRecord> {
        let mut tx = self.pool.begin().await?;
        let ecrite = ecrire_demarche(&mut tx, e.d, e.vers, e.etape, e.donnees, self.clock.now()).await?;
        let cede =
            // La version du registre change : une démarche d'acquéreur ouverte
            // avant la déclaration (numéro de formule) ne se valide plus.
            sqlx::query("update vehicule set cede = true, code_confidentiel_version = code_confidentiel_version + 1 where vehicule_id = $1 and cede = false")
                .bind(vehicule_id)
                .execute(&mut *tx)
                .await?;
        if cede.rows_affected() != 1 {
            return Err(DbError::Conflict("Une déclaration de cession a déjà été enregistrée pour ce véhicule.".into()));
        }
        sqlx::query("insert into code_cession (vehicule_id, demarche_id, code_hash, expire_at) values ($1, $2, $3, $4)")
            .bind(vehicule_id)
            .bind(e.d.id)
            .bind(code_hash)
            .bind(ts(expire_at))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ecrite)
    }

    async fn terminer_changement_titulaire(
        &self,
        e: Ecriture<'_>,
        vehicule_id: i64,
        n: &NouveauTitulaireRegistre,
    ) -> DbResult<DemarcheRecord> {
        titulaire::terminer(self, e, vehicule_id, n).await
    }

    async fn terminer_nouveau_certificat(&self, e: Ecriture<'_>, vehicule_id: i64, c: &NouveauCertificat) -> DbResult<DemarcheRecord> {
        titulaire::nouveau_certificat(self, e, vehicule_id, c).await
    }

    async fn immatriculation_libre(&self, immatriculation: &str) -> DbResult<bool> {
        let n: i64 = sqlx::query_scalar("select count(*) from vehicule where immatriculation = $1")
            .bind(immatriculation)
            .fetch_one(&self.pool)
            .await?;
        Ok(n == 0)
    }

    async fn creer_demarche_acquereur(
        &self,
        numero: &str,
        compte_id: i64,
        vehicule_id: i64,
        pour_qui: PourQui,
        donnees: &serde_json::Value,
        code_cession_id: Option<i64>,
    ) -> DbResult<(DemarcheRecord, bool)> {
        titulaire::creer(self, numero, compte_id, vehicule_id, pour_qui, donnees, code_cession_id).await
    }

    async fn codes_cession(&self, vehicule_id: i64) -> DbResult<Vec<CodeCessionRecord>> {
        let rows = sqlx::query("select * from code_cession where vehicule_id = $1 order by code_cession_id desc")
            .bind(vehicule_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CodeCessionRecord {
                    id: r.try_get("code_cession_id")?,
                    code_hash: r.try_get("code_hash")?,
                    expire_at: parse_ts(&r.try_get::<String, _>("expire_at")?),
                    utilise: r.try_get::<Option<String>, _>("utilise_at")?.is_some(),
                    utilise_par: r.try_get("utilise_par")?,
                })
            })
            .collect()
    }

    async fn enregistrer_envoi(&self, e: &NewEnvoi) -> DbResult<i64> {
        let id = sqlx::query_scalar(
            "insert into envoi (canal, destinataire, objet, corps, vehicule_id, created_at) values ($1, $2, $3, $4, $5, $6)
             returning envoi_id",
        )
        .bind(code_of(&e.canal))
        .bind(&e.destinataire)
        .bind(&e.objet)
        .bind(&e.corps)
        .bind(e.vehicule_id)
        .bind(ts(self.clock.now()))
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    async fn vider_registre_demo(&self) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        verrouiller(&mut tx, Verrou::Registre).await?;
        for table in [
            "payfip_operation",
            "paiement",
            "code_cession",
            "envoi",
            "limite",
            "code_confidentiel_en_attente",
            "demarche_evenement",
            "piece_jointe",
            "demarche",
            "vehicule",
            // Les comptes aussi : ceux créés pendant les parcours disparaissent,
            // ceux de démonstration sont recréés avec leur mot de passe public.
            "jeton_compte",
            "tentative_franceconnect",
            "habilitation",
            "session",
            "compte",
        ] {
            sqlx::query(&format!("delete from {table}")).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn envois(&self) -> DbResult<Vec<EnvoiRecord>> {
        let rows = sqlx::query(
            "select envoi.*, vehicule.immatriculation from envoi left join vehicule using (vehicule_id)
             order by envoi_id desc limit 200",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(envoi_from_row).collect()
    }

    async fn envoi(&self, id: i64) -> DbResult<Option<EnvoiRecord>> {
        sqlx::query("select envoi.*, vehicule.immatriculation from envoi left join vehicule using (vehicule_id) where envoi_id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(envoi_from_row)
            .transpose()
    }
}
