//! The terminal experience: the real binary in a pseudo-terminal
//! for every prompt (shortcuts, arrow keys, validation, the hidden secret,
//! cancelling), colour and the spinner; off a terminal, plain lines, a
//! snapshot of a full run's output, the message that asks for
//! `--non-interactive`, `--quiet`/`--verbose`; and help, completions and the
//! man page generated from the same clap definitions.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{Moto, Project, CONFIGURE_FLAGS, PROJECT_YAML};

/// A pseudo-terminal of our own, so that the terminal starts as a real one
/// does (echo and line editing on, 100×30). The pty crates turn echo off
/// before starting the program, which would hide a prompt that echoes the
/// secret.
pub(crate) mod pty {
    use std::fs::File;
    use std::io::{Read, Write};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Child, Command, Stdio};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    pub struct Pty {
        master: File,
        child: Child,
        output: Arc<Mutex<Vec<u8>>>,
        reader: Option<std::thread::JoinHandle<()>>,
        /// How much of the screen text `expect` has consumed.
        seen: usize,
    }

    const TIMEOUT: Duration = Duration::from_secs(30);

    impl Pty {
        pub fn spawn(cmd: Command) -> Pty {
            Pty::spawn_with(cmd, 100, None)
        }

        /// [`Pty::spawn`] on a terminal `columns` wide; with `output`, the
        /// program's standard output and error go there instead (as in
        /// `leverage ... 2>&1 | tee log`): the terminal stays its
        /// controlling terminal and standard input.
        pub fn spawn_with(mut cmd: Command, columns: u16, output: Option<File>) -> Pty {
            let (mut master, mut slave) = (-1, -1);
            let size = libc::winsize {
                ws_row: 30,
                ws_col: columns,
                ws_xpixel: 0,
                ws_ypixel: 0,
            };
            // SAFETY: openpty writes two descriptors; the null name and
            // termios pointers ask for the defaults (echo and ICANON on).
            let rc = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
            assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
            // SAFETY: both descriptors were just opened and are owned here only.
            let (master, slave) = unsafe { (File::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
            match output {
                None => {
                    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
                        .stdout(Stdio::from(slave.try_clone().unwrap()))
                        .stderr(Stdio::from(slave));
                }
                Some(file) => {
                    cmd.stdin(Stdio::from(slave))
                        .stdout(Stdio::from(file.try_clone().unwrap()))
                        .stderr(Stdio::from(file));
                }
            }
            // SAFETY: only async-signal-safe calls between fork and exec: a new
            // session whose controlling terminal is the pty (stdin by now).
            // The project's command may have made the session already.
            unsafe {
                cmd.pre_exec(|| {
                    libc::setsid();
                    if libc::ioctl(0, libc::TIOCSCTTY, 0) == -1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
            let child = cmd.spawn().expect("the leverage binary");
            drop(cmd); // closes our copies of the terminal side
            let output = Arc::new(Mutex::new(Vec::new()));
            let mut source = master.try_clone().unwrap();
            let sink = output.clone();
            let reader = std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                // EIO once the program and its terminal side are gone.
                while let Ok(n @ 1..) = source.read(&mut buf) {
                    sink.lock().unwrap().extend_from_slice(&buf[..n]);
                }
            });
            Pty {
                master,
                child,
                output,
                reader: Some(reader),
                seen: 0,
            }
        }

        /// Everything the program wrote to the terminal so far, raw.
        pub fn raw(&self) -> String {
            String::from_utf8_lossy(&self.output.lock().unwrap()).into_owned()
        }

        /// Wait until `needle` shows on the screen (escape sequences removed)
        /// after the text that earlier calls matched.
        pub fn expect(&mut self, needle: &str) {
            let deadline = Instant::now() + TIMEOUT;
            loop {
                let screen = super::plain(&self.raw());
                if let Some(at) = screen.get(self.seen..).and_then(|rest| rest.find(needle)) {
                    self.seen += at + needle.len();
                    return;
                }
                if Instant::now() > deadline || matches!(self.child.try_wait(), Ok(Some(_))) && self.reader_done() {
                    panic!(
                        "`{needle}` did not show; the screen so far:\n{}",
                        super::plain(&self.raw())
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        fn reader_done(&self) -> bool {
            self.reader.as_ref().is_none_or(|r| r.is_finished())
        }

        /// Type `keys`, as a person would, one key at a time.
        pub fn send(&mut self, keys: &str) {
            self.master.write_all(keys.as_bytes()).unwrap();
            self.master.flush().unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }

        /// The terminal's local modes (echo, line editing, signals) now.
        pub fn local_modes(&self) -> libc::tcflag_t {
            // SAFETY: termios is plain data filled in by tcgetattr.
            let mut termios: libc::termios = unsafe { std::mem::zeroed() };
            let rc = unsafe { libc::tcgetattr(self.master.as_raw_fd(), &mut termios) };
            assert_eq!(rc, 0, "tcgetattr: {}", std::io::Error::last_os_error());
            termios.c_lflag
        }

        /// Wait for the program to end: its exit code, the whole screen, and
        /// the terminal's local modes as the program left them.
        pub fn finish(mut self) -> (i32, String, libc::tcflag_t) {
            let deadline = Instant::now() + TIMEOUT;
            let status = loop {
                if let Some(status) = self.child.try_wait().unwrap() {
                    break status;
                }
                if Instant::now() > deadline {
                    let _ = self.child.kill();
                    panic!("the program did not end; the screen:\n{}", super::plain(&self.raw()));
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            if let Some(reader) = self.reader.take() {
                let _ = reader.join();
            }
            (status.code().unwrap_or(-1), self.raw(), self.local_modes())
        }
    }

    impl Drop for Pty {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

use pty::Pty;

pub(crate) const ENTER: &str = "\r";
pub(crate) const DOWN: &str = "\x1b[B";
const CTRL_C: &str = "\x03";
const CTRL_D: &str = "\x04";
const ESC: &str = "\x1b";

/// The screen text without escape sequences (CSI, OSC and two-byte ones).
pub(crate) fn plain(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            if c != '\r' {
                out.push(c);
            }
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// What a terminal `width` columns wide shows after `raw`: a small VT100
/// model of what the prompt library and our own output send (cursor moves,
/// line and screen clearing, saving and restoring the cursor, scrolling),
/// so that a test sees what is left on the screen, not only what was sent.
fn screen(raw: &str, width: usize, height: usize) -> String {
    let mut rows: Vec<Vec<char>> = vec![Vec::new(); height];
    let (mut row, mut col, mut saved) = (0usize, 0usize, (0usize, 0usize));
    let mut chars = raw.chars().peekable();
    let clear_line_from = |line: &mut Vec<char>, from: usize| line.truncate(from);
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                if row + 1 == height {
                    rows.remove(0);
                    rows.push(Vec::new());
                } else {
                    row += 1;
                }
            }
            '\u{8}' => col = col.saturating_sub(1),
            '\x1b' => match chars.next() {
                Some('7') => saved = (row, col),
                Some('8') => (row, col) = saved,
                Some('[') => {
                    let mut params = String::new();
                    let mut end = ' ';
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            end = c;
                            break;
                        }
                        params.push(c);
                    }
                    let n = |default: usize| {
                        params
                            .trim_start_matches('?')
                            .split(';')
                            .next()
                            .and_then(|p| p.parse::<usize>().ok())
                            .unwrap_or(default)
                    };
                    match end {
                        'A' => row = row.saturating_sub(n(1)),
                        'B' => row = (row + n(1)).min(height - 1),
                        'C' => col += n(1),
                        'D' => col = col.saturating_sub(n(1)),
                        'G' => col = n(1) - 1,
                        'H' | 'f' => {
                            let mut parts = params.split(';').map(|p| p.parse::<usize>().unwrap_or(1));
                            row = parts.next().unwrap_or(1).saturating_sub(1).min(height - 1);
                            col = parts.next().unwrap_or(1).saturating_sub(1);
                        }
                        'J' => {
                            if n(0) == 2 {
                                rows.iter_mut().for_each(Vec::clear);
                            } else {
                                clear_line_from(&mut rows[row], col);
                                rows.iter_mut().skip(row + 1).for_each(Vec::clear);
                            }
                        }
                        'K' => match n(0) {
                            2 => rows[row].clear(),
                            1 => rows[row].iter_mut().take(col + 1).for_each(|c| *c = ' '),
                            _ => clear_line_from(&mut rows[row], col),
                        },
                        _ => {}
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {}
            },
            c if c.is_control() => {}
            c => {
                if col >= width {
                    col = 0;
                    if row + 1 == height {
                        rows.remove(0);
                        rows.push(Vec::new());
                    } else {
                        row += 1;
                    }
                }
                let line = &mut rows[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                col += 1;
            }
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|r| r.iter().collect::<String>().trim_end().to_string())
        .collect();
    lines.join("\n").trim_end().to_string()
}

/// Whether `raw` sets a foreground colour (SGR 30–38 or 90–97).
fn has_colour(raw: &str) -> bool {
    raw.split("\x1b[").skip(1).any(|rest| {
        let Some(end) = rest.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            return false;
        };
        rest[end..].starts_with('m')
            && rest[..end]
                .split(';')
                .any(|p| matches!(p.parse::<u32>(), Ok(30..=38 | 90..=97)))
    })
}

/// A command for the pty: the project's environment, a terminal type, and
/// colour unless `colour` is false.
pub(crate) fn terminal_command(project: &Project, moto: Option<&Moto>, args: &[&str], colour: bool) -> Command {
    let mut cmd = project.command(moto);
    cmd.env("TERM", "xterm-256color").args(args);
    if colour {
        cmd.env_remove("NO_COLOR");
    }
    cmd
}

fn start(project: &Project, moto: Option<&Moto>, args: &[&str]) -> Pty {
    Pty::spawn(terminal_command(project, moto, args, false))
}

/// After the program ended: echo, line editing and signals are back on,
/// and a cursor hidden for a prompt was shown again.
fn assert_terminal_restored(modes: libc::tcflag_t, raw: &str) {
    for (flag, name) in [(libc::ECHO, "ECHO"), (libc::ICANON, "ICANON"), (libc::ISIG, "ISIG")] {
        assert!(modes & flag != 0, "{name} is still off after the program ended");
    }
    if let Some(hidden) = raw.rfind("\x1b[?25l") {
        assert!(raw[hidden..].contains("\x1b[?25h"), "the cursor was left hidden");
    }
}

/// Nothing that could be part of the secret reaches the screen: no 8
/// characters of it in a row.
fn assert_not_shown(secret: &str, raw: &str) {
    let screen = plain(raw);
    for window in secret.as_bytes().windows(8) {
        let piece = std::str::from_utf8(window).unwrap();
        assert!(
            !raw.contains(piece) && !screen.contains(piece),
            "part of the secret was shown: {piece}\n{screen}"
        );
    }
}

fn configure(kind: &str) -> Vec<&str> {
    vec!["credentials", "configure", "--type", kind]
}

/// moto with an organization (security, shared) and users whose keys moto checks.
fn organization(moto: &Moto, users: Value) -> Value {
    moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": users,
        "enforce_auth": true,
    }))
}

fn text<'a>(state: &'a Value, pointer: &str) -> &'a str {
    state
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no {pointer} in {state}"))
}

fn keys_of<'a>(state: &'a Value, user: &str) -> (&'a str, &'a str) {
    (
        text(state, &format!("/users/{user}/access_key_id")),
        text(state, &format!("/users/{user}/secret_access_key")),
    )
}

/// `~/.aws/bb/credentials` already holding keys for `bb-management`.
fn configured(project: &mut Project, key_id: &str, secret: &str) -> PathBuf {
    project.secrets.push(secret.to_string());
    let path = project.aws_file("bb", "credentials");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    path
}

fn backups_of(path: &Path) -> Vec<PathBuf> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut found: Vec<PathBuf> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(&format!("{name}.")) && n.ends_with(".bak")
        })
        .collect();
    found.sort();
    found
}

