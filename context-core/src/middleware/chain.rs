//! How a router's middleware are composed: [`Chain`] (the stack declared so far), the chain links
//! built from it, and the erased [`Stage`]s that connect a router's middleware to its routes.

use super::frame::{self, Frame, Room, TailFuture};
use super::{Endpoint, Handler, MarkedHandler, Middleware, Next};
use crate::context::Context;
use crate::proof::KeyList;
use crate::response::Response;
use std::alloc::Layout;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// A middleware in front of the rest of a chain; `O` is its output key list.
#[doc(hidden)]
pub struct Stack<M, O, E> {
    middleware: Arc<M>,
    inner: E,
    _out: PhantomData<fn() -> O>,
}

impl<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O>> Endpoint<P>
    for Stack<M, O, E>
{
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        O::call(&self.middleware, ctx, Next::new(&self.inner))
    }

    fn tail_room(&self) -> Option<Layout> {
        self.inner.tail_room()
    }
}

/// `M` runs on the key list `P` and hands `Self` to the rest of the chain: `M: Middleware<P, Out =
/// Self>`, stated with the output list first.
///
/// A router's chain ([`Then`]) is bounded by this rather than by `M: Middleware<P>`: when `.with(m)`
/// refuses `m` (a requirement is missing), its output list has no type, so this bound is left open
/// instead of failing again on every later call, and the mistake is reported once, at the `.with`.
#[doc(hidden)]
pub trait Mounts<M, P: KeyList>: KeyList + Sized {
    /// Runs `middleware`.
    fn call<'a, E: Endpoint<Self>>(
        middleware: &'a M,
        ctx: Context<P>,
        next: Next<'a, Self, E>,
    ) -> impl Future<Output = Response> + Send + 'a;
}

// Hidden from errors: a refused middleware is reported by `with`'s own bound, once.
#[diagnostic::do_not_recommend]
impl<P: KeyList, M: Middleware<P, Out = O>, O: KeyList> Mounts<M, P> for O {
    #[inline(always)]
    fn call<'a, E: Endpoint<O>>(
        middleware: &'a M,
        ctx: Context<P>,
        next: Next<'a, O, E>,
    ) -> impl Future<Output = Response> + Send + 'a {
        middleware.call(ctx, next)
    }
}

/// `Self`, spelled so that an unknown `Self` (a refused middleware's output) stays unknown even when
/// a later route names its context type.
#[doc(hidden)]
pub trait Same {
    type Itself;
}

impl<T> Same for T {
    type Itself = T;
}

/// How many middleware nest inside one another before the rest of the chain is erased.
///
/// A chain's future is one nested type; rustc computes its layout recursively and stops at its recursion
/// limit (128 by default), reached near a dozen middleware, and every nested type's name repeats all the
/// types inside it (debug info grows with the square of the nesting). Every `PHASES`-th middleware
/// reaches the rest of the chain through an erased [`Stage`] (one allocation, as the boxed future it
/// replaces), which bounds both for any number of middleware.
///
/// Nothing to set: it is why a route with many middleware builds like one with few.
///
/// ```
/// assert_eq!(baton::middleware::PHASES, 8);
/// ```
pub const PHASES: usize = 8;

/// The position of a middleware in its router's chain, modulo [`PHASES`]: picks a [`Stack`] over the
/// rest of the chain or, for the last phase, over an erased [`Tail`].
#[doc(hidden)]
pub trait Phase: Send + Sync + 'static {
    /// The phase of the next middleware.
    type Next: Phase;
    /// The chain link for a middleware at this phase.
    type Link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static>: Endpoint<P>;
    /// Builds the link.
    fn link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static>(
        middleware: Arc<M>,
        inner: E,
    ) -> Self::Link<P, M, O, E>;
}

macro_rules! phases {
    ($($phase:ident => $next:ident),*; $last:ident => $first:ident) => {
        $(
            #[doc(hidden)]
            pub struct $phase;

            impl Phase for $phase {
                type Next = $next;
                type Link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static> =
                    Stack<M, O, E>;
                fn link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static>(
                    middleware: Arc<M>,
                    inner: E,
                ) -> Stack<M, O, E> {
                    Stack { middleware, inner, _out: PhantomData }
                }
            }
        )*

        #[doc(hidden)]
        pub struct $last;

        impl Phase for $last {
            type Next = $first;
            type Link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static> =
                Stack<M, O, Tail<O>>;
            fn link<P: KeyList, M: Send + Sync + 'static, O: Mounts<M, P>, E: Endpoint<O> + 'static>(
                middleware: Arc<M>,
                inner: E,
            ) -> Stack<M, O, Tail<O>> {
                Stack {
                    middleware,
                    inner: Tail::new(Arc::new(inner)),
                    _out: PhantomData,
                }
            }
        }
    };
}

phases!(
    Phase0 => Phase1, Phase1 => Phase2, Phase2 => Phase3, Phase3 => Phase4,
    Phase4 => Phase5, Phase5 => Phase6, Phase6 => Phase7;
    Phase7 => Phase0
);

