//! The local benchmarks: `cargo run --release -p leverage-bench --bin bench`
//! (start-up, the original's way, organization size). The network's
//! critical path is measured by `--bin latency`.
//!
//! Starts its own AWS emulator, builds the product binary as users get it
//! (`cargo build --release -p leverage`), runs each row several times with
//! ours and the other side interleaved in every iteration (the machine is
//! shared and noisy), and prints per row the medians and the ratio as a
//! Markdown table on standard output (progress goes to standard error).
//! Exits non-zero only when a budget is broken by a wide margin (3×).
//!
//! Options: `--runs N` (iterations of every row; defaults per row),
//! `--rows 2,3` (which rows), `--sizes 100,1000,5000` (row 4),
//! `--no-build` (use the binaries already in the target directory).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use leverage_bench::aws_cli::{aws_cli_way, aws_executable};
use leverage_bench::measure::{core_start, interleaved, median, median_u64, ms, run, Sample, TIME_CORE_START};
use leverage_bench::moto::{Moto, OrgState};
use leverage_bench::project::{start_up_command, with_management_id, RunDir, PROJECT_YAML, START_UP_SIDES};
use leverage_bench::workspace_root;
use leverage_bench::world::InMemory;
use leverage_cli::engine as host;

/// A budget broken by this factor fails the benchmark.
const WIDE_MARGIN: f64 = 3.0;

struct Options {
    runs: Option<usize>,
    rows: Vec<u32>,
    sizes: Vec<usize>,
    build: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        runs: None,
        rows: vec![2, 3, 4],
        sizes: vec![100, 1000, 5000],
        build: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => o.runs = Some(value()?.parse()?),
            "--rows" => o.rows = value()?.split(',').map(str::parse).collect::<Result<_, _>>()?,
            "--sizes" => o.sizes = value()?.split(',').map(str::parse).collect::<Result<_, _>>()?,
            "--no-build" => o.build = false,
            "-h" | "--help" => {
                println!("usage: bench [--runs N] [--rows 2,3,4] [--sizes 100,1000,5000] [--no-build]");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    Ok(o)
}

/// A budget and the value measured against it.
struct Budget {
    what: String,
    limit: f64,
    value: f64,
}

impl Budget {
    fn verdict(&self) -> &'static str {
        if self.value <= self.limit {
            "ok"
        } else if self.value <= self.limit * WIDE_MARGIN {
            "over budget"
        } else {
            "OVER 3×"
        }
    }
}

/// Everything printed, and the budgets.
struct Report {
    table: String,
    budgets: Vec<Budget>,
    notes: Vec<String>,
}

impl Report {
    fn row(&mut self, row: &str, what: &str, ours: &str, other: &str, result: &str, budget: Option<Budget>) {
        let verdict = budget
            .as_ref()
            .map(|b| format!("{} ({})", b.verdict(), b.what))
            .unwrap_or_else(|| "(reported)".into());
        let line = format!("| {row} | {what} | {ours} | {other} | {result} | {verdict} |\n");
        eprint!("{line}");
        self.table.push_str(&line);
        self.budgets.extend(budget);
    }
}

fn progress(message: &str) {
    eprintln!("bench: {message}");
}

/// The binaries measured, from the target directory this benchmark runs from.
struct Binaries {
    leverage: PathBuf,
    floor: PathBuf,
    trivial: PathBuf,
    /// Runs a program and reports its own peak RSS (see src/bin/peak.rs).
    peak: PathBuf,
}

