//! The performance budgets, guarded in the normal (debug) test suite by
//! what does not depend on how busy the machine is.
//!
//! The benchmark (`cargo run --release -p leverage-bench --bin bench`)
//! measures the budgets themselves; a debug build cannot (its start-up,
//! instantiation and native speed are not the product's). These tests guard
//! what a debug build *can* show without the wall clock, and fail only when
//! a budget is broken by a wide margin:
//!
//! - the planning step grows linearly with the organization: allocations
//!   and bytes allocated, with a 3× margin over linear. A step that copies
//!   or re-renders a document per account fails the byte count outright;
//! - the component plans the largest input as the native core does;
//! - the core's peak heap on the largest input fits the whole process's RSS
//!   budget;
//! - the emulator pages like AWS and the host walks every page of 20.
//!
//! The wall-clock guards (start-up, component start, ours/floor, planning
//! time growth) are in `timing.rs`, opt-in; wasm/native (1.5) is checked
//! only by the release benchmark.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use leverage_bench::moto::Moto;
use leverage_bench::world::{large_input, Declared, LargeInput};
use leverage_cli::engine::Core;

/// Counts allocations, bytes allocated and live bytes per thread (each test
/// plans on its own thread, so parallel tests do not mix their counts).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
    static LIVE: Cell<usize> = const { Cell::new(0) };
    static PEAK: Cell<usize> = const { Cell::new(0) };
}

fn on_alloc(size: usize) {
    let _ = ALLOCATIONS.try_with(|a| a.set(a.get() + 1));
    let _ = BYTES.try_with(|b| b.set(b.get() + size as u64));
    let _ = LIVE.try_with(|live| {
        let now = live.get() + size;
        live.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
}

fn on_free(size: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(size)));
}

// SAFETY: forwards to the system allocator; the bookkeeping only touches
// const-initialized thread-locals (no allocation, no destructor).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        on_alloc(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        on_free(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        on_free(layout.size());
        on_alloc(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What `f` allocated: how many times, how many bytes in all, and the peak
/// of live bytes above what was live before.
struct Allocated {
    count: u64,
    bytes: u64,
    peak: usize,
}

fn counted<T>(f: impl FnOnce() -> T) -> (T, Allocated) {
    let (count, bytes) = (ALLOCATIONS.with(Cell::get), BYTES.with(Cell::get));
    let live = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(live));
    let value = f();
    let allocated = Allocated {
        count: ALLOCATIONS.with(Cell::get) - count,
        bytes: BYTES.with(Cell::get) - bytes,
        peak: PEAK.with(Cell::get) - live,
    };
    (value, allocated)
}

/// The sizes compared: 10× apart, the larger one being row 5's input with
/// every account declared in project.yaml (so that learning ids and writing
/// them back are exercised too).
///
/// Not with common.tfvars declaring them all: hcl-edit 0.10, the HCL
/// editor, keeps an object's entries in a `VecMap` (a linear search per
/// insert), so parsing an `accounts` map of n entries is O(n²) inside that
/// dependency; the benchmark's row 5 shows what that costs.
fn inputs() -> (LargeInput, LargeInput) {
    (
        large_input(499, 100 << 10, Declared::AllInProjectYaml),
        large_input(4999, 1 << 20, Declared::AllInProjectYaml),
    )
}

/// Linear growth is 10× from the small input to the large one; a budget
/// broken 3× over is anything above 30× (an O(n²) step gives ~100×).
const LINEAR: f64 = 10.0;
const WIDE_MARGIN: f64 = 3.0;

/// Nothing quadratic in the core: allocations grow linearly.
#[test]
fn native_planning_grows_linearly_with_the_organization() {
    let (small, large) = inputs();
    let scenario = small.scenario.clone();
    let (plan, small_allocs) = counted(|| small.plan_native(scenario));
    let plan = plan.expect("the small input plans");
    assert_eq!(plan.report.profiles.len(), 500, "a profile per organization account");
    let scenario = large.scenario.clone();
    let (plan, large_allocs) = counted(|| large.plan_native(scenario));
    let plan = plan.expect("the large input plans");
    assert_eq!(plan.report.profiles.len(), 5000);
    assert_eq!(
        plan.report.accounts_learned.len(),
        5000,
        "every declared account's id is learned (management too)"
    );

    // Deterministic: a step that copies or re-renders a whole document per
    // account shows in the bytes, one that allocates per pair of accounts in
    // the count.
    let count_growth = large_allocs.count as f64 / small_allocs.count as f64;
    let bytes_growth = large_allocs.bytes as f64 / small_allocs.bytes as f64;
    assert!(
        count_growth <= LINEAR * WIDE_MARGIN,
        "allocations grew {count_growth:.1}× for 10× the accounts ({} → {})",
        small_allocs.count,
        large_allocs.count
    );
    assert!(
        bytes_growth <= LINEAR * WIDE_MARGIN,
        "bytes allocated grew {bytes_growth:.1}× for 10× the accounts ({} → {})",
        small_allocs.bytes,
        large_allocs.bytes
    );
    eprintln!("native: allocations ×{count_growth:.1}, bytes ×{bytes_growth:.1}");
}

