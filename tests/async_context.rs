//! The ambient context's behaviours: visibility of values provided after the scope was entered, the
//! propagation helpers (and the bare `tokio::spawn` that does not propagate), std threads with a
//! snapshot, response bodies streamed after the handler returned, the typed app context, the accessors
//! outside a request and the test scopes.

use baton::ambient::{InContextExt, Snapshot};
use baton::{
    Body, Context, Endpoint, IntoResponse, KeyList, Lacks, Middleware, Next, Provider,
    ProviderMiddleware, Response, Router, StatusCode, context_key, get,
};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper::body::Frame;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

#[context_key]
struct RequestId(u64);

#[context_key(value = String)]
struct CurrentUser;

baton::app_context!(struct AppContext: RequestId, CurrentUser);

/// Provides `RequestId(id)`.
struct AssignId(u64);

impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignId {
    type Provides = RequestId;
    async fn provide(&self, _: &Context<P>) -> Result<RequestId, Response> {
        Ok(RequestId(self.0))
    }
}

/// Provides `CurrentUser`.
struct AssignUser(&'static str);

impl<P: KeyList + Lacks<CurrentUser>> Provider<P> for AssignUser {
    type Provides = CurrentUser;
    async fn provide(&self, _: &Context<P>) -> Result<String, Response> {
        Ok(self.0.to_string())
    }
}

/// The ambient request id, or `None` outside a request: what a logging helper does.
fn ambient_id() -> Option<u64> {
    baton::try_get_context()?
        .try_get::<RequestId>()
        .map(|id| id.0)
}

fn request(uri: &str) -> http::Request<Body> {
    http::Request::get(uri).body(Body::empty()).unwrap()
}

async fn text(response: Response) -> String {
    let bytes = response.into_body().collect_bytes().await.unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------------
// visibility

/// Records what the ambient context shows before and after the rest of the chain ran.
struct Probe(Arc<Mutex<Vec<String>>>);

impl<P: KeyList> Middleware<P> for Probe {
    type Out = P;
    async fn call<E: Endpoint<P>>(&self, ctx: Context<P>, next: Next<'_, P, E>) -> Response {
        self.0
            .lock()
            .unwrap()
            .push(format!("before: {:?}", ambient_id()));
        let response = next.run(ctx).await;
        self.0
            .lock()
            .unwrap()
            .push(format!("after: {:?}", ambient_id()));
        response
    }
}

#[tokio::test]
async fn a_value_provided_after_the_scope_was_entered_is_visible() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .with(baton::async_context())
        .with(Probe(log.clone()))
        .with(ProviderMiddleware(AssignId(17))) // provided below the scope entry and below the probe
        .route(
            "/",
            get(|_: Context<(RequestId, ())>| async {
                tokio::task::yield_now().await;
                format!("{:?}", ambient_id())
            }),
        );
    let response = app.call_request(request("/")).await;
    assert_eq!(text(response).await, "Some(17)");
    // The probe runs before the provider: nothing yet; after the chain ran, the same handle sees it.
    assert_eq!(
        *log.lock().unwrap(),
        vec!["before: None".to_string(), "after: Some(17)".to_string()]
    );
}

#[tokio::test]
async fn the_request_head_and_path_params_are_ambient() {
    let app = Router::new().with(baton::async_context()).route(
        "/users/{id}",
        get(|_: Context| async {
            let ctx = baton::get_context();
            format!(
                "{} {} id={}",
                ctx.method(),
                ctx.uri().path(),
                ctx.param("id").unwrap()
            )
        }),
    );
    let response = app.call_request(request("/users/42?x=1")).await;
    assert_eq!(text(response).await, "GET /users/42 id=42");
}

#[tokio::test]
async fn a_scope_level_async_context_under_a_global_one_reads_the_same_request() {
    let app = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(AssignId(3)))
        .scope("/api", |api| {
            api.with(baton::async_context()).route(
                "/",
                get(|_: Context<(RequestId, ())>| async {
                    let inner = baton::get_context();
                    format!("{:?}", inner.try_get::<RequestId>().map(|id| id.0))
                }),
            )
        });
    assert_eq!(
        text(app.call_request(request("/api")).await).await,
        "Some(3)"
    );
}