// ---------------------------------------------------------------------------
// The "already configured" choice: `s` skips, `o` overwrites.

/// `s` picks "Skip": the keys stay byte for byte, the profiles are written.
#[test]
fn shortcut_s_skips_the_keys_and_writes_the_profiles() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let credentials = configured(&mut project, key_id, secret);
    let before = std::fs::read(&credentials).unwrap();

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Credentials already configured for bb-management");
    term.expect("[o] Overwrite current credentials");
    term.send("s");
    term.send(ENTER);
    let (code, raw, modes) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Skip credentials configuration. Continue on with assumable roles setup."),
        "{screen}"
    );
    assert!(
        !screen.contains("Select the means"),
        "skipping asked for keys:\n{screen}"
    );
    assert_eq!(
        std::fs::read(&credentials).unwrap(),
        before,
        "skip changed the credentials file"
    );
    assert!(backups_of(&credentials).is_empty());
    let config = project.read_aws("bb", "config");
    assert!(
        config.contains("[profile bb-shared-oaar]") && config.contains("[profile bb-security-oaar]"),
        "{config}"
    );
    assert!(screen.contains("Profiles (2)"), "{screen}");
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// `o` picks "Overwrite", `p` then picks the path to a CSV: the new keys are
/// checked and written, and the old file is kept as a backup.
#[test]
fn shortcut_o_overwrites_from_a_csv_path_and_keeps_a_backup() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let old_secret = "oldoldoldoldoldoldoldoldoldoldoldoldold0";
    let credentials = configured(&mut project, "AKIAOLDOLDOLDOLDOLD0", old_secret);
    let old = std::fs::read_to_string(&credentials).unwrap();
    let csv = project.keys_csv(key_id, secret);

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Credentials already configured for bb-management");
    term.send("o");
    term.send(ENTER);
    term.expect("Select the means by which you'll provide the programmatic keys");
    term.expect("[m] Manually");
    term.send("p");
    term.send(ENTER);
    term.expect("Path to the access keys file");
    term.send(csv.to_str().unwrap());
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(
        screen.contains("Overwrite current credentials. Backups will be made."),
        "{screen}"
    );
    let now = std::fs::read_to_string(&credentials).unwrap();
    assert!(now.contains(key_id) && now.contains(secret), "{now}");
    let backups = backups_of(&credentials);
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(std::fs::read_to_string(&backups[0]).unwrap(), old);
    assert!(
        screen.contains("backup: ~/.aws/bb/credentials."),
        "the summary does not name the backup:\n{screen}"
    );
    assert_not_shown(secret, &raw);
    assert_not_shown(old_secret, &raw);
}

