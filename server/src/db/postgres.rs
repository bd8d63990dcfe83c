//! Le moteur PostgreSQL (plusieurs instances du serveur sur une même base).
//!
//! Même SQL que SQLite (module `sql`, compilé une seconde fois ici), ses
//! propres migrations (`migrations/postgres`), et ce que PostgreSQL a de
//! plus : des verrous de ligne (`select … for update`) là où une
//! transaction lit avant d'écrire, et des verrous consultatifs pour les
//! tâches de fond qu'une seule instance doit faire à la fois.

use super::{DbResult, TacheDeFond, Verrou, VerrouTache};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Connection;
use std::{str::FromStr, sync::Arc, time::Duration};

type Pool = sqlx::PgPool;
type Ligne = sqlx::postgres::PgRow;
type Connexion = sqlx::PgConnection;
/// `select … for update` avant de lire puis écrire.
const VERROUS_DE_LIGNE: bool = true;

// Le même fichier pour les deux moteurs, à dessein : la SQL est écrite une
// fois, compilée avec les types de chacun.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod commun;

pub use commun::SqlRepository as PostgresRepository;

impl PostgresRepository {
    pub async fn connect(url: &str, max_connections: u32, clock: Arc<dyn crate::clock::Clock>) -> DbResult<Self> {
        let opts = PgConnectOptions::from_str(url)?;
        let pool =
            PgPoolOptions::new().max_connections(max_connections).acquire_timeout(Duration::from_secs(10)).connect_with(opts).await?;
        Ok(Self::new(pool, clock))
    }
}

/// Les migrations, une instance à la fois : deux serveurs qui démarrent
/// ensemble ne les appliquent pas deux fois (sqlx prend un verrou
/// consultatif).
async fn migrer(pool: &Pool) -> DbResult<()> {
    sqlx::migrate!("./migrations/postgres").run(pool).await?;
    Ok(())
}

/// Verrouille la ligne jusqu'à la fin de la transaction : une autre
/// transaction qui veut la même attend, puis relit ce qui a été écrit.
async fn verrouiller(conn: &mut Connexion, verrou: Verrou) -> DbResult<()> {
    let (sql, id) = match verrou {
        Verrou::Compte(id) => ("select 1 from compte where compte_id = $1 for update", id),
        Verrou::Vehicule(id) => ("select 1 from vehicule where vehicule_id = $1 for update", id),
        Verrou::Registre => {
            // Les écritures des autres attendent la fin de la transaction ;
            // les lectures continuent.
            sqlx::query(
                // Le compte et le véhicule d'abord, comme toutes les autres
                // transactions (pas d'interblocage).
                "lock table compte, vehicule, payfip_operation, paiement, code_cession, envoi, limite,
                 code_confidentiel_en_attente, demarche_evenement, piece_jointe, demarche, jeton_compte,
                 tentative_franceconnect, habilitation, session in exclusive mode",
            )
            .execute(&mut *conn)
            .await?;
            return Ok(());
        }
    };
    sqlx::query(sql).bind(id).execute(&mut *conn).await?;
    Ok(())
}

/// Un verrou consultatif de session, sur une connexion sortie du pool : il
/// tient tant qu'elle est ouverte, et la connexion se ferme quand le verrou
/// est lâché (même si la tâche panique), ce qui le libère. Deux instances
/// sur la même base : une seule l'obtient.
async fn verrou_de_tache(pool: &Pool, _taches: &Arc<tokio::sync::Mutex<()>>, tache: TacheDeFond) -> DbResult<Option<VerrouTache>> {
    let mut conn = pool.acquire().await?.detach();
    let obtenu: bool = sqlx::query_scalar("select pg_try_advisory_lock($1)").bind(tache.cle()).fetch_one(&mut conn).await?;
    if obtenu {
        Ok(Some(VerrouTache::new(ConnexionVerrouillee(Some(conn)))))
    } else {
        conn.close().await.ok();
        Ok(None)
    }
}

/// La connexion qui tient le verrou consultatif : lâchée, elle se ferme
/// proprement (message de fin au serveur, qui libère le verrou avec la
/// session), sans attendre la tâche suivante.
struct ConnexionVerrouillee(Option<sqlx::PgConnection>);

impl Drop for ConnexionVerrouillee {
    fn drop(&mut self) {
        if let (Some(conn), Ok(rt)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            rt.spawn(async move {
                if let Err(e) = conn.close().await {
                    tracing::warn!(error = %e, "fermeture de la connexion du verrou de tâche");
                }
            });
        }
    }
}
