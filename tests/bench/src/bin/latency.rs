//! The network's critical path: `cargo run --release -p leverage-bench --bin latency`
//!
//! A user runs `leverage` on a laptop 50–150 ms from AWS, where a run's time
//! is its round trips. This puts one [`LatencyProxy`] per AWS service (STS,
//! Organizations, IAM: three hosts, as on AWS) in front of the emulator, each
//! adding the round trips of a real network, and times, interleaved:
//!
//! - ours: the `leverage` binary as users get it;
//! - one after another: the floor program (`src/bin/floor.rs`) making the
//!   same calls in a row, as `leverage` did before it asked for them together;
//! - the physical limit, computed: one handshake pair and one request for
//!   all the services at once (3 round trips), plus one round trip per
//!   further ListAccounts page (AWS serves pages in sequence), on top of
//!   ours at RTT 0.
//!
//! Each side's round trips are `(t − t at RTT 0) / RTT`. Budget: ours within
//! the limit + 0.5 RTT at every RTT above 0. Exits non-zero when it is not.
//!
//! Options: `--runs N` (default 5), `--rtts 0,60,150` (milliseconds),
//! `--no-build` (use the release binaries already built).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use leverage_bench::latency_proxy::LatencyProxy;
use leverage_bench::measure::{median, ms, run};
use leverage_bench::moto::{Moto, OrgState};
use leverage_bench::project::{with_management_id, RunDir, PROJECT_YAML};
use leverage_bench::workspace_root;

/// The rows: what is configured, and the calls it needs.
#[derive(Clone, Copy)]
enum Scenario {
    /// MANAGEMENT --fetch-mfa-device, 4 accounts: STS, Organizations and IAM.
    ManagementMfa,
    /// SECURITY: STS with the security keys, Organizations with the
    /// management keys already configured.
    Security,
    /// MANAGEMENT --fetch-mfa-device in an organization of 25 accounts:
    /// two ListAccounts pages of 20.
    TwoPages,
}

impl Scenario {
    fn describe(self) -> &'static str {
        match self {
            Scenario::ManagementMfa => "MANAGEMENT --fetch-mfa-device, 4 accounts (STS, Organizations, IAM)",
            Scenario::Security => "SECURITY, organization read with the management keys (STS, Organizations)",
            Scenario::TwoPages => "MANAGEMENT --fetch-mfa-device, 25 accounts: 2 ListAccounts pages",
        }
    }

    /// Round trips of the physical limit: a handshake pair and a request for
    /// every service at once, then one per further page.
    fn limit_round_trips(self) -> f64 {
        match self {
            Scenario::TwoPages => 4.0,
            _ => 3.0,
        }
    }

    fn members(self) -> Vec<String> {
        match self {
            Scenario::TwoPages => (1..=24).map(|i| format!("member{i:02}")).collect(),
            _ => vec!["security".into(), "shared".into(), "network".into()],
        }
    }
}

struct Options {
    runs: usize,
    rtts: Vec<u64>,
    build: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        runs: 5,
        rtts: vec![0, 60, 150],
        build: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => o.runs = args.next().context("--runs N")?.parse()?,
            "--rtts" => {
                o.rtts = args
                    .next()
                    .context("--rtts 0,60,150")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            "--no-build" => o.build = false,
            _ => bail!("usage: latency [--runs N] [--rtts 0,60,150] [--no-build]"),
        }
    }
    if o.rtts.first() != Some(&0) {
        o.rtts.insert(0, 0);
    }
    Ok(o)
}

/// The release binaries: `leverage` built on its own (this package links
/// Cranelift into wasmtime, which cargo would otherwise unify into it).
fn binaries(build: bool) -> Result<(PathBuf, PathBuf)> {
    if build {
        for args in [
            &["build", "--release", "-p", "leverage"][..],
            &["build", "--release", "-p", "leverage-bench", "--bin", "floor"][..],
        ] {
            let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .args(args)
                .current_dir(workspace_root())
                .status()?;
            if !status.success() {
                bail!("cargo {} failed", args.join(" "));
            }
        }
    }
    let dir = std::env::current_exe()?
        .parent()
        .context("the bench binary's directory")?
        .to_path_buf();
    let (leverage, floor) = (dir.join("leverage"), dir.join("floor"));
    for path in [&leverage, &floor] {
        if !path.exists() {
            bail!("{} is missing: run without --no-build", path.display());
        }
    }
    Ok((leverage, floor))
}

/// Points a command at the three proxies, one per service.
fn through(cmd: &mut Command, proxies: &[LatencyProxy; 3]) {
    for (variable, proxy) in [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_ORGANIZATIONS",
        "AWS_ENDPOINT_URL_IAM",
    ]
    .iter()
    .zip(proxies)
    {
        cmd.env(variable, proxy.endpoint());
    }
}

/// A fresh run directory for `scenario`; SECURITY's has the management keys
/// configured already (straight against the emulator, untimed).
fn run_dir(
    scenario: Scenario,
    leverage: &Path,
    moto: &Moto,
    state: &OrgState,
    base: &Path,
    name: &str,
) -> Result<RunDir> {
    let (key, secret) = (&state.user.access_key_id, &state.user.secret_access_key);
    let dir = RunDir::new(base, name, &with_management_id(PROJECT_YAML), key, secret)?;
    if let Scenario::Security = scenario {
        let mut cmd = dir.command(leverage, &moto.endpoint);
        cmd.args(["credentials", "configure", "--type", "MANAGEMENT", "--non-interactive"])
            .arg("--skip-assumable-roles-setup")
            .arg("--credentials-file")
            .arg(&dir.csv);
        run(&mut cmd)?.ok("leverage (setting up the management keys)")?;
    }
    Ok(dir)
}

