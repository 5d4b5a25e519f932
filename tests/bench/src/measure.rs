//! Running a child process and reading what it cost.

use std::io::{Read, Seek};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// One finished child.
#[derive(Debug)]
pub struct Sample {
    pub wall: Duration,
    /// Peak resident set size (`ru_maxrss`), in KiB.
    pub max_rss_kib: u64,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sample {
    /// Fails with the child's output unless it exited with 0.
    pub fn ok(self, what: &str) -> Result<Sample> {
        if self.code != 0 {
            bail!(
                "{what} exited with {}\nstdout:\n{}\nstderr:\n{}",
                self.code,
                self.stdout,
                self.stderr
            );
        }
        Ok(self)
    }
}

/// Runs `cmd` to completion (standard input empty, output to anonymous
/// files) and reads its wall time from `wait4`.
///
/// Its `max_rss_kib` is not the child's own peak: Linux carries the peak
/// RSS of this (large) process over to a child it starts. Run the child
/// under the `peak` binary of this package for that.
pub fn run(cmd: &mut Command) -> Result<Sample> {
    spawn_and_wait(cmd)
}

fn spawn_and_wait(cmd: &mut Command) -> Result<Sample> {
    let mut out = tempfile::tempfile()?;
    let mut err = tempfile::tempfile()?;
    cmd.stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(err.try_clone()?);
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("starting {cmd:?}"))?;
    let pid = libc::pid_t::try_from(child.id())?;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which
    // std's `Child` has not reaped (we never call its wait).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = start.elapsed();
    if reaped != pid {
        bail!("wait4 failed for {cmd:?}: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let read = |file: &mut std::fs::File| -> Result<String> {
        let mut text = String::new();
        file.rewind()?;
        file.read_to_string(&mut text)?;
        Ok(text)
    };
    Ok(Sample {
        wall,
        max_rss_kib: u64::try_from(usage.ru_maxrss).unwrap_or(0),
        code,
        stdout: read(&mut out)?,
        stderr: read(&mut err)?,
    })
}

/// The median (the mean of the two middle values for an even count).
pub fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// The median of plain numbers.
pub fn median_u64(values: &[u64]) -> u64 {
    let mut sorted = values.to_vec();
    sorted.sort();
    match sorted.len() {
        0 => 0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// A duration in milliseconds with two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The median wall time of each side named in `sides`, over `runs` rounds
/// in which every side runs once (`command(j)` makes side `j`'s command,
/// which must exit with 0), in a rotating order, after one round that is
/// not counted.
pub fn interleaved(runs: usize, sides: &[&str], mut command: impl FnMut(usize) -> Command) -> Result<Vec<Duration>> {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); sides.len()];
    for round in 0..=runs {
        for k in 0..sides.len() {
            let j = (round + k) % sides.len();
            let sample = run(&mut command(j))?.ok(sides[j])?;
            if round > 0 {
                times[j].push(sample.wall);
            }
        }
    }
    Ok(times.iter().map(|t| median(t)).collect())
}

/// The argument with which the `bench` binary times, in itself, the first
/// `Core::load()` and one instantiation (the component's start, as a run
/// of the CLI pays it) and prints both, in nanoseconds.
pub const TIME_CORE_START: &str = "--time-core-start";

/// Runs `bench` (this package's `bench` binary) with [`TIME_CORE_START`]:
/// the load and the instantiation of the component in a fresh process.
pub fn core_start(bench: &Path) -> Result<(Duration, Duration)> {
    let out = Command::new(bench)
        .arg(TIME_CORE_START)
        .output()
        .context("running the bench binary to time the core's start")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let nanos: Vec<u64> = text.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    let [load, instantiate] = nanos[..] else {
        bail!(
            "timing the core's start failed: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    Ok((Duration::from_nanos(load), Duration::from_nanos(instantiate)))
}
