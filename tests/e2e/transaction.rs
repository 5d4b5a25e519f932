//! One transaction: the plan shown as masked diffs or JSON without touching
//! the disk, the apply checked against edits made meanwhile, modes, owners
//! and backups, every fault point of the apply in error and crash (abort)
//! mode, a read-only directory, a full disk, runs that queue on the locks
//! (20 at once; two HOMEs on one project), a run from a subdirectory, and no
//! secret anywhere but where it belongs.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::fault_proxy::{Fault, FaultProxy, Times};
use crate::support::{
    configure_args, give_to_nobody, keys_of, mode, running_as_root, Moto, Output, Project, ProjectLock, Running,
    NOBODY, PROJECT_YAML,
};

/// What a run prints when it queues behind another.
const WAITING: &str = "Waiting for another leverage run to finish...";
/// Long enough for any number of runs to start on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// Keys already in the credentials file before a rotation (never valid in AWS).
const OLD_KEY_ID: &str = "AKIAOLDOLDOLDOLDOLD1";
const OLD_SECRET: &str = "oldoldoldoldoldoldoldoldoldoldoldoldold1";

/// The fixed mask that replaces every secret shown.
const MASK: &str = "****************";

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

/// `YYYYMMDDTHHMMSSZ` in UTC, as backups are named.
fn utc_stamp(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}T{:02}{:02}{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The new content of every target after a clean rotation in a twin project.
fn expected_after_rotation(world: &World) -> Vec<Option<Vec<u8>>> {
    let (project, args) = rotation(world);
    let out = run(&project, world, &args, &[]);
    assert_eq!(out.code, 0, "the reference rotation failed:\n{}", out.stderr);
    let after = contents(&Targets::of(&project));
    assert!(after.iter().all(Option::is_some));
    after
}

/// `--dry-run` and `--output json`: the whole plan shown, secrets masked,
/// nothing on disk touched (bytes and modification times); then the same
/// run applied with `--output json` reports files and backups that exist.
#[test]
fn dry_run_and_json_show_the_plan_without_secrets() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let (key_id, secret) = world.key("jane");
    let before = project.snapshot();

    let out = run(&project, &world, &args, &["--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let diff = &out.stdout;
    for header in [
        "--- /dev/null\n+++ b/build.env\n",
        "--- a/~/.aws/bb/credentials\n+++ b/~/.aws/bb/credentials\n",
        "--- a/~/.aws/bb/config\n+++ b/~/.aws/bb/config\n",
        "--- a/config/common.tfvars\n+++ b/config/common.tfvars\n",
        "--- a/project.yaml\n+++ b/project.yaml\n",
    ] {
        assert!(diff.contains(header), "no diff of {header:?} in:\n{diff}");
    }
    // The secret changes too: shown as a changed line, masked on both sides.
    assert!(
        diff.contains(&format!(
            " [bb-management]\n-aws_access_key_id = {OLD_KEY_ID}\n-aws_secret_access_key = {MASK}\n\
             +aws_access_key_id = {key_id}\n+aws_secret_access_key = {MASK}\n"
        )),
        "{diff}"
    );
    assert!(diff.contains("+PROJECT=bb\n"), "{diff}");
    assert!(
        diff.contains(&format!(
            "+role_arn = arn:aws:iam::{}:role/OrganizationAccountAccessRole\n",
            world.account("shared")
        )),
        "{diff}"
    );
    assert!(
        diff.contains(&format!("+    id    = \"{}\"", world.account("security"))),
        "{diff}"
    );
    assert!(
        !diff.contains(secret) && !diff.contains(OLD_SECRET),
        "a secret in the dry run:\n{diff}"
    );
    assert!(
        out.stderr
            .contains("Dry run: 5 file(s) would change; nothing was written."),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "--dry-run changed the disk");

    let out = run(&project, &world, &args, &["--dry-run", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(secret) && !out.stdout.contains(OLD_SECRET));
    let plan: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert!(
        out.stderr.contains("Checking the keys with AWS"),
        "progress belongs on stderr:\n{}",
        out.stderr
    );
    assert_eq!(plan["dry_run"], json!(true));
    assert_eq!(plan["profile"], json!("bb-management"));
    assert_eq!(plan["keys_written"], json!(true));
    let profiles: Vec<&str> = plan["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, ["bb-security-oaar", "bb-shared-oaar"]);
    assert_eq!(plan["profiles"][1]["account_id"], json!(world.account("shared")));
    assert_eq!(
        plan["accounts_learned"],
        json!([{"name": "security", "id": world.account("security")}, {"name": "shared", "id": world.account("shared")}])
    );
    let attributes: Vec<&str> = plan["terraform_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    for attribute in ["accounts.security.id", "accounts.shared.id"] {
        assert!(attributes.contains(&attribute), "{attributes:?}");
    }
    // management has no id anywhere: the run says so and goes on.
    assert!(
        plan["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("management")),
        "{plan}"
    );
    let files = plan["files"].as_array().unwrap();
    let kinds: Vec<(&str, bool)> = files
        .iter()
        .map(|f| (f["kind"].as_str().unwrap(), f["created"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("build-env", true),
            ("aws-config", false),
            ("project-yaml", false),
            ("terraform-vars", false),
            ("aws-credentials", false)
        ]
    );
    assert!(
        files.iter().all(|f| f["backup"].is_null()),
        "a dry run makes no backup: {plan}"
    );
    assert_eq!(project.snapshot(), before, "--dry-run --output json changed the disk");

    // Applied: the same document, with the backups made.
    let targets = Targets::of(&project);
    let out = run(&project, &world, &args, &["--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains(secret) && !out.stdout.contains(OLD_SECRET));
    let done: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(done["dry_run"], json!(false));
    assert_eq!(done["profiles"], plan["profiles"]);
    let files = done["files"].as_array().unwrap();
    assert_eq!(files.len(), 5);
    assert_eq!(files[0]["path"], json!(targets.build_env.to_str().unwrap()));
    assert!(files[0]["backup"].is_null(), "a new file has no backup");
    let old: [(&Path, String); 4] = [
        (&targets.config, OLD_CONFIG.to_string()),
        (&targets.project_yaml, PROJECT_YAML.to_string()),
        (&targets.tfvars, TFVARS.to_string()),
        (&targets.credentials, old_credentials()),
    ];
    for (file, (path, old_content)) in files[1..].iter().zip(old) {
        assert_eq!(file["path"], json!(path.to_str().unwrap()));
        let backup = PathBuf::from(file["backup"].as_str().expect("an edited file has a backup"));
        assert_eq!(
            std::fs::read_to_string(&backup).unwrap(),
            old_content,
            "{}",
            backup.display()
        );
        assert_eq!(mode(&backup), 0o600, "{}", backup.display());
        let folder = backup_folder(&project, path);
        assert_eq!(backup.parent(), Some(folder.as_path()), "{}", backup.display());
    }
}

/// A target edited (or removed) by another program after the plan was made:
/// a clear error naming it, nothing written; a re-run plans from the edit.
#[test]
fn a_target_edited_between_plan_and_apply_stops_the_run() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let targets = Targets::of(&project);

    let out = run_with_env(
        &project,
        &world,
        &args,
        "LEVERAGE_TEST_EDIT_BEFORE_APPLY",
        &format!("append:{}", targets.tfvars.display()),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Error: {} was changed by another program while this run was planning; nothing was written.",
            targets.tfvars.display()
        )),
        "{}",
        out.stderr
    );
    let edited = format!("{TFVARS}# edited by another program\n");
    assert_eq!(
        std::fs::read_to_string(&targets.tfvars).unwrap(),
        edited,
        "the other program's edit is kept"
    );
    assert_eq!(
        std::fs::read_to_string(&targets.credentials).unwrap(),
        old_credentials()
    );
    assert_eq!(std::fs::read_to_string(&targets.config).unwrap(), OLD_CONFIG);
    assert_eq!(std::fs::read_to_string(&targets.project_yaml).unwrap(), PROJECT_YAML);
    assert!(!targets.build_env.exists());
    assert!(temporaries(&project).is_empty() && backups(&project).is_empty());

    let before = project.snapshot();
    let out = run_with_env(
        &project,
        &world,
        &args,
        "LEVERAGE_TEST_EDIT_BEFORE_APPLY",
        &format!("remove:{}", targets.config.display()),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "Error: {} was removed by another program",
            targets.config.display()
        )),
        "{}",
        out.stderr
    );
    let mut expected = before;
    expected.retain(|(path, _, _)| path != &targets.config);
    assert_eq!(
        project.snapshot(),
        expected,
        "only the other program's removal happened"
    );

    // Planned again from what is there now, the run completes and keeps the edit.
    let out = run(&project, &world, &args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let tfvars = std::fs::read_to_string(&targets.tfvars).unwrap();
    assert!(
        tfvars.contains("}\n# edited by another program\n") && tfvars.contains("    id    = \""),
        "{tfvars}"
    );
    assert!(std::fs::read_to_string(&targets.config)
        .unwrap()
        .contains("[profile bb-shared-oaar]"));
}

/// New secret files 0600 in a 0700 directory; an existing file keeps its
/// mode; a symbolic link stays a link and its target is written; backups are
/// 0600, named `<file>.<UTC timestamp>.bak` and never overwritten, even by
/// a run in the same second as an earlier backup.
#[test]
fn modes_links_and_backups() {
    let world = World::start();

    // A first run in a fresh HOME creates everything (its dry run, nothing:
    // not even ~/.aws for the lock).
    let mut fresh = Project::new();
    fresh.write("project.yaml", PROJECT_YAML);
    let (key_id, secret) = world.key("jane");
    let csv = fresh.keys_csv(key_id, secret);
    let first = configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]);
    let before = fresh.snapshot();
    let out = fresh.run(Some(&world.moto), &[&first[..], &["--dry-run"]].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("--- /dev/null\n+++ b/~/.aws/bb/credentials\n"),
        "{}",
        out.stdout
    );
    assert_eq!(fresh.snapshot(), before);
    assert!(!fresh.home.join(".aws").exists(), "a dry run created ~/.aws");
    let out = fresh.run(Some(&world.moto), &first);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&fresh.aws_file("bb", "credentials")), 0o600);
    assert_eq!(mode(&fresh.aws_file("bb", "config")), 0o600);
    assert_eq!(mode(&fresh.home.join(".aws/bb")), 0o700);
    assert_eq!(mode(&fresh.home.join(".aws")), 0o700);
    // Only project.yaml existed (and learned the account ids).
    let made: Vec<String> = backups(&fresh)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        made.len() == 1 && made[0].starts_with("project.yaml."),
        "new files have no backup: {made:?}"
    );

    // A rotation where the credentials file is a link into a dotfiles
    // repository and config is group-readable.
    let (mut project, args) = rotation(&world);
    let targets = Targets::of(&project);
    let dotfiles = project.home.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let real = dotfiles.join("aws-credentials");
    std::fs::rename(&targets.credentials, &real).unwrap();
    std::os::unix::fs::symlink("../../dotfiles/aws-credentials", &targets.credentials).unwrap();
    std::fs::set_permissions(&targets.config, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::set_permissions(&targets.tfvars, std::fs::Permissions::from_mode(0o664)).unwrap();

    // Backups of config already taken in every second the run can end up
    // naming its backups by (another run's): this run must pick another name
    // and leave them alone. The run names its backups by the second in which
    // it names them, which lies between its start and its end; a window of
    // ten minutes covers any run on a busy machine.
    let start = SystemTime::now();
    let taken: Vec<PathBuf> = (0..BACKUP_WINDOW.as_secs())
        .map(|s| {
            let path = PathBuf::from(format!(
                "{}.{}.bak",
                targets.config.display(),
                utc_stamp(start + Duration::from_secs(s))
            ));
            std::fs::write(&path, "an earlier backup\n").unwrap();
            path
        })
        .collect();

    let out = run(&project, &world, &args, &[]);
    let end = SystemTime::now();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        end.duration_since(start).unwrap() < BACKUP_WINDOW,
        "the run outlasted the seconds reserved for it"
    );
    assert!(
        std::fs::symlink_metadata(&targets.credentials)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(
        std::fs::read_link(&targets.credentials).unwrap(),
        Path::new("../../dotfiles/aws-credentials")
    );
    assert!(
        std::fs::read_to_string(&real).unwrap().contains(key_id),
        "the link's target holds the new keys"
    );
    assert_eq!(mode(&real), 0o600);
    assert_eq!(mode(&targets.config), 0o640, "an existing file keeps its mode");
    assert_eq!(mode(&targets.tfvars), 0o664, "an existing file keeps its mode");
    assert_eq!(mode(&targets.build_env), 0o644, "a new file without secrets");
    for path in &taken {
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            "an earlier backup\n",
            "{} was overwritten",
            path.display()
        );
    }

    let made = backups(&project);
    let ours: Vec<&PathBuf> = made.iter().filter(|p| !taken.contains(p)).collect();
    assert_eq!(ours.len(), 4, "one backup per edited file: {made:?}");
    for backup in &ours {
        assert_eq!(mode(backup), 0o600, "{}", backup.display());
    }
    // The link's backup lives beside the file really written.
    let credentials_backup = ours
        .iter()
        .find(|p| p.starts_with(&dotfiles))
        .expect("a backup in dotfiles/");
    assert_eq!(std::fs::read_to_string(credentials_backup).unwrap(), old_credentials());
    let name = credentials_backup.file_name().unwrap().to_str().unwrap();
    let stamp = name
        .strip_prefix("aws-credentials.")
        .and_then(|n| n.strip_suffix(".bak"))
        .unwrap();
    assert!(
        stamp.len() == 16 && (utc_stamp(start).as_str()..=utc_stamp(end).as_str()).contains(&stamp),
        "`{name}` is not named by the UTC time of the run"
    );
    let config_backup = ours
        .iter()
        .find(|p| p.parent() == targets.config.parent() && p.to_str().unwrap().contains("/config."))
        .unwrap();
    assert!(
        config_backup.to_str().unwrap().ends_with(&format!("{stamp}-2.bak")),
        "{}",
        config_backup.display()
    );
    assert_eq!(std::fs::read_to_string(config_backup).unwrap(), OLD_CONFIG);

    // A second rotation right away (john's keys): both runs' backups are kept.
    let after_first = std::fs::read_to_string(&real).unwrap();
    let (john_id, john_secret) = world.key("john");
    let csv = project.keys_csv(john_id, john_secret);
    let mut again = args.clone();
    again[5] = csv.display().to_string();
    let out = run(&project, &world, &again, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut kept: Vec<String> = files_named(&project, |n| n.starts_with("aws-credentials.") && n.ends_with(".bak"))
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    kept.sort();
    let mut expected = vec![old_credentials(), after_first];
    expected.sort();
    assert_eq!(kept, expected, "each run keeps its own backup of the credentials");
    assert!(std::fs::read_to_string(&real).unwrap().contains(john_id));
}

