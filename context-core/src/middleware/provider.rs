//! Providers: middleware that only produce values, the chain continuing by itself.

use super::{Endpoint, Middleware, Next};
use crate::context::Context;
use crate::key::ContextKey;
use crate::proof::{KeyList, Lacks};
use crate::response::Response;
use std::future::Future;

/// Key(s) a [`Provider`] provides: a key `K` or a tuple of up to 6 keys (nest providers for more).
///
/// You write it as [`Provider::Provides`]; the provider then returns the values in the same shape
/// (for a marker key, its value type), and the route gets the keys in tuple order:
///
/// ```
/// use baton::{Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
/// #[context_key(value = String)]
/// struct UserName;
///
/// struct Identify;
///
/// impl<P: KeyList + Lacks<RequestId> + Lacks<UserName>> Provider<P> for Identify {
///     type Provides = (RequestId, UserName);
///     async fn provide(&self, _ctx: &Context<P>) -> Result<(RequestId, String), Response> {
///         Ok((RequestId(7), "ada".to_string()))
///     }
/// }
///
/// // `RequestId` first, so it is the older key: the route's list is `(UserName, (RequestId, ()))`.
/// async fn show(ctx: Context<(UserName, (RequestId, ()))>) -> String {
///     format!("{} (request {})", ctx.get::<UserName>(), ctx.get::<RequestId>().0)
/// }
///
/// let app = Router::new().with(ProviderMiddleware(Identify)).route("/", get(show));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "ada (request 7)");
/// # });
/// ```
pub trait KeySet<P: KeyList> {
    /// The values, in the same shape (`K::Value` or a tuple of values).
    type Values: Send;
    /// The key list after providing.
    type Out: KeyList;
    #[doc(hidden)]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out>;
}

impl<P: KeyList + Lacks<K>, K: ContextKey> KeySet<P> for K {
    type Values = K::Value;
    type Out = (K, P);
    #[inline]
    fn apply(ctx: Context<P>, value: K::Value) -> Context<(K, P)> {
        ctx.provide_as::<K>(value)
    }
}

impl<P: KeyList, A: ContextKey> KeySet<P> for (A,)
where
    P: Lacks<A>,
{
    type Values = (A::Value,);
    type Out = (A, P);
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a,) = values;
        ctx.provide_as::<A>(a)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey> KeySet<P> for (A, B)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
{
    type Values = (A::Value, B::Value);
    type Out = (B, (A, P));
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b) = values;
        let ctx = ctx.provide_as::<A>(a);
        ctx.provide_as::<B>(b)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey> KeySet<P> for (A, B, C)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
{
    type Values = (A::Value, B::Value, C::Value);
    type Out = (C, (B, (A, P)));
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        ctx.provide_as::<C>(c)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey, D: ContextKey> KeySet<P>
    for (A, B, C, D)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value);
    type Out = (D, (C, (B, (A, P))));
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        ctx.provide_as::<D>(d)
    }
}

impl<P: KeyList, A: ContextKey, B: ContextKey, C: ContextKey, D: ContextKey, E: ContextKey>
    KeySet<P> for (A, B, C, D, E)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
    (D, (C, (B, (A, P)))): Lacks<E>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value, E::Value);
    type Out = (E, (D, (C, (B, (A, P)))));
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d, e) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        let ctx = ctx.provide_as::<D>(d);
        ctx.provide_as::<E>(e)
    }
}

impl<
    P: KeyList,
    A: ContextKey,
    B: ContextKey,
    C: ContextKey,
    D: ContextKey,
    E: ContextKey,
    F: ContextKey,
> KeySet<P> for (A, B, C, D, E, F)
where
    P: Lacks<A>,
    (A, P): Lacks<B>,
    (B, (A, P)): Lacks<C>,
    (C, (B, (A, P))): Lacks<D>,
    (D, (C, (B, (A, P)))): Lacks<E>,
    (E, (D, (C, (B, (A, P))))): Lacks<F>,
{
    type Values = (A::Value, B::Value, C::Value, D::Value, E::Value, F::Value);
    type Out = (F, (E, (D, (C, (B, (A, P))))));
    #[inline]
    fn apply(ctx: Context<P>, values: Self::Values) -> Context<Self::Out> {
        let (a, b, c, d, e, f) = values;
        let ctx = ctx.provide_as::<A>(a);
        let ctx = ctx.provide_as::<B>(b);
        let ctx = ctx.provide_as::<C>(c);
        let ctx = ctx.provide_as::<D>(d);
        let ctx = ctx.provide_as::<E>(e);
        ctx.provide_as::<F>(f)
    }
}

