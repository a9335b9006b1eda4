//! Key identity: two key types never share an identity, and the proof cannot be talked into reading
//! one key's value under another's name. The compile-time halves are trybuild cases
//! (`tests/ui/fail/core_key_*.rs`, `core_sealed_*.rs`).

use baton::{Context, ContextKey, context_key};

macro_rules! name_key {
    () => {
        #[baton::context_key(value = String)]
        pub struct Name;
    };
}

mod user {
    name_key!();
}
mod org {
    name_key!();
}

#[test]
fn one_macro_rules_expanded_in_two_modules_declares_two_keys() {
    let ctx = Context::default().provide_as::<user::Name>("ada".to_string());
    assert_eq!(ctx.try_get::<org::Name>(), None);
    // `Lacks<org::Name>` holds: the two keys have distinct fingerprints.
    let ctx = ctx.provide_as::<org::Name>("acme".to_string());
    assert_eq!(ctx.get::<user::Name>(), "ada");
    assert_eq!(ctx.get::<org::Name>(), "acme");
}

mod included_a {
    include!("ui/support/included_key.rs");
}
mod included_b {
    include!("ui/support/included_key.rs");
}

#[test]
fn one_file_included_in_two_modules_declares_two_keys() {
    let ctx = Context::default()
        .provide_as::<included_a::Name>("a".to_string())
        .provide_as::<included_b::Name>("b".to_string());
    assert_eq!(ctx.get::<included_a::Name>(), "a");
    assert_eq!(ctx.get::<included_b::Name>(), "b");
}

#[test]
fn keys_at_the_same_place_in_two_crates_are_two_keys() {
    // Both crates declare `Name` at `src/lib.rs:1:1`.
    let ctx = Context::default().provide_as::<baton_twin_a::Name>("a".to_string());
    assert_eq!(ctx.try_get::<baton_twin_b::Name>(), None);
    let ctx = ctx.provide_as::<baton_twin_b::Name>("b".to_string());
    assert_eq!(ctx.get::<baton_twin_a::Name>(), "a");
    assert_eq!(ctx.get::<baton_twin_b::Name>(), "b");
}

macro_rules! two_keys_in_one_module {
    ($($name:ident),*) => {$(
        struct $name;
        impl ContextKey for $name {
            type Value = u32;
            type Id = baton::key_id!($name);
        }
    )*};
}
two_keys_in_one_module!(First, Second);

#[test]
fn hand_written_keys_from_one_macro_differ_by_their_input() {
    let ctx = Context::default()
        .provide_as::<First>(1)
        .provide_as::<Second>(2);
    assert_eq!((*ctx.get::<First>(), *ctx.get::<Second>()), (1, 2));
}

#[context_key(id = "baton.tests.tenant")]
struct Tenant(u32);

mod moved {
    // The same explicit id in another module: a different type, so still a different key at run
    // time, and a compile error (not an alias) where both meet on a route.
    #[baton::context_key(id = "baton.tests.moved-tenant")]
    pub struct Tenant(pub u32);
}

#[test]
fn explicit_ids_are_identities() {
    let ctx = Context::default()
        .provide(Tenant(1))
        .provide(moved::Tenant(2));
    assert_eq!(ctx.get::<Tenant>().0, 1);
    assert_eq!(ctx.get::<moved::Tenant>().0, 2);
}

/// A generic key: every instance shares the fingerprint `key_id!()` gives.
struct Slot<T>(T);
impl<T: Send + Sync + 'static> ContextKey for Slot<T> {
    type Value = u64;
    type Id = baton::key_id!();
}

#[test]
fn a_generic_key_reads_only_its_own_instance() {
    let ctx = Context::default().provide_as::<Slot<u8>>(8);
    assert_eq!(*ctx.get::<Slot<u8>>(), 8);
    // At run time the search is by type, so the other instance is absent, not aliased.
    assert_eq!(ctx.try_get::<Slot<u16>>(), None);
    let _ = Slot(0u8).0;
}

#[test]
fn replace_writes_the_key_it_names() {
    let ctx = Context::default()
        .provide_as::<user::Name>("ada".to_string())
        .provide_as::<org::Name>("acme".to_string());
    let ctx = ctx.replace::<user::Name>("grace".to_string());
    assert_eq!(ctx.get::<user::Name>(), "grace");
    assert_eq!(ctx.get::<org::Name>(), "acme");
}