fn binaries(build: bool) -> Result<Binaries> {
    let dir = std::env::current_exe()?
        .parent()
        .context("the bench binary's directory")?
        .to_path_buf();
    let release = !cfg!(debug_assertions);
    if build {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        // Separate invocations on purpose: this package links wasmtime with
        // Cranelift, and cargo unifies features within one invocation. The
        // product binary must be built alone to be the one users get.
        for args in [
            ["-p", "leverage", "--bin", "leverage"].as_slice(),
            &[
                "-p",
                "leverage-bench",
                "--bin",
                "floor",
                "--bin",
                "trivial",
                "--bin",
                "peak",
            ],
        ] {
            progress(&format!(
                "cargo build{} {}",
                if release { " --release" } else { "" },
                args.join(" ")
            ));
            let mut cmd = Command::new(&cargo);
            cmd.arg("build")
                .args(release.then_some("--release"))
                .args(args)
                .current_dir(workspace_root());
            let status = cmd.status().context("running cargo")?;
            if !status.success() {
                bail!("cargo build failed");
            }
        }
    }
    let b = Binaries {
        leverage: dir.join("leverage"),
        floor: dir.join("floor"),
        trivial: dir.join("trivial"),
        peak: dir.join("peak"),
    };
    for path in [&b.leverage, &b.floor, &b.trivial, &b.peak] {
        if !path.exists() {
            bail!("{} is missing (run without --no-build)", path.display());
        }
    }
    Ok(b)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let nproc = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    format!(
        "{nproc} cores (nproc), {cpu}, Linux {}, load average at start {load}",
        kernel.trim()
    )
}

fn main() -> Result<()> {
    // Row 3's child: the first `Core::load()` and instantiation of a fresh
    // process, as a run pays them (a process loads the core once; later
    // loads in the same process share it).
    if std::env::args().nth(1).as_deref() == Some(TIME_CORE_START) {
        let t = host::bench::time_load_and_instantiate(host::Imports::all(InMemory::empty()))?;
        println!("{} {}", t.load.as_nanos(), t.instantiate.as_nanos());
        return Ok(());
    }
    let o = options()?;
    if cfg!(debug_assertions) {
        progress("WARNING: a debug build; run with --release for representative numbers");
    }
    let bins = binaries(o.build)?;
    let started = Instant::now();
    let mut report = Report {
        table: String::from(
            "| row | what | ours (median) | other (median) | result | budget |\n|---|---|---|---|---|---|\n",
        ),
        budgets: Vec::new(),
        notes: Vec::new(),
    };
    let work = tempfile::Builder::new().prefix("leverage-bench-").tempdir()?;
    report.notes.push(format!("machine: {}", machine()));
    report.notes.push(format!(
        "leverage binary: {} ({:.1} MiB)",
        bins.leverage.display(),
        std::fs::metadata(&bins.leverage)?.len() as f64 / 1048576.0
    ));

    if o.rows.contains(&2) {
        let moto = Moto::start(None)?;
        progress("row 2: a 4-account organization in moto (the management account and 3 members)");
        let state = moto.organization(&["security".into(), "shared".into(), "network".into()])?;
        row_aws_cli(&mut report, &bins, &moto, &state, work.path(), o.runs.unwrap_or(3))?;
    }
    if o.rows.contains(&3) {
        row_startup(&mut report, &bins, o.runs.unwrap_or(40))?;
    }
    if o.rows.contains(&4) {
        row_scale(&mut report, &bins, work.path(), &o.sizes, o.runs.unwrap_or(3))?;
    }

    println!("{}", report.table);
    for note in &report.notes {
        println!("- {note}");
    }
    println!("- whole benchmark: {:.0} s", started.elapsed().as_secs_f64());
    let broken: Vec<&Budget> = report
        .budgets
        .iter()
        .filter(|b| b.value > b.limit * WIDE_MARGIN)
        .collect();
    let over: Vec<&Budget> = report.budgets.iter().filter(|b| b.value > b.limit).collect();
    println!(
        "- budgets: {} checked, {} over, {} over by more than {WIDE_MARGIN}×",
        report.budgets.len(),
        over.len(),
        broken.len()
    );
    if !broken.is_empty() {
        for b in broken {
            eprintln!(
                "bench: budget broken by more than {WIDE_MARGIN}×: {} (measured {:.3}, budget {:.3})",
                b.what, b.value, b.limit
            );
        }
        std::process::exit(1);
    }
    Ok(())
}

/// Row 4's project declares only the management account (with its id).
fn scale_project_yaml() -> String {
    with_management_id(leverage_test_support::project_yaml!("management"))
}

fn ours(bins: &Binaries, dir: &RunDir, endpoint: &str) -> Command {
    let mut cmd = dir.command(&bins.leverage, endpoint);
    cmd.args(dir.configure_args());
    cmd
}

