//! `LEVERAGE_TIMING_CHECKS=1` at build time compiles the wall-clock guards of
//! `tests/timing.rs` in (as `cfg(timing_checks)`). Without it that test
//! binary holds no test: on a shared, busy machine a wall-clock limit fails
//! for reasons that are not the code's, so the normal suite keeps only the
//! deterministic budgets (`tests/budgets.rs`) and the timing guards are run
//! on purpose, on a quiet machine:
//!
//! ```sh
//! LEVERAGE_TIMING_CHECKS=1 cargo test -p leverage-bench --test timing
//! ```

fn main() {
    println!("cargo::rustc-check-cfg=cfg(timing_checks)");
    println!("cargo::rerun-if-env-changed=LEVERAGE_TIMING_CHECKS");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("LEVERAGE_TIMING_CHECKS").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=timing_checks");
    }
}
