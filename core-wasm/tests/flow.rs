//! The flow through the scripted host: every branch of `configure`, asserting
//! the plan and the calls made.

use leverage_core::scenarios::{self, *};
use leverage_core::scripted::{Answer, Scenario, ScriptedHost};
use leverage_core::*;

#[path = "flow/branches.rs"]
mod branches;
#[path = "flow/ids.rs"]
mod ids;
#[path = "flow/mfa.rs"]
mod mfa;
#[path = "flow/plan.rs"]
mod plan;
#[path = "flow/questions.rs"]
mod questions;

fn run(request: &ConfigureRequest, scenario: Scenario) -> (Result<Plan, ConfigureError>, Vec<String>) {
    let mut host = ScriptedHost::new(scenario);
    let result = configure(&mut host, request);
    (result, host.transcript)
}

fn scenario(name: &str) -> (ConfigureRequest, Scenario) {
    scenarios::table()
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, r, s)| (r, s))
        .expect("a scenario")
}

fn plan_of(name: &str) -> (Plan, Vec<String>) {
    let (request, world) = scenario(name);
    let (result, transcript) = run(&request, world);
    (result.unwrap_or_else(|e| panic!("{name}: {e:?}")), transcript)
}

fn change<'a>(plan: &'a Plan, suffix: &str) -> &'a FileChange {
    plan.changes
        .iter()
        .find(|c| c.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no change to {suffix}"))
}

fn no_secret_in(transcript: &[String]) {
    for line in transcript {
        for secret in [SECRET, OLD_SECRET, BOOT_SECRET] {
            assert!(!line.contains(secret), "a secret reached the transcript: {line}");
        }
    }
}