// ---------------------------------------------------------------------------
// Keys typed in: arrow keys, inline validation, the hidden secret.

/// The arrow key picks "Manually"; a bad key id is refused with the reason
/// under the prompt and asked again; the secret never shows on the screen.
#[test]
fn manual_keys_by_arrow_key_with_a_refused_id_and_a_hidden_secret() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.secrets.push(secret.to_string());
    project.write("project.yaml", PROJECT_YAML);

    let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
    term.expect("Select the means by which you'll provide the programmatic keys");
    term.send(DOWN);
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("not-a-key");
    term.send(ENTER);
    term.expect("an access key id is 20 upper-case letters or digits");
    term.expect("Access key ID");
    term.send(key_id);
    term.send(ENTER);
    term.expect("Secret access key");
    term.send(secret);
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Manually"), "{screen}");
    assert_not_shown(secret, &raw);
    assert_eq!(
        project.read_aws("bb", "credentials"),
        format!("[bb-management]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n")
    );
}

/// A project without a region: the prompt offers us-east-1, refuses a
/// name that is not a region (saying why, next to the prompt), then takes one.
#[test]
fn a_refused_then_accepted_region() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);

    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap()]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Primary region");
    term.expect("(us-east-1)");
    term.send("mars-north-9");
    term.send(ENTER);
    term.expect("✘ `mars-north-9` is not an AWS region name such as us-east-1");
    term.expect("Primary region");
    term.send("eu-west-1");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 0, "{screen}");
    let config = project.read_aws("bb", "config");
    assert!(
        config.contains("region = eu-west-1") && !config.contains("mars"),
        "{config}"
    );
    // The line that keeps the answer, on a line of its own to copy.
    assert!(
        screen.contains("add this line to project.yaml:\n  primary_region: eu-west-1\n"),
        "{screen}"
    );
}

/// Enter on an empty answer takes the default region.
#[test]
fn enter_takes_the_default_region() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);
    let mut args = configure("MANAGEMENT");
    args.extend([
        "--credentials-file",
        csv.to_str().unwrap(),
        "--skip-assumable-roles-setup",
    ]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Primary region");
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    assert_eq!(code, 0, "{}", plain(&raw));
    assert!(project.read_aws("bb", "config").contains("region = us-east-1"));
}

