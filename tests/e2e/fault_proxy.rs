//! A hostile network: a loopback HTTP proxy in front of moto that
//! answers with throttling errors, 5xx, reset connections, replies slower than
//! the read timeout, malformed bodies, or rewritten replies, for the first N
//! requests or for all. Retried faults must end in success once they clear;
//! faults that persist must end in a clear error within a bounded time; and
//! no failing run may write anything.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{configure_args, keys_of, Moto, Output, Project, PROJECT_YAML};

// ---------------------------------------------------------------------------
// The proxy

/// Rewrites a response body, given the request body and the response body.
pub type ResponseRewrite = Arc<dyn Fn(&str, &str) -> String + Send + Sync>;
/// Rewrites a request body before it reaches moto.
pub type RequestRewrite = Arc<dyn Fn(&str) -> String + Send + Sync>;

/// What the proxy does to a request it is told to fault.
#[derive(Clone)]
pub enum Fault {
    /// HTTP 400 with the service's throttling error: `Throttling` in the
    /// query protocol's XML (STS, IAM), `ThrottlingException` in JSON
    /// (Organizations). The message may be set, to carry hostile text.
    Throttle(&'static str),
    /// An HTTP status with a matching error body (500 InternalFailure, 503
    /// ServiceUnavailable).
    Status(u16),
    /// An error AWS does not retry: this HTTP status and error code (e.g.
    /// 403 `AccessDenied`), with a message.
    Refuse(u16, &'static str, &'static str),
    /// The connection is reset (RST) without an answer.
    Reset,
    /// The real answer, after this delay.
    Slow(Duration),
    /// The real answer, once the flag is set: keeps a run waiting for AWS
    /// (inside its locks) for as long as a test needs.
    Hold(Arc<AtomicBool>),
    /// HTTP 200 with a body cut off in the middle.
    Malformed,
    /// The real answer with its body rewritten (the request body is given).
    Rewrite(ResponseRewrite),
}

/// How many requests a fault applies to.
#[derive(Clone, Copy, Debug)]
pub enum Times {
    First(usize),
    Always,
}

struct Plan {
    fault: Fault,
    times: Times,
    /// Only requests for this operation (e.g. `GetCallerIdentity`).
    operation: &'static str,
}

/// One request the proxy saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub operation: String,
    pub at: Instant,
    pub faulted: bool,
}

struct Shared {
    upstream: String,
    plans: Mutex<Vec<Plan>>,
    seen: Mutex<Vec<Seen>>,
    /// Rewrites of request bodies before they reach moto (a fake page token).
    request_rewrite: Mutex<Option<RequestRewrite>>,
}

/// A loopback proxy on a free port, stopped when dropped.
pub struct FaultProxy {
    pub endpoint: String,
    port: u16,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
}

impl FaultProxy {
    pub fn start(moto: &Moto) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
        let port = listener.local_addr().unwrap().port();
        let upstream = moto.endpoint.trim_start_matches("http://").to_string();
        let shared = Arc::new(Shared {
            upstream,
            plans: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            request_rewrite: Mutex::new(None),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (shared.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(stream, &s));
            }
        });
        FaultProxy {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            shared,
            stop,
        }
    }

    /// Fault the requests for `operation`, `times` over.
    pub fn fault(&self, operation: &'static str, fault: Fault, times: Times) {
        self.shared.plans.lock().unwrap().push(Plan {
            fault,
            times,
            operation,
        });
    }

    pub fn rewrite_requests(&self, rewrite: impl Fn(&str) -> String + Send + Sync + 'static) {
        *self.shared.request_rewrite.lock().unwrap() = Some(Arc::new(rewrite));
    }

    pub fn seen(&self, operation: &str) -> Vec<Seen> {
        self.shared
            .seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.operation == operation)
            .cloned()
            .collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An HTTP/1.1 request or response: head lines and body.
