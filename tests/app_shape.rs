//! The shapes a real app takes: a nameable `App`, route groups in their own functions that state the
//! keys they need, middleware groups, conditional middleware.

use baton::{
    App, Context, Has, KeyList, Next, Response, Routed, Router, Start, context_key, get, handler,
    middleware,
};
use http_body_util::BodyExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[context_key]
struct RequestId(u64);

#[context_key]
struct User(String);

#[middleware(provides = RequestId)]
async fn request_id(_ctx: &Context) -> RequestId {
    RequestId(7)
}

#[middleware(provides = User)]
async fn user(ctx: &Context) -> User {
    User(format!("guest-{}", ctx.get::<RequestId>().0))
}

/// A middleware group: one value, mounted with one `.with(..)`.
fn web() -> (request_id, user) {
    (request_id, user)
}

#[handler]
async fn whoami(ctx: Context) -> String {
    format!("{} {}", ctx.get::<User>().0, ctx.get::<RequestId>().0)
}

/// A plain handler: reads nothing typed, mounted after providers.
async fn health(ctx: Context) -> String {
    format!("ok {}", ctx.try_get::<User>().is_some())
}

/// Routes in their own function, stating what they need from above: mounted where `User` or
/// `RequestId` is missing, this does not compile (`tests/ui/fail/core_module_missing_key.rs`).
fn account<H, T>(account: Router<Start<(H, T)>>) -> Router<Start<(H, T)>, Routed>
where
    (H, T): KeyList + Has<User> + Has<RequestId>,
{
    account.route("/me", get(whoami))
}

fn app() -> App {
    Router::new()
        .with(web())
        .route("/", get(whoami))
        .scope("/account", account)
        .into()
}

async fn body(app: &App, path: &str) -> (u16, String) {
    let response = app
        .call_request(http::Request::get(path).body(baton::Body::empty()).unwrap())
        .await;
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn an_app_is_one_nameable_type() {
    let app = app();
    assert_eq!(body(&app, "/").await, (200, "guest-7 7".to_string()));
    assert_eq!(
        body(&app, "/account/me").await,
        (200, "guest-7 7".to_string())
    );
    assert_eq!(body(&app, "/nowhere").await.0, 404);
}

#[tokio::test]
async fn an_app_is_served() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(baton::serve(listener, app()).into_future());
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /account/me HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("guest-7 7"), "{text}");
    server.abort();
}

fn counter_middleware(count: Arc<AtomicUsize>) -> Counter {
    Counter(count)
}

struct Counter(Arc<AtomicUsize>);

impl<P: KeyList> baton::Middleware<P> for Counter {
    type Out = P;
    async fn call<E: baton::Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        self.0.fetch_add(1, Ordering::SeqCst);
        next.run(ctx).await
    }
}

#[tokio::test]
async fn a_middleware_that_provides_nothing_can_be_mounted_conditionally() {
    for enabled in [false, true] {
        let count = Arc::new(AtomicUsize::new(0));
        let app: App = Router::new()
            .with_if(enabled, counter_middleware(count.clone()))
            .with(web())
            .with(enabled.then(|| counter_middleware(count.clone())))
            .route("/", get(whoami))
            .route("/health", get(health))
            .into();
        assert_eq!(body(&app, "/").await.0, 200);
        assert_eq!(body(&app, "/health").await, (200, "ok true".to_string()));
        assert_eq!(count.load(Ordering::SeqCst), if enabled { 4 } else { 0 });
    }
}

#[tokio::test]
async fn groups_nest_and_run_in_order() {
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    #[derive(Clone)]
    struct Mark(&'static str, Arc<std::sync::Mutex<Vec<&'static str>>>);
    impl<P: KeyList> baton::Middleware<P> for Mark {
        type Out = P;
        async fn call<E: baton::Endpoint<P>>(
            &self,
            ctx: Context<P>,
            next: Next<'_, P, E>,
        ) -> Response {
            self.1.lock().unwrap().push(self.0);
            let response = next.run(ctx).await;
            self.1.lock().unwrap().push(self.0);
            response
        }
    }
    let mark = |name| Mark(name, order.clone());
    let app: App = Router::new()
        .with((mark("a"), (mark("b"), mark("c")), request_id, user))
        .with(mark("d"))
        .route("/", get(whoami))
        .into();
    assert_eq!(body(&app, "/").await, (200, "guest-7 7".to_string()));
    assert_eq!(
        *order.lock().unwrap(),
        ["a", "b", "c", "d", "d", "c", "b", "a"]
    );
}