// ---------------------------------------------------------------------------
// Cancelling: every prompt, and each way to cancel; exit 130, nothing written,
// the terminal as it was.

/// Drive the binary to the prompt `question` with `keys_before`, cancel with
/// `cancel`, and check the outcome.
fn cancel_at(
    project: &Project,
    moto: Option<&Moto>,
    args: &[&str],
    steps: &[(&str, &str)],
    question: &str,
    cancel: &str,
) {
    let before = project.snapshot();
    let mut term = start(project, moto, args);
    for (wait_for, keys) in steps {
        term.expect(wait_for);
        term.send(keys);
    }
    term.expect(question);
    term.send(cancel);
    let (code, raw, modes) = term.finish();
    let screen = plain(&raw);
    assert_eq!(code, 130, "cancelling at `{question}` exited {code}:\n{screen}");
    assert!(screen.contains("Error: cancelled; nothing was written"), "{screen}");
    assert_eq!(project.snapshot(), before, "cancelling at `{question}` changed files");
    assert_terminal_restored(modes, &raw);
}

/// Ctrl-C at each prompt that needs no AWS call before it.
#[test]
fn ctrl_c_at_each_prompt_writes_nothing() {
    let mut project = Project::new();
    // No short name anywhere: build.env without PROJECT, so it is asked.
    project.write("build.env", "# no PROJECT here\n");
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[],
        "Project short name",
        CTRL_C,
    );

    project.write("build.env", "PROJECT=bb\n");
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], "Primary region", CTRL_C);

    project.write("project.yaml", PROJECT_YAML);
    let means = "Select the means by which you'll provide the programmatic keys";
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], means, CTRL_C);
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(means, "p"), (means, ENTER)],
        "Path to the access keys file",
        CTRL_C,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(means, "m"), (means, ENTER)],
        "Access key ID",
        CTRL_C,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[
            (means, "m"),
            (means, ENTER),
            ("Access key ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AKIAIOSFODNN7EXAMPLE", ENTER),
        ],
        "Secret access key",
        CTRL_C,
    );

    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[],
        "Credentials already configured for bb-management",
        CTRL_C,
    );
}

/// Esc and Ctrl-D (end of input) cancel as Ctrl-C does.
#[test]
fn escape_and_ctrl_d_cancel_too() {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let question = "Credentials already configured for bb-management";
    cancel_at(&project, None, &configure("MANAGEMENT"), &[], question, ESC);
    let means = "Select the means by which you'll provide the programmatic keys";
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(question, "o"), (question, ENTER)],
        means,
        CTRL_D,
    );
    cancel_at(
        &project,
        None,
        &configure("MANAGEMENT"),
        &[(question, "o"), (question, ENTER), (means, "p"), (means, ENTER)],
        "Path to the access keys file",
        CTRL_D,
    );
}

/// The MFA device choice comes after AWS calls: Ctrl-C there writes
/// nothing either, and the terminal is restored (echo and line editing on).
#[test]
fn ctrl_c_at_the_mfa_device_choice_writes_nothing_and_restores_the_terminal() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane", "mfa": 2}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(&mut project, key_id, secret);
    let before = project.snapshot();

    let mut args = configure("MANAGEMENT");
    args.extend(["--skip-access-keys-setup", "--fetch-mfa-device"]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Which MFA device should the profiles use?");
    term.expect("jane-device-1");
    term.send(CTRL_C);
    let (code, raw, modes) = term.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert!(
        plain(&raw).contains("Error: cancelled; nothing was written"),
        "{}",
        plain(&raw)
    );
    assert_eq!(project.snapshot(), before);
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// After a cancelled prompt the terminal has echo, line editing and
/// signals back, and the cursor is visible.
#[test]
fn the_terminal_is_restored_after_ctrl_c_in_the_secret_prompt() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let mut term = start(&project, None, &configure("MANAGEMENT"));
    let means = "Select the means by which you'll provide the programmatic keys";
    term.expect(means);
    term.send("m");
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("AKIAIOSFODNN7EXAMPLE");
    term.send(ENTER);
    term.expect("Secret access key");
    let modes_in_prompt = term.local_modes();
    assert_eq!(
        modes_in_prompt & libc::ECHO,
        0,
        "the terminal echoes while the secret is typed"
    );
    term.send("wJalrXUtnFEMI");
    term.send(CTRL_C);
    let (code, raw, modes) = term.finish();
    assert_eq!(code, 130, "{}", plain(&raw));
    assert_terminal_restored(modes, &raw);
    assert_not_shown("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", &raw);
}

// ---------------------------------------------------------------------------
// Colour and the spinner.

/// Colour on a terminal; none with NO_COLOR (https://no-color.org).
#[test]
fn colour_on_a_terminal_and_never_with_no_color() {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let question = "Credentials already configured for bb-management";
    for colour in [true, false] {
        let mut term = Pty::spawn(terminal_command(&project, None, &configure("MANAGEMENT"), colour));
        term.expect(question);
        term.send(CTRL_C);
        let (code, raw, _) = term.finish();
        assert_eq!(code, 130, "{}", plain(&raw));
        assert_eq!(has_colour(&raw), colour, "colour {colour}: {raw:?}");
    }
}

/// A TCP relay to moto that holds each connection `delay` before relaying,
/// so that AWS calls take long enough to see a spinner.
fn slow_relay(moto: &Moto, delay: Duration) -> String {
    let target = moto.endpoint.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let target = target.clone();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let Ok(server) = TcpStream::connect(&target) else {
                    return;
                };
                let pipe = |mut from: TcpStream, mut to: TcpStream| {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 8192];
                        while let Ok(n @ 1..) = from.read(&mut buf) {
                            if to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    })
                };
                let a = pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                let b = pipe(server, client);
                let _ = (a.join(), b.join());
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

