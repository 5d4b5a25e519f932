//! The timing budgets, guarded at three times their limits, by the wall
//! clock. Opt-in: these tests are compiled only with
//! `LEVERAGE_TIMING_CHECKS=1` set at build time (see `build.rs`), since on a
//! shared, busy machine a wall-clock limit fails for reasons that are not
//! the code's:
//!
//! ```sh
//! LEVERAGE_TIMING_CHECKS=1 cargo test -p leverage-bench --test timing
//! ```
//!
//! The budgets themselves are measured by the release benchmark
//! (`cargo run --release -p leverage-bench --bin bench`), which also checks
//! them. A debug build is slower than the product everywhere, so a budget
//! that holds three times over in debug says little; but one broken by that
//! much in debug means something grossly wrong, of the kind these guards
//! were written for: the component compiled at run time instead of
//! deserialized (≈ 1 s), a second spent waiting for the EC2 instance
//! metadata service, the SDK or the core loaded to print `--help`, a
//! quadratic step in planning. Medians of interleaved runs, in fresh
//! processes, one guard at a time.
//!
//! Not guarded here: wasm/native (1.5). The native core is built without
//! optimisation in a debug build while the component is always an optimised
//! release build, so that ratio would hold whatever happened.

#![cfg(timing_checks)]

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use leverage_bench::measure::{core_start, interleaved, median};
use leverage_bench::moto::Moto;
use leverage_bench::project::{start_up_command, with_management_id, RunDir, PROJECT_YAML, START_UP_SIDES};
use leverage_bench::world::{large_input, Declared, LargeInput};
use leverage_cli::engine::Core;

/// How far over a budget a guard lets a debug build go.
const WIDE_MARGIN: f64 = 3.0;

/// One guard at a time: they time processes and must not share the CPUs.
static TIMING: Mutex<()> = Mutex::new(());

/// The product binary of this build. `cargo test` builds it
/// with the host's integration tests; it is looked up beside this package's
/// own binaries.
fn leverage() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_floor")).with_file_name("leverage");
    assert!(
        path.exists(),
        "{} is missing: run `cargo test` (or `cargo build -p leverage`) first",
        path.display()
    );
    path
}

#[test]
fn start_up_stays_within_three_times_its_budget() {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    const BUDGET_MS: f64 = 5.0;
    let leverage = leverage();
    let trivial = env!("CARGO_BIN_EXE_trivial");
    let medians = interleaved(9, &START_UP_SIDES, |j| {
        start_up_command(Path::new(trivial), &leverage, j)
    })
    .unwrap();
    for (name, median) in START_UP_SIDES.iter().zip(&medians).skip(1) {
        let extra_ms = (median.as_secs_f64() - medians[0].as_secs_f64()) * 1e3;
        assert!(
            extra_ms <= BUDGET_MS * WIDE_MARGIN,
            "`{name}` took {extra_ms:.1} ms more than a trivial binary (budget {BUDGET_MS} ms, guarded at {WIDE_MARGIN}×)"
        );
    }
}

#[test]
fn the_component_starts_within_three_times_its_budget() {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    const BUDGET_MS: f64 = 5.0;
    // The bench binary times `Core::load()` and one instantiation in a
    // fresh process, as every run of the CLI pays them.
    let mut starts: Vec<Duration> = Vec::new();
    for _ in 0..7 {
        let (load, instantiate) = core_start(Path::new(env!("CARGO_BIN_EXE_bench"))).unwrap();
        starts.push(load + instantiate);
    }
    let start_ms = median(&starts).as_secs_f64() * 1e3;
    assert!(
        start_ms <= BUDGET_MS * WIDE_MARGIN,
        "loading and instantiating the component took {start_ms:.1} ms (budget {BUDGET_MS} ms, guarded at {WIDE_MARGIN}×)"
    );
}

#[test]
fn a_run_stays_within_three_times_the_floor_budget() {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    const BUDGET: f64 = 1.3;
    let moto = Moto::start(None).expect("moto starts");
    let state = moto
        .organization(&["security".into(), "shared".into(), "network".into()])
        .expect("the organization is made");
    let (key, secret) = (&state.user.access_key_id, &state.user.secret_access_key);
    let base = tempfile::tempdir().unwrap();
    let yaml = with_management_id(PROJECT_YAML);
    let leverage = leverage();
    // A fresh HOME and project for every run, as in the benchmark's row 1.
    let mut count = 0;
    let mut fresh = || {
        count += 1;
        RunDir::new(base.path(), &format!("run-{count}"), &yaml, key, secret).unwrap()
    };
    let floor = Path::new(env!("CARGO_BIN_EXE_floor"));
    let medians = interleaved(5, &["leverage", "floor"], |j| {
        let dir = fresh();
        if j == 0 {
            let mut cmd = dir.command(&leverage, &moto.endpoint);
            cmd.args(dir.configure_args());
            cmd
        } else {
            let mut cmd = dir.command(floor, &moto.endpoint);
            cmd.arg(&dir.csv);
            cmd
        }
    })
    .unwrap();
    let ratio = medians[0].as_secs_f64() / medians[1].as_secs_f64();
    assert!(
        ratio <= BUDGET * WIDE_MARGIN,
        "a MANAGEMENT run took {:.1} ms against the floor's {:.1} ms: {ratio:.2}× (budget {BUDGET}, guarded at {WIDE_MARGIN}×)",
        medians[0].as_secs_f64() * 1e3,
        medians[1].as_secs_f64() * 1e3,
    );
}

/// The fastest of `runs` runs: the least disturbed by other processes.
fn fastest(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// 500 and 5,000 accounts, all declared in project.yaml (as in budgets.rs,
/// which checks the same growth by allocation counts).
fn inputs() -> (LargeInput, LargeInput) {
    (
        large_input(499, 100 << 10, Declared::AllInProjectYaml),
        large_input(4999, 1 << 20, Declared::AllInProjectYaml),
    )
}

/// Linear growth is 10× from the small input to the large one.
const LINEAR: f64 = 10.0;

/// Planning time grows linearly with the organization (natively): a
/// quadratic step that only compares, which allocation counts do not show,
/// fails once it costs about twice the linear work at 5,000 accounts.
#[test]
fn native_planning_time_grows_linearly() {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let (small, large) = inputs();
    let small_time = fastest(3, || drop(small.plan_native(small.scenario.clone())));
    let large_time = fastest(3, || drop(large.plan_native(large.scenario.clone())));
    let growth = large_time.as_secs_f64() / small_time.as_secs_f64();
    assert!(
        growth <= LINEAR * WIDE_MARGIN,
        "planning time grew {growth:.1}× for 10× the accounts ({small_time:?} → {large_time:?}): something is quadratic"
    );
}

/// The same through the component (its code is always the release build).
#[test]
fn component_planning_time_grows_linearly() {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let core = Core::load().expect("the embedded component loads");
    let (small, large) = inputs();
    let run = |input: &LargeInput| {
        let plan = input
            .plan_component(&core, input.backend.clone())
            .expect("the component runs");
        assert!(plan.is_ok());
    };
    let small_time = fastest(5, || run(&small));
    let large_time = fastest(5, || run(&large));
    let growth = large_time.as_secs_f64() / small_time.as_secs_f64();
    assert!(
        growth <= LINEAR * WIDE_MARGIN,
        "the component's planning time grew {growth:.1}× for 10× the accounts ({small_time:?} → {large_time:?})"
    );
}
