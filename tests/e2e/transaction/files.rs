//! What the apply leaves on disk: modes, links, owners and backups (one
//! timestamp a run); no process spawned and no secret outside the
//! credentials file; a run from a subdirectory.

use super::*;

use std::os::unix::fs::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};

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
