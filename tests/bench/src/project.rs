//! A fresh HOME and project for one run of a binary.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;

/// A project.yaml like `leverage project init` writes, declaring four
/// accounts (the organization of the first row).
pub const PROJECT_YAML: &str = leverage_test_support::project_yaml!("management", "security", "shared", "network");

/// `<base>/<name>/home` with a project directory (`home/project`, holding
/// `.git` and project.yaml) and the keys CSV in HOME.
pub struct RunDir {
    pub home: PathBuf,
    pub root: PathBuf,
    pub csv: PathBuf,
}

impl RunDir {
    pub fn new(base: &Path, name: &str, project_yaml: &str, key_id: &str, secret: &str) -> Result<RunDir> {
        let home = base.join(name).join("home");
        let root = home.join("project");
        std::fs::create_dir_all(root.join(".git"))?;
        std::fs::write(root.join("project.yaml"), project_yaml)?;
        let csv = home.join("jane_accessKeys.csv");
        std::fs::write(
            &csv,
            format!("\u{feff}Access key ID,Secret access key\r\n{key_id},{secret}\r\n"),
        )?;
        Ok(RunDir { home, root, csv })
    }

    /// A command with a clean environment: this HOME, the emulator's
    /// endpoint, no colour, no instance metadata.
    pub fn command(&self, program: &Path, endpoint: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", &self.home)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", endpoint)
            .current_dir(&self.root);
        cmd
    }

    /// The arguments of the run the first row measures, with this run's keys
    /// file: [`CONFIGURE`], then `--credentials-file <csv>`.
    pub fn configure_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = CONFIGURE.iter().map(OsString::from).collect();
        args.push("--credentials-file".into());
        args.push(self.csv.clone().into_os_string());
        args
    }

    pub fn aws_file(&self, name: &str) -> PathBuf {
        self.home.join(".aws/bb").join(name)
    }
}

/// The management account is moto's default account (123456789012), which
/// moto lists as `master`: the project declares its id.
pub fn with_management_id(project_yaml: &str) -> String {
    project_yaml.replace(
        "  - name: management\n    email: aws+management@example.com\n",
        "  - name: management\n    email: aws+management@example.com\n    id: \"123456789012\"\n",
    )
}

/// The arguments of the run the first row measures, before the keys file
/// (see [`RunDir::configure_args`]).
const CONFIGURE: [&str; 6] = [
    "credentials",
    "configure",
    "--type",
    "MANAGEMENT",
    "--fetch-mfa-device",
    "--non-interactive",
];

/// The runs of the product whose start-up row 3 measures against a trivial
/// binary: (name, arguments).
const START_UP: [(&str, &[&str]); 2] = [
    ("leverage --version", &["--version"]),
    (
        "leverage credentials configure --help",
        &["credentials", "configure", "--help"],
    ),
];

/// The sides of row 3: the trivial binary, then the runs of [`START_UP`].
pub const START_UP_SIDES: [&str; 3] = ["trivial", START_UP[0].0, START_UP[1].0];

/// The command of row 3's side `side` (an index into [`START_UP_SIDES`]).
pub fn start_up_command(trivial: &Path, leverage: &Path, side: usize) -> Command {
    match side {
        0 => Command::new(trivial),
        _ => {
            let mut cmd = Command::new(leverage);
            cmd.args(START_UP[side - 1].1);
            cmd
        }
    }
}