/// The middleware declared so far on a router or scope, from its input context [`Chain::In`] (the
/// empty context for a router, the enclosing router's output for a scope) to [`Chain::Out`].
///
/// A router compiles its middleware once, not once per route: every route of a router or scope runs
/// the same instance of the chain type, which ends in an erased call to the matched route's next stage
/// (a nested scope's middleware, or the handler). Code size grows with routes + middleware, never with
/// their product; the proof is unchanged, because it lives in the types (`Context<Out>` is what each
/// route's handler must accept).
///
/// It is the `L` of [`Router<L, S>`](crate::Router); generic code bounds it to reach the keys a
/// router's middleware provide, [`Chain::Out`]:
///
/// ```
/// use baton::{Chain, Context, KeyList, Router, context_key, middleware};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
///
/// #[middleware(provides = RequestId)]
/// async fn request_id(_ctx: &Context) -> RequestId {
///     RequestId(7)
/// }
///
/// #[middleware(provides = UserName)]
/// async fn user(_ctx: &Context) -> String {
///     "ada".to_string()
/// }
///
/// fn provided_keys<L: Chain, S>(_router: &Router<L, S>) -> usize {
///     <L::Out as KeyList>::LEN
/// }
///
/// assert_eq!(provided_keys(&Router::new()), 0);
/// assert_eq!(provided_keys(&Router::new().with(request_id).with(user)), 2);
/// ```
pub trait Chain: Clone + Send + Sync + 'static {
    /// The key list the first middleware receives.
    type In: KeyList;
    /// The key list after every middleware ran.
    type Out: KeyList;
    /// The phase of the next middleware added.
    #[doc(hidden)]
    type Phase: Phase;
    /// The chain with endpoint `E` behind every middleware.
    #[doc(hidden)]
    type Wrapped<E: Endpoint<Self::Out> + 'static>: Endpoint<Self::In>;
    #[doc(hidden)]
    fn wrap<E: Endpoint<Self::Out> + 'static>(&self, endpoint: E) -> Self::Wrapped<E>;

    /// This stack of middleware in front of `next`, erased: one stage of a route.
    #[doc(hidden)]
    fn segment(&self, next: ErasedStage<Self::Out>) -> ErasedStage<Self::In> {
        Arc::new(self.wrap(Tail::new(next)))
    }
}

/// The start of a chain, no middleware yet: `P` is what is provided before it (`()` for a router,
/// the enclosing router's output for a scope).
///
/// [`Router::new()`](crate::Router::new) is a `Router<Start>`, and a scope's router, which
/// [`Scope<P>`](crate::Scope) names, a `Router<Start<P>>`: spelled out, a route group reads
///
/// ```
/// use baton::{Context, Has, Open, Routed, Router, Start, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// #[middleware(provides = User)]
/// async fn user(_ctx: &Context) -> User {
///     User("ada".into())
/// }
///
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<User>().0.clone()
/// }
///
/// // The same as `fn account<H, T>(scope: Scope<(H, T)>) -> Scope<(H, T), Routed>`.
/// fn account<H, T>(scope: Router<Start<(H, T)>, Open>) -> Router<Start<(H, T)>, Routed>
/// where
///     (H, T): Has<User>,
/// {
///     scope.route("/me", get(me))
/// }
///
/// let router: Router<Start, Open> = Router::new(); // nothing provided yet
/// let app = router.with(user).scope("/account", account);
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/account/me").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada");
/// # });
/// ```
pub struct Start<P = ()>(PhantomData<fn() -> P>);

impl<P> Start<P> {
    pub(crate) fn new() -> Self {
        Start(PhantomData)
    }
}

impl<P> Default for Start<P> {
    fn default() -> Self {
        Start::new()
    }
}

impl<P> Clone for Start<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Start<P> {}

impl<P> std::fmt::Debug for Start<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Start")
    }
}

impl<P: KeyList> Chain for Start<P> {
    type In = P;
    type Out = P;
    type Phase = Phase0;
    type Wrapped<E: Endpoint<P> + 'static> = E;
    fn wrap<E: Endpoint<P> + 'static>(&self, endpoint: E) -> E {
        endpoint
    }
    // Nothing to run: the stage is the next one itself, with no erased call in between.
    fn segment(&self, next: ErasedStage<P>) -> ErasedStage<P> {
        next
    }
}