/// How many seconds of backup names a test reserves from a run's start.
const BACKUP_WINDOW: Duration = Duration::from_secs(600);

/// Crash safety: the apply fails, or the process dies, at every step in
/// turn — before each temporary (it is created, then the fault fires before
/// its content is written), each backup, each rename — of a run that changes
/// five files. After a failure every file is exactly as before and nothing
/// of the run is left; after a crash every file is wholly old or wholly new.
/// Either way a re-run completes the job and leaves no temporary behind
/// (a crashed run's temporaries are removed by the next run).
#[test]
fn every_fault_point_leaves_each_file_old_or_new() {
    let world = World::start();
    let new = expected_after_rotation(&world);
    let order = planned_order(&world);
    // 5 temporaries, 4 backups (build.env is new), 5 renames.
    let points: Vec<(&str, usize)> = [("temp", 5), ("backup", 4), ("rename", 5)]
        .iter()
        .flat_map(|&(step, count)| (1..=count).map(move |n| (step, n)))
        .collect();
    let cases: Vec<(&str, usize, bool)> = points
        .iter()
        .flat_map(|&(step, n)| [(step, n, false), (step, n, true)])
        .collect();

    // Two at a time: each case has its own project; the emulator is shared.
    std::thread::scope(|scope| {
        for chunk in cases.chunks(cases.len().div_ceil(2)) {
            let (world, new, order) = (&world, &new, &order);
            scope.spawn(move || {
                for &(step, n, abort) in chunk {
                    fault_case(world, new, order, step, n, abort);
                }
            });
        }
    });
}