// ---------------------------------------------------------------------------------------------------
// propagation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn baton_spawn_and_spawn_blocking_see_the_context_but_a_bare_tokio_spawn_does_not() {
    let app = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(AssignId(99)))
        .route(
            "/",
            get(|_: Context<(RequestId, ())>| async {
                let spawned = baton::spawn(async {
                    tokio::task::yield_now().await;
                    ambient_id()
                })
                .await
                .unwrap();
                let blocking = baton::spawn_blocking(ambient_id).await.unwrap();
                let carried = tokio::spawn(async { ambient_id() }.in_context())
                    .await
                    .unwrap();
                // Documented limitation: task-locals are not inherited by a bare tokio::spawn.
                let bare = tokio::spawn(async { ambient_id() }).await.unwrap();
                let bare_blocking = tokio::task::spawn_blocking(ambient_id).await.unwrap();
                // ... and the strict accessor there panics with the fix in its message.
                let strict =
                    tokio::spawn(async { baton::get_context().try_get::<RequestId>().is_some() })
                        .await
                        .unwrap_err();
                let message = panic_message(strict.into_panic());
                format!(
                    "{spawned:?} {blocking:?} {carried:?} {bare:?} {bare_blocking:?} {}",
                    message.contains("baton::spawn")
                )
            }),
        );
    let response = app.call_request(request("/")).await;
    assert_eq!(
        text(response).await,
        "Some(99) Some(99) Some(99) None None true"
    );
}

#[tokio::test]
async fn a_std_thread_with_a_snapshot_sees_the_context() {
    let app = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(AssignId(5)))
        .route(
            "/",
            get(|_: Context<(RequestId, ())>| async {
                let snapshot = Snapshot::capture();
                let with_snapshot = std::thread::spawn(move || snapshot.sync_scope(ambient_id));
                let without = std::thread::spawn(ambient_id);
                format!(
                    "{:?} {:?}",
                    with_snapshot.join().unwrap(),
                    without.join().unwrap()
                )
            }),
        );
    assert_eq!(
        text(app.call_request(request("/")).await).await,
        "Some(5) None"
    );
}

#[tokio::test]
async fn with_context_carries_a_snapshot_into_a_joinset() {
    let ctx = Context::default().provide(RequestId(21));
    let snapshot = Snapshot::of(&ctx);
    let mut jobs = tokio::task::JoinSet::new();
    for _ in 0..4 {
        jobs.spawn(
            async {
                tokio::task::yield_now().await;
                ambient_id()
            }
            .with_context(snapshot.clone()),
        );
    }
    assert_eq!(jobs.join_all().await, vec![Some(21); 4]);
}

/// A body that produces its frames lazily, reading the ambient context on each poll, and is pending
/// once between frames (as a streamed body from a database cursor or a channel would be).
struct AmbientBody {
    frames_left: u32,
    pending_next: bool,
}

impl hyper::body::Body for AmbientBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.frames_left == 0 {
            return Poll::Ready(None);
        }
        if self.pending_next {
            self.pending_next = false;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.pending_next = true;
        self.frames_left -= 1;
        let chunk = format!("{:?};", ambient_id());
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(chunk)))))
    }
}

fn streaming_app() -> Router<impl baton::Chain, baton::Routed> {
    let handler = |_: Context<(RequestId, ())>| async {
        Body::new(AmbientBody {
            frames_left: 3,
            pending_next: false,
        })
    };
    Router::new()
        .with(ProviderMiddleware(AssignId(8)))
        .scope("/scoped", |scoped| {
            scoped.with(baton::async_context()).route("/", get(handler))
        })
        .route("/bare", get(handler))
}