/// Row 2: the same files written the original's way, one `aws` process per
/// key (and the three queries through `aws`).
fn row_aws_cli(
    report: &mut Report,
    bins: &Binaries,
    moto: &Moto,
    state: &OrgState,
    base: &Path,
    runs: usize,
) -> Result<()> {
    let aws = aws_executable();
    progress(&format!(
        "row 2: ours vs one `aws` process per key ({}), {runs} runs each, interleaved",
        aws.display()
    ));
    let yaml = with_management_id(PROJECT_YAML);
    let (key, secret) = (&state.user.access_key_id, &state.user.secret_access_key);
    let (mut mine, mut theirs) = (Vec::new(), Vec::new());
    let mut processes = 0;
    let mut identical = true;
    for i in 0..=runs {
        let a = RunDir::new(base, &format!("r2-ours-{i}"), &yaml, key, secret)?;
        let b = RunDir::new(base, &format!("r2-aws-{i}"), &yaml, key, secret)?;
        let run_ours = || run(&mut ours(bins, &a, &moto.endpoint)).and_then(|s| s.ok("leverage"));
        let run_aws = || aws_cli_way(&aws, &b, &moto.endpoint, key, secret);
        let (x, (y, n)) = if i % 2 == 0 {
            let x = run_ours()?;
            (x, run_aws()?)
        } else {
            let y = run_aws()?;
            (run_ours()?, y)
        };
        processes = n;
        for file in ["config", "credentials"] {
            if std::fs::read(a.aws_file(file))? != std::fs::read(b.aws_file(file))? {
                identical = false;
                progress(&format!(
                    "row 2: the {file} files differ:\n--- ours\n{}\n--- aws\n{}",
                    std::fs::read_to_string(a.aws_file(file))?,
                    std::fs::read_to_string(b.aws_file(file))?
                ));
            }
        }
        if i == 0 {
            continue; // warm-up
        }
        mine.push(x.wall);
        theirs.push(y);
    }
    let (m, t) = (median(&mine), median(&theirs));
    report.row(
        "2",
        &format!("the same files the AWS CLI way: {processes} `aws` processes (3 queries, 1 per key), AWS CLI v1"),
        &ms(m),
        &ms(t),
        &format!(
            "aws/ours = {:.0}× (files byte-identical: {})",
            t.as_secs_f64() / m.as_secs_f64(),
            if identical { "yes" } else { "NO" }
        ),
        None,
    );
    Ok(())
}

/// Row 3: process start-up, and the component's start inside the process.
fn row_startup(report: &mut Report, bins: &Binaries, runs: usize) -> Result<()> {
    progress(&format!("row 3: start-up, {runs} runs of each, interleaved"));
    let medians = interleaved(runs, &START_UP_SIDES, |j| {
        start_up_command(&bins.trivial, &bins.leverage, j)
    })?;
    let trivial = medians[0];
    for (name, &m) in START_UP_SIDES.iter().zip(&medians).skip(1) {
        let extra_ms = (m.as_secs_f64() - trivial.as_secs_f64()) * 1e3;
        report.row(
            "3",
            &format!("`{name}` vs a trivial Rust binary (process start to exit)"),
            &ms(m),
            &ms(trivial),
            &format!("{extra_ms:+.2} ms"),
            Some(Budget {
                what: "≤ 5 ms more".into(),
                limit: 5.0,
                value: extra_ms,
            }),
        );
    }

    // Inside a fresh process: Core::load() (engine + deserialize) + instantiate.
    let (mut load, mut inst, mut total) = (Vec::new(), Vec::new(), Vec::new());
    let me = std::env::current_exe().context("finding the bench binary")?;
    for i in 0..=runs {
        let (l, n) = core_start(&me)?;
        if i > 0 {
            load.push(l);
            inst.push(n);
            total.push(l + n);
        }
    }
    let sum = median(&total);
    report.row(
        "3",
        "component start in a fresh process: the first `Core::load()` (engine + deserialize the embedded artifact) + instantiate",
        &format!("{} ({} + {})", ms(sum), ms(median(&load)), ms(median(&inst))),
        "",
        "",
        Some(Budget {
            what: "≤ 5 ms".into(),
            limit: 5.0,
            value: sum.as_secs_f64() * 1e3,
        }),
    );

    // What compiling at run time would cost instead (Cranelift, this
    // package's wasmtime, same version and configuration as build.rs).
    let wasm =
        std::fs::read(host::COMPONENT_WASM_PATH).with_context(|| format!("reading {}", host::COMPONENT_WASM_PATH))?;
    let precompiled = host::bench::precompiled();
    let engine = wasmtime::Engine::default();
    let compile_runs = runs.clamp(1, 3);
    progress(&format!(
        "row 3: compiling the component with Cranelift, {compile_runs} runs"
    ));
    let (mut compile, mut deserialize) = (Vec::new(), Vec::new());
    for _ in 0..compile_runs {
        let start = Instant::now();
        wasmtime::component::Component::new(&engine, &wasm).map_err(|e| anyhow::anyhow!("compiling: {e}"))?;
        compile.push(start.elapsed());
        let start = Instant::now();
        // SAFETY: the bytes are build.rs's `precompile_component` output for
        // this wasmtime version and configuration, embedded read-only.
        unsafe { wasmtime::component::Component::deserialize(&engine, precompiled) }
            .map_err(|e| anyhow::anyhow!("deserializing: {e}"))?;
        deserialize.push(start.elapsed());
    }
    let (c, d) = (median(&compile), median(&deserialize));
    report.row(
        "3",
        &format!(
            "run-time compile (`Component::new`, Cranelift, {:.1} MiB wasm) vs deserialize ({:.1} MiB artifact)",
            wasm.len() as f64 / 1048576.0,
            precompiled.len() as f64 / 1048576.0
        ),
        &ms(d),
        &ms(c),
        &format!("compile/deserialize = {:.0}×", c.as_secs_f64() / d.as_secs_f64()),
        None,
    );
    Ok(())
}

