//! Runs that queue on the locks: 20 at once on one project, and two HOMEs on
//! one project.

use super::*;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::fault_proxy::{Fault, FaultProxy, Times};
use crate::support::{ProjectLock, Running};

/// What a run prints when it queues behind another.
const WAITING: &str = "Waiting for another leverage run to finish...";
/// Long enough for any number of runs to start on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// 20 runs at once on one HOME and one project, each writing its own
/// profiles (`--role-name RoleNN` names them `bb-<account>-rolenn`) into the
/// same config file: they queue on the lock and none loses another's work.
/// The test holds the project's lock (as a run does) until all 20 have
/// started and said that they wait, so that every run really queues.
#[test]
fn twenty_concurrent_runs_keep_every_profile() {
    let world = World::start();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write("config/common.tfvars", TFVARS);
    let (key_id, secret) = world.key("jane");
    project.secrets.push(secret.to_string());
    let aws_dir = project.home.join(".aws/bb");
    std::fs::create_dir_all(&aws_dir).unwrap();
    let mut credentials = String::new();
    for kind in ["bootstrap", "management", "security"] {
        credentials.push_str(&format!(
            "[bb-{kind}]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"
        ));
    }
    std::fs::write(aws_dir.join("credentials"), &credentials).unwrap();

    let kinds = ["MANAGEMENT", "SECURITY", "BOOTSTRAP"];
    let lock = ProjectLock::take(&project.root);
    let mut runs: Vec<Running> = (0..20)
        .map(|i| {
            let role = format!("Role{i:02}");
            project.spawn(
                project.command(Some(&world.moto)),
                &[
                    "credentials",
                    "configure",
                    "--type",
                    kinds[i % 3],
                    "--skip-access-keys-setup",
                    "--role-name",
                    &role,
                    "--non-interactive",
                ],
            )
        })
        .collect();
    for run in &mut runs {
        run.wait_for_stderr(WAITING, START_TIMEOUT);
    }
    for (i, run) in runs.iter_mut().enumerate() {
        assert!(
            run.is_running(),
            "run {i} ended while the lock was held:\n{}",
            run.stderr()
        );
    }
    drop(lock);
    let outputs: Vec<Output> = runs.into_iter().map(Running::finish).collect();
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out.code, 0, "run {i}: {}", out.stderr);
    }

    let config = project.read_aws("bb", "config");
    for i in 0..20 {
        let source = format!("bb-{}", kinds[i % 3].to_ascii_lowercase());
        for account in ["security", "shared"] {
            let section = format!(
                "[profile bb-{account}-role{i:02}]\noutput = json\nregion = us-east-1\nrole_arn = arn:aws:iam::{}:role/Role{i:02}\nsource_profile = {source}\n",
                world.account(account)
            );
            assert!(
                config.contains(&section),
                "run {i} lost its profile:\n{section}\nin:\n{config}"
            );
        }
    }
    assert_eq!(config.matches("[profile ").count(), 40, "{config}");
    assert_eq!(project.read_aws("bb", "credentials"), credentials, "the keys were kept");

    // Every file parses: the INI files with Python's configparser, the
    // project files with PyYAML and HashiCorp's HCL parser.
    let script = r#"
import configparser, sys, yaml, pygohcl
home, root = sys.argv[1], sys.argv[2]
for name in ("credentials", "config"):
    parser = configparser.ConfigParser()
    parser.read_string(open(f"{home}/.aws/bb/{name}").read())
    print(name, len(parser.sections()))
print("yaml", len(yaml.safe_load(open(f"{root}/project.yaml"))["organization"]["accounts"]))
print("hcl", sorted(pygohcl.loads(open(f"{root}/config/common.tfvars").read())["accounts"]))
"#;
    let parsed = Command::new("python3")
        .args(["-c", script])
        .arg(&project.home)
        .arg(&project.root)
        .output()
        .unwrap();
    assert!(parsed.status.success(), "{}", String::from_utf8_lossy(&parsed.stderr));
    assert_eq!(
        String::from_utf8_lossy(&parsed.stdout),
        "credentials 3\nconfig 40\nyaml 3\nhcl ['management', 'security', 'shared']\n"
    );
    assert_eq!(temporaries(&project), Vec::<PathBuf>::new());
}

/// Two HOMEs, one project (a shared checkout): their AWS directories differ,
/// so only the lock on the project directory can make them queue. Run A is
/// kept inside its locks by an AWS reply held back; run B, from another
/// HOME, must say it waits and must not end before A does.
#[test]
fn runs_from_two_homes_on_one_project_queue() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 0}, {"name": "john", "mfa": 0}],
    }));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write("config/common.tfvars", TFVARS);
    let (jane_id, jane_secret) = keys_of(&state, "jane");
    let jane_csv = project.keys_csv(jane_id, jane_secret);
    let (john_id, john_secret) = keys_of(&state, "john");
    let john_csv = project.keys_csv(john_id, john_secret);
    let other_home = tempfile::tempdir().unwrap();

    let proxy = FaultProxy::start(&moto);
    let released = Arc::new(AtomicBool::new(false));
    proxy.fault("GetCallerIdentity", Fault::Hold(released.clone()), Times::First(1));
    let mut first = project.command(Some(&moto));
    first
        .env("AWS_ENDPOINT_URL", &proxy.endpoint)
        // Never time out the held reply: the test decides when it comes.
        .env("LEVERAGE_TEST_READ_TIMEOUT_MS", "3600000");
    let mut a = project.spawn(first, &configure_args("MANAGEMENT", jane_csv.to_str().unwrap(), &[]));
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    while proxy.seen("GetCallerIdentity").is_empty() {
        assert!(a.is_running(), "run A ended early:\n{}", a.stderr());
        assert!(
            std::time::Instant::now() < deadline,
            "run A never called AWS:\n{}",
            a.stderr()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        ProjectLock::is_held(&project.root),
        "run A plans without the project lock"
    );

    let mut second = project.command(Some(&moto));
    second.env("HOME", other_home.path());
    let mut b = project.spawn(second, &configure_args("MANAGEMENT", john_csv.to_str().unwrap(), &[]));
    b.wait_for_stderr(WAITING, START_TIMEOUT);
    assert!(
        b.is_running(),
        "run B ended while run A held the project:\n{}",
        b.stderr()
    );
    released.store(true, Ordering::SeqCst);

    let a = a.finish();
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = b.finish();
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(project.read_aws("bb", "credentials").contains("[bb-management]"));
    let other = std::fs::read_to_string(other_home.path().join(".aws/bb/credentials")).unwrap();
    assert!(other.contains("[bb-management]") && other.contains(john_id), "{other}");
    // B planned from what A wrote: the ids A learned are in the project once.
    let yaml = std::fs::read_to_string(project.root.join("project.yaml")).unwrap();
    let security = state["org_accounts"]["binbash-security"].as_str().unwrap();
    assert_eq!(yaml.matches(security).count(), 1, "{yaml}");
}