/// While an AWS call is slow, a terminal shows a spinner saying what it
/// waits for; off a terminal the same run prints plain lines only.
#[test]
fn a_spinner_while_waiting_on_aws_only_on_a_terminal() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let relay = slow_relay(&moto, Duration::from_millis(700));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let mut args = configure("MANAGEMENT");
    args.extend([
        "--credentials-file",
        csv.to_str().unwrap(),
        "--skip-assumable-roles-setup",
    ]);

    let mut cmd = terminal_command(&project, Some(&moto), &args, false);
    cmd.env("AWS_ENDPOINT_URL", &relay);
    let mut term = Pty::spawn(cmd);
    term.expect("Waiting for AWS (sts:GetCallerIdentity, iam:ListAccessKeys)");
    let (code, raw, _) = term.finish();
    assert_eq!(code, 0, "{}", plain(&raw));

    let mut cmd = project.command(Some(&moto));
    cmd.env("AWS_ENDPOINT_URL", &relay);
    std::fs::remove_dir_all(project.home.join(".aws")).unwrap();
    let out = project.run_with(cmd, &args, None);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        !out.stderr.contains("Waiting for AWS"),
        "a spinner off a terminal:\n{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains('\x1b'),
        "escape sequences off a terminal:\n{:?}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------
// Off a terminal.

/// No terminal and no --non-interactive: the error says which flags give
/// the answers and suggests --non-interactive; nothing is written.
#[test]
fn without_a_terminal_the_error_names_the_flags_and_non_interactive() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let before = project.snapshot();
    let out = project.run(None, &configure("MANAGEMENT"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        "Error: ",
        "--non-interactive",
        "--credentials-file",
        "LEVERAGE_AWS_ACCESS_KEY_ID",
        "Hint: ",
    ] {
        assert!(out.stderr.contains(needed), "the error lacks {needed}:\n{}", out.stderr);
    }
    assert_eq!(project.snapshot(), before);

    let mut project = project;
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let out = project.run(None, &configure("MANAGEMENT"));
    assert_eq!(out.code, 1, "{}", out.stderr);
    for needed in [
        "--overwrite-existing-credentials",
        "--skip-access-keys-setup",
        "--non-interactive",
    ] {
        assert!(out.stderr.contains(needed), "the error lacks {needed}:\n{}", out.stderr);
    }
}

/// `--quiet` prints nothing on success and still prints errors;
/// `--verbose` shows each AWS call without the secret.
#[test]
fn quiet_shows_only_errors_and_verbose_shows_the_aws_calls() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let csv = csv.to_str().unwrap();

    let quiet = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "-q",
        ],
    );
    assert_eq!(quiet.code, 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr, "", "--quiet printed something on success");
    assert!(project.read_aws("bb", "config").contains("[profile bb-shared-oaar]"));

    let failing = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            "/nonexistent.csv",
            "-q",
            "--overwrite-existing-credentials",
        ],
    );
    assert_eq!(failing.code, 1);
    assert!(failing.stderr.starts_with("Error: "), "{}", failing.stderr);

    let verbose = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "--overwrite-existing-credentials",
            "-v",
        ],
    );
    assert_eq!(verbose.code, 0, "{}", verbose.stderr);
    for call in [
        format!("AWS sts:GetCallerIdentity with key {key_id} in us-east-1"),
        format!("AWS organizations:ListAccounts with key {key_id} in us-east-1"),
    ] {
        assert!(
            verbose.stderr.contains(&call),
            "--verbose does not show `{call}`:\n{}",
            verbose.stderr
        );
    }
    let normal = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv,
            "--overwrite-existing-credentials",
        ],
    );
    assert!(
        !normal.stderr.contains("AWS sts:GetCallerIdentity"),
        "{}",
        normal.stderr
    );
}

