//! Le moteur SQLite (par défaut, embarqué : un fichier, mode WAL).
//!
//! SQLite n'a qu'un écrivain à la fois : une transaction qui écrit voit un
//! état que personne d'autre ne modifie, et les verrous de ligne que
//! PostgreSQL demande ([`verrouiller`]) n'ont pas lieu d'être.

use super::{DbResult, TacheDeFond, Verrou, VerrouTache};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::{str::FromStr, sync::Arc, time::Duration};

type Pool = sqlx::SqlitePool;
type Ligne = sqlx::sqlite::SqliteRow;
type Connexion = sqlx::SqliteConnection;
/// Pas de verrou de ligne : un seul écrivain à la fois.
const VERROUS_DE_LIGNE: bool = false;

// Le même fichier pour les deux moteurs, à dessein : la SQL est écrite une
// fois, compilée avec les types de chacun.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod commun;

pub use commun::SqlRepository as SqliteRepository;

impl SqliteRepository {
    pub async fn connect(url: &str, clock: Arc<dyn crate::clock::Clock>) -> DbResult<Self> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(opts).await?;
        Ok(Self::new(pool, clock))
    }
}

async fn migrer(pool: &Pool) -> DbResult<()> {
    sqlx::migrate!("./migrations/sqlite").run(pool).await?;
    Ok(())
}

/// Rien à faire : l'écriture de la transaction attend déjà son tour.
async fn verrouiller(_conn: &mut Connexion, _verrou: Verrou) -> DbResult<()> {
    Ok(())
}

/// Un seul serveur par fichier SQLite : le verrou du processus suffit.
async fn verrou_de_tache(_pool: &Pool, taches: &Arc<tokio::sync::Mutex<()>>, _tache: TacheDeFond) -> DbResult<Option<VerrouTache>> {
    Ok(taches.clone().try_lock_owned().ok().map(VerrouTache::new))
}
