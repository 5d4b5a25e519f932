//! Signals: before and during the write, while waiting on AWS (on a
//! terminal too), and no core dump.

use super::*;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::sync::mpsc;

fn send_signal(child: &Child, signal: rustix::process::Signal) {
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    rustix::process::kill_process(pid, signal).unwrap();
}

/// A loopback "AWS endpoint" that accepts connections and never answers:
/// a run waits on it. The receiver gets a message at each connection.
fn silent_endpoint() -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
            if tx.send(()).is_err() {
                break;
            }
        }
    });
    (url, rx)
}

/// Start a run that pauses after its first rename (a debug-build test
/// hook) and return it once it says so, with its standard error so far.
fn paused_in_apply(project: &Project, release: &Path, extra_env: &[(&str, &str)]) -> (Child, String) {
    let mut cmd = project.command(None);
    cmd.env("LEVERAGE_TEST_PAUSE_AFTER_RENAME", format!("1:{}", release.display()));
    for (name, value) in extra_env {
        cmd.env(name, value);
    }
    let mut child = cmd
        .args(SKIP_KEYS)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = String::new();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                seen.push_str(&line);
                seen.push('\n');
                if line.contains("test hook: paused after rename 1") {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the run never paused in the apply:\n{seen}");
            }
        }
    }
    // Keep reading standard error, so the run never blocks writing to it.
    std::thread::spawn(move || rx.into_iter().for_each(drop));
    (child, seen)
}