/// The stderr of a full run off a terminal (first configuration, key
/// rotation, rejected keys, outside a project) against the committed
/// snapshot, so that wording changes are deliberate. To accept a change:
/// `cargo insta review` (or `INSTA_UPDATE=always`); under `CI` insta never
/// writes a snapshot, so a changed output fails there.
#[test]
fn full_run_output_matches_the_snapshot() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}, {"name": "john"}]));
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write(
        "config/common.tfvars",
        "project      = \"bb\"\nproject_long = \"binbash\"\n\n# Accounts\nsecurity_account_id = \"000000000000\"\n",
    );
    let (jane_key, jane_secret) = keys_of(&state, "jane");
    let (john_key, john_secret) = keys_of(&state, "john");
    let jane_csv = project.keys_csv(jane_key, jane_secret);
    let john_csv = project.keys_csv(john_key, john_secret);
    let bad_csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

    // Values that differ between runs become fixed stand-ins; insta applies
    // these filters (regular expressions) before comparing.
    let mut filters: Vec<(String, String)> = vec![
        (project.home.display().to_string(), "$HOME".to_string()),
        (
            text(&state, "/management_account_id").to_string(),
            "100000000001".to_string(),
        ),
        (
            text(&state, "/org_accounts/binbash-security").to_string(),
            "100000000002".to_string(),
        ),
        (
            text(&state, "/org_accounts/binbash-shared").to_string(),
            "100000000003".to_string(),
        ),
        (jane_key.to_string(), "AKIAJANEJANEJANEJANE".to_string()),
        (john_key.to_string(), "AKIAJOHNJOHNJOHNJOHN".to_string()),
    ];
    filters.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
    let mut filters: Vec<(String, String)> = filters
        .into_iter()
        .map(|(from, to)| (regex_escape(&from), to.replace('$', "$$")))
        .collect();
    // A backup's timestamp: <file>.YYYYMMDDTHHMMSSZ.bak
    filters.push((r"\.\d{8}T\d{6}Z\.bak".into(), ".YYYYMMDDTHHMMSSZ.bak".into()));

    let runs: Vec<(String, Vec<String>, PathBuf)> = vec![
        (
            "first configuration".into(),
            vec![
                "--credentials-file".into(),
                jane_csv.display().to_string(),
                "--non-interactive".into(),
            ],
            project.root.clone(),
        ),
        (
            "key rotation".into(),
            vec![
                "--credentials-file".into(),
                john_csv.display().to_string(),
                "--overwrite-existing-credentials".into(),
            ],
            project.root.clone(),
        ),
        (
            "rejected keys".into(),
            vec![
                "--credentials-file".into(),
                bad_csv.display().to_string(),
                "--overwrite-existing-credentials".into(),
            ],
            project.root.clone(),
        ),
        (
            "outside a project".into(),
            vec!["--non-interactive".into()],
            project.home.clone(),
        ),
    ];
    let mut transcript = String::new();
    for (title, extra, dir) in runs {
        let mut args = vec![
            "credentials".to_string(),
            "configure".into(),
            "--type".into(),
            "MANAGEMENT".into(),
        ];
        args.extend(extra);
        let mut cmd = project.command(Some(&moto));
        cmd.current_dir(&dir);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = project.run_with(cmd, &argv, None);
        assert!(
            !out.stderr.contains('\x1b'),
            "escape sequences off a terminal:\n{:?}",
            out.stderr
        );
        transcript.push_str(&format!(
            "## {title}\n$ leverage {}\n[exit {}]\n{}\n",
            args.join(" "),
            out.code,
            out.stderr
        ));
    }

    let mut settings = insta::Settings::clone_current();
    for (from, to) in &filters {
        settings.add_filter(from, to.as_str());
    }
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("terminal_full_run", transcript));
}

/// `text` as a regular expression matching itself.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------------------
// Help, completions and the man page (one set of clap definitions).

/// Every example in `--help` is a command line clap accepts.
#[test]
fn every_help_example_parses() {
    use clap::Parser;
    let help = leverage_cli::cli::EXAMPLES;
    let joined = help.replace("\\\n", " ");
    let commands: Vec<Vec<&str>> = joined
        .lines()
        .map(|l| l.split_whitespace().skip_while(|w| w.contains('=')).collect::<Vec<_>>())
        .filter(|words| words.first() == Some(&"leverage"))
        .collect();
    assert!(commands.len() >= 7, "{commands:?}");
    for words in &commands {
        if let Err(e) = leverage_cli::cli::Cli::try_parse_from(words) {
            panic!("the example `{}` does not parse:\n{e}", words.join(" "));
        }
    }
    let project = Project::new();
    let out = project.run(None, &["credentials", "configure", "--help"]);
    assert_eq!(out.code, 0);
    for journey in [
        "--type BOOTSTRAP",
        "--fetch-mfa-device",
        "--type SECURITY",
        "--overwrite-existing-credentials",
        "--skip-access-keys-setup --fetch-mfa-device",
        "--non-interactive --output json",
    ] {
        assert!(
            out.stdout.contains(journey),
            "--help shows no example with {journey}:\n{}",
            out.stdout
        );
    }
}