/// The rotation's files (as indices into [`Targets::all`]) in the order of
/// the plan, read from `--dry-run --output json`; the core decides it to be
/// build.env, config, project.yaml, common.tfvars, credentials (the files
/// that decide what a re-run does go last).
fn planned_order(world: &World) -> Vec<usize> {
    let (project, args) = rotation(world);
    let targets = Targets::of(&project);
    let out = run(&project, world, &args, &["--dry-run", "--output", "json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let plan: Value = serde_json::from_str(&out.stdout).unwrap();
    let order: Vec<usize> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let path = Path::new(f["path"].as_str().unwrap());
            let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            targets
                .all()
                .iter()
                .position(|t| t.canonicalize().unwrap_or_else(|_| t.to_path_buf()) == path)
                .unwrap_or_else(|| panic!("not a target: {}", path.display()))
        })
        .collect();
    assert_eq!(order, [0, 2, 4, 3, 1], "the plan's order of the files");
    order
}

fn fault_case(world: &World, new: &[Option<Vec<u8>>], order: &[usize], step: &str, n: usize, abort: bool) {
    let case = format!("{step}:{n}{}", if abort { ":abort" } else { "" });
    let (project, args) = rotation(world);
    let targets = Targets::of(&project);
    let old = contents(&targets);
    let before = bytes_only(&project);
    let modes_before: Vec<Option<u32>> = targets.all().iter().map(|p| p.exists().then(|| mode(p))).collect();

    let out = run_with_env(&project, world, &args, "LEVERAGE_TEST_FAULT", &case);
    let now = contents(&targets);
    if abort {
        assert!(
            out.code != 0 && out.code != 1,
            "{case}: the process should have died:\n{}",
            out.stderr
        );
        for (i, path) in targets.all().iter().enumerate() {
            assert!(
                now[i] == old[i] || now[i] == new[i],
                "{case}: {} is neither old nor new",
                path.display()
            );
        }
        // Files are replaced in the plan's order: the first n-1 of them are
        // new, the rest old.
        let renamed = if step == "rename" { n - 1 } else { 0 };
        for (position, &i) in order.iter().enumerate() {
            let expected = if position < renamed { &new[i] } else { &old[i] };
            assert_eq!(&now[i], expected, "{case}: {}", targets.all()[i].display());
        }
        if step == "temp" {
            // The crash left the temporaries written so far (and the empty one it died in).
            assert_eq!(temporaries(&project).len(), n, "{case}");
        }
        // Whatever backups the crash left are whole: each holds its file's old content.
        for backup in backups(&project) {
            let name = backup.file_name().unwrap().to_str().unwrap();
            let i = targets.all().iter().position(|t| {
                Some(backup_folder(&project, t).as_path()) == backup.parent()
                    && name.starts_with(&format!("{}.", t.file_name().unwrap().to_str().unwrap()))
            });
            let i = i.unwrap_or_else(|| panic!("{case}: a backup of what? {}", backup.display()));
            assert_eq!(
                Some(std::fs::read(&backup).unwrap()),
                old[i],
                "{case}: {} is not a whole backup",
                backup.display()
            );
        }
    } else {
        assert_eq!(out.code, 1, "{case}: {}", out.stderr);
        assert!(
            out.stderr
                .contains("Error: could not write the changes; nothing was changed")
                && out.stderr.contains("injected fault (LEVERAGE_TEST_FAULT)"),
            "{case}: {}",
            out.stderr
        );
        assert_eq!(bytes_only(&project), before, "{case}: the files are not all as before");
        let modes_now: Vec<Option<u32>> = targets.all().iter().map(|p| p.exists().then(|| mode(p))).collect();
        assert_eq!(modes_now, modes_before, "{case}: modes changed");
    }

    let out = run(&project, world, &args, &[]);
    assert_eq!(out.code, 0, "{case}: the re-run failed:\n{}", out.stderr);
    assert_eq!(contents(&targets), new, "{case}: the re-run did not complete the job");
    assert_eq!(
        temporaries(&project),
        Vec::<PathBuf>::new(),
        "{case}: temporaries left behind"
    );
    assert_eq!(mode(&targets.credentials), 0o600, "{case}");
    for backup in backups(&project) {
        assert_eq!(mode(&backup), 0o600, "{case}: {}", backup.display());
    }
}

