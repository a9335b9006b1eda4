//! Method routing: `get(h).post(h2)` and friends.

use crate::middleware::{ErasedEndpoint, Handler, HandlerEndpoint, Layers, erase};
use http::Method;

type Build<L> = Box<dyn FnOnce(&L) -> ErasedEndpoint>;

/// The handlers of one path, by method. Built with [`get`], [`post`], ... and chained:
/// `get(list).post(create)`.
///
/// Every handler is checked against the middleware declared above the route it is mounted on: the type
/// parameter `L` is that router's middleware stack, inferred from where the `MethodRouter` is used.
#[must_use = "a MethodRouter does nothing until mounted with `Router::route`"]
pub struct MethodRouter<L: Layers> {
    pub(crate) methods: Vec<(Method, Build<L>)>,
    pub(crate) any: Option<Build<L>>,
}

impl<L: Layers> Default for MethodRouter<L> {
    fn default() -> Self {
        MethodRouter {
            methods: Vec::new(),
            any: None,
        }
    }
}

impl<L: Layers> MethodRouter<L> {
    /// Answers `method` with `handler`.
    ///
    /// # Panics
    /// If `method` already has a handler on this path (a programming error, reported at startup).
    pub fn on<H: Handler<L::Out>>(mut self, method: Method, handler: H) -> Self {
        assert!(
            !self.methods.iter().any(|(existing, _)| *existing == method),
            "a handler for {method} is already set on this path"
        );
        self.methods.push((
            method,
            Box::new(move |layers: &L| erase(layers.wrap(HandlerEndpoint(handler)))),
        ));
        self
    }

    /// Answers every method not given its own handler.
    pub fn any<H: Handler<L::Out>>(mut self, handler: H) -> Self {
        self.any = Some(Box::new(move |layers: &L| {
            erase(layers.wrap(HandlerEndpoint(handler)))
        }));
        self
    }
}

macro_rules! method_fns {
    ($($name:ident => $method:ident),*) => {
        impl<L: Layers> MethodRouter<L> {$(
            #[doc = concat!("Answers `", stringify!($method), "` with `handler`.")]
            pub fn $name<H: Handler<L::Out>>(self, handler: H) -> Self {
                self.on(Method::$method, handler)
            }
        )*}

        $(
            #[doc = concat!("A [`MethodRouter`] answering `", stringify!($method), "` with `handler`.")]
            pub fn $name<L: Layers, H: Handler<L::Out>>(handler: H) -> MethodRouter<L> {
                MethodRouter::default().on(Method::$method, handler)
            }
        )*
    };
}

method_fns!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE, options => OPTIONS, head => HEAD);

/// A [`MethodRouter`] answering every method with `handler`.
pub fn any<L: Layers, H: Handler<L::Out>>(handler: H) -> MethodRouter<L> {
    MethodRouter::default().any(handler)
}
