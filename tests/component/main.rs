//! The real component, run in wasmtime with in-memory imports, must plan
//! exactly what the native core plans for the same scripted world (issue 2,
//! DESIGN "Tests" 3), and must import nothing the design does not name.

use leverage_cli::engine::leverage::credentials::{aws, files, log, prompt, types};
use leverage_cli::engine::{self as host, Core};
use leverage_core::scripted::ScriptedHost;
use leverage_core::Host as _;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Between the two generated type families (wit-bindgen's in the core,
/// wasmtime's in the host) through their identical serde form.
fn convert<A: Serialize, B: DeserializeOwned>(value: &A) -> B {
    serde_json::from_value(serde_json::to_value(value).unwrap()).unwrap()
}

/// Serves the component's imports from the same scripted host the native
/// tests use.
struct InMemory(ScriptedHost);

impl types::Host for InMemory {}

impl aws::Host for InMemory {
    fn call_all(&mut self, calls: Vec<aws::Call>) -> Vec<Result<aws::Reply, host::AwsError>> {
        let calls: Vec<leverage_core::Call> = convert(&calls);
        convert(&self.0.call_all(&calls))
    }
}

impl files::Host for InMemory {
    fn read(&mut self, path: String) -> Result<Option<String>, host::FilesError> {
        convert(&self.0.read_file(&path))
    }
    fn read_stdin(&mut self) -> Result<String, host::FilesError> {
        convert(&self.0.read_stdin())
    }
}

impl prompt::Host for InMemory {
    fn text(&mut self, q: String, default: Option<String>) -> Result<String, host::PromptError> {
        convert(&self.0.prompt_text(&q, default.as_deref()))
    }
    fn secret(&mut self, q: String) -> Result<String, host::PromptError> {
        convert(&self.0.prompt_secret(&q))
    }
    fn select(&mut self, q: String, choices: Vec<String>, default: u32) -> Result<u32, host::PromptError> {
        convert(&self.0.prompt_select(&q, &choices, default))
    }
}

impl log::Host for InMemory {
    fn line(&mut self, level: host::Level, message: String) {
        self.0.log(convert(&level), &message)
    }
}

/// Plans `request` in `scenario` natively and through `core`; asserts that
/// both plans are equal and returns the component's calls.
fn assert_same_plan(
    core: &Core,
    name: &str,
    request: &leverage_core::ConfigureRequest,
    scenario: &leverage_core::scripted::Scenario,
) -> (Vec<String>, Vec<String>) {
    let mut native_host = ScriptedHost::new(scenario.clone());
    let native = leverage_core::configure(&mut native_host, request);
    let (component, backend) = core
        .configure(&convert(request), InMemory(ScriptedHost::new(scenario.clone())))
        .unwrap_or_else(|e| panic!("{name}: the component trapped: {e:#}"));
    assert_eq!(
        serde_json::to_value(&native).unwrap(),
        serde_json::to_value(&component).unwrap(),
        "{name}: the component's plan differs from the native core's"
    );
    (native_host.transcript, backend.0.transcript)
}

#[test]
fn component_plans_equal_native_plans() {
    let core = Core::load().expect("the embedded component loads");
    let table = leverage_core::scenarios::table();
    assert!(table.len() >= 8);
    for (name, request, scenario) in table {
        let (native_calls, component_calls) = assert_same_plan(&core, name, &request, &scenario);
        assert_eq!(native_calls, component_calls, "{name}: the calls made differ");
    }
}

/// Two cores in one process are independent: dropping one leaves the
/// other planning what the native core plans.
#[test]
fn cores_in_one_process_outlive_each_other() {
    let first = Core::load().unwrap();
    let second = Core::load().unwrap();
    let (name, request, scenario) = leverage_core::scenarios::table().into_iter().next().unwrap();
    let (first_plan, _) = first
        .configure(&convert(&request), InMemory(ScriptedHost::new(scenario.clone())))
        .unwrap();
    assert!(first_plan.is_ok(), "{name}: {first_plan:?}");
    drop(first);
    assert_same_plan(&second, name, &request, &scenario);
}

/// Any new import is a design decision: this list must be changed with it.
#[test]
fn component_imports_only_what_the_design_names() {
    let mut imports = Core::load().unwrap().import_names();
    imports.sort();
    let ours = [
        "leverage:credentials/aws@0.1.0",
        "leverage:credentials/files@0.1.0",
        "leverage:credentials/log@0.1.0",
        "leverage:credentials/prompt@0.1.0",
        "leverage:credentials/types@0.1.0",
    ];
    // What any wasm32-wasip2 std program imports (toolchain.md); no filesystem,
    // no sockets, no random.
    let wasi_allowed = [
        "wasi:cli/environment",
        "wasi:cli/exit",
        "wasi:cli/stderr",
        "wasi:cli/stdin",
        "wasi:cli/stdout",
        "wasi:cli/terminal-input",
        "wasi:cli/terminal-output",
        "wasi:cli/terminal-stderr",
        "wasi:cli/terminal-stdin",
        "wasi:cli/terminal-stdout",
        "wasi:clocks/monotonic-clock",
        "wasi:clocks/wall-clock",
        "wasi:io/error",
        "wasi:io/poll",
        "wasi:io/streams",
        // The seed of std's RandomState, used by the hashed maps inside
        // serde_yaml (IndexMap) and yaml-rust2 (LinkedHashMap). Both iterate in
        // insertion order, so the seed cannot change a plan; the core's own
        // code uses BTreeMap only (clippy.toml forbids HashMap/HashSet).
        "wasi:random/insecure-seed",
    ];
    for name in &imports {
        let allowed = ours.contains(&name.as_str()) || wasi_allowed.iter().any(|w| name.split('@').next() == Some(*w));
        assert!(allowed, "the component imports {name}, which the design does not name");
    }
    for name in ours {
        assert!(
            imports.iter().any(|i| i == name),
            "the component does not import {name}: {imports:?}"
        );
    }
    assert!(
        !imports.iter().any(|i| i.starts_with("wasi:filesystem")
            || i.starts_with("wasi:sockets")
            || i.starts_with("wasi:random/random")),
        "{imports:?}"
    );
}
