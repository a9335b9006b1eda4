//! Compile-time guarantees, checked with trybuild: every program under `tests/ui/pass` compiles, and every
//! program under `tests/ui/fail` fails with exactly the committed `.stderr`.
//!
//! The expected errors are those of the README's test command, `cargo test --workspace`: the features
//! the workspace turns on (the board enables the built-ins) add types to the build, which changes how
//! rustc shortens paths in a few messages. Regenerate an expected error after reading it:
//! `TRYBUILD=overwrite cargo test --workspace --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}

/// The longest a compile-fail case's expected output may be: one error a reader takes in at a glance.
const MAX_LINES: usize = 20;

/// Cases allowed past the bar, each with the reason stable rustc leaves no way under it. Every entry
/// must still fail the bar: an exemption that is no longer needed fails this test, so the list only
/// shrinks.
const EXEMPT: &[(&str, &str)] = &[
    (
        "core_generic_handler_ambiguous",
        "an ambiguity (E0283), not an unmet bound: rustc lists both `Handler` impls a generic fn item \
         could use and suggests turbofish arguments; it does not use the fn's own `P: Has<User>` to \
         choose. docs/errors.md gives the fix (`#[handler]`, or a non-empty list `(H, T)`)",
    ),
    (
        "macro_next_called_twice",
        "one mistake consumes two values (`next` and `ctx`), and the borrow checker reports each move",
    ),
    (
        "core_get_not_a_key",
        "`get::<K>()` states `K: ContextKey` and `P: Has<K>`; both fail for a non-key and rustc reports \
         each bound (the `Has` bound cannot require `K: ContextKey` without breaking generated bounds)",
    ),
];

/// Every expected error is a single error of at most `MAX_LINES` lines, bar the listed exemptions.
#[test]
fn every_compile_fail_case_is_one_short_error() {
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    // The built-ins' cases live in their crate (so the root package needs no built-in to run
    // `cargo run --example ..`); the bar is the same.
    let entries = ["tests/ui/fail", "context-middleware/tests/ui/fail"]
        .into_iter()
        .flat_map(|dir| std::fs::read_dir(dir).expect("the ui case directories exist"));
    for entry in entries {
        let path = entry.expect("readable directory").path();
        if path.extension().is_none_or(|ext| ext != "stderr") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("readable .stderr");
        let lines = text.lines().count();
        let errors = text
            .lines()
            .filter(|line| line.starts_with("error"))
            .count();
        let within = lines <= MAX_LINES && errors == 1;
        match (EXEMPT.iter().any(|(exempt, _)| *exempt == name), within) {
            (false, false) => problems.push(format!("{name}: {lines} lines, {errors} errors")),
            (true, true) => problems.push(format!("{name}: meets the bar, drop its exemption")),
            _ => {}
        }
        seen.push(name);
    }
    for (name, _) in EXEMPT {
        if !seen.iter().any(|case| case == name) {
            problems.push(format!("{name}: exempt, but there is no such case"));
        }
    }
    assert!(
        problems.is_empty(),
        "compile-fail cases must be one error of at most {MAX_LINES} lines:\n{}",
        problems.join("\n")
    );
}
