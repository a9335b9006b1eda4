//! API tokens for `Authorization: Bearer`. The token is shown once; the database keeps its SHA-256.
//! A token is 256 random bits, so a fast hash is enough (no dictionary to guess from), and lookups by
//! hash stay one indexed query per API request.

use super::users::{User, random_token};
use super::{DataError, Store, audit};
use sha2::{Digest, Sha256};

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

impl Store {
    /// Issues a new token for `user`, returning the token itself (never stored).
    pub async fn issue_token(&self, user: &User) -> Result<String, DataError> {
        let token = random_token(32);
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash) VALUES (?, ?) RETURNING id",
        )
        .bind(user.id)
        .bind(digest(&token))
        .fetch_one(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            "token.issue",
            &format!("token #{id} for {}", user.name),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The account a token belongs to, if it is a live token.
    pub async fn token_user(&self, token: &str) -> Result<Option<User>, DataError> {
        let user_id: Option<i64> =
            sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE token_hash = ?")
                .bind(digest(token))
                .fetch_optional(self.pool())
                .await?;
        match user_id {
            Some(id) => self.user(id).await,
            None => Ok(None),
        }
    }
}
