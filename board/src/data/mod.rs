//! The data layer: SQLite through sqlx, runtime queries only. Every change writes its audit row in the
//! same transaction, with the request id and actor taken from the ambient [`BoardContext`](crate::ambient::BoardContext).

pub mod audit;
pub mod tasks;
pub mod tokens;
pub mod users;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// The schema, one step per entry; `PRAGMA user_version` records how many have run.
const MIGRATIONS: &[&str] = &[include_str!("../../migrations/0001_init.sql")];

/// A handle on the database; cheap to clone (the pool is shared).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

/// A failure of the database itself (not a missing row: those are `None`/`false`).
pub type DataError = sqlx::Error;

impl Store {
    /// Opens (creating it if needed) the database at `location` and brings its schema up to date.
    /// `:memory:` is a throwaway database living as long as the store.
    pub async fn open(location: &str) -> Result<Store, DataError> {
        let in_memory = location == ":memory:";
        let options = if in_memory {
            SqliteConnectOptions::from_str("sqlite::memory:")?
        } else {
            SqliteConnectOptions::new()
                .filename(location)
                .create_if_missing(true)
                // WAL lets readers run beside the one writer; NORMAL is durable across crashes of the
                // process (not of the machine), the usual trade for WAL.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        }
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            // An in-memory database lives in one connection's shared cache, where concurrent writers
            // fail with SQLITE_LOCKED instead of waiting: one connection serialises them.
            .max_connections(if in_memory { 1 } else { 8 })
            // Keep the in-memory database alive between requests.
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(options)
            .await?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    /// Runs the migrations the database has not seen yet, each in its own transaction.
    async fn migrate(&self) -> Result<(), DataError> {
        let mut conn = self.pool.acquire().await?;
        let applied: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&mut *conn)
            .await?;
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let mut tx = conn.begin().await?;
            sqlx::raw_sql(migration).execute(&mut *tx).await?;
            // PRAGMA takes no bound parameters; the value is our own index.
            sqlx::raw_sql(&format!("PRAGMA user_version = {}", index + 1))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = index + 1, "database migrated");
        }
        Ok(())
    }

    /// A write transaction holding SQLite's write lock from its `BEGIN`. A deferred transaction that
    /// reads before it writes cannot wait for the lock when another writer committed in between: it
    /// fails with SQLITE_BUSY at once. `IMMEDIATE` queues writers behind the busy timeout instead.
    pub(crate) async fn write(&self) -> Result<Transaction<'static, Sqlite>, DataError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}