/// Completion scripts for bash, zsh and fish know the subcommands, the
/// flags and the values of --type; bash's is valid bash.
#[test]
fn completions_for_bash_zsh_and_fish() {
    let project = Project::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = project.run(None, &["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.stderr);
        for word in [
            "credentials",
            "configure",
            "--credentials-file",
            "--overwrite-existing-credentials",
            "MANAGEMENT",
        ] {
            // fish names long flags without their dashes (`-l credentials-file`).
            let word = if shell == "fish" {
                word.trim_start_matches('-')
            } else {
                word
            };
            assert!(out.stdout.contains(word), "the {shell} completions lack {word}");
        }
        if shell == "bash" {
            let script = project.home.join("leverage.bash");
            std::fs::write(&script, &out.stdout).unwrap();
            let status = Command::new("bash").arg("-n").arg(&script).status().unwrap();
            assert!(status.success(), "the bash completions are not valid bash");
        }
    }
    let unknown = project.run(None, &["completions", "tcsh"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
}

/// `leverage man` prints a man page that groff formats without a warning,
/// with every flag, the examples and the exit codes; `--out-dir` writes
/// one page per command.
#[test]
fn the_man_page_is_generated_from_the_same_definitions() {
    let project = Project::new();
    let out = project.run(None, &["man"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.starts_with(".ie") || out.stdout.starts_with(".TH"),
        "{}",
        &out.stdout[..200.min(out.stdout.len())]
    );
    assert!(
        out.stdout.contains(".TH leverage-credentials-configure 1"),
        "{}",
        out.stdout
    );
    let page = project.home.join("leverage-credentials-configure.1");
    std::fs::write(&page, &out.stdout).unwrap();
    let groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-rLL=200n"])
        .arg(&page)
        .output()
        .expect("groff");
    let stderr = String::from_utf8_lossy(&groff.stderr);
    assert!(groff.status.success() && stderr.is_empty(), "groff: {stderr}");
    let text = plain(&String::from_utf8_lossy(&groff.stdout)).replace(['\u{2010}', '\u{2212}'], "-");
    // groff's -Tutf8 overstrikes bold text (c\bc): keep the last of each pair.
    let text: String = {
        let mut shown = String::new();
        for c in text.chars() {
            if c == '\u{8}' {
                shown.pop();
                continue;
            }
            shown.push(c);
        }
        shown
    };
    for flag in CONFIGURE_FLAGS.iter().chain(&["--verbose", "--quiet"]) {
        assert!(text.contains(flag), "the man page lacks {flag}:\n{text}");
    }
    for section in ["EXAMPLES", "ENVIRONMENT", "FILES", "EXIT STATUS"] {
        assert!(text.contains(section), "the man page lacks {section}");
    }
    assert!(
        text.contains("leverage credentials configure --type BOOTSTRAP \\"),
        "the examples lost their layout:\n{text}"
    );

    let dir = project.home.join("man1");
    let out = project.run(None, &["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        [
            "leverage-completions.1",
            "leverage-component.1",
            "leverage-credentials-configure.1",
            "leverage-credentials-restore.1",
            "leverage-credentials-rotate.1",
            "leverage-credentials.1",
            "leverage-man.1",
            "leverage.1"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("leverage-credentials-configure.1")).unwrap(),
        std::fs::read_to_string(&page).unwrap()
    );
}

/// `--help` lists every command, and neither the help texts nor the man
/// pages carry internal markers such as `[better]`.
#[test]
fn help_lists_every_command_and_shows_no_internal_markers() {
    let project = Project::new();
    let help = project.run(None, &["--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    for command in ["credentials", "completions", "man"] {
        assert!(
            help.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{command} "))),
            "--help does not list `{command}`:\n{}",
            help.stdout
        );
    }
    let mut texts = vec![help.stdout];
    for args in [
        vec!["credentials", "--help"],
        vec!["credentials", "configure", "--help"],
        vec!["credentials", "configure", "-h"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
        vec!["man"],
    ] {
        let out = project.run(None, &args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        texts.push(out.stdout);
    }
    let dir = project.home.join("man1");
    let out = project.run(None, &["man", "--out-dir", dir.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    for page in std::fs::read_dir(&dir).unwrap().flatten() {
        texts.push(std::fs::read_to_string(page.path()).unwrap());
    }
    for text in &texts {
        for marker in ["[better]", "\\[better\\]", "better]"] {
            assert!(!text.contains(marker), "an internal marker shows:\n{text}");
        }
    }
}

/// Usage errors in the same style as the others: `Error:`, the usage line,
/// a `Hint:`; exit code 2 and nothing written.
#[test]
fn usage_errors_use_the_error_style() {
    let project = Project::new();
    let out = project.run(None, &["credentials", "configure", "--type", "MANAGEMENT", "--dry-ru"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("Error: unexpected argument '--dry-ru' found\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Hint: a similar argument exists: '--dry-run'"),
        "{}",
        out.stderr
    );
    let out = project.run(None, &["credentials", "configure", "--type", "ADMIN"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("Hint: possible values: BOOTSTRAP, MANAGEMENT, SECURITY"),
        "{}",
        out.stderr
    );
    let out = project.run(None, &["credentials", "configure"]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "Error: the following required arguments were not provided: --type <TYPE>\n\
         Usage: leverage credentials configure --type <TYPE>\n\
         Hint: see `leverage credentials configure --help`\n"
    );
    assert!(!project.home.join(".aws").exists());
}

// ---------------------------------------------------------------------------
// In the field: piped output, `~` paths, the configured MFA device, the
// screen after cancelling, narrow terminals.

/// Ctrl-C, Esc and Ctrl-D at a menu or the secret prompt all leave the same
/// screen: the question marked cancelled, the error, exit code 130; no menu
/// or help line left over.
#[test]
fn every_way_to_cancel_leaves_no_menu_on_the_screen() {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    configured(
        &mut project,
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    let question = "Credentials already configured for bb-management";
    for (name, cancel) in [("Ctrl-C", CTRL_C), ("Esc", ESC), ("Ctrl-D", CTRL_D)] {
        let mut term = start(&project, None, &configure("MANAGEMENT"));
        term.expect("[o] Overwrite current credentials");
        term.send(cancel);
        let (code, raw, modes) = term.finish();
        let shown = screen(&raw, 100, 30);
        assert_eq!(code, 130, "{name}:\n{shown}");
        assert!(shown.contains(&format!("? {question} cancelled")), "{name}:\n{shown}");
        assert!(
            shown.contains("Error: cancelled; nothing was written"),
            "{name}:\n{shown}"
        );
        for residue in ["Overwrite current credentials", "Skip credentials", "to move"] {
            assert!(!shown.contains(residue), "{name} left `{residue}`:\n{shown}");
        }
        assert_terminal_restored(modes, &raw);
    }

    // The secret prompt's help line goes too.
    let mut term = start(&project, None, &configure("MANAGEMENT"));
    term.expect(question);
    term.send("o");
    term.send(ENTER);
    let means = "Select the means by which you'll provide the programmatic keys";
    term.expect(means);
    term.send("m");
    term.send(ENTER);
    term.expect("Access key ID");
    term.send("AKIAIOSFODNN7EXAMPLE");
    term.send(ENTER);
    term.expect("hidden as you type");
    term.send(CTRL_C);
    let (code, raw, _) = term.finish();
    let shown = screen(&raw, 100, 30);
    assert_eq!(code, 130, "{shown}");
    assert!(shown.contains("? Secret access key cancelled"), "{shown}");
    assert!(!shown.contains("hidden as you type"), "{shown}");
}

/// With standard output and error piped (`... 2>&1 | tee log`) the
/// questions are still asked, on the controlling terminal; the log gets
/// the progress and the summary, not the prompts.
#[test]
fn prompts_use_the_terminal_when_output_is_piped() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write(
        "project.yaml",
        &PROJECT_YAML.replace("primary_region: us-east-1\nsecondary_region: us-west-2\n", ""),
    );
    let csv = project.keys_csv(key_id, secret);
    let log_path = project.home.join("run.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap()]);
    let mut term = Pty::spawn_with(terminal_command(&project, Some(&moto), &args, false), 100, Some(log));
    term.expect("Primary region");
    term.send("eu-west-1");
    term.send(ENTER);
    let (code, raw, modes) = term.finish();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert_eq!(code, 0, "screen:\n{}\nlog:\n{log}", plain(&raw));
    assert!(project.read_aws("bb", "config").contains("region = eu-west-1"));
    assert!(
        log.contains("Done.") && log.contains("primary_region: eu-west-1"),
        "{log}"
    );
    assert!(!log.contains("? Primary region"), "the prompt went to the log:\n{log}");
    assert_terminal_restored(modes, &raw);
    assert_not_shown(secret, &raw);
}

/// Without a controlling terminal (a new session, output piped) a question
/// is an error naming what answers it, not a hang.
#[test]
fn without_a_controlling_terminal_a_question_is_an_error() {
    let project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    // The project's command runs in a session of its own: no controlling
    // terminal, even when the tests run in one.
    let out = project.run_with(project.command(None), &configure("MANAGEMENT"), None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("there is no terminal to ask on"), "{}", out.stderr);
}

/// A path typed at the prompt may start with `~` or `$HOME`.
#[test]
fn a_typed_path_may_start_with_a_tilde_or_home() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    for prefix in ["~", "$HOME"] {
        let mut project = Project::new();
        project.write("project.yaml", PROJECT_YAML);
        let csv = project.keys_csv(key_id, secret);
        let name = csv.file_name().unwrap().to_str().unwrap().to_string();
        let mut term = start(&project, Some(&moto), &configure("MANAGEMENT"));
        let means = "Select the means by which you'll provide the programmatic keys";
        term.expect(means);
        term.send("p");
        term.send(ENTER);
        term.expect("Path to the access keys file");
        term.send(&format!("{prefix}/{name}"));
        term.send(ENTER);
        let (code, raw, _) = term.finish();
        assert_eq!(code, 0, "{prefix}:\n{}", plain(&raw));
        assert!(project.read_aws("bb", "credentials").contains(key_id), "{prefix}");
        assert_not_shown(secret, &raw);
    }
}

/// The MFA picker marks the device the profiles use now and starts on it:
/// Enter keeps it.
#[test]
fn the_mfa_picker_starts_on_the_configured_device() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane", "mfa": 2}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let second = text(&state, "/users/jane/mfa/1").to_string();
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let first = project.run(
        Some(&moto),
        &[
            "credentials",
            "configure",
            "--type",
            "MANAGEMENT",
            "--credentials-file",
            csv.to_str().unwrap(),
            "--fetch-mfa-device",
            "--mfa-serial",
            &second,
            "--non-interactive",
        ],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(project
        .read_aws("bb", "config")
        .contains(&format!("mfa_serial = {second}")));

    let mut args = configure("MANAGEMENT");
    args.extend(["--skip-access-keys-setup", "--fetch-mfa-device"]);
    let mut term = start(&project, Some(&moto), &args);
    term.expect("Which MFA device should the profiles use?");
    term.expect(&format!("{second} (configured now)"));
    term.send(ENTER);
    let (code, raw, _) = term.finish();
    assert_eq!(code, 0, "{}", plain(&raw));
    let config = project.read_aws("bb", "config");
    assert_eq!(config.matches(&format!("mfa_serial = {second}")).count(), 2, "{config}");
}

/// On a terminal 60 columns wide the summary fits: tables fold, prose wraps
/// between words, and the "Try it" command is cut only between words, with
/// continuations, so that it still pastes as one command.
#[test]
fn at_sixty_columns_the_summary_fits_and_try_it_pastes_whole() {
    let moto = Moto::start();
    let state = organization(&moto, json!([{"name": "jane"}]));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    project.write(
        "config/common.tfvars",
        "project = \"bb\"\n\nsecurity_account_id = \"XXXXXXXXXXXX\"\n",
    );
    let csv = project.keys_csv(key_id, secret);
    let mut args = configure("MANAGEMENT");
    args.extend(["--credentials-file", csv.to_str().unwrap(), "--non-interactive"]);
    let term = Pty::spawn_with(terminal_command(&project, Some(&moto), &args, false), 60, None);
    let (code, raw, _) = term.finish();
    let text = plain(&raw);
    assert_eq!(code, 0, "{text}");
    let summary = &text[text.find("Done.").expect("a summary")..];
    for line in summary.lines() {
        // A path longer than the terminal cannot be folded without breaking
        // it for copying: such a line holds that one path (after its label).
        let one_path = line
            .trim_start()
            .strip_prefix("backup: ")
            .unwrap_or(line.trim_start())
            .split_whitespace()
            .count()
            == 1;
        assert!(
            line.chars().count() <= 60 || one_path,
            "wider than 60 columns: {line:?}\n{summary}"
        );
    }
    assert!(summary.contains("Profiles (2)"), "{summary}");
    let try_it = &summary[summary.find("Try it:").unwrap() + "Try it:".len()..];
    let command: Vec<&str> = try_it
        .lines()
        .map(|l| l.trim().trim_end_matches('\\').trim())
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(
        command.join(" "),
        "AWS_CONFIG_FILE=~/.aws/bb/config AWS_SHARED_CREDENTIALS_FILE=~/.aws/bb/credentials \
         aws sts get-caller-identity --profile bb-security-oaar",
        "{summary}"
    );
    assert!(try_it.lines().filter(|l| !l.is_empty()).count() > 1, "{summary}");
}