struct Message {
    head: Vec<String>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.iter().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

fn read_message(stream: &mut TcpStream, until_eof: bool) -> Option<Message> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head: Vec<String> = String::from_utf8_lossy(&buf)
        .trim_end()
        .split("\r\n")
        .map(str::to_string)
        .collect();
    let mut message = Message { head, body: Vec::new() };
    if let Some(length) = message.header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        message.body = vec![0; length];
        stream.read_exact(&mut message.body).ok()?;
    } else if until_eof {
        stream.read_to_end(&mut message.body).ok()?;
    }
    Some(message)
}

/// The operation a request calls: `X-Amz-Target` (JSON) or `Action=` (query).
fn operation_of(request: &Message) -> String {
    if let Some(target) = request.header("x-amz-target") {
        return target.rsplit('.').next().unwrap_or(target).to_string();
    }
    let body = String::from_utf8_lossy(&request.body);
    body.split('&')
        .find_map(|p| p.strip_prefix("Action="))
        .unwrap_or("?")
        .to_string()
}

fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &[u8]) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nx-amzn-RequestId: fault-proxy\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn error_reply(stream: &mut TcpStream, json: bool, status: u16, code: &str, message: &str) {
    if json {
        let body = json!({"__type": code, "message": message}).to_string();
        respond(stream, status, "application/x-amz-json-1.1", body.as_bytes());
    } else {
        let body = format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
        );
        respond(stream, status, "text/xml", body.as_bytes());
    }
}

