//! The terminal experience: the real binary in a pseudo-terminal
//! for every prompt (shortcuts, arrow keys, validation, the hidden secret,
//! cancelling), colour and the spinner; off a terminal, plain lines, a
//! snapshot of a full run's output, the message that asks for
//! `--non-interactive`, `--quiet`/`--verbose`; and help, completions and the
//! man page generated from the same clap definitions.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{Moto, Project, PROJECT_YAML};

mod cancel;
mod colour;
mod field;
mod help;
mod off_terminal;
mod prompts;

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