/// Let a paused run go on, wait for it (bounded), and return its exit code.
fn end_paused(mut child: Child, release: &Path) -> Option<i32> {
    std::fs::write(release, "").unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGTERM or SIGINT in the middle of the renames waits for the apply: every
/// file is new afterwards (never some new and some old), and the run ends
/// with 130.
#[test]
fn a_signal_during_the_write_waits_until_every_file_is_written() {
    for signal in [rustix::process::Signal::TERM, rustix::process::Signal::INT] {
        let project = project();
        let release = project.home.parent().unwrap().join("release");
        let (child, _) = paused_in_apply(&project, &release, &[]);
        send_signal(&child, signal);
        std::thread::sleep(Duration::from_millis(300));
        let code = end_paused(child, &release);
        assert_eq!(code, Some(130), "{signal:?}");
        assert!(std::fs::read_to_string(project.root.join("build.env"))
            .unwrap()
            .contains("PROJECT=bb"));
        assert!(project.read_aws("bb", "config").contains("[profile bb-shared-oaar]"));
        assert!(std::fs::read_to_string(project.root.join("config/common.tfvars"))
            .unwrap()
            .contains("333333333333"));
    }
}

/// A signal in the write window while the apply then fails: the rollback
/// runs in full first, and every file is as it was.
#[test]
fn a_signal_during_a_failing_write_waits_for_the_rollback() {
    let project = project();
    let before = project.snapshot();
    let release = project.home.parent().unwrap().join("release");
    let (child, _) = paused_in_apply(&project, &release, &[("LEVERAGE_TEST_FAULT", "rename:2")]);
    send_signal(&child, rustix::process::Signal::TERM);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(end_paused(child, &release), Some(130));
    let after: Vec<_> = project
        .snapshot()
        .into_iter()
        .map(|(path, bytes, _)| (path, bytes))
        .collect();
    let before: Vec<_> = before.into_iter().map(|(path, bytes, _)| (path, bytes)).collect();
    assert_eq!(after, before, "the rollback did not finish");
}

/// While a run waits on AWS (here an endpoint that never answers),
/// SIGINT or SIGTERM ends it at once as a cancelled prompt does: `cancelled;
/// nothing was written`, exit code 130, and nothing on disk, not even
/// `~/.aws`. The process also allows no core dump (it holds the secret).
#[test]
fn a_signal_while_waiting_on_aws_cancels_and_no_core_dump_is_allowed() {
    for signal in [rustix::process::Signal::INT, rustix::process::Signal::TERM] {
        let (endpoint, connected) = silent_endpoint();
        let mut project = project();
        let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        let before = project.snapshot();
        // Allow core dumps as far as the system lets this user, as
        // `ulimit -c unlimited` does: the binary must take that back.
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg("ulimit -S -c unlimited 2>/dev/null || ulimit -S -c \"$(ulimit -H -c)\"; exec \"$@\"")
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_leverage"));
        let template = project.command(None);
        cmd.env_clear()
            .envs(template.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env("AWS_ENDPOINT_URL", &endpoint)
            .current_dir(&project.root);
        let child = cmd
            .args(configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        connected
            .recv_timeout(TIMEOUT)
            .expect("the run never called the endpoint");
        let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap()
            .split_whitespace()
            .skip(4)
            .take(2)
            .collect::<Vec<_>>();
        assert_eq!(core, ["0", "0"], "core dumps are allowed:\n{limits}");
        send_signal(&child, signal);
        let ran = finish(child);
        assert_eq!(ran.code, Some(130), "{signal:?}: {}", ran.stderr);
        assert_eq!(
            ran.stderr.lines().last(),
            Some("Error: cancelled; nothing was written"),
            "{}",
            ran.stderr
        );
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        assert_eq!(project.snapshot(), before);
        assert!(!project.home.join(".aws").exists(), "the run created ~/.aws");
    }
}

/// The screen a terminal shows after `raw` was written to it (enough of
/// VT100 for what the binary and its spinner write: `\r`, `\n`, erase in
/// line, cursor up, SGR and cursor-visibility sequences ignored).
fn screen(raw: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
                if lines.len() <= row {
                    lines.push(Vec::new());
                }
            }
            '\x1b' => {
                if chars.next_if_eq(&'[').is_none() {
                    chars.next();
                    continue;
                }
                let mut params = String::new();
                let mut end = ' ';
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        end = c;
                        break;
                    }
                    params.push(c);
                }
                let n: usize = params.trim_start_matches('?').parse().unwrap_or(0);
                match end {
                    'K' if n == 2 => lines[row].clear(),
                    'K' => lines[row].truncate(col),
                    'A' => row = row.saturating_sub(n.max(1)),
                    'G' => col = n.saturating_sub(1),
                    'J' => lines.truncate(row + 1),
                    _ => {}
                }
            }
            _ => {
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// Ctrl-C at a real terminal while the spinner waits on AWS: the screen
/// ends with the cancel message and keeps no spinner line.
#[test]
fn ctrl_c_at_a_terminal_while_waiting_on_aws_leaves_no_spinner() {
    // A pseudo-terminal from Python's standard library: the binary runs on
    // it as a session leader; bytes written to our pipe are typed on it.
    const PTY: &str = r#"
import os, pty, select, struct, sys, fcntl, termios
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    os.execv(sys.argv[1], sys.argv[1:])
inputs = [fd, 0]
while True:
    ready, _, _ = select.select(inputs, [], [])
    if 0 in ready:
        data = os.read(0, 1024)
        if data:
            os.write(fd, data)
        else:
            inputs.remove(0)
    if fd in ready:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
_, status = os.waitpid(pid, 0)
sys.stderr.write("exit=%d\n" % os.waitstatus_to_exitcode(status))
"#;
    let (endpoint, connected) = silent_endpoint();
    let mut project = project();
    let csv = project.keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    let template = project.command(None);
    let mut cmd = Command::new("python3");
    cmd.arg("-c")
        .arg(PTY)
        .arg(env!("CARGO_BIN_EXE_leverage"))
        .args(configure_args("MANAGEMENT", csv.to_str().unwrap(), &[]))
        .env_clear()
        .envs(template.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .env("AWS_ENDPOINT_URL", &endpoint)
        .env("TERM", "xterm-256color")
        .current_dir(&project.root)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut keyboard = child.stdin.take().unwrap();
    connected
        .recv_timeout(TIMEOUT)
        .expect("the run never called the endpoint");
    // Long enough for the spinner to draw (it ticks every 80 ms).
    std::thread::sleep(Duration::from_millis(500));
    keyboard.write_all(b"\x03").unwrap();
    keyboard.flush().unwrap();
    let ran = finish(child);
    drop(keyboard);
    assert!(ran.stderr.contains("exit=130"), "{}\n{:?}", ran.stderr, ran.stdout);
    assert!(
        ran.stdout.contains("Waiting for AWS"),
        "no spinner was drawn: {:?}",
        ran.stdout
    );
    let screen = screen(&ran.stdout);
    let shown: Vec<&String> = screen.iter().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        shown.last().map(|l| l.as_str()),
        Some("Error: cancelled; nothing was written"),
        "{screen:#?}"
    );
    assert!(
        !screen.iter().any(|l| l.contains("Waiting for AWS") || l.contains("^C")),
        "spinner residue on the screen: {screen:#?}"
    );
}
