//! The notes routes. They need the notes store and the author from above, and say so in the
//! signature of [`routes`]: the parent decides which middleware provide them.

use crate::{Author, Notes};
use baton::{Context, Has, Json, Routed, Scope, StatusCode, get, handler};

#[derive(Clone, serde::Serialize)]
pub struct Note {
    author: String,
    text: String,
}

#[handler]
async fn list(ctx: Context) -> Json<Vec<Note>> {
    let author = &ctx.get::<Author>().0;
    let notes = ctx.get::<Notes>().lock().unwrap();
    Json(
        notes
            .iter()
            .filter(|note| &note.author == author)
            .cloned()
            .collect(),
    )
}

#[handler]
async fn create(mut ctx: Context) -> Result<(StatusCode, &'static str), baton::BodyRejection> {
    let text = ctx.text().await?;
    let note = Note {
        author: ctx.get::<Author>().0.clone(),
        text,
    };
    ctx.get::<Notes>().lock().unwrap().push(note);
    Ok((StatusCode::CREATED, "created"))
}

/// Mounted with `.scope("/notes", notes::routes)` where `Notes` and `Author` are provided.
pub fn routes<H, T>(notes: Scope<(H, T)>) -> Scope<(H, T), Routed>
where
    (H, T): Has<Notes> + Has<Author>,
{
    notes.route("/", get(list).post(create))
}