/// Peak RSS ≤ 64 MiB at 5,000 accounts. The core's own peak
/// heap (deterministic) must fit in that budget on its own.
#[test]
fn native_planning_peak_heap_fits_the_rss_budget() {
    let large = large_input(4999, 1 << 20, Declared::AllInProjectYaml);
    let scenario = large.scenario.clone();
    let (plan, allocated) = counted(move || large.plan_native(scenario));
    assert!(plan.is_ok());
    let peak_mib = allocated.peak as f64 / 1048576.0;
    eprintln!("native planning peak heap: {peak_mib:.1} MiB");
    assert!(
        peak_mib <= 64.0,
        "planning 5,000 accounts with a 1 MiB config peaked at {peak_mib:.1} MiB of heap"
    );
}

/// The component plans the largest input as the native core does (its
/// planning time, which grows with it, is guarded in `timing.rs`).
#[test]
fn component_plans_the_large_input_as_native_does() {
    let core = Core::load().expect("the embedded component loads");
    let large = large_input(4999, 1 << 20, Declared::AllInProjectYaml);
    assert!(
        large.same_plans(&core).expect("the component runs"),
        "the component's plan differs from the native core's"
    );
}

/// The emulator pages like AWS (20 accounts a page), so that pagination
/// cost is real. The host's ListAccounts asks for pages of 20
/// and walks them all; the emulator never returns more than 20.
///
/// The AWS SDK reads `AWS_ENDPOINT_URL` from the environment, which a test
/// must not change while other tests run on other threads: the check runs in
/// a child (this test binary, this test only) that starts with it set.
#[test]
fn host_walks_every_page_of_twenty() {
    const CHILD: &str = "LEVERAGE_BENCH_PAGES_CHILD";
    if std::env::var_os(CHILD).is_some() {
        return list_accounts_in_child();
    }
    let calls = tempfile::NamedTempFile::new().unwrap();
    let moto = Moto::start(Some(calls.path())).expect("moto starts");
    let members: Vec<String> = (1..46).map(|i| format!("acct-{i:02}")).collect();
    let state = moto.organization(&members).expect("the organization is made");
    moto.take_list_accounts_calls().unwrap();

    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "host_walks_every_page_of_twenty",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env("AWS_ENDPOINT_URL", &moto.endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("BENCH_KEY_ID", &state.user.access_key_id)
        .env("BENCH_SECRET", &state.user.secret_access_key)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("listed 46 accounts"), "{stdout}");
    assert_eq!(
        moto.take_list_accounts_calls().unwrap(),
        vec![(Some(20), 20), (Some(20), 20), (Some(20), 6)],
        "ListAccounts calls (MaxResults, accounts returned)"
    );
}

fn list_accounts_in_child() {
    use leverage_cli::engine::leverage::credentials::aws::{self, Host};
    let logger = leverage_cli::log::Logger::new(leverage_cli::log::Verbosity::Quiet);
    let mut client = leverage_cli::aws::AwsClient::new(logger);
    let keys = leverage_cli::engine::AwsCredentials {
        access_key_id: std::env::var("BENCH_KEY_ID").unwrap(),
        secret_access_key: std::env::var("BENCH_SECRET").unwrap(),
        session_token: None,
    };
    let calls = vec![aws::Call {
        credentials: keys,
        region: "us-east-1".into(),
        request: aws::Request::ListAccounts,
    }];
    let Some(Ok(aws::Reply::Accounts(accounts))) = client.call_all(calls).pop() else {
        panic!("ListAccounts did not succeed")
    };
    let ids: std::collections::BTreeSet<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids.len(), accounts.len(), "no account listed twice");
    println!("listed {} accounts", accounts.len());
}
