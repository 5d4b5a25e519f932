//! Runs row 5's planning step in a loop, natively or through the component
//! with a perf map, so that `perf record` can name the component's functions:
//!
//! ```text
//! perf record -g target/release/profile wasm few 20
//! perf report --no-children
//! ```
//!
//! Arguments: `native|wasm`, `few|yaml|tfvars` (what is declared), runs,
//! and optionally the organization's size and the config file's size in
//! bytes (row 5's 5,000 accounts and 1 MiB by default; `3 0` is row 1's
//! size, for the component's fixed costs).

use anyhow::{bail, Context, Result};
use leverage_bench::world::{large_input, pooled_config, Declared};
use leverage_cli::engine as host;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let side = args.first().map(String::as_str).unwrap_or("wasm");
    let declared = match args.get(1).map(String::as_str).unwrap_or("few") {
        "few" => Declared::Few,
        "yaml" => Declared::AllInProjectYaml,
        "tfvars" => Declared::AllInProjectYamlAndTfvars,
        other => bail!("unknown input {other} (few, yaml, tfvars)"),
    };
    let runs: usize = args.get(2).map(|r| r.parse()).transpose()?.unwrap_or(10);
    let members: usize = args.get(3).map(|m| m.parse()).transpose()?.unwrap_or(4999);
    let config_bytes: usize = args.get(4).map(|b| b.parse()).transpose()?.unwrap_or(1 << 20);
    let input = large_input(members, config_bytes, declared);
    let mut start = std::time::Instant::now();
    match side {
        "native" => {
            let trim = std::env::var_os("TRIM").is_some();
            let mut spent = std::time::Duration::ZERO;
            for _ in 0..runs {
                if trim {
                    // SAFETY: plain libc call, no arguments to uphold.
                    unsafe { libc::malloc_trim(0) };
                }
                let t = std::time::Instant::now();
                input
                    .plan_native(input.scenario.clone())
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                spent += t.elapsed();
            }
            println!(
                "native planning only: {:.1} ms a run",
                spent.as_secs_f64() * 1e3 / runs as f64
            );
        }
        "wasm" => {
            // POOL=1: the component in a warm pooling-allocator slot.
            let mut config = if std::env::var_os("POOL").is_some() {
                pooled_config()
            } else {
                host::core_config()
            };
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
            let engine = wasmtime::Engine::new(&config).map_err(|e| anyhow::anyhow!("{e}"))?;
            // LEVERAGE_PROFILE_WASM: a build of the core that keeps its names.
            let path = std::env::var("LEVERAGE_PROFILE_WASM").unwrap_or_else(|_| host::COMPONENT_WASM_PATH.into());
            let wasm = std::fs::read(&path).with_context(|| format!("reading {path}"))?;
            let artifact = engine.precompile_component(&wasm).map_err(|e| anyhow::anyhow!("{e}"))?;
            // SAFETY: precompiled just above by this engine.
            let core = unsafe { host::bench::load_from(engine, &artifact)? };
            start = std::time::Instant::now();
            for _ in 0..runs {
                let plan = input.plan_component(&core, input.backend.clone())?;
                if plan.is_err() {
                    bail!("the plan failed");
                }
            }
        }
        other => bail!("unknown side {other} (native, wasm)"),
    }
    println!(
        "{side}: {:.1} ms a run",
        start.elapsed().as_secs_f64() * 1e3 / runs as f64
    );
    Ok(())
}
