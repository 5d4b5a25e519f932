//! The network as users meet it: hostile or broken endpoints served by a
//! loopback server of the test's own, an endpoint nobody listens on, and
//! keys AWS rejects for different reasons. Every failure must come quickly,
//! say what went wrong and where, and write nothing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{configure_args, keys_of, Moto, Project, PROJECT_YAML};

/// A loopback HTTP server answering every request with `answer`, on its
/// own thread per connection; stopped (no longer accepting) when dropped.
struct Hostile {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    fn start(answer: fn(TcpStream, &AtomicBool)) -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let stopped = stopped.clone();
                thread::spawn(move || {
                    // Read the request head (the body does not matter).
                    let mut buffer = [0u8; 65536];
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
                    let _ = stream.read(&mut buffer);
                    answer(stream, &stopped);
                });
            }
        });
        Hostile { port, stop }
    }

    fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A project with a keys CSV, ready for a MANAGEMENT run.
fn project() -> (Project, String) {
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project
        .keys_csv("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
        .display()
        .to_string();
    (project, csv)
}

/// Runs against `endpoint` and checks the run failed, wrote nothing, and
/// took less than `within`; returns standard error.
fn fails_against(endpoint: &str, timeout_ms: Option<u64>, within: Duration) -> String {
    let (project, csv) = project();
    let before = project.snapshot();
    let mut cmd = project.command(None);
    cmd.env("AWS_ENDPOINT_URL", endpoint);
    if let Some(ms) = timeout_ms {
        cmd.env("LEVERAGE_TEST_READ_TIMEOUT_MS", ms.to_string());
    }
    let start = Instant::now();
    let out = project.run_with(cmd, &configure_args("MANAGEMENT", &csv, &[]), None);
    let took = start.elapsed();
    assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
    assert!(took < within, "the run took {took:?}:\n{}", out.stderr);
    assert_eq!(project.snapshot(), before, "a failing run wrote something");
    out.stderr
}

/// A reply whose bytes trickle in slower than any real one, but each within
/// the read timeout, is cut by the attempt's deadline: the run ends instead
/// of holding its locks for ever.
#[test]
fn a_reply_that_trickles_in_is_cut_by_a_deadline() {
    let server = Hostile::start(|mut stream, stop| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n");
        for _ in 0..100_000 {
            if stop.load(Ordering::SeqCst) || stream.write_all(b" ").is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
    });
    // A 1 s read timeout (each byte comes well within it); the attempt's
    // deadline is twice that, and three attempts are made.
    let stderr = fails_against(&server.endpoint(), Some(1000), Duration::from_secs(40));
    assert!(stderr.contains("timed out"), "{stderr}");
    assert!(
        stderr.contains(&server.endpoint()),
        "the endpoint is not named:\n{stderr}"
    );
}

/// An endless body is not read into memory: the reply is refused past its
/// size bound, with an error that says so.
#[test]
fn an_endless_reply_body_is_refused_at_its_size_bound() {
    let server = Hostile::start(|mut stream, stop| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n");
        let chunk = format!("{:x}\r\n{}\r\n", 65536, " ".repeat(65536));
        while !stop.load(Ordering::SeqCst) {
            if stream.write_all(chunk.as_bytes()).is_err() {
                return;
            }
        }
    });
    let stderr = fails_against(&server.endpoint(), None, Duration::from_secs(60));
    assert!(stderr.contains("larger than 4 MiB"), "{stderr}");
}

/// Nobody listens at the endpoint: the run gives up in seconds, names the
/// endpoint it tried and says what to check.
#[test]
fn an_unreachable_endpoint_fails_in_seconds_and_is_named() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let stderr = fails_against(&endpoint, None, Duration::from_secs(15));
    assert!(stderr.contains("could not reach AWS"), "{stderr}");
    assert!(stderr.contains(&endpoint), "the endpoint is not named:\n{stderr}");
    assert!(stderr.contains("Hint: check the network connection"), "{stderr}");
}

/// Keys AWS rejects are named by AWS's error code, with a hint for that
/// code: a secret that belongs to another key, and a key that does not exist.
#[test]
fn rejected_keys_are_named_by_their_error_code() {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-shared"],
        "users": [{"name": "jane"}],
        "enforce_auth": true,
    }));
    let (key_id, secret) = keys_of(&state, "jane");
    let wrong_secret = format!("{}A", &secret[..39]);
    for (key, secret, code, says) in [
        (
            key_id,
            wrong_secret.as_str(),
            "SignatureDoesNotMatch",
            "the secret access key does not belong to this access key id",
        ),
        (
            "AKIANOSUCHKEYNOSUCH0",
            secret,
            "InvalidClientTokenId",
            "this access key id does not exist or was deleted",
        ),
    ] {
        let mut project = Project::new();
        project.secrets.push(secret.to_string());
        project.write("project.yaml", PROJECT_YAML);
        let csv = project.keys_csv(key, secret).display().to_string();
        let before = project.snapshot();
        let out = project.run(Some(&moto), &configure_args("MANAGEMENT", &csv, &[]));
        assert_eq!(out.code, 1, "{}", out.stderr);
        assert!(out.stderr.contains(code), "{code}:\n{}", out.stderr);
        assert!(out.stderr.contains(says), "{code}:\n{}", out.stderr);
        assert_eq!(project.snapshot(), before, "{code}: a rejected run wrote something");
    }
}
