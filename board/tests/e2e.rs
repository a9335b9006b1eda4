//! The board end to end over real HTTP: a server on a loopback port, clients with cookie jars.

mod support;

use reqwest::StatusCode;
use support::{Server, task_items};

const PASSWORD: &str = "correct horse battery";

#[tokio::test]
async fn sign_up_log_out_log_in_rotates_the_session() {
    let server = Server::start().await;
    let ada = server.visitor();

    let home = ada.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("href=\"/login\"") && home.body.contains("href=\"/signup\""));
    let anonymous_cookie = ada.session_cookie().expect("the sign-up form's session");

    ada.sign_up("ada", PASSWORD).await;
    let signed_in_cookie = ada.session_cookie().unwrap();
    assert_ne!(
        anonymous_cookie, signed_in_cookie,
        "sign-up rotates the session id"
    );
    let home = ada.get("/").await;
    assert!(
        home.body.contains("href=\"/tasks\""),
        "the home page links to the board"
    );
    assert_eq!(ada.get("/tasks").await.status, StatusCode::OK);

    let out = ada.log_out().await;
    assert_eq!((out.status, out.location()), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(ada.get("/tasks").await.status, StatusCode::SEE_OTHER);

    // The signed-in cookie died with the log-out: replaying it gets nothing.
    let replay = server.visitor();
    let url = server.url("/").parse().unwrap();
    for pair in signed_in_cookie.split("; ") {
        replay.jar.add_cookie_str(pair, &url);
    }
    assert_eq!(replay.get("/tasks").await.status, StatusCode::SEE_OTHER);

    let wrong = ada.log_in("ada", "not the password").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body.contains("Wrong name or password."));
    let before_login = ada.session_cookie().unwrap();
    let right = ada.log_in("ada", PASSWORD).await;
    assert_eq!(
        (right.status, right.location()),
        (StatusCode::SEE_OTHER, "/tasks")
    );
    assert_ne!(
        before_login,
        ada.session_cookie().unwrap(),
        "log-in rotates the session id"
    );
    assert_eq!(ada.get("/tasks").await.status, StatusCode::OK);

    let taken = server.visitor();
    let token = taken.get("/signup").await.csrf();
    let page = taken
        .post(
            "/signup",
            &[("_csrf", &token), ("name", "ADA"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("That name is taken."));
}

#[tokio::test]
async fn tasks_are_created_edited_by_override_and_deleted_with_a_flash_shown_once() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;

    let created = ada.create_task("Buy <milk> & eggs", None).await;
    assert_eq!(
        (created.status, created.location()),
        (StatusCode::SEE_OTHER, "/tasks")
    );
    let page = ada.get("/tasks").await;
    assert!(
        page.body
            .contains("id=\"flash\" role=\"status\">Task created</p>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Buy &lt;milk&gt; &amp; eggs"),
        "titles are escaped"
    );
    let again = ada.get("/tasks").await;
    assert!(
        !again.body.contains("id=\"flash\""),
        "a flash is shown once"
    );
    let tasks = task_items(&page.body);
    assert_eq!(tasks.len(), 1);
    let (id, title) = tasks[0].clone();
    assert_eq!(title, "Buy <milk> & eggs");

    let token = again.csrf();
    let path = format!("/tasks/{id}");
    let edited = ada
        .post(
            &path,
            &[
                ("_csrf", &token),
                ("_method", "PUT"),
                ("title", "Buy oat milk"),
                ("done", "true"),
            ],
        )
        .await;
    assert_eq!(
        (edited.status, edited.location()),
        (StatusCode::SEE_OTHER, "/tasks")
    );
    let page = ada.get("/tasks").await;
    assert!(page.body.contains("Task updated"));
    assert_eq!(
        task_items(&page.body),
        vec![(id, "Buy oat milk".to_string())]
    );
    assert!(
        page.body
            .contains(&format!("class=\"task done\" id=\"task-{id}\""))
    );

    let missing = ada
        .post(
            "/tasks/999999",
            &[("_csrf", &token), ("_method", "PUT"), ("title", "x")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(missing.body.contains("Nothing here"));

    // Another team's task is not found either, and stays as it was.
    let bob = server.visitor();
    bob.sign_up("bob", PASSWORD).await;
    let bob_token = bob.get("/tasks").await.csrf();
    let foreign = bob
        .post(&path, &[("_csrf", &bob_token), ("_method", "DELETE")])
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    assert_eq!(ada.board().await.len(), 1);

    let deleted = ada
        .post(&path, &[("_csrf", &token), ("_method", "DELETE")])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let page = ada.get("/tasks").await;
    assert!(page.body.contains("Task deleted"));
    assert!(task_items(&page.body).is_empty());
    let gone = ada
        .post(&path, &[("_csrf", &token), ("_method", "DELETE")])
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unsafe_methods_without_a_valid_csrf_token_are_forbidden() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;
    let token = ada.get("/tasks").await.csrf();

    let none = ada.post("/tasks", &[("title", "sneaky")]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let wrong = ada
        .post("/tasks", &[("_csrf", "forged"), ("title", "sneaky")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let other = server.visitor();
    let foreign_token = other.get("/login").await.csrf();
    let stolen = ada
        .post("/tasks", &[("_csrf", &foreign_token), ("title", "sneaky")])
        .await;
    assert_eq!(
        stolen.status,
        StatusCode::FORBIDDEN,
        "a token of another session is refused"
    );
    let logout = ada.post("/logout", &[]).await;
    assert_eq!(logout.status, StatusCode::FORBIDDEN);
    let login = server
        .visitor()
        .post("/login", &[("name", "ada"), ("password", PASSWORD)])
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN);
    assert!(ada.board().await.is_empty(), "nothing was created");

    // The header works as well as the field.
    let request = ada
        .client
        .post(server.url("/tasks"))
        .header("x-csrf-token", &token)
        .form(&[("title", "by header")]);
    let page = support::read(request.send().await.unwrap()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(ada.board().await.len(), 1);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_and_brought_back() {
    let server = Server::start().await;
    server.visitor().sign_up("ada", PASSWORD).await;
    let visitor = server.visitor();

    let page = visitor.get("/tasks").await;
    assert_eq!(
        (page.status, page.location()),
        (StatusCode::SEE_OTHER, "/login?next=/tasks")
    );
    let form = visitor.get("/login?next=/admin/audit").await;
    assert!(
        support::unescape(&form.body).contains("action=\"/login?next=/admin/audit\""),
        "{}",
        form.body
    );
    let token = form.csrf();
    let back = visitor
        .post(
            "/login?next=/admin/audit",
            &[("_csrf", &token), ("name", "ada"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(
        (back.status, back.location()),
        (StatusCode::SEE_OTHER, "/admin/audit")
    );

    // Only same-origin targets: another site falls back to the board.
    let evil = server.visitor();
    let token = evil.get("/login").await.csrf();
    let page = evil
        .post(
            "/login?next=//evil.example/",
            &[("_csrf", &token), ("name", "ada"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.location(), "/tasks");
}

#[tokio::test]
async fn admin_pages_are_for_the_first_account_only() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;
    let bob = server.visitor();
    bob.sign_up("bob", PASSWORD).await;

    let admin = ada.get("/admin").await;
    assert_eq!(admin.status, StatusCode::OK);
    assert!(admin.body.contains("<td>bob</td>"));
    assert_eq!(ada.get("/admin/audit").await.status, StatusCode::OK);

    for path in ["/admin", "/admin/audit"] {
        let page = bob.get(path).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} for a member");
        assert!(page.body.contains("Not allowed"));
        let page = server.visitor().get(path).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{path} for a visitor");
        assert!(page.location().starts_with("/login?next=/admin"));
    }
}

#[tokio::test]
async fn audit_rows_carry_the_request_id_and_user_of_the_request_that_wrote_them() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;
    let bob = server.visitor();
    bob.sign_up("bob", PASSWORD).await;

    ada.create_task("ada's task", Some("req-ada-create")).await;
    bob.create_task("bob's task", Some("req-bob-create")).await;
    let (bob_task, _) = bob.board().await[0].clone();
    let token = bob.get("/tasks").await.csrf();
    bob.post_as(
        &format!("/tasks/{bob_task}"),
        &[("_csrf", &token), ("_method", "DELETE")],
        Some("req-bob-delete"),
    )
    .await;

    let log = server.store().await.audit_log(100).await.unwrap();
    let row = |request: &str| {
        log.iter()
            .find(|entry| entry.request_id.as_deref() == Some(request))
            .unwrap_or_else(|| panic!("no audit row for {request}: {log:#?}"))
            .clone()
    };
    let created = row("req-ada-create");
    assert_eq!(
        (created.user_name.as_deref(), created.action.as_str()),
        (Some("ada"), "task.create")
    );
    assert!(created.detail.ends_with("ada's task"));
    let created = row("req-bob-create");
    assert_eq!(
        (created.user_name.as_deref(), created.action.as_str()),
        (Some("bob"), "task.create")
    );
    let deleted = row("req-bob-delete");
    assert_eq!(
        (deleted.user_name.as_deref(), deleted.action.as_str()),
        (Some("bob"), "task.delete")
    );
    assert!(
        log.iter()
            .any(|entry| entry.action == "user.signup" && entry.detail.starts_with("bob"))
    );
    assert!(
        log.iter().all(|entry| entry.request_id.is_some()),
        "every row names its request"
    );

    // The admin sees the same rows on the audit page.
    let page = ada.get("/admin/audit").await;
    assert!(page.body.contains("<code>req-bob-delete</code>"));
    assert!(page.body.contains("task.delete"));
}

#[tokio::test]
async fn api_tokens_and_bearer_requests() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;
    ada.create_task("from the form", None).await;
    let api = reqwest::Client::new();

    let by_form = support::read(
        api.post(server.url("/api/tokens"))
            .form(&[("name", "ada"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(by_form.status, StatusCode::CREATED, "{}", by_form.body);
    let token = by_form.json()["token"].as_str().unwrap().to_string();
    let by_json = support::read(
        api.post(server.url("/api/tokens"))
            .json(&serde_json::json!({ "name": "ada", "password": PASSWORD }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(by_json.status, StatusCode::CREATED);
    assert_ne!(by_json.json()["token"].as_str().unwrap(), token);
    let bad = support::read(
        api.post(server.url("/api/tokens"))
            .json(&serde_json::json!({ "name": "ada", "password": "nope" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.json()["status"], 401);

    let list = support::read(
        api.get(server.url("/api/tasks"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.json()[0]["title"], "from the form");

    // A bearer write needs no CSRF token.
    let created = support::read(
        api.post(server.url("/api/tasks"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "title": "from the API" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["created_by"], "ada");
    assert_eq!(ada.board().await.len(), 2);

    for request in [
        api.get(server.url("/api/tasks")),
        api.get(server.url("/api/tasks")).bearer_auth("forged"),
    ] {
        let page = support::read(request.send().await.unwrap()).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        assert_eq!(page.headers["www-authenticate"], "Bearer");
        assert_eq!(page.json()["status"], 401);
    }
    let log = server.store().await.audit_log(100).await.unwrap();
    let issued: Vec<_> = log
        .iter()
        .filter(|entry| entry.action == "token.issue")
        .collect();
    assert_eq!(issued.len(), 2);
    assert!(
        issued
            .iter()
            .all(|entry| entry.detail.ends_with("for ada") && entry.request_id.is_some())
    );
    let api_create = log
        .iter()
        .find(|entry| entry.detail.ends_with("from the API"))
        .unwrap();
    assert_eq!(
        api_create.user_name.as_deref(),
        Some("ada"),
        "a bearer request acts as its user"
    );
    assert_eq!(api_create.request_id.as_deref(), Some(created.request_id()));

    let missing = support::read(api.get(server.url("/api/nothing")).send().await.unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json()["status"], 404);
    let page = support::read(api.get(server.url("/nothing")).send().await.unwrap()).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn the_stylesheet_is_compressed_and_cached() {
    let server = Server::start().await;
    let client = reqwest::Client::new();
    let css =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css")).unwrap();

    let plain = support::read(
        client
            .get(server.url("/static/app.css"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(plain.body, css);
    assert!(
        plain.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    let etag = plain.headers["etag"].clone();

    for encoding in ["gzip", "br"] {
        let response = client
            .get(server.url("/static/app.css"))
            .header("accept-encoding", encoding)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["content-encoding"], encoding);
        let compressed = response.bytes().await.unwrap();
        assert!(
            compressed.len() < css.len() / 2,
            "{encoding}: {} bytes",
            compressed.len()
        );
    }

    let cached = support::read(
        client
            .get(server.url("/static/app.css"))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED);
    assert!(cached.body.is_empty());
}

#[tokio::test]
async fn a_failing_database_is_a_500_page_and_json_under_the_api() {
    let server = Server::start().await;
    let ada = server.visitor();
    ada.sign_up("ada", PASSWORD).await;
    let api = reqwest::Client::new();
    let token = support::read(
        api.post(server.url("/api/tokens"))
            .form(&[("name", "ada"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap(),
    )
    .await
    .json()["token"]
        .as_str()
        .unwrap()
        .to_string();

    // Another process breaks the database under the running board.
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!(
        "sqlite://{}",
        server.database.display()
    ))
    .await
    .unwrap();
    sqlx::query("DROP TABLE tasks")
        .execute(&mut conn)
        .await
        .unwrap();

    let page = ada.get("/tasks").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        page.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("Something went wrong"));
    assert!(
        !page.body.contains("no such table"),
        "internals stay in the log"
    );
    assert!(
        page.body.contains(page.request_id()),
        "the page names its request for a report"
    );

    let json = support::read(
        api.get(server.url("/api/tasks"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(json.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(json.json()["status"], 500);
    assert_eq!(json.json()["request_id"], json.request_id());
}
