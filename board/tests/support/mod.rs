//! Shared by the end-to-end tests: a board server on a free loopback port with its own database
//! file, and a browser-like client (cookie jar, no automatic redirects) that checks every response
//! carries an `x-request-id`.

#![allow(dead_code)] // each test binary uses its own part of the harness

use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// A running board, stopped when dropped.
pub struct Server {
    pub addr: SocketAddr,
    pub database: PathBuf,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Starts a board on `127.0.0.1:0` with a fresh SQLite file (the default, durable setup, WAL).
    pub async fn start() -> Server {
        let dir = std::env::temp_dir().join(format!(
            "board-e2e-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut config = board::Config::ephemeral();
        config.database = dir.join("board.db").to_str().unwrap().to_string();
        Server::start_with(&config).await
    }

    /// Starts a board with `config` (whose database must be a file).
    pub async fn start_with(config: &board::Config) -> Server {
        let database = PathBuf::from(&config.database);
        let app = board::build(config).await.expect("the board starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            baton::serve(listener, app).await.unwrap();
        });
        Server {
            addr,
            database,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A new visitor with an empty cookie jar.
    pub fn visitor(&self) -> Visitor {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .unwrap();
        Visitor {
            client,
            jar,
            base: format!("http://{}", self.addr),
        }
    }

    /// The data layer on the server's database file, to check what was written.
    pub async fn store(&self) -> board::data::Store {
        board::data::Store::open(self.database.to_str().unwrap())
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
        if let Some(dir) = self.database.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One browser: its cookies persist across requests.
pub struct Visitor {
    pub client: reqwest::Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

/// A response, read whole.
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers
            .get("location")
            .map(|value| value.to_str().unwrap())
            .unwrap_or_else(|| panic!("no Location on a {}: {}", self.status, self.body))
    }

    pub fn request_id(&self) -> &str {
        self.headers["x-request-id"].to_str().unwrap()
    }

    /// The `_csrf` value of the page's first form.
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no _csrf field in: {}", self.body))
            + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_string()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.body))
    }
}

pub async fn read(response: Response) -> Page {
    let status = response.status();
    let headers = response.headers().clone();
    assert!(
        headers.contains_key("x-request-id"),
        "every response carries x-request-id; this {status} did not"
    );
    let body = response.text().await.unwrap();
    Page {
        status,
        headers,
        body,
    }
}

impl Visitor {
    pub async fn get(&self, path: &str) -> Page {
        read(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// POSTs a urlencoded form, with `x-request-id` set to `request_id` when given.
    pub async fn post_as(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        request_id: Option<&str>,
    ) -> Page {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .form(fields);
        if let Some(id) = request_id {
            request = request.header("x-request-id", id);
        }
        read(request.send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_as(path, fields, None).await
    }

    /// The session cookie as the jar would send it.
    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        self.jar
            .cookies(&url)
            .map(|value| value.to_str().unwrap().to_string())
    }

    /// The CSRF token of a page that has forms.
    pub async fn csrf(&self) -> String {
        self.get("/login").await.csrf()
    }

    /// Signs up `name` (its own team) and checks the redirect to the board.
    pub async fn sign_up(&self, name: &str, password: &str) -> Page {
        let token = self.get("/signup").await.csrf();
        let page = self
            .post(
                "/signup",
                &[("_csrf", &token), ("name", name), ("password", password)],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "sign-up of {name}: {}",
            page.body
        );
        assert_eq!(page.location(), "/tasks");
        page
    }

    pub async fn log_in(&self, name: &str, password: &str) -> Page {
        let token = self.get("/login").await.csrf();
        self.post(
            "/login",
            &[("_csrf", &token), ("name", name), ("password", password)],
        )
        .await
    }

    pub async fn log_out(&self) -> Page {
        let token = self.get("/tasks").await.csrf();
        self.post("/logout", &[("_csrf", &token)]).await
    }

    /// Creates a task through the form, sending `request_id`; returns the redirect.
    pub async fn create_task(&self, title: &str, request_id: Option<&str>) -> Page {
        let token = self.get("/tasks").await.csrf();
        self.post_as("/tasks", &[("_csrf", &token), ("title", title)], request_id)
            .await
    }

    /// The ids and titles on the visitor's board, from its HTML.
    pub async fn board(&self) -> Vec<(i64, String)> {
        let page = self.get("/tasks").await;
        assert_eq!(page.status, StatusCode::OK);
        task_items(&page.body)
    }
}

/// `(id, title)` of each `<li id="task-N" data-title="…">` on a board page.
pub fn task_items(html: &str) -> Vec<(i64, String)> {
    let mut items = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("id=\"task-") {
        rest = &rest[start + "id=\"task-".len()..];
        let id_end = rest.find('"').unwrap();
        let id = rest[..id_end].parse().unwrap();
        let title_start = rest.find("data-title=\"").unwrap() + "data-title=\"".len();
        let title_end = rest[title_start..].find('"').unwrap() + title_start;
        items.push((id, unescape(&rest[title_start..title_end])));
        rest = &rest[title_end..];
    }
    items
}

pub fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}
