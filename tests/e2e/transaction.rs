//! One transaction: the plan shown as masked diffs or JSON without touching
//! the disk, the apply checked against edits made meanwhile, modes, owners
//! and backups, every fault point of the apply in error and crash (abort)
//! mode, a read-only directory, a full disk, runs that queue on the locks
//! (20 at once; two HOMEs on one project), a run from a subdirectory, and no
//! secret anywhere but where it belongs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, mode, running_as_root, Moto, Output, Project, NOBODY, PROJECT_YAML};

mod faults;
mod files;
mod locks;
mod plan;

/// Keys already in the credentials file before a rotation (never valid in AWS).
const OLD_KEY_ID: &str = "AKIAOLDOLDOLDOLDOLD1";
const OLD_SECRET: &str = "oldoldoldoldoldoldoldoldoldoldoldoldold1";

const TFVARS: &str = "\
# Project (short name)
project = \"bb\"

# Accounts
accounts = {
  management = {
    email = \"aws+management@example.com\"
  },
  security = {
    email = \"aws+security@example.com\"
  },
  shared = {
    email = \"aws+shared@example.com\"
  }
}
";

fn old_credentials() -> String {
    format!("# my keys\n[bb-management]\naws_access_key_id = {OLD_KEY_ID}\naws_secret_access_key = {OLD_SECRET}\n")
}

const OLD_CONFIG: &str = "[profile bb-management]\noutput = json\nregion = us-east-1\n";

/// The emulator, with an organization of two member accounts and two IAM
/// users whose keys moto checks (auth enforced).
struct World {
    moto: Moto,
    state: Value,
}

impl World {
    fn start() -> World {
        let moto = Moto::start();
        let state = moto.setup(json!({
            "organization": true,
            "accounts": ["binbash-security", "binbash-shared"],
            "users": [{"name": "jane", "mfa": 0}, {"name": "john", "mfa": 0}],
            "enforce_auth": true,
        }));
        World { moto, state }
    }

    fn key(&self, user: &str) -> (&str, &str) {
        keys_of(&self.state, user)
    }

    fn account(&self, name: &str) -> &str {
        self.state["org_accounts"][format!("binbash-{name}")].as_str().unwrap()
    }
}

/// The five files a rotation changes, in the order of the plan.
struct Targets {
    build_env: PathBuf,
    credentials: PathBuf,
    config: PathBuf,
    tfvars: PathBuf,
    project_yaml: PathBuf,
}

impl Targets {
    fn of(project: &Project) -> Targets {
        Targets {
            build_env: project.root.join("build.env"),
            credentials: project.aws_file("bb", "credentials"),
            config: project.aws_file("bb", "config"),
            tfvars: project.root.join("config/common.tfvars"),
            project_yaml: project.root.join("project.yaml"),
        }
    }

    fn all(&self) -> [&Path; 5] {
        [
            &self.build_env,
            &self.credentials,
            &self.config,
            &self.tfvars,
            &self.project_yaml,
        ]
    }
}

/// A project whose MANAGEMENT keys are rotated to jane's: a run changes all
/// five files (build.env is created; credentials, config, common.tfvars and
/// project.yaml are edited and backed up). Returns the project and the args.
fn rotation(world: &World) -> (Project, Vec<String>) {
    let mut project = Project::new();
    project.secrets.push(OLD_SECRET.to_string());
    project.write("project.yaml", PROJECT_YAML);
    project.write("config/common.tfvars", TFVARS);
    let aws_dir = project.home.join(".aws/bb");
    std::fs::create_dir_all(&aws_dir).unwrap();
    std::fs::set_permissions(&aws_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    for (name, content) in [("credentials", old_credentials()), ("config", OLD_CONFIG.to_string())] {
        let path = aws_dir.join(name);
        std::fs::write(&path, content).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let (key_id, secret) = world.key("jane");
    let csv = project.keys_csv(key_id, secret);
    let args = configure_args(
        "MANAGEMENT",
        csv.to_str().unwrap(),
        &["--overwrite-existing-credentials"],
    );
    (project, args.iter().map(|a| a.to_string()).collect())
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

fn run(project: &Project, world: &World, args: &[String], extra: &[&str]) -> Output {
    let mut all = strs(args);
    all.extend_from_slice(extra);
    project.run(Some(&world.moto), &all)
}

fn run_with_env(project: &Project, world: &World, args: &[String], var: &str, value: &str) -> Output {
    let mut cmd = project.command(Some(&world.moto));
    cmd.env(var, value);
    project.run_with(cmd, &strs(args), None)
}

/// The content of each target: `None` when it does not exist.
fn contents(targets: &Targets) -> Vec<Option<Vec<u8>>> {
    targets.all().iter().map(|p| std::fs::read(p).ok()).collect()
}

/// Every file under HOME (the project is inside it) whose name matches.
fn files_named(project: &Project, matches: impl Fn(&str) -> bool + Copy) -> Vec<PathBuf> {
    fn walk(dir: &Path, matches: impl Fn(&str) -> bool + Copy, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".git" {
                // Only the project files' backups (and their temporaries).
                walk(&path.join("leverage-backups"), matches, out);
                continue;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&path, matches, out);
            } else if matches(&name) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&project.home, matches, &mut out);
    out.sort();
    out
}

fn temporaries(project: &Project) -> Vec<PathBuf> {
    files_named(project, |n| {
        n.starts_with('.') && n.contains(".leverage-") && n.ends_with(".tmp")
    })
}

/// Where the backups of `target` go: beside an AWS file, under the git
/// directory for a project file (out of `git status`).
fn backup_folder(project: &Project, target: &Path) -> PathBuf {
    match target.strip_prefix(&project.root) {
        Ok(relative) => project
            .root
            .join(".git/leverage-backups")
            .join(relative.parent().unwrap()),
        Err(_) => target.parent().unwrap().to_path_buf(),
    }
}

fn backups(project: &Project) -> Vec<PathBuf> {
    files_named(project, |n| n.ends_with(".bak"))
}

/// The snapshot without modification times: what must be equal after a
/// failed run whose rollback rewrote files with their old bytes.
fn bytes_only(project: &Project) -> Vec<(PathBuf, Vec<u8>)> {
    project
        .snapshot()
        .into_iter()
        .map(|(path, bytes, _)| (path, bytes))
        .collect()
}
