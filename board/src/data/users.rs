//! Accounts and teams. The first account created is the admin.

use super::{DataError, Store, audit};
use crate::ambient::ActorRef;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};

/// A signed-in account, as the pages and the API see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub is_admin: bool,
    pub team_id: i64,
    pub team_name: String,
    /// Shown to the team so that others can sign up into it.
    pub invite_code: String,
}

impl User {
    /// How the audit log names this user.
    pub fn actor(&self) -> ActorRef {
        ActorRef {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

impl<'r> FromRow<'r, SqliteRow> for User {
    fn from_row(row: &'r SqliteRow) -> Result<Self, DataError> {
        Ok(User {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            is_admin: row.try_get("is_admin")?,
            team_id: row.try_get("team_id")?,
            team_name: row.try_get("team_name")?,
            invite_code: row.try_get("invite_code")?,
        })
    }
}

const SELECT_USER: &str = "SELECT users.id, users.name, users.is_admin, users.team_id, \
    teams.name AS team_name, teams.invite_code FROM users JOIN teams ON teams.id = users.team_id";

/// Why a sign-up was refused, in words for the form.
#[derive(Debug)]
pub enum SignupError {
    NameTaken,
    UnknownInvite,
    Invalid(&'static str),
    Data(DataError),
}

impl std::fmt::Display for SignupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignupError::NameTaken => f.write_str("That name is taken."),
            SignupError::UnknownInvite => f.write_str("No team has that invite code."),
            SignupError::Invalid(reason) => f.write_str(reason),
            SignupError::Data(_) => f.write_str("The database failed; try again."),
        }
    }
}

impl From<DataError> for SignupError {
    fn from(error: DataError) -> Self {
        SignupError::Data(error)
    }
}

/// Checks a name and password before anything is hashed or stored.
fn validate(name: &str, password: &str) -> Result<(), SignupError> {
    if name.is_empty() || name.chars().count() > 40 {
        return Err(SignupError::Invalid("A name has 1 to 40 characters."));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(SignupError::Invalid(
            "A name has letters, digits, '_', '-' and '.' only.",
        ));
    }
    if password.chars().count() < 8 {
        return Err(SignupError::Invalid(
            "A password has at least 8 characters.",
        ));
    }
    Ok(())
}

/// Argon2 costs tens of milliseconds of CPU: off the async workers, so other requests keep flowing.
async fn hash_password(password: &str) -> String {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .expect("password hashing panicked")
}

async fn password_matches(password: &str, hash: &str) -> bool {
    let hash = hash.to_string();
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok())
        .await
        .unwrap_or(false)
}

/// A hash of a random password, computed once, for the timing of failed log-ins to unknown names.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| password_auth::generate_hash(random_token(16)));

/// A fresh random token of `bytes` bytes, URL-safe base64.
pub(crate) fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).expect("the OS random source failed");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer)
}

impl Store {
    /// Creates an account. With an `invite` code it joins that team, without one it starts its own.
    /// The very first account is the admin.
    pub async fn sign_up(
        &self,
        name: &str,
        password: &str,
        invite: Option<&str>,
    ) -> Result<User, SignupError> {
        let name = name.trim();
        validate(name, password)?;
        let hash = hash_password(password).await;
        let mut tx = self.write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(SignupError::NameTaken);
        }
        let team_id: i64 = match invite.map(str::trim).filter(|code| !code.is_empty()) {
            Some(code) => sqlx::query_scalar("SELECT id FROM teams WHERE invite_code = ?")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(SignupError::UnknownInvite)?,
            None => {
                sqlx::query_scalar(
                    "INSERT INTO teams (name, invite_code) VALUES (?, ?) RETURNING id",
                )
                .bind(format!("{name}'s team"))
                .bind(random_token(9))
                .fetch_one(&mut *tx)
                .await?
            }
        };
        let insert = sqlx::query_scalar(
            "INSERT INTO users (name, password_hash, team_id, is_admin) \
             VALUES (?, ?, ?, NOT EXISTS (SELECT 1 FROM users)) RETURNING id",
        )
        .bind(name)
        .bind(&hash)
        .bind(team_id)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match insert {
            Ok(id) => id,
            // Two sign-ups of one name at once: the loser hits the unique index.
            Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
                return Err(SignupError::NameTaken);
            }
            Err(error) => return Err(error.into()),
        };
        audit::record(&mut tx, "user.signup", &format!("{name} (#{id})")).await?;
        tx.commit().await?;
        Ok(self
            .user(id)
            .await?
            .expect("the account was just committed"))
    }

    /// The account named `name` if `password` is its password. Logs the attempt either way.
    pub async fn check_password(
        &self,
        name: &str,
        password: &str,
    ) -> Result<Option<User>, DataError> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM users WHERE name = ?")
                .bind(name.trim())
                .fetch_optional(self.pool())
                .await?;
        let user = match row {
            Some((id, hash)) if password_matches(password, &hash).await => self.user(id).await?,
            // No such account: verify against a throwaway hash anyway, so the answer takes as long
            // as for a wrong password and does not reveal which names exist.
            None => {
                password_matches(password, &DUMMY_HASH).await;
                None
            }
            Some(_) => None,
        };
        let mut conn = self.pool().acquire().await?;
        let (action, detail) = match &user {
            Some(user) => ("user.login", format!("{} (#{})", user.name, user.id)),
            None => ("user.login_failed", name.trim().chars().take(40).collect()),
        };
        audit::record(&mut conn, action, &detail).await?;
        Ok(user)
    }

    /// The account with this id, if it still exists.
    pub async fn user(&self, id: i64) -> Result<Option<User>, DataError> {
        sqlx::query_as(&format!("{SELECT_USER} WHERE users.id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
    }

    /// Every account, oldest first (the admin page).
    pub async fn users(&self) -> Result<Vec<User>, DataError> {
        sqlx::query_as(&format!("{SELECT_USER} ORDER BY users.id"))
            .fetch_all(self.pool())
            .await
    }
}
