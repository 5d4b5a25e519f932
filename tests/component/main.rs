//! The real component, run in wasmtime with in-memory imports, must plan
//! exactly what the native core plans for the same scripted world: on the
//! shared scenario table it writes the very bytes of the native core's
//! record (`tests/fixtures/scenarios/plans.json`). It must import nothing the
//! design does not name. `leverage component` hands embedders this very
//! component. The Python host's tests (`tests/python`, pytest) run from here.

mod python;
use std::sync::{Arc, Mutex};

use leverage_cli::engine::leverage::credentials::{aws, files, log, prompt};
use leverage_cli::engine::{self as host, Core, Imports};
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
/// tests use, shared by the four interfaces (one transcript, one script).
#[derive(Clone)]
struct InMemory(Arc<Mutex<ScriptedHost>>);

impl InMemory {
    fn imports(scenario: &leverage_core::scripted::Scenario) -> Imports<Self, Self, Self, Self> {
        Imports::all(InMemory(Arc::new(Mutex::new(ScriptedHost::new(scenario.clone())))))
    }

    fn host(&self) -> std::sync::MutexGuard<'_, ScriptedHost> {
        self.0.lock().unwrap()
    }
}

impl aws::Host for InMemory {
    fn call_all(&mut self, calls: Vec<aws::Call>) -> Vec<Result<aws::Reply, host::AwsError>> {
        let calls: Vec<leverage_core::Call> = convert(&calls);
        convert(&self.host().call_all(&calls))
    }
    fn wait(&mut self, milliseconds: u32) {
        leverage_core::Host::wait(&mut *self.host(), milliseconds)
    }
}

impl files::Host for InMemory {
    fn read(&mut self, path: String) -> Result<Option<String>, host::FilesError> {
        convert(&self.host().read_file(&path))
    }
    fn read_stdin(&mut self) -> Result<String, host::FilesError> {
        convert(&self.host().read_stdin())
    }
}

impl prompt::Host for InMemory {
    fn text(&mut self, q: host::Question, default: Option<String>) -> Result<String, host::PromptError> {
        convert(&self.host().prompt_text(&convert(&q), default.as_deref()))
    }
    fn secret(&mut self, q: host::Question) -> Result<String, host::PromptError> {
        convert(&self.host().prompt_secret(&convert(&q)))
    }
    fn select(&mut self, q: host::Question, choices: Vec<String>, default: u32) -> Result<u32, host::PromptError> {
        convert(&self.host().prompt_select(&convert(&q), &choices, default))
    }
}

impl log::Host for InMemory {
    fn line(&mut self, level: host::Level, message: String) {
        self.host().log(convert(&level), &message)
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
        .configure(&convert(request), InMemory::imports(scenario))
        .unwrap_or_else(|e| panic!("{name}: the component trapped: {e:#}"));
    assert_eq!(
        serde_json::to_value(&native).unwrap(),
        serde_json::to_value(&component).unwrap(),
        "{name}: the component's plan differs from the native core's"
    );
    let transcript = backend.aws.host().transcript.clone();
    (native_host.transcript, transcript)
}

/// The workspace file at `relative`.
fn workspace_file(relative: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

#[test]
fn component_in_wasmtime_writes_the_recorded_plans_byte_for_byte() {
    use leverage_core::scenarios::{recorded, PLANS_PATH, TRANSCRIPTS_PATH};
    let core = Core::load().expect("the embedded component loads");
    let table = leverage_core::scenarios::table();
    assert!(table.len() >= 8);
    let mut plans = Vec::new();
    let mut transcripts = Vec::new();
    for (name, request, scenario) in &table {
        let (outcome, backend) = core
            .configure(&convert(request), InMemory::imports(scenario))
            .unwrap_or_else(|e| panic!("{name}: the component trapped: {e:#}"));
        plans.push((*name, outcome));
        transcripts.push((*name, backend.aws.host().transcript.clone()));
    }
    let recorded_plans = std::fs::read_to_string(workspace_file(PLANS_PATH)).unwrap();
    let recorded_transcripts = std::fs::read_to_string(workspace_file(TRANSCRIPTS_PATH)).unwrap();
    // Scenario by scenario first, so that a failure names the scenario.
    for (i, (name, outcome)) in plans.iter().enumerate() {
        let native: serde_json::Value = serde_json::from_str(&recorded_plans).unwrap();
        assert_eq!(
            recorded("outcome", &[(*name, outcome)]),
            recorded("outcome", &[(*name, &native[i]["outcome"])]),
            "{name}: the component's plan differs from the native core's"
        );
    }
    assert_eq!(
        recorded("transcript", &transcripts),
        recorded_transcripts,
        "the calls made differ from the native core's"
    );
    assert_eq!(recorded("outcome", &plans), recorded_plans);
}

/// Two cores in one process are independent: dropping one leaves the
/// other planning what the native core plans.
#[test]
fn cores_in_one_process_outlive_each_other() {
    let first = Core::load().unwrap();
    let second = Core::load().unwrap();
    let (name, request, scenario) = leverage_core::scenarios::table().into_iter().next().unwrap();
    let (first_plan, _) = first
        .configure(&convert(&request), InMemory::imports(&scenario))
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
        "leverage:credentials/aws@0.4.0",
        "leverage:credentials/files@0.4.0",
        "leverage:credentials/log@0.4.0",
        "leverage:credentials/prompt@0.4.0",
        "leverage:credentials/types@0.4.0",
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
        // serde_norway (IndexMap) and yaml-rust2 (LinkedHashMap). Both iterate in
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

/// `leverage component --write FILE` hands out the very component this
/// binary runs (the tests above run it too), whole.
#[test]
fn component_write_gives_the_embedded_component() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("core.wasm");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(["component", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let written = std::fs::read(&file).unwrap();
    assert_eq!(&written[..8], b"\0asm\x0d\x00\x01\x00", "not a component");
    assert!(
        written == std::fs::read(host::COMPONENT_WASM_PATH).unwrap(),
        "the component written is not the one embedded"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["core.wasm"], "a temporary file was left behind");

    let to_stdout = std::process::Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(["component", "--write", "-"])
        .output()
        .unwrap();
    assert!(to_stdout.status.success());
    assert!(
        to_stdout.stdout == written,
        "--write - does not write the same component"
    );
}

/// `leverage component` names the WIT package the component implements,
/// the version embedders build against: the one in wit/world.wit and in the
/// names of the component's own imports.
#[test]
fn component_prints_the_wit_package_it_implements() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leverage"))
        .arg("component")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8(out.stdout).unwrap();
    let world = std::fs::read_to_string(workspace_file("wit/world.wit")).unwrap();
    let package = printed.trim_end();
    assert!(world.contains(&format!("package {package};")), "{printed:?}");
    let (_, version) = package.split_once('@').expect("a versioned package");
    let imports = Core::load().unwrap().import_names();
    assert!(
        imports.contains(&format!("leverage:credentials/files@{version}")),
        "{imports:?}"
    );
}

/// A place that cannot be written: an error naming it, exit code 1, nothing made.
#[test]
fn component_write_to_a_missing_directory_fails_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-such-dir/core.wasm");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_leverage"))
        .args(["component", "--write"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
