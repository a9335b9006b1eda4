//! A route behind 64 providing middleware compiles and runs: no arity limit in the proof.

use baton::{
    Body, Context, Endpoint, Has, KeyList, Lacks, Middleware, Next, Response, Router, StatusCode,
    context_key, get,
};

/// Declares, per entry, a key `K(usize)` and an around middleware `M` that provides `K(n)`, and
/// `mount`, which adds every middleware to a router in order.
macro_rules! providers {
    ($($key:ident $middleware:ident $n:literal),* $(,)?) => {
        $(
            #[context_key]
            struct $key(usize);

            struct $middleware;

            impl<P: KeyList + Lacks<$key>> Middleware<P> for $middleware {
                type Out = ($key, P);

                async fn call<E: Endpoint<Self::Out>>(
                    &self,
                    ctx: Context<P>,
                    next: Next<'_, Self::Out, E>,
                ) -> Response {
                    // Every earlier middleware already provided its key.
                    assert_eq!(ctx.store().len(), $n);
                    next.run(ctx.provide($key($n))).await
                }
            }
        )*

        fn read_all<P: KeyList>(ctx: &Context<P>) -> Vec<usize> {
            vec![$(ctx.try_get::<$key>().map_or(usize::MAX, |key| key.0)),*]
        }

        macro_rules! mount {
            ($router:expr) => { $router $(.with($middleware))* };
        }
    };
}

providers!(
    K0 M0 0,
    K1 M1 1,
    K2 M2 2,
    K3 M3 3,
    K4 M4 4,
    K5 M5 5,
    K6 M6 6,
    K7 M7 7,
    K8 M8 8,
    K9 M9 9,
    K10 M10 10,
    K11 M11 11,
    K12 M12 12,
    K13 M13 13,
    K14 M14 14,
    K15 M15 15,
    K16 M16 16,
    K17 M17 17,
    K18 M18 18,
    K19 M19 19,
    K20 M20 20,
    K21 M21 21,
    K22 M22 22,
    K23 M23 23,
    K24 M24 24,
    K25 M25 25,
    K26 M26 26,
    K27 M27 27,
    K28 M28 28,
    K29 M29 29,
    K30 M30 30,
    K31 M31 31,
    K32 M32 32,
    K33 M33 33,
    K34 M34 34,
    K35 M35 35,
    K36 M36 36,
    K37 M37 37,
    K38 M38 38,
    K39 M39 39,
    K40 M40 40,
    K41 M41 41,
    K42 M42 42,
    K43 M43 43,
    K44 M44 44,
    K45 M45 45,
    K46 M46 46,
    K47 M47 47,
    K48 M48 48,
    K49 M49 49,
    K50 M50 50,
    K51 M51 51,
    K52 M52 52,
    K53 M53 53,
    K54 M54 54,
    K55 M55 55,
    K56 M56 56,
    K57 M57 57,
    K58 M58 58,
    K59 M59 59,
    K60 M60 60,
    K61 M61 61,
    K62 M62 62,
    K63 M63 63
);

async fn first_middle_last<P: Has<K0> + Has<K31> + Has<K63>>(ctx: Context<P>) -> String {
    assert_eq!(read_all(&ctx), (0..64).collect::<Vec<_>>());
    format!(
        "{} {} {} of {}",
        ctx.get::<K0>().0,
        ctx.get::<K31>().0,
        ctx.get::<K63>().0,
        ctx.store().len()
    )
}

#[tokio::test]
async fn a_route_behind_64_providing_middleware_reads_the_first_and_the_64th_key() {
    let app = mount!(Router::new()).route("/deep", get(first_middle_last));

    let request = http::Request::get("/deep").body(Body::empty()).unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect_bytes().await.unwrap();
    assert_eq!(body, "0 31 63 of 64");

    // The 404 runs the same 64 middleware (global middleware run for every request).
    let request = http::Request::get("/missing").body(Body::empty()).unwrap();
    assert_eq!(app.call_request(request).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_64_keys_can_be_split_between_global_middleware_and_a_scope() {
    // A concrete context type with the 64 keys, newest first, as a handler could name it.
    let app = mount!(Router::new()).scope("/api", |api| {
        api.route(
            "/",
            get(|ctx: Context<_>| async move { first_middle_last(ctx).await }),
        )
    });
    let request = http::Request::get("/api").body(Body::empty()).unwrap();
    let response = app.call_request(request).await;
    assert_eq!(response.status(), StatusCode::OK);
}
