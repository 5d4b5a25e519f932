//! A loopback HTTP/1.1 proxy that makes the emulator cost what AWS costs a
//! laptop over a real network, in round trips:
//!
//! - a new client connection waits two round trips before its first request
//!   is read (TCP's handshake, then TLS's);
//! - each request waits half a round trip before it is sent on, and each
//!   reply half a round trip before it is returned;
//! - client connections are kept alive, as AWS keeps them; the emulator
//!   closes its connection after every reply (werkzeug's development
//!   server), so the proxy opens an upstream connection per request, which
//!   costs nothing on loopback.
//!
//! One proxy stands for one AWS host (STS, Organizations, IAM are three), so
//! a client that talks to all three pays three handshakes, at once or in a
//! row as it chooses: exactly what the latency benchmark compares.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// A running proxy; stopped when dropped.
pub struct LatencyProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

impl LatencyProxy {
    /// Listens on a free loopback port and forwards to `upstream_port`.
    pub fn start(upstream_port: u16, rtt: Duration) -> Result<LatencyProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        thread::spawn(move || {
            for client in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                thread::spawn(move || {
                    let _ = serve(client, upstream_port, rtt);
                });
            }
        });
        Ok(LatencyProxy { port, stop })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for LatencyProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// One client connection: the handshake's two round trips, then every
/// request on it in turn.
fn serve(client: TcpStream, upstream_port: u16, rtt: Duration) -> Result<()> {
    client.set_nodelay(true)?;
    thread::sleep(rtt * 2);
    let mut reader = BufReader::new(client.try_clone()?);
    let mut writer = client;
    while let Some(request) = read_message(&mut reader, true)? {
        thread::sleep(rtt / 2);
        let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
        upstream.set_nodelay(true)?;
        upstream.write_all(&request)?;
        let mut reply_reader = BufReader::new(upstream);
        let Some(reply) = read_message(&mut reply_reader, false)? else {
            bail!("the emulator closed the connection without a reply");
        };
        thread::sleep(rtt / 2);
        writer.write_all(&reply)?;
    }
    let _ = writer.shutdown(Shutdown::Both);
    Ok(())
}

/// Reads one HTTP/1.1 message (head and a `Content-Length` body), with its
/// `Connection` header set for the hop it goes on: `close` towards the
/// emulator (one request per connection), `keep-alive` back to the client.
/// `None` when the peer closed the connection before a new message.
fn read_message(reader: &mut impl BufRead, is_request: bool) -> Result<Option<Vec<u8>>> {
    let mut head = Vec::new();
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            if head.is_empty() {
                return Ok(None);
            }
            bail!("the connection closed inside a message head");
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("connection:") || lower.starts_with("keep-alive:") {
            continue;
        }
        if lower.starts_with("transfer-encoding:") {
            bail!("chunked messages are not supported by this proxy");
        }
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = Some(value.trim().parse::<usize>().context("a Content-Length")?);
        }
        head.extend_from_slice(line.as_bytes());
    }
    head.extend_from_slice(if is_request {
        b"Connection: close\r\n\r\n"
    } else {
        b"Connection: keep-alive\r\n\r\n"
    });
    let body = match length {
        Some(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            body
        }
        // A request without a length has no body; a reply without one ends
        // when the emulator closes the connection.
        None if is_request => Vec::new(),
        None => {
            let mut body = Vec::new();
            reader.read_to_end(&mut body)?;
            body
        }
    };
    if !is_request && length.is_none() {
        head.truncate(head.len() - 2);
        head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    }
    head.extend_from_slice(&body);
    Ok(Some(head))
}