/// The middleware `M` after the layers `L`, handing `O` (its [`Middleware::Out`]) to the rest.
///
/// Each [`with`](crate::Router::with) wraps the router's chain in one more `Then`. You meet it in type
/// names (compiler messages, editor hints) and rarely write it: a finished router is an
/// [`App`](crate::App), which hides the chain.
///
/// ```
/// use baton::{App, Context, Router, Start, Then, context_key, get, handler, middleware};
///
/// #[context_key]
/// struct User(String);
///
/// #[middleware(provides = User)]
/// async fn user(_ctx: &Context) -> User {
///     User("ada".into())
/// }
///
/// #[handler]
/// async fn me(ctx: Context) -> String {
///     ctx.get::<User>().0.clone()
/// }
///
/// // `#[middleware]` made `user` a unit struct; after it the routes have `(User, ())`.
/// let router: Router<Then<Start, user, (User, ())>> = Router::new().with(user);
/// let app: App = router.route("/me", get(me)).into();
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/me").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada");
/// # });
/// ```
pub struct Then<L, M, O> {
    layers: L,
    middleware: Arc<M>,
    _out: PhantomData<fn() -> O>,
}

impl<L: Clone, M, O> Clone for Then<L, M, O> {
    fn clone(&self) -> Self {
        Then {
            layers: self.layers.clone(),
            middleware: self.middleware.clone(),
            _out: PhantomData,
        }
    }
}

impl<L, M, O> Then<L, M, O> {
    pub(crate) fn new(layers: L, middleware: M) -> Self {
        Then {
            layers,
            middleware: Arc::new(middleware),
            _out: PhantomData,
        }
    }
}

impl<L: Chain, M: Send + Sync + 'static, O: Mounts<M, L::Out>> Chain for Then<L, M, O> {
    type In = L::In;
    type Out = <O as Same>::Itself;
    type Phase = <L::Phase as Phase>::Next;
    type Wrapped<E: Endpoint<O> + 'static> = L::Wrapped<<L::Phase as Phase>::Link<L::Out, M, O, E>>;
    fn wrap<E: Endpoint<O> + 'static>(&self, endpoint: E) -> Self::Wrapped<E> {
        self.layers
            .wrap(<L::Phase as Phase>::link(self.middleware.clone(), endpoint))
    }
}

/// One stage of a route, its type erased: a router's or scope's middleware, or a handler. Called with
/// the context its stage was built for, so no context type is erased: only the code behind it.
///
/// Its callers keep it alive for as long as its future runs (the stage before it in the same route,
/// or the router's future, which holds the route's `Arc`): no reference count is touched per request.
#[doc(hidden)]
pub trait Stage<P>: Send + Sync + 'static {
    /// Runs the stage as the rest of a chain, its future in `room` (a frame's spare room) when it
    /// fits there, boxed otherwise.
    fn run_in(&self, ctx: Context<P>, room: Option<Room>) -> TailFuture<'_>;

    /// Runs the stage as a whole route: its future in a [`Frame`] with room for the future of the
    /// chain's tail.
    fn run_framed(&self, ctx: Context<P>) -> Frame<'_>;

    /// The layout of the future [`run_in`](Stage::run_in) places: the room a frame reserves for it.
    fn future_layout(&self) -> Layout;
}

impl<P: KeyList, E: Endpoint<P> + 'static> Stage<P> for E {
    fn run_in(&self, ctx: Context<P>, room: Option<Room>) -> TailFuture<'_> {
        TailFuture::build(|| self.call(ctx), room)
    }

    fn run_framed(&self, ctx: Context<P>) -> Frame<'_> {
        Frame::build(|| self.call(ctx), self.tail_room())
    }

    fn future_layout(&self) -> Layout {
        // The layout of what `call` returns, without calling it.
        fn returned<A, R>(_: &impl Fn(A) -> R) -> Layout {
            Layout::new::<R>()
        }
        returned(&|ctx: Context<P>| self.call(ctx))
    }
}

/// A stage behind an `Arc`, as routes hold it.
#[doc(hidden)]
pub type ErasedStage<P> = Arc<dyn Stage<P>>;

/// The end of a router's or scope's middleware: calls the matched route's next stage.
///
/// Every route of a router shares one `Wrapped<Tail<Out>>` type (only the `next` value differs), which
/// is what compiles each middleware once per place it is mounted.
#[doc(hidden)]
pub struct Tail<P> {
    next: ErasedStage<P>,
    /// `next`'s future layout, asked once: the room a frame reserves for it on every request.
    room: Layout,
}

impl<P: KeyList> Tail<P> {
    fn new(next: ErasedStage<P>) -> Self {
        Tail {
            room: next.future_layout(),
            next,
        }
    }
}

impl<P: KeyList> Endpoint<P> for Tail<P> {
    fn call(&self, ctx: Context<P>) -> impl Future<Output = Response> + Send + '_ {
        // The route's first stage owns this one (through the chain), and its future outlives ours.
        self.next.run_in(ctx, frame::take_room())
    }

    fn tail_room(&self) -> Option<Layout> {
        Some(self.room)
    }
}

/// A whole route, from the empty context: the router calls it for a matched request.
pub(crate) type ErasedEndpoint = ErasedStage<()>;

/// A handler as a route's last stage.
pub(crate) fn handler_stage<P: KeyList, M: 'static, H: Handler<P, M>>(
    handler: H,
) -> ErasedStage<P> {
    Arc::new(MarkedHandler(handler, PhantomData))
}
