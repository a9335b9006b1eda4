//! Nothing to see here: this package holds baton's benchmarks (`context.rs`, `ambient.rs`), the
//! loopback servers under `examples/` and the axum interop test. A package needs a target of its own;
//! this empty library is it. See `BENCHMARKS.md` for the commands and the figures.