/// Whether writing into `dir` is refused.
fn mode_stops_writes(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    match std::fs::write(&probe, "") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            false
        }
        Err(_) => true,
    }
}

/// A read-only AWS directory: a clear error naming the file, nothing changed.
/// Root writes through the mode, so under root (as in CI) the binary runs as
/// an unprivileged user who owns the temporary HOME.
#[test]
fn read_only_aws_directory_changes_nothing() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let aws_dir = project.home.join(".aws/bb");
    let mut cmd = project.command(Some(&world.moto));
    if running_as_root() {
        give_to_nobody(project.home.parent().unwrap());
        cmd.uid(NOBODY).gid(NOBODY);
    }
    let before = project.snapshot();
    std::fs::set_permissions(&aws_dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    assert!(
        running_as_root() || mode_stops_writes(&aws_dir),
        "this user writes into a directory of mode 0500 (a capability?): the test cannot make a read-only directory"
    );
    let out = project.run_with(cmd, &strs(&args), None);
    std::fs::set_permissions(&aws_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(out.code, 1, "{}", out.stderr);
    // The first file of the plan in that directory (see `planned_order`).
    let temp = aws_dir.join(".config.leverage-");
    assert!(
        out.stderr
            .contains("Error: could not write the changes; nothing was changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("Caused by: writing {}", temp.display()))
            && out.stderr.contains("Permission denied (os error 13)"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("LEVERAGE_TEST_FAULT"),
        "the refusal must be the file system's: {}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "a refused write changed files");
}

/// A tmpfs of `size` mounted on `dir` for the test's duration (root with
/// CAP_SYS_ADMIN may mount one; CI runs as root), or why it could not be.
struct TinyDisk(PathBuf);

impl TinyDisk {
    fn mount(dir: &Path, size: &str) -> Result<TinyDisk, String> {
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0700"), "tmpfs"])
            .arg(dir)
            .output()
            .map_err(|e| format!("running mount: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        Ok(TinyDisk(dir.to_path_buf()))
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A full disk: a clear error, nothing changed, no temporary left, on a real
/// full file system (a tiny tmpfs on ~/.aws/bb, filled up).
#[test]
fn full_disk_changes_nothing() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let aws_dir = project.home.join(".aws/bb");
    let saved: Vec<(PathBuf, Vec<u8>)> = ["credentials", "config"]
        .iter()
        .map(|n| (aws_dir.join(n), std::fs::read(aws_dir.join(n)).unwrap()))
        .collect();
    let disk = TinyDisk::mount(&aws_dir, "16k").unwrap_or_else(|why| {
        panic!(
            "this test needs a small tmpfs mounted on {} (as root): {why}",
            aws_dir.display()
        )
    });
    for (path, bytes) in &saved {
        std::fs::write(path, bytes).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // Fill what is left.
    let filler = aws_dir.join("filler");
    let mut file = std::fs::File::create(&filler).unwrap();
    while std::io::Write::write_all(&mut file, &[0u8; 1024]).is_ok() {}
    drop(file);
    let before = project.snapshot();
    let out = run(&project, &world, &args, &[]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Error: could not write the changes; nothing was changed"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "Caused by: writing {}",
            aws_dir.join(".config.leverage-").display()
        )) && out.stderr.contains("No space left on device (os error 28)"),
        "{}",
        out.stderr
    );
    assert_eq!(project.snapshot(), before, "a full disk changed files");
    assert!(temporaries(&project).is_empty(), "{:?}", temporaries(&project));
    drop(disk);
}

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

/// The binary runs no other program (the original passed the secret to
/// `aws configure set` on its command line): traced with strace, a whole
/// rotation — AWS calls, five files written — makes exactly one execve, its
/// own. The secret is written only into the credentials file and its backups.
#[test]
fn spawns_no_process_and_keeps_secrets_in_the_credentials_file() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let (_, secret) = world.key("jane");
    let trace = project.home.join("..").join("execve.trace");
    let template = project.command(Some(&world.moto));
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "-qq", "-e", "trace=execve", "-o"])
        .arg(&trace)
        .arg(template.get_program())
        .env_clear();
    for (key, value) in template.get_envs() {
        if let Some(value) = value {
            cmd.env(key, value);
        }
    }
    cmd.current_dir(template.get_current_dir().unwrap());
    let out = project.run_with(cmd, &strs(&args), None);
    assert_eq!(
        out.code, 0,
        "strace is needed for this test (.ci/setup installs it):\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("Checking the keys with AWS"), "{}", out.stderr);
    let log = std::fs::read_to_string(&trace).unwrap();
    let execs: Vec<&str> = log.lines().filter(|l| l.contains("execve(")).collect();
    assert_eq!(execs.len(), 1, "the binary started other programs:\n{log}");
    assert!(execs[0].contains(env!("CARGO_BIN_EXE_leverage")), "{log}");
    assert!(!log.contains(secret), "a secret in a command line");

    let credentials = Targets::of(&project).credentials;
    let holding: Vec<PathBuf> = project
        .snapshot()
        .into_iter()
        .filter(|(_, bytes, _)| String::from_utf8_lossy(bytes).contains(secret))
        .map(|(path, _, _)| path)
        .collect();
    let csv = project.home.join(format!("{}_accessKeys.csv", world.key("jane").0));
    let mut expected = vec![csv, credentials];
    expected.sort();
    assert_eq!(
        holding, expected,
        "the new secret belongs in the credentials file (and the CSV it came from) only"
    );
    let old_holding: Vec<PathBuf> = project
        .snapshot()
        .into_iter()
        .filter(|(_, bytes, _)| String::from_utf8_lossy(bytes).contains(OLD_SECRET))
        .map(|(path, _, _)| path)
        .collect();
    assert_eq!(old_holding.len(), 1, "{old_holding:?}");
    assert!(
        old_holding[0]
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("credentials.")
            && mode(&old_holding[0]) == 0o600
    );
}

/// The part of a backup's name that the run stamps: `<file>.<stamp>.bak`.
fn stamp_of(backup: &Path) -> String {
    let name = backup.file_name().unwrap().to_str().unwrap();
    let rest = name.strip_suffix(".bak").unwrap_or_else(|| panic!("{name}"));
    rest.rsplit_once('.').unwrap_or_else(|| panic!("{name}")).1.to_string()
}

/// All backups of one run share one timestamp: the four files a rotation
/// edits get four backups, each named by the same UTC second, one between
/// the run's start and its end.
#[test]
fn every_backup_of_a_run_has_the_runs_one_timestamp() {
    let world = World::start();
    let (project, args) = rotation(&world);
    let start = SystemTime::now();
    let out = run(&project, &world, &args, &["--output", "json"]);
    let end = SystemTime::now();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let done: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    let reported: Vec<PathBuf> = done["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["backup"].as_str().map(PathBuf::from))
        .collect();
    let mut on_disk = backups(&project);
    on_disk.sort();
    let mut listed = reported.clone();
    listed.sort();
    assert_eq!(listed, on_disk, "the JSON lists every backup made, and only those");
    assert_eq!(
        on_disk.len(),
        4,
        "credentials, config, common.tfvars, project.yaml: {on_disk:?}"
    );
    let stamps: Vec<String> = on_disk.iter().map(|b| stamp_of(b)).collect();
    assert!(stamps.iter().all(|s| *s == stamps[0]), "{on_disk:?}");
    assert!(
        (utc_stamp(start).as_str()..=utc_stamp(end).as_str()).contains(&stamps[0].as_str()),
        "`{}` is not the UTC second of the run",
        stamps[0]
    );
}

/// An existing file keeps its owner (and group) when it is replaced, as it
/// keeps its mode. Giving files to another user takes root, which CI runs as.
#[test]
fn existing_files_keep_their_owner() {
    assert!(
        running_as_root(),
        "this test gives files to other users, which takes root (CI runs as root)"
    );
    let world = World::start();
    let (project, args) = rotation(&world);
    let targets = Targets::of(&project);
    let owners = [
        (&targets.credentials, 1234, 1235),
        (&targets.config, 2345, 2346),
        (&targets.tfvars, 3456, 3457),
        (&targets.project_yaml, NOBODY, NOBODY),
    ];
    for (path, uid, gid) in owners {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }
    let before = contents(&targets);
    let out = run(&project, &world, &args, &[]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let after = contents(&targets);
    for (path, uid, gid) in owners {
        let i = targets.all().iter().position(|t| t == path).unwrap();
        assert_ne!(before[i], after[i], "{} was not rewritten", path.display());
        let meta = std::fs::metadata(path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (uid, gid), "{} changed owner", path.display());
    }
    let new_file = std::fs::metadata(&targets.build_env).unwrap();
    assert_eq!(new_file.uid(), 0, "a new file belongs to the user who ran");
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

/// `--output json` names the account the keys belong to (`caller_account`)
/// and, with `--fetch-mfa-device`, the MFA device on every profile
/// (`mfa_serial`); without it, `mfa_serial` is null.
#[test]
fn json_names_the_caller_account_and_each_profiles_mfa_serial() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 1}],
    }));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let (key_id, secret) = keys_of(&state, "jane");
    let csv = project.keys_csv(key_id, secret);
    let csv = csv.to_str().unwrap();
    let arn = state["users"]["jane"]["arn"].as_str().unwrap();
    let caller = arn.split(':').nth(4).unwrap();
    let serial = state["users"]["jane"]["mfa"][0].as_str().unwrap();

    for (extra, expected_serial) in [
        (&["--dry-run", "--output", "json"][..], Value::Null),
        (
            &["--dry-run", "--output", "json", "--fetch-mfa-device"][..],
            json!(serial),
        ),
    ] {
        let out = project.run(Some(&moto), &configure_args("MANAGEMENT", csv, extra));
        assert_eq!(out.code, 0, "{}", out.stderr);
        let plan: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
        assert_eq!(plan["caller_account"], json!(caller), "{plan}");
        let profiles = plan["profiles"].as_array().unwrap();
        assert!(!profiles.is_empty(), "{plan}");
        for profile in profiles {
            assert_eq!(profile["mfa_serial"], expected_serial, "{extra:?}: {plan}");
        }
    }
}

/// Run from deep inside the project: the project is the git top-level, the
/// build.env files from there down to the current directory are read (the
/// deeper one wins), and the files land in the project root, not where the
/// command was run.
#[test]
fn a_run_from_a_subdirectory_uses_the_project_root_and_the_deeper_build_env() {
    let world = World::start();
    let mut project = Project::new();
    // No project.yaml: the short name comes from the build.env files, the
    // rest from common.tfvars.
    let tfvars = format!("{TFVARS}\nproject_long = \"binbash\"\nregion_primary = \"us-east-1\"\n");
    project.write("config/common.tfvars", &tfvars);
    project.write("build.env", "PROJECT=xx\n");
    project.write(
        "apps/build.env",
        "# the short name of this part of the tree\nPROJECT=bb\n",
    );
    let cwd = project.root.join("apps/prod/global");
    std::fs::create_dir_all(&cwd).unwrap();
    let (key_id, secret) = world.key("jane");
    let csv = project.keys_csv(key_id, secret);
    let before = bytes_only(&project);

    let mut cmd = project.command(Some(&world.moto));
    cmd.current_dir(&cwd);
    let out = project.run_with(cmd, &configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]), None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let credentials = project.read_aws("bb", "credentials");
    assert!(
        credentials.contains("[bb-management]") && credentials.contains(key_id),
        "{credentials}"
    );
    assert!(
        !project.home.join(".aws/xx").exists(),
        "the root build.env's PROJECT won"
    );
    let config = project.read_aws("bb", "config");
    assert!(
        config.contains(&format!(
            "role_arn = arn:aws:iam::{}:role/OrganizationAccountAccessRole",
            world.account("shared")
        )),
        "{config}"
    );
    let written = std::fs::read_to_string(project.root.join("config/common.tfvars")).unwrap();
    let security = format!("\"{}\"", world.account("security"));
    assert!(
        written
            .lines()
            .any(|l| l.trim_start().starts_with("id") && l.contains(&security)),
        "{written}"
    );
    // Only the root's common.tfvars changed in the project: nothing was made
    // where the command ran, and both build.env files are as they were.
    let changed: Vec<PathBuf> = bytes_only(&project)
        .into_iter()
        .filter(|file| file.0.starts_with(&project.root) && !before.contains(file))
        .map(|(path, _)| path)
        .collect();
    let tfvars_path = project.root.join("config/common.tfvars");
    assert_eq!(
        changed
            .iter()
            .filter(|p| !p.to_str().unwrap().ends_with(".bak"))
            .collect::<Vec<_>>(),
        [&tfvars_path],
        "{changed:?}"
    );
}
