//! Compile-time guarantees, checked with trybuild: every program under `tests/ui/pass` compiles, and every
//! program under `tests/ui/fail` fails with exactly the committed `.stderr`.
//!
//! Regenerate an expected error after reading it: `TRYBUILD=overwrite cargo test --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