#[tokio::test]
async fn tower_services_mount_at_a_path_or_prefix_after_the_routers_middleware() {
    let dir = std::env::temp_dir().join(format!("baton-nest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.css"), "body { color: red }").unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let hello = tower::service_fn(|_request: http::Request<baton::Body>| async {
        Ok::<_, std::convert::Infallible>(Response::new(baton::Body::from("tower")))
    });
    let app: App = Router::new()
        .with(counter_middleware(count.clone()))
        .route_service("/hello", hello)
        .scope("/assets", |assets| {
            assets.nest_service("/static", tower_http::services::ServeDir::new(&dir))
        })
        .into();
    assert_eq!(body(&app, "/hello").await, (200, "tower".to_string()));
    assert_eq!(
        body(&app, "/assets/static/app.css").await,
        (200, "body { color: red }".to_string())
    );
    assert_eq!(body(&app, "/assets/static/missing.css").await.0, 404);
    assert_eq!(count.load(Ordering::SeqCst), 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn layers_that_change_the_request_body_type_wrap_routes() {
    async fn echo(mut ctx: Context) -> Result<String, baton::BodyRejection> {
        Ok(format!("{} bytes", ctx.bytes().await?.len()))
    }
    let app: App = Router::new()
        .route("/echo", baton::post(echo))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(16))
        .into();
    let small = http::Request::post("/echo")
        .body(baton::Body::from("tiny"))
        .unwrap();
    let response = app.call_request(small).await;
    assert_eq!(response.status(), 200);
    let large = http::Request::post("/echo")
        .header("content-length", "64")
        .body(baton::Body::from(vec![b'x'; 64]))
        .unwrap();
    assert_eq!(app.call_request(large).await.status(), 413);
}

mod boundaries {
    use super::*;
    use baton::{ErrorKind, Failure, IntoResponse, StatusCode};

    fn html(failure: Failure) -> Response {
        let id = failure.try_get::<RequestId>().map_or(0, |id| id.0);
        let kind = match failure.kind() {
            ErrorKind::NotFound => "not found",
            ErrorKind::MethodNotAllowed => "method not allowed",
            ErrorKind::Handler => "handler",
            ErrorKind::Panic => "panic",
            _ => "other",
        };
        (
            failure.status(),
            baton::Html(format!(
                "<p>{kind}: {} (request {id})</p>",
                failure.message()
            )),
        )
            .into_response()
    }

    fn json(failure: Failure) -> Response {
        let body =
            serde_json::json!({ "status": failure.status().as_u16(), "error": failure.message() });
        (failure.status(), baton::Json(body)).into_response()
    }

    async fn conflict(_: Context) -> Result<&'static str, (StatusCode, &'static str)> {
        Err((StatusCode::CONFLICT, "already done"))
    }

    async fn on_purpose(_: Context) -> (StatusCode, &'static str) {
        (StatusCode::NOT_FOUND, "no such task")
    }

    async fn boom(_: Context) -> &'static str {
        panic!("boom")
    }

    fn app() -> App {
        Router::new()
            .with(request_id)
            .catch(html)
            .route("/", get(conflict).put(boom))
            .route("/purpose", get(on_purpose))
            .scope("/api", |api| api.catch(json).route("/tasks", get(conflict)))
            .into()
    }

    #[tokio::test]
    async fn each_scope_renders_its_own_errors_with_the_request_context() {
        let app = app();
        assert_eq!(
            body(&app, "/").await,
            (409, "<p>handler: already done (request 7)</p>".to_string())
        );
        assert_eq!(
            body(&app, "/nowhere").await,
            (404, "<p>not found: Not Found (request 7)</p>".to_string())
        );
        let put = app
            .call_request(http::Request::put("/").body(baton::Body::empty()).unwrap())
            .await;
        assert_eq!(put.status(), 500);
        let text = put.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(text, "<p>panic: Internal Server Error (request 7)</p>");
        let post = app
            .call_request(http::Request::post("/").body(baton::Body::empty()).unwrap())
            .await;
        assert_eq!(post.status(), 405);
        assert!(post.headers().contains_key("allow"));
        // JSON under /api, for its routes and its unmatched paths; the outer renderer leaves it alone.
        assert_eq!(
            body(&app, "/api/tasks").await,
            (409, r#"{"error":"already done","status":409}"#.to_string())
        );
        assert_eq!(
            body(&app, "/api/nothing").await,
            (404, r#"{"error":"Not Found","status":404}"#.to_string())
        );
        // A status chosen on purpose (`Ok`) is not an error.
        assert_eq!(
            body(&app, "/purpose").await,
            (404, "no such task".to_string())
        );
    }
}

#[tokio::test]
async fn the_connection_is_a_key_when_served_and_settable_in_tests() {
    use baton::connection::{Connection, connection_info};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[handler]
    async fn addresses(ctx: Context) -> String {
        let connection = ctx.get::<Connection>();
        format!("{} {}", connection.peer.ip(), connection.local.port())
    }
    let app = || -> App {
        Router::new()
            .with(connection_info())
            .route("/", get(addresses))
            .into()
    };

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(baton::serve(listener, app()).into_future());
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    assert!(
        text.ends_with(&format!("127.0.0.1 {}", address.port())),
        "{text}"
    );
    server.abort();

    // In process, a test plays the client by setting the addresses; without them it is a 500.
    let mut request = http::Request::get("/").body(baton::Body::empty()).unwrap();
    request.extensions_mut().insert(baton::ConnectInfo {
        peer: "203.0.113.7:52100".parse().unwrap(),
        local: "10.0.0.1:8080".parse().unwrap(),
    });
    let response = app().call_request(request).await;
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(bytes, "203.0.113.7 8080");
    assert_eq!(body(&app(), "/").await.0, 500);
}