#[tokio::test]
async fn a_response_body_streamed_after_the_handler_returned_sees_the_context() {
    let app = streaming_app();
    // The body is collected here, on a task with no scope, after the chain has returned.
    let response = app.call_request(request("/scoped")).await;
    assert!(baton::try_get_context().is_none());
    assert_eq!(text(response).await, "Some(8);Some(8);Some(8);");
    // Without `async_context()` on the route, the same body sees nothing.
    let response = app.call_request(request("/bare")).await;
    assert_eq!(text(response).await, "None;None;None;");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streamed_body_sees_the_context_through_a_real_server() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        baton::serve(listener, streaming_app())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<Bytes>>();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        client.request(
            http::Request::get(format!("http://{address}/scoped"))
                .body(Empty::new())
                .unwrap(),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, "Some(8);Some(8);Some(8);");
    drop(client);
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------------
// typed app context

#[tokio::test]
async fn the_typed_app_context_reads_declared_keys_without_option() {
    fn audit(action: &str) -> String {
        let ctx = AppContext::current();
        format!(
            "{} {action} #{}",
            ctx.get::<CurrentUser>(),
            ctx.get::<RequestId>().0
        )
    }
    let app = Router::new()
        .with(baton::async_context())
        .with(ProviderMiddleware(AssignId(1)))
        .with(ProviderMiddleware(AssignUser("ada")))
        .with(AppContext::async_context())
        .route(
            "/",
            get(|_: Context<(CurrentUser, (RequestId, ()))>| async {
                tokio::task::yield_now().await;
                let borrowed = AppContext::with(|ctx| ctx.get::<RequestId>().0);
                let deref = AppContext::current().uri().path().to_string();
                let via_untyped = baton::get_context()
                    .app::<AppContext>()
                    .map(|app| app.get::<CurrentUser>().clone());
                format!("{} {borrowed} {deref} {via_untyped:?}", audit("login"))
            }),
        );
    assert_eq!(
        text(app.call_request(request("/")).await).await,
        "ada login #1 1 / Some(\"ada\")"
    );
}

#[context_key(value = String)]
struct TenantName;

#[context_key]
struct Unrelated;

// Declared in another order than provided, with a key of the same value type as `CurrentUser`.
baton::app_context!(struct Reordered: TenantName, RequestId, CurrentUser);

#[test]
fn typed_reads_find_each_declared_key_whatever_the_provision_order() {
    let ctx = Context::default()
        .provide(Unrelated)
        .provide_as::<CurrentUser>("lin".to_string())
        .provide(RequestId(5))
        .provide(Other)
        .provide_as::<TenantName>("acme".to_string());
    Snapshot::of_app::<Reordered>(&ctx).sync_scope(|| {
        let ctx = Reordered::current();
        assert_eq!(ctx.get::<RequestId>().0, 5);
        assert_eq!(ctx.get::<CurrentUser>(), "lin");
        assert_eq!(ctx.get::<TenantName>(), "acme");
        // The untyped search goes by key too, so two `String` keys stay apart.
        let untyped = baton::get_context();
        assert_eq!(
            untyped.try_get::<CurrentUser>().map(String::as_str),
            Some("lin")
        );
        assert_eq!(
            untyped.try_get::<TenantName>().map(String::as_str),
            Some("acme")
        );
    });
}

#[context_key]
struct Other;

#[tokio::test]
async fn a_typed_read_in_an_untyped_scope_names_the_fix() {
    let ctx = Context::default().provide(RequestId(1));
    let message = Snapshot::of(&ctx).sync_scope(|| {
        assert!(AppContext::try_current().is_none());
        panic_message(catch_unwind(|| AppContext::current().get::<RequestId>().0).unwrap_err())
    });
    assert!(
        message.starts_with("AppContext::current() was called in a request scope entered by `async_context()`, which is untyped."),
        "{message}"
    );
    assert!(
        message.contains("baton::async_context_for::<AppContext>()"),
        "{message}"
    );
}

#[test]
fn test_scopes_run_code_with_a_built_context_and_no_server() {
    let ctx = Context::default()
        .provide(RequestId(12))
        .provide_as::<CurrentUser>("grace".to_string());
    let typed = Snapshot::of_app::<AppContext>(&ctx);
    assert_eq!(
        typed.sync_scope(|| AppContext::current().get::<CurrentUser>().clone()),
        "grace"
    );
    let untyped = Snapshot::of(&ctx);
    assert_eq!(untyped.sync_scope(ambient_id), Some(12));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let id = runtime.block_on(untyped.scope(async {
        tokio::task::yield_now().await;
        ambient_id()
    }));
    assert_eq!(id, Some(12));
    assert_eq!(ambient_id(), None);
}

// ---------------------------------------------------------------------------------------------------
// outside any request

#[test]
fn outside_a_request_the_safe_accessors_return_none() {
    assert!(baton::try_get_context().is_none());
    assert!(baton::try_with_context(|_| ()).is_none());
    assert!(Snapshot::current().is_none());
    assert!(AppContext::try_current().is_none());
    assert!(AppContext::try_with(|ctx| ctx.get::<RequestId>().0).is_none());
}

#[test]
#[should_panic(
    expected = "baton::get_context() was called outside a request scope: no baton ambient context is set on this task or thread."
)]
fn outside_a_request_the_strict_accessor_panics() {
    baton::get_context();
}

