#[test]
fn ui_async_only() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/async_*.rs");
    cases.compile_fail("tests/ui/fail/async_*.rs");
}