fn ours(scenario: Scenario, leverage: &Path, dir: &RunDir, endpoint: &str) -> Command {
    let mut cmd = dir.command(leverage, endpoint);
    let kind = match scenario {
        Scenario::Security => "SECURITY",
        _ => "MANAGEMENT",
    };
    cmd.args(["credentials", "configure", "--type", kind, "--non-interactive"]);
    if !matches!(scenario, Scenario::Security) {
        cmd.arg("--fetch-mfa-device");
    }
    cmd.arg("--credentials-file").arg(&dir.csv);
    cmd
}

fn one_after_another(scenario: Scenario, floor: &Path, dir: &RunDir, endpoint: &str) -> Command {
    let mut cmd = dir.command(floor, endpoint);
    if let Scenario::Security = scenario {
        cmd.arg("--no-mfa");
    }
    cmd.arg(&dir.csv);
    cmd
}

struct Row {
    rtt: u64,
    ours: Duration,
    sequential: Duration,
}

fn main() -> Result<()> {
    let o = options()?;
    let (leverage, floor) = binaries(o.build)?;
    let work = tempfile::Builder::new().prefix("leverage-latency-").tempdir()?;
    let mut table = String::from(
        "| scenario | RTT | ours | one after another | physical limit | ours, round trips | one after another, round trips | budget (≤ limit + 0.5) |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut broken = Vec::new();
    for (number, scenario) in [Scenario::ManagementMfa, Scenario::Security, Scenario::TwoPages]
        .into_iter()
        .enumerate()
    {
        let moto = Moto::start(None)?;
        let state = moto.organization(&scenario.members())?;
        let upstream: u16 = moto
            .endpoint
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .context("the emulator's port")?;
        let mut rows: Vec<Row> = Vec::new();
        for &rtt_ms in &o.rtts {
            let rtt = Duration::from_millis(rtt_ms);
            eprintln!(
                "latency: {} at RTT {rtt_ms} ms, {} runs each",
                scenario.describe(),
                o.runs
            );
            let proxies = [
                LatencyProxy::start(upstream, rtt)?,
                LatencyProxy::start(upstream, rtt)?,
                LatencyProxy::start(upstream, rtt)?,
            ];
            let (mut ours_times, mut sequential_times) = (Vec::new(), Vec::new());
            for i in 0..=o.runs {
                for side in [(i % 2), 1 - (i % 2)] {
                    let dir = run_dir(
                        scenario,
                        &leverage,
                        &moto,
                        &state,
                        work.path(),
                        &format!("{number}-{rtt_ms}-{i}-{side}"),
                    )?;
                    let mut cmd = if side == 0 {
                        ours(scenario, &leverage, &dir, &moto.endpoint)
                    } else {
                        one_after_another(scenario, &floor, &dir, &moto.endpoint)
                    };
                    through(&mut cmd, &proxies);
                    let sample = run(&mut cmd)?.ok(if side == 0 { "leverage" } else { "floor" })?;
                    if i == 0 {
                        continue; // warm-up
                    }
                    if side == 0 {
                        ours_times.push(sample.wall);
                    } else {
                        sequential_times.push(sample.wall);
                    }
                }
            }
            rows.push(Row {
                rtt: rtt_ms,
                ours: median(&ours_times),
                sequential: median(&sequential_times),
            });
        }
        let (ours0, sequential0) = (rows[0].ours, rows[0].sequential);
        for row in &rows {
            let rtt = row.rtt as f64 / 1e3;
            let limit = ours0.as_secs_f64() + scenario.limit_round_trips() * rtt;
            let trips = |t: Duration, t0: Duration| {
                if row.rtt == 0 {
                    "–".to_string()
                } else {
                    format!("{:.2}", (t.as_secs_f64() - t0.as_secs_f64()) / rtt)
                }
            };
            let budget = if row.rtt == 0 {
                "–".to_string()
            } else {
                let ours_trips = (row.ours.as_secs_f64() - ours0.as_secs_f64()) / rtt;
                let allowed = scenario.limit_round_trips() + 0.5;
                if ours_trips > allowed {
                    broken.push(format!(
                        "{} at RTT {} ms: {ours_trips:.2} round trips, budget {allowed}",
                        scenario.describe(),
                        row.rtt
                    ));
                    format!("over ({allowed})")
                } else {
                    format!("ok ({allowed})")
                }
            };
            table.push_str(&format!(
                "| {} | {} ms | {} | {} | {} ({}) | {} | {} | {} |\n",
                scenario.describe(),
                row.rtt,
                ms(row.ours),
                ms(row.sequential),
                ms(Duration::from_secs_f64(limit)),
                scenario.limit_round_trips(),
                trips(row.ours, ours0),
                trips(row.sequential, sequential0),
                budget
            ));
        }
    }
    println!("{table}");
    println!(
        "- medians of {} interleaved runs per cell, after one warm-up run",
        o.runs
    );
    if !broken.is_empty() {
        for b in &broken {
            eprintln!("latency: over budget: {b}");
        }
        std::process::exit(1);
    }
    Ok(())
}
