//! The audit log: who did what, when, in which request.

use super::{DataError, Store};
use crate::ambient::current_request;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row, SqliteConnection};

/// One line of the log.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub request_id: Option<String>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub action: String,
    pub detail: String,
}

// By hand rather than `#[derive(sqlx::FromRow)]`: the derive needs sqlx's proc-macro crate, a second
// build of sqlx for five lines.
impl<'r> FromRow<'r, SqliteRow> for Entry {
    fn from_row(row: &'r SqliteRow) -> Result<Self, DataError> {
        Ok(Entry {
            id: row.try_get("id")?,
            at: row.try_get("at")?,
            request_id: row.try_get("request_id")?,
            user_id: row.try_get("user_id")?,
            user_name: row.try_get("user_name")?,
            action: row.try_get("action")?,
            detail: row.try_get("detail")?,
        })
    }
}

/// Records `action` for the current request: its id and actor come from the ambient context, not from
/// the caller, so no code path can forget or forge them. Runs on the caller's transaction.
pub(crate) async fn record(
    conn: &mut SqliteConnection,
    action: &str,
    detail: &str,
) -> Result<(), DataError> {
    let (request_id, actor) = current_request();
    sqlx::query(
        "INSERT INTO audit (request_id, user_id, user_name, action, detail) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(request_id)
    .bind(actor.as_ref().map(|actor| actor.id))
    .bind(actor.as_ref().map(|actor| actor.name.as_str()))
    .bind(action)
    .bind(detail)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// The latest `limit` entries, newest first.
    pub async fn audit_log(&self, limit: i64) -> Result<Vec<Entry>, DataError> {
        sqlx::query_as(
            "SELECT id, at, request_id, user_id, user_name, action, detail FROM audit ORDER BY id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await
    }
}

impl Store {
    /// Records an event that changes no row of ours (a log-out), with the current request's id and actor.
    pub async fn log_event(&self, action: &str, detail: &str) -> Result<(), DataError> {
        let mut conn = self.pool().acquire().await?;
        record(&mut conn, action, detail).await
    }
}
