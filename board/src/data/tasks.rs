//! A team's tasks. Every query is scoped by team: a task id from another team is "not found", never
//! readable or changeable.

use super::{DataError, Store, audit};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub done: bool,
    pub created_by: String,
    pub created_at: String,
}

impl<'r> FromRow<'r, SqliteRow> for Task {
    fn from_row(row: &'r SqliteRow) -> Result<Self, DataError> {
        Ok(Task {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            done: row.try_get("done")?,
            created_by: row.try_get("created_by")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

const SELECT_TASK: &str = "SELECT tasks.id, tasks.title, tasks.done, users.name AS created_by, \
    tasks.created_at FROM tasks JOIN users ON users.id = tasks.created_by";

/// The longest title kept; longer ones are cut (a form field is bounded, not trusted).
pub const MAX_TITLE: usize = 200;

fn clean_title(title: &str) -> Option<String> {
    let title: String = title.trim().chars().take(MAX_TITLE).collect();
    (!title.is_empty()).then_some(title)
}

impl Store {
    /// The team's tasks, oldest first.
    pub async fn tasks(&self, team_id: i64) -> Result<Vec<Task>, DataError> {
        sqlx::query_as(&format!(
            "{SELECT_TASK} WHERE tasks.team_id = ? ORDER BY tasks.id"
        ))
        .bind(team_id)
        .fetch_all(self.pool())
        .await
    }

    /// Adds a task to the team's board; `None` when the title is blank.
    pub async fn create_task(
        &self,
        team_id: i64,
        author_id: i64,
        title: &str,
    ) -> Result<Option<Task>, DataError> {
        let Some(title) = clean_title(title) else {
            return Ok(None);
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tasks (team_id, title, created_by) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(team_id)
        .bind(&title)
        .bind(author_id)
        .fetch_one(&mut *tx)
        .await?;
        audit::record(&mut tx, "task.create", &format!("#{id} {title}")).await?;
        let task = sqlx::query_as(&format!("{SELECT_TASK} WHERE tasks.id = ?"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(task))
    }

    /// Renames and ticks a task of the team; `None` when the team has no task `id` (or the title is blank).
    pub async fn update_task(
        &self,
        team_id: i64,
        id: i64,
        title: &str,
        done: bool,
    ) -> Result<Option<Task>, DataError> {
        let Some(title) = clean_title(title) else {
            return Ok(None);
        };
        let mut tx = self.write().await?;
        let changed =
            sqlx::query("UPDATE tasks SET title = ?, done = ? WHERE id = ? AND team_id = ?")
                .bind(&title)
                .bind(done)
                .bind(id)
                .bind(team_id)
                .execute(&mut *tx)
                .await?;
        if changed.rows_affected() == 0 {
            return Ok(None);
        }
        let state = if done { "done" } else { "open" };
        audit::record(&mut tx, "task.update", &format!("#{id} {title} ({state})")).await?;
        let task = sqlx::query_as(&format!("{SELECT_TASK} WHERE tasks.id = ?"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(task))
    }

    /// Deletes a task of the team; `false` when the team has no task `id`.
    pub async fn delete_task(&self, team_id: i64, id: i64) -> Result<bool, DataError> {
        let mut tx = self.write().await?;
        let title: Option<String> =
            sqlx::query_scalar("DELETE FROM tasks WHERE id = ? AND team_id = ? RETURNING title")
                .bind(id)
                .bind(team_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(title) = title else {
            return Ok(false);
        };
        audit::record(&mut tx, "task.delete", &format!("#{id} {title}")).await?;
        tx.commit().await?;
        Ok(true)
    }
}
