//! The proxy: a loopback HTTP proxy in front of moto that faults, delays or
//! rewrites the requests it is told to, and records every request it sees.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::Moto;

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