/// A middleware that only produces values; the chain continues by itself.
///
/// Returning `Err(response)` stops the chain and answers with that response (e.g. a 401).
///
/// ```
/// use baton::{Context, KeyList, Lacks, ProviderMiddleware, Provider, Response, Router, context_key, get};
///
/// #[context_key]
/// struct RequestId(u64);
///
/// struct AssignRequestId;
/// // `Lacks<RequestId>`: a key is provided once per route.
/// impl<P: KeyList + Lacks<RequestId>> Provider<P> for AssignRequestId {
///     type Provides = RequestId;
///     async fn provide(&self, _ctx: &Context<P>) -> Result<RequestId, Response> {
///         Ok(RequestId(7))
///     }
/// }
///
/// let app = Router::new()
///     .with(ProviderMiddleware(AssignRequestId))
///     .route("/", get(|ctx: Context<(RequestId, ())>| async move { ctx.get::<RequestId>().0.to_string() }));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "7");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a provider for this point of the chain",
    note = "a provider that requires keys must be mounted after the middleware providing them"
)]
pub trait Provider<P: KeyList>: Send + Sync + 'static {
    /// The key(s) provided: a key or a tuple of keys.
    type Provides: KeySet<P>;

    /// Produces the values, or an early response that ends the chain.
    fn provide(
        &self,
        ctx: &Context<P>,
    ) -> impl Future<Output = Result<<Self::Provides as KeySet<P>>::Values, Response>> + Send;
}

/// Mounts a [`Provider`] as a middleware: `.with(ProviderMiddleware(provider))`.
///
/// ```
/// use baton::{Context, KeyList, Lacks, Provider, ProviderMiddleware, Response, Router, context_key, get, handler};
///
/// #[context_key(value = u32)]
/// struct Page;
///
/// /// `?page=N`, 1 when absent.
/// struct PageNumber;
///
/// impl<P: KeyList + Lacks<Page>> Provider<P> for PageNumber {
///     type Provides = Page;
///     async fn provide(&self, ctx: &Context<P>) -> Result<u32, Response> {
///         let query = ctx.uri().query().unwrap_or("");
///         Ok(query.strip_prefix("page=").and_then(|n| n.parse().ok()).unwrap_or(1))
///     }
/// }
///
/// #[handler]
/// async fn list(ctx: Context) -> String {
///     format!("page {}", ctx.get::<Page>())
/// }
///
/// let app = Router::new().with(ProviderMiddleware(PageNumber)).route("/notes", get(list));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let response = app.call_request(http::Request::get("/notes?page=3").body(baton::Body::empty()).unwrap()).await;
/// assert_eq!(response.into_body().collect_bytes().await.unwrap(), "page 3");
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderMiddleware<T>(pub T);

impl<P: KeyList, T: Provider<P>> Middleware<P> for ProviderMiddleware<T> {
    type Out = <T::Provides as KeySet<P>>::Out;

    async fn call<E: Endpoint<Self::Out>>(
        &self,
        ctx: Context<P>,
        next: Next<'_, Self::Out, E>,
    ) -> Response {
        // Not `match provide().await { Ok(v) => next.run(..).await, .. }`: a match keeps its
        // scrutinee (here a `Result` with room for a `Response`) alive to its end, so every provider
        // would carry it across the rest of the chain, ~190 bytes a middleware in the request's future.
        let values = match self.0.provide(&ctx).await {
            Ok(values) => values,
            Err(response) => return response,
        };
        // Nothing runs after `next` here, so no guard of our own (see `run_unguarded`).
        next.run_unguarded(<T::Provides as KeySet<P>>::apply(ctx, values))
            .await
    }
}