/// The whole request as it waits in the socket, without consuming it: a
/// reset then closes the socket with the request unread, which makes the
/// kernel answer with RST instead of FIN.
fn peek_request(stream: &TcpStream) -> Option<Message> {
    let mut buf = vec![0u8; 1 << 20];
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let n = stream.peek(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        let data = &buf[..n];
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head: Vec<String> = String::from_utf8_lossy(&data[..end])
                .split("\r\n")
                .map(str::to_string)
                .collect();
            let mut message = Message { head, body: Vec::new() };
            let length = message
                .header("content-length")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(0);
            if let Some(body) = data.get(end + 4..end + 4 + length) {
                message.body = body.to_vec();
                return Some(message);
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    None
}

/// One connection: one request (each answer closes the connection).
fn serve(mut client: TcpStream, shared: &Shared) {
    let Some(mut request) = peek_request(&client) else {
        return;
    };
    let operation = operation_of(&request);
    let fault = {
        let mut plans = shared.plans.lock().unwrap();
        let plan = plans
            .iter_mut()
            .find(|p| p.operation == operation && !matches!(p.times, Times::First(0)));
        plan.map(|p| {
            if let Times::First(n) = &mut p.times {
                *n -= 1;
            }
            p.fault.clone()
        })
    };
    let json = request.header("x-amz-target").is_some();
    let faulted = fault.as_ref().is_some_and(|f| !matches!(f, Fault::Rewrite(_)));
    shared.seen.lock().unwrap().push(Seen {
        operation: operation.clone(),
        at: Instant::now(),
        faulted,
    });

    if !matches!(fault, Some(Fault::Reset)) {
        let mut consumed = vec![0u8; request_len(&request)];
        if client.read_exact(&mut consumed).is_err() {
            return;
        }
    }
    match &fault {
        Some(Fault::Throttle(message)) => {
            let code = if json { "ThrottlingException" } else { "Throttling" };
            return error_reply(&mut client, json, 400, code, message);
        }
        Some(Fault::Status(status)) => {
            let code = if *status == 503 {
                "ServiceUnavailable"
            } else {
                "InternalFailure"
            };
            return error_reply(&mut client, json, *status, code, "the fault proxy says no");
        }
        Some(Fault::Refuse(status, code, message)) => {
            return error_reply(&mut client, json, *status, code, message);
        }
        Some(Fault::Reset) => {
            // Closed with the request unread: the client gets a reset.
            drop(client);
            return;
        }
        Some(Fault::Malformed) => {
            return if json {
                respond(
                    &mut client,
                    200,
                    "application/x-amz-json-1.1",
                    b"{\"Accounts\": [{\"Id\": \"1",
                )
            } else {
                respond(
                    &mut client,
                    200,
                    "text/xml",
                    b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws",
                )
            };
        }
        Some(Fault::Slow(delay)) => std::thread::sleep(*delay),
        Some(Fault::Hold(released)) => {
            while !released.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        Some(Fault::Rewrite(_)) | None => {}
    }

    if let Some(rewrite) = shared.request_rewrite.lock().unwrap().clone() {
        let body = rewrite(&String::from_utf8_lossy(&request.body));
        request.body = body.into_bytes();
        for line in request.head.iter_mut() {
            if line.to_ascii_lowercase().starts_with("content-length:") {
                *line = format!("Content-Length: {}", request.body.len());
            }
        }
    }
    let Some(reply) = forward(&shared.upstream, &request) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let status: u16 = reply.head[0]
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(502);
    let content_type = reply.header("content-type").unwrap_or("text/xml").to_string();
    let mut body = reply.body;
    if let Some(Fault::Rewrite(rewrite)) = &fault {
        body = rewrite(&String::from_utf8_lossy(&request.body), &String::from_utf8_lossy(&body)).into_bytes();
    }
    respond(&mut client, status, &content_type, &body);
}

/// The request's size on the wire, as peeked.
fn request_len(request: &Message) -> usize {
    request.head.iter().map(|l| l.len() + 2).sum::<usize>() + 2 + request.body.len()
}

/// Sends the request to moto on a fresh connection and reads the whole reply.
fn forward(upstream: &str, request: &Message) -> Option<Message> {
    let mut server = TcpStream::connect(upstream).ok()?;
    let mut head = String::new();
    for line in &request.head {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("Connection: close\r\n\r\n");
    server.write_all(head.as_bytes()).ok()?;
    server.write_all(&request.body).ok()?;
    read_message(&mut server, true)
}

// ---------------------------------------------------------------------------
// The runs

/// The read timeout of the slow-reply tests (debug builds only), short so
/// that they end in seconds, and long enough for moto to answer the retry on
/// a busy machine. Every other run keeps the host's own read timeout, so a
/// slow moto reply never turns into an extra attempt there.
const SHORT_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// A reply delayed this long is slower than the short read timeout.
const SLOWER_THAN_THE_TIMEOUT: Duration = Duration::from_secs(30);
/// The host's attempts per call (host/src/aws.rs).
const ATTEMPTS: usize = 3;
/// The waits between three attempts, at most 1 + 2 s (exponential backoff
/// from a 1 s base, with jitter below it).
const MAX_BACKOFF: Duration = Duration::from_secs(3);
/// A failing run ends within its attempts, each bounded by the read timeout
/// when it is set, plus the backoff and this much for everything else.
const SLACK: Duration = Duration::from_secs(30);

struct World {
    moto: Moto,
    proxy: FaultProxy,
    project: Project,
    state: Value,
    csv: String,
    /// Set by the slow-reply tests only.
    read_timeout: Option<Duration>,
}

/// An organization with two member accounts, a user with one MFA device,
/// and a project whose keys CSV holds that user's keys.
fn world() -> World {
    let moto = Moto::start();
    let state = moto.setup(json!({
        "organization": true,
        "accounts": ["binbash-security", "binbash-shared"],
        "users": [{"name": "jane", "mfa": 1}],
    }));
    let (key_id, secret) = keys_of(&state, "jane");
    let mut project = Project::new();
    project.write("project.yaml", PROJECT_YAML);
    let csv = project.keys_csv(key_id, secret);
    let proxy = FaultProxy::start(&moto);
    World {
        moto,
        proxy,
        project,
        state,
        csv: csv.display().to_string(),
        read_timeout: None,
    }
}

/// [`world`] with [`SHORT_READ_TIMEOUT`], for the slow-reply tests.
fn world_with_short_read_timeout() -> World {
    World {
        read_timeout: Some(SHORT_READ_TIMEOUT),
        ..world()
    }
}

impl World {
    fn run(&self, extra: &[&str]) -> (Output, Duration) {
        let mut cmd = self.project.command(Some(&self.moto));
        cmd.env("AWS_ENDPOINT_URL", &self.proxy.endpoint);
        if let Some(timeout) = self.read_timeout {
            cmd.env("LEVERAGE_TEST_READ_TIMEOUT_MS", timeout.as_millis().to_string());
        }
        let args = configure_args("MANAGEMENT", &self.csv, extra);
        let started = Instant::now();
        let out = self.project.run_with(cmd, &args, None);
        (out, started.elapsed())
    }

    /// How long a run that fails every attempt may take.
    fn bound(&self) -> Duration {
        let attempts = self.read_timeout.map_or(Duration::ZERO, |t| t * ATTEMPTS as u32);
        attempts + MAX_BACKOFF + SLACK
    }

    fn org_id(&self, name: &str) -> String {
        self.state["org_accounts"][name].as_str().unwrap().to_string()
    }

    /// A run that must fail: exit 1 within the bound, one clear error
    /// paragraph that says `says`, and nothing written.
    fn fails(&self, extra: &[&str], says: &[&str]) -> Output {
        let before = self.project.snapshot();
        let (out, took) = self.run(extra);
        assert_eq!(out.code, 1, "stderr:\n{}", out.stderr);
        assert!(took < self.bound(), "the failure took {took:?}");
        let error = out
            .stderr
            .lines()
            .skip_while(|l| !l.starts_with("Error: "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(error.starts_with("Error: "), "no error paragraph:\n{}", out.stderr);
        for text in says {
            assert!(error.contains(text), "the error does not say `{text}`:\n{error}");
        }
        assert!(
            !out.stderr.contains(|c: char| c.is_control() && c != '\n'),
            "a control character reached the terminal:\n{:?}",
            out.stderr
        );
        assert_eq!(self.project.snapshot(), before, "a failing run wrote something");
        assert!(!self.project.aws_file("bb", "credentials").exists());
        out
    }

    /// A run that must succeed and write the keys and both member profiles.
    fn succeeds(&self, extra: &[&str]) -> Output {
        let (out, took) = self.run(extra);
        assert_eq!(out.code, 0, "stderr:\n{}", out.stderr);
        assert!(took < self.bound(), "the run took {took:?}");
        let config = self.project.read_aws("bb", "config");
        for name in ["binbash-security", "binbash-shared"] {
            let arn = format!("arn:aws:iam::{}:role/OrganizationAccountAccessRole", self.org_id(name));
            assert!(config.contains(&arn), "no profile for {name}:\n{config}");
        }
        assert!(self.project.read_aws("bb", "credentials").contains("[bb-management]"));
        out
    }
}

/// The requests for one operation were `faults` faulted attempts, in a row
/// from the first, and then one that passed. An attempt more between them
/// is allowed: a reply that took longer than the host's read timeout on a
/// busy machine would add one, and says nothing about the retries.
#[track_caller]
fn faulted_then_passed(seen: &[Seen], faults: usize) {
    let faulted: Vec<bool> = seen.iter().map(|s| s.faulted).collect();
    assert!(
        faulted.len() > faults && faulted[..faults].iter().all(|&f| f) && faulted[faults..].iter().all(|&f| !f),
        "expected {faults} faulted attempt(s) and then one that passed: {seen:?}"
    );
}

/// The waits between attempts: the SDK backs off (with jitter) between them.
fn total_wait(seen: &[Seen]) -> Duration {
    match (seen.first(), seen.last()) {
        (Some(first), Some(last)) => last.at - first.at,
        _ => Duration::ZERO,
    }
}

#[test]
fn throttled_sts_is_retried_with_backoff_until_it_clears() {
    let w = world();
    w.proxy
        .fault("GetCallerIdentity", Fault::Throttle("Rate exceeded"), Times::First(2));
    w.succeeds(&[]);
    let seen = w.proxy.seen("GetCallerIdentity");
    faulted_then_passed(&seen, 2);
    assert!(
        total_wait(&seen) >= Duration::from_millis(10),
        "no backoff between attempts: {seen:?}"
    );
}

#[test]
fn throttled_organizations_json_api_is_retried_until_it_clears() {
    let w = world();
    w.proxy
        .fault("ListAccounts", Fault::Throttle("Rate exceeded"), Times::First(2));
    let out = w.succeeds(&[]);
    faulted_then_passed(&w.proxy.seen("ListAccounts"), 2);
    // Each retry is shown as it happens, with AWS's error code.
    assert!(
        out.stderr
            .contains("organizations:ListAccounts: ThrottlingException (HTTP 400); retrying (attempt 2 of 3)"),
        "{}",
        out.stderr
    );
}

#[test]
fn throttled_iam_is_retried_until_it_clears() {
    let w = world();
    w.proxy
        .fault("ListMFADevices", Fault::Throttle("Rate exceeded"), Times::First(2));
    w.succeeds(&["--fetch-mfa-device"]);
    faulted_then_passed(&w.proxy.seen("ListMFADevices"), 2);
    let serial = w.state["users"]["jane"]["mfa"][0].as_str().unwrap().to_string();
    assert!(w
        .project
        .read_aws("bb", "config")
        .contains(&format!("mfa_serial = {serial}")));
}

#[test]
fn server_errors_500_and_503_are_retried_until_they_clear() {
    let w = world();
    w.proxy.fault("GetCallerIdentity", Fault::Status(500), Times::First(1));
    w.proxy.fault("ListAccounts", Fault::Status(503), Times::First(2));
    w.succeeds(&[]);
    faulted_then_passed(&w.proxy.seen("GetCallerIdentity"), 1);
    faulted_then_passed(&w.proxy.seen("ListAccounts"), 2);
}

#[test]
fn a_reset_connection_is_retried_until_it_clears() {
    let w = world();
    w.proxy.fault("GetCallerIdentity", Fault::Reset, Times::First(2));
    w.succeeds(&[]);
    faulted_then_passed(&w.proxy.seen("GetCallerIdentity"), 2);
}

#[test]
fn a_slow_reply_times_out_and_the_retry_succeeds() {
    let w = world_with_short_read_timeout();
    w.proxy.fault(
        "GetCallerIdentity",
        Fault::Slow(SLOWER_THAN_THE_TIMEOUT),
        Times::First(1),
    );
    w.succeeds(&[]);
    faulted_then_passed(&w.proxy.seen("GetCallerIdentity"), 1);
}

#[test]
fn persistent_throttling_ends_in_a_clear_error_after_every_attempt() {
    let w = world();
    w.proxy
        .fault("GetCallerIdentity", Fault::Throttle("Rate exceeded"), Times::Always);
    w.fails(&[], &["throttl", "sts:GetCallerIdentity", "nothing was written"]);
    assert_eq!(w.proxy.seen("GetCallerIdentity").len(), ATTEMPTS);
}

#[test]
fn persistent_throttling_of_the_organization_ends_in_a_clear_error() {
    // The keys were checked, but they are not written: the run is one plan.
    let w = world();
    w.proxy
        .fault("ListAccounts", Fault::Throttle("Rate exceeded"), Times::Always);
    w.fails(&[], &["organizations:ListAccounts", "nothing was written"]);
    assert_eq!(w.proxy.seen("ListAccounts").len(), ATTEMPTS);
}

#[test]
fn persistent_503_ends_in_a_clear_error() {
    let w = world();
    w.proxy.fault("GetCallerIdentity", Fault::Status(503), Times::Always);
    w.fails(&[], &["sts:GetCallerIdentity", "nothing was written"]);
    assert_eq!(w.proxy.seen("GetCallerIdentity").len(), ATTEMPTS);
}

#[test]
fn persistent_500_on_the_organization_ends_in_a_clear_error() {
    let w = world();
    w.proxy.fault("ListAccounts", Fault::Status(500), Times::Always);
    w.fails(&[], &["organizations:ListAccounts", "nothing was written"]);
    assert_eq!(w.proxy.seen("ListAccounts").len(), ATTEMPTS);
}

#[test]
fn persistent_resets_end_in_a_clear_network_error() {
    let w = world();
    w.proxy.fault("GetCallerIdentity", Fault::Reset, Times::Always);
    w.fails(&[], &["could not reach AWS", "nothing was written"]);
    assert_eq!(w.proxy.seen("GetCallerIdentity").len(), ATTEMPTS);
}

#[test]
fn a_reply_slower_than_the_timeout_every_time_ends_in_a_timeout_error() {
    let w = world_with_short_read_timeout();
    w.proxy
        .fault("GetCallerIdentity", Fault::Slow(SLOWER_THAN_THE_TIMEOUT), Times::Always);
    let out = w.fails(&[], &["timed out", "nothing was written"]);
    assert_eq!(w.proxy.seen("GetCallerIdentity").len(), ATTEMPTS, "{}", out.stderr);
}

#[test]
fn a_malformed_body_ends_in_a_clear_error() {
    let w = world();
    w.proxy.fault("GetCallerIdentity", Fault::Malformed, Times::Always);
    w.fails(&[], &["sts:GetCallerIdentity", "nothing was written"]);
}

#[test]
fn a_malformed_organization_page_ends_in_a_clear_error() {
    let w = world();
    w.proxy.fault("ListAccounts", Fault::Malformed, Times::Always);
    w.fails(&[], &["organizations:ListAccounts", "nothing was written"]);
}

/// An error message from the network is shown, but a terminal escape
/// sequence in it is not passed to the terminal. (JSON can carry one; in the
/// query protocol's XML a control character makes the body unparseable.)
#[test]
fn an_error_message_with_escape_sequences_is_shown_escaped() {
    let w = world();
    w.proxy.fault(
        "ListAccounts",
        Fault::Throttle("slow down\u{1b}[2J\u{1b}[31mowned\r"),
        Times::Always,
    );
    let out = w.fails(&[], &["slow down"]);
    assert!(out.stderr.contains("\\u{1b}[2J"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------
// Replies the core does not expect, made by rewriting moto's.

const FAKE_TOKEN: &str = "leverage-fault-proxy-empty-page";

/// ListAccounts' first page comes back empty with a next token; the next
/// request (which must carry that token) is sent to moto without it, so moto
/// answers with the real first page. Every account must still be found.
#[test]
fn an_empty_page_with_a_next_token_is_followed() {
    let w = world();
    let followed = Arc::new(AtomicBool::new(false));
    let saw_token = followed.clone();
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(|_, _| {
            json!({"Accounts": [], "NextToken": FAKE_TOKEN}).to_string()
        })),
        Times::First(1),
    );
    w.proxy.rewrite_requests(move |body| {
        let Ok(mut request) = serde_json::from_str::<Value>(body) else {
            return body.to_string();
        };
        if request.get("NextToken").and_then(Value::as_str) == Some(FAKE_TOKEN) {
            saw_token.store(true, Ordering::SeqCst);
            request.as_object_mut().unwrap().remove("NextToken");
        }
        request.to_string()
    });
    w.succeeds(&[]);
    assert!(
        followed.load(Ordering::SeqCst),
        "no request carried the empty page's next token"
    );
}

/// A paginator that never ends (every page empty, each with a new token) is
/// cut off with a clear error, not followed forever.
#[test]
fn endless_pagination_ends_in_a_clear_error() {
    let w = world();
    let counter = Arc::new(Mutex::new(0u64));
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(move |_, _| {
            let mut n = counter.lock().unwrap();
            *n += 1;
            json!({"Accounts": [], "NextToken": format!("page-{n}")}).to_string()
        })),
        Times::Always,
    );
    w.proxy.rewrite_requests(|body| {
        let Ok(mut request) = serde_json::from_str::<Value>(body) else {
            return body.to_string();
        };
        request.as_object_mut().unwrap().remove("NextToken");
        request.to_string()
    });
    w.fails(&[], &["organizations:ListAccounts", "pages", "nothing was written"]);
}

/// An organization account without a name is skipped with a warning; the
/// others get their profiles.
#[test]
fn an_account_without_a_name_is_skipped_with_a_warning() {
    let w = world();
    let shared = w.org_id("binbash-shared");
    w.proxy.fault(
        "ListAccounts",
        Fault::Rewrite(Arc::new(move |_, body| {
            let mut page: Value = serde_json::from_str(body).unwrap();
            for account in page["Accounts"].as_array_mut().unwrap() {
                if account["Id"] == json!(shared) {
                    account.as_object_mut().unwrap().remove("Name");
                }
            }
            page.to_string()
        })),
        Times::Always,
    );
    let (out, _) = w.run(&["--all-accounts"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("without a usable name"), "{}", out.stderr);
    let config = w.project.read_aws("bb", "config");
    assert!(config.contains(&w.org_id("binbash-security")), "{config}");
    // `shared` is declared in project.yaml but has no id there: without its
    // organization entry it cannot get a profile.
    assert!(!config.contains("bb-shared-oaar"), "{config}");
}

/// GetCallerIdentity without an account: a clear error, nothing written.
#[test]
fn a_caller_identity_without_an_account_is_an_error() {
    let w = world();
    w.proxy.fault(
        "GetCallerIdentity",
        Fault::Rewrite(Arc::new(|_, body| {
            let start = body.find("<Account>").unwrap();
            let end = body.find("</Account>").unwrap() + "</Account>".len();
            format!("{}{}", &body[..start], &body[end..])
        })),
        Times::Always,
    );
    w.fails(&[], &["without a valid account id", "nothing was written"]);
}

/// An MFA device whose serial is not an MFA ARN is not used.
#[test]
fn an_mfa_serial_of_an_unknown_shape_is_not_used() {
    let w = world();
    w.proxy.fault(
        "ListMFADevices",
        Fault::Rewrite(Arc::new(|_, body| {
            let start = body.find("<SerialNumber>").unwrap() + "<SerialNumber>".len();
            let end = body.find("</SerialNumber>").unwrap();
            format!("{}GAHT12345678{}", &body[..start], &body[end..])
        })),
        Times::Always,
    );
    let out = w.fails(&["--fetch-mfa-device"], &["no MFA device found"]);
    assert!(
        out.stderr.contains("GAHT12345678"),
        "the unusable device is named:\n{}",
        out.stderr
    );
}

/// A user who may not list their MFA devices: `--fetch-mfa-device` ends in
/// the error the README's troubleshooting names, with AWS's reason, after
/// one attempt (access denied is not retried), and nothing is written.
#[test]
fn mfa_listing_denied_is_a_clear_error_and_writes_nothing() {
    let w = world();
    w.proxy.fault(
        "ListMFADevices",
        Fault::Refuse(
            403,
            "AccessDenied",
            "User jane is not authorized to perform: iam:ListMFADevices",
        ),
        Times::Always,
    );
    w.fails(
        &["--fetch-mfa-device"],
        &[
            "Error: could not list the MFA devices of jane",
            "not authorized to perform: iam:ListMFADevices",
            "nothing was written",
        ],
    );
    assert_eq!(w.proxy.seen("ListMFADevices").len(), 1, "access denied was retried");
}
