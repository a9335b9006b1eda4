//! The built-ins' ordering rules are compile errors: each case under `tests/ui/fail` fails with
//! exactly the committed `.stderr` (the size bar on them is checked with the core's, in `../tests/ui.rs`).
//!
//! Regenerate an expected error after reading it: `TRYBUILD=overwrite cargo test -p baton-middleware --test ui`.

#[test]
fn ordering_rules() {
    trybuild::TestCases::new().compile_fail("tests/ui/fail/*.rs");
}