#[test]
fn the_strict_accessors_panic_message_names_the_cause_and_the_fix() {
    let message = panic_message(catch_unwind(baton::get_context).unwrap_err());
    assert!(message.contains("outside a request scope"), "{message}");
    assert!(
        message.contains("mount `baton::async_context()`"),
        "{message}"
    );
    assert!(message.contains("`baton::spawn`"), "{message}");
    assert!(message.contains("try_get_context()"), "{message}");

    let message = panic_message(catch_unwind(|| baton::with_context(|_| ())).unwrap_err());
    assert!(
        message.starts_with("baton::with_context() was called outside a request scope"),
        "{message}"
    );
    let message =
        panic_message(catch_unwind(AssertUnwindSafe(|| AppContext::current())).unwrap_err());
    assert!(
        message.starts_with("AppContext::current() was called outside a request scope"),
        "{message}"
    );
}

#[test]
fn the_strict_accessor_reports_the_callers_location() {
    let hook_location = Arc::new(Mutex::new(None));
    let seen = hook_location.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        *seen.lock().unwrap() = info.location().map(|location| location.file().to_string());
    }));
    // A closure, not the fn item: `#[track_caller]` reports the line that calls it.
    let _ = catch_unwind(|| baton::get_context());
    std::panic::set_hook(previous);
    assert_eq!(hook_location.lock().unwrap().as_deref(), Some(file!()));
}

#[tokio::test]
async fn an_early_response_from_a_provider_still_works_under_the_scope() {
    struct Deny;
    impl<P: KeyList + Lacks<CurrentUser>> Provider<P> for Deny {
        type Provides = CurrentUser;
        async fn provide(&self, _: &Context<P>) -> Result<String, Response> {
            Err((StatusCode::UNAUTHORIZED, format!("{:?}", ambient_id())).into_response())
        }
    }
    let app = Router::new()
        .with(ProviderMiddleware(AssignId(4)))
        .with(baton::async_context())
        .with(ProviderMiddleware(Deny))
        .route(
            "/",
            get(|_: Context<(CurrentUser, (RequestId, ()))>| async { "unreachable" }),
        );
    let response = app.call_request(request("/")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(text(response).await, "Some(4)");
}

#[test]
fn scopes_nest_and_the_outer_context_is_current_again_after_the_inner_one() {
    let outer = Context::default().provide(RequestId(1));
    let inner = Context::default().provide(RequestId(2));
    let seen = Snapshot::of(&outer).sync_scope(|| {
        // Lent to `with_context`, the outer handle stays what the closure sees, even while an inner
        // scope is entered inside it.
        baton::with_context(|lent| {
            let nested = Snapshot::of(&inner).sync_scope(ambient_id);
            (
                lent.try_get::<RequestId>().map(|id| id.0),
                nested,
                ambient_id(),
            )
        })
    });
    assert_eq!(seen, (Some(1), Some(2), Some(1)));
    assert_eq!(ambient_id(), None);
}

#[test]
fn a_panic_inside_a_scope_puts_the_previous_context_back() {
    let outer = Context::default().provide(RequestId(1));
    let inner = Context::default().provide(RequestId(2));
    Snapshot::of(&outer).sync_scope(|| {
        let unwound = catch_unwind(AssertUnwindSafe(|| {
            Snapshot::of(&inner).sync_scope(|| panic!("handler failed"))
        }));
        assert!(unwound.is_err());
        assert_eq!(ambient_id(), Some(1));
    });
    assert_eq!(ambient_id(), None);
}

#[tokio::test]
async fn two_requests_polled_in_turn_on_one_thread_each_see_their_own_context() {
    let first = Context::default().provide(RequestId(10));
    let second = Context::default().provide(RequestId(20));
    let worker = |id| async move {
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(ambient_id());
            tokio::task::yield_now().await;
        }
        (id, seen)
    };
    let (a, b) = tokio::join!(
        Snapshot::of(&first).scope(worker(10)),
        Snapshot::of(&second).scope(worker(20)),
    );
    assert_eq!(a, (10, vec![Some(10); 3]));
    assert_eq!(b, (20, vec![Some(20); 3]));
    assert_eq!(ambient_id(), None);
}