/// Row 4: organizations of 100, 1,000 and 5,000 accounts with --all-accounts.
fn row_scale(report: &mut Report, bins: &Binaries, base: &Path, sizes: &[usize], runs: usize) -> Result<()> {
    let mut orgs = Vec::new();
    for &size in sizes {
        let calls = base.join(format!("calls-{size}.log"));
        let moto = Moto::start(Some(&calls))?;
        progress(&format!(
            "row 4: creating an organization of {size} accounts in moto (one CreateAccount each)..."
        ));
        let start = Instant::now();
        let members: Vec<String> = (1..size).map(|i| format!("acct-{i:05}")).collect();
        let state = moto.organization(&members)?;
        let took = start.elapsed();
        progress(&format!(
            "row 4: {size} accounts created in {:.1} s",
            took.as_secs_f64()
        ));
        report.notes.push(format!(
            "moto: creating the {size}-account organization took {:.1} s",
            took.as_secs_f64()
        ));
        orgs.push((size, moto, state));
    }

    progress(&format!(
        "row 4: {runs} runs of ours and of the floor per size, interleaved"
    ));
    // Per size: ours (wall times, peak RSS in KiB), then the floor's.
    type Samples = (Vec<Duration>, Vec<u64>, Vec<Duration>, Vec<u64>);
    let mut results: Vec<Samples> = vec![Default::default(); orgs.len()];
    for i in 0..=runs {
        for k in 0..orgs.len() {
            let j = (i + k) % orgs.len();
            let (size, moto, state) = &orgs[j];
            let (key, secret) = (&state.user.access_key_id, &state.user.secret_access_key);
            let yaml = scale_project_yaml();
            let a = RunDir::new(base, &format!("r4-{size}-ours-{i}"), &yaml, key, secret)?;
            let b = RunDir::new(base, &format!("r4-{size}-floor-{i}"), &yaml, key, secret)?;
            let peak_file = base.join("peak.kib");
            let run_ours = || {
                let mut cmd = a.command(&bins.peak, &moto.endpoint);
                cmd.arg(&peak_file)
                    .arg(&bins.leverage)
                    .args(a.configure_args())
                    .arg("--all-accounts");
                with_peak(run(&mut cmd)?.ok("leverage")?, &peak_file)
            };
            let run_floor = || {
                let mut cmd = b.command(&bins.peak, &moto.endpoint);
                cmd.arg(&peak_file).arg(&bins.floor).arg(&b.csv);
                with_peak(run(&mut cmd)?.ok("floor")?, &peak_file)
            };
            let _ = moto.take_list_accounts_calls()?;
            let (x, y) = if i % 2 == 0 {
                let x = run_ours()?;
                check_pages(*size, &moto.take_list_accounts_calls()?)?;
                (x, run_floor()?)
            } else {
                let y = run_floor()?;
                let _ = moto.take_list_accounts_calls()?;
                let x = run_ours()?;
                check_pages(*size, &moto.take_list_accounts_calls()?)?;
                (x, y)
            };
            if i == 0 {
                let config = std::fs::read_to_string(a.aws_file("config"))?;
                let profiles = config.matches("role_arn = ").count();
                // Every organization account (moto names the management
                // account `master`) and the declared `management`.
                if profiles != size + 1 {
                    bail!("ours wrote {profiles} account profiles for an organization of {size}");
                }
                continue;
            }
            results[j].0.push(x.wall);
            results[j].1.push(x.max_rss_kib);
            results[j].2.push(y.wall);
            results[j].3.push(y.max_rss_kib);
        }
    }
    let trivial_file = base.join("peak-trivial.kib");
    let trivial = with_peak(
        run(Command::new(&bins.peak).arg(&trivial_file).arg(&bins.trivial))?.ok("trivial")?,
        &trivial_file,
    )?;
    report.notes.push(format!(
        "peak RSS is the child's own `ru_maxrss`, read by tests/bench/src/bin/peak.rs (a trivial Rust binary measures {:.1} MiB that way)",
        trivial.max_rss_kib as f64 / 1024.0
    ));
    let first = median(&results[0].0);
    for (j, (size, _, _)) in orgs.iter().enumerate() {
        let (wall, rss, floor) = (median(&results[j].0), median_u64(&results[j].1), median(&results[j].2));
        let rss_mib = rss as f64 / 1024.0;
        let floor_rss_mib = median_u64(&results[j].3) as f64 / 1024.0;
        let growth = wall.as_secs_f64() / first.as_secs_f64();
        let pages = size.div_ceil(20);
        report.row(
            "4",
            &format!(
                "{size} accounts, --all-accounts ({pages} ListAccounts pages of 20) vs the floor: wall time / peak RSS"
            ),
            &format!("{} / {rss_mib:.1} MiB", ms(wall)),
            &format!("{} / {floor_rss_mib:.1} MiB", ms(floor)),
            &format!(
                "ours/floor = {:.2}; ×{growth:.1} the {} row",
                wall.as_secs_f64() / floor.as_secs_f64(),
                sizes[0]
            ),
            Some(Budget {
                what: "RSS ≤ 64 MiB".into(),
                limit: 64.0,
                value: rss_mib,
            }),
        );
        if j == orgs.len() - 1 && orgs.len() > 1 {
            let allowed = 60.0 * (*size as f64 / 5000.0) * (100.0 / sizes[0] as f64);
            report.budgets.push(Budget {
                what: format!("time({size}) ≤ {allowed:.0}× time({})", sizes[0]),
                limit: allowed,
                value: growth,
            });
            let line = format!(
                "| 4 | growth from {} to {size} accounts | ×{growth:.1} | | | {} (≤ {allowed:.0}×) |\n",
                sizes[0],
                report.budgets.last().map(Budget::verdict).unwrap_or("")
            );
            eprint!("{line}");
            report.table.push_str(&line);
        }
    }
    Ok(())
}

/// The sample with the child's own peak RSS, as `peak` wrote it.
fn with_peak(mut sample: Sample, file: &Path) -> Result<Sample> {
    sample.max_rss_kib = std::fs::read_to_string(file)?.trim().parse()?;
    Ok(sample)
}

/// The host walked every page, 20 accounts a page, as on AWS.
fn check_pages(size: usize, calls: &[(Option<u32>, usize)]) -> Result<()> {
    let pages = size.div_ceil(20);
    let returned: usize = calls.iter().map(|c| c.1).sum();
    if calls.len() != pages || returned != size || calls.iter().any(|c| c.0 != Some(20)) {
        bail!("expected {pages} ListAccounts calls with MaxResults 20 returning {size} accounts, got {calls:?}");
    }
    Ok(())
}
