//! What the end-to-end tests (`tests/e2e`) and the benchmarks (`tests/bench`)
//! share: a local HTTP server (the AWS emulator) on a free loopback port,
//! stopped when dropped, and the project.yaml the fixtures start from.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// A port on the loopback interface that was free a moment ago. Another
/// process may take it before ours binds it: [`LocalServer::start`] retries.
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `GET path` on the loopback `port` (HTTP/1.0), or `None` when nothing
/// answers like an HTTP server within two seconds.
pub fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    reply.starts_with("HTTP/1").then_some(reply)
}

/// A child process serving HTTP on a loopback port, killed when dropped.
pub struct LocalServer {
    child: Child,
    pub port: u16,
}

impl LocalServer {
    /// Spawns `command(port)` on a free port and waits, up to 30 s, until
    /// `GET ready_path` answers. A child that exits first (it lost the port
    /// to another process) is started again on another port, three times
    /// in all. The error says why it did not start.
    pub fn start(mut command: impl FnMut(u16) -> Command, ready_path: &str) -> Result<LocalServer, String> {
        for _attempt in 0..3 {
            let port = free_port().map_err(|e| format!("no free loopback port: {e}"))?;
            let child = command(port).spawn().map_err(|e| format!("could not start it: {e}"))?;
            let mut server = LocalServer { child, port };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if matches!(server.child.try_wait(), Ok(Some(_))) {
                    break; // lost the port race; try another
                }
                if http_get(port, ready_path).is_some() {
                    return Ok(server);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Err(format!("it did not answer GET {ready_path} (3 attempts)"))
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A project.yaml as `leverage project init` writes it (project `binbash`,
/// short name `bb`, regions us-east-1 and us-west-2), declaring the accounts
/// named, in order, each with the email `aws+<name>@example.com` and no id.
/// A `&'static str`, usable in a `const`:
///
/// ```
/// const YAML: &str = leverage_test_support::project_yaml!("management", "security");
/// assert!(YAML.ends_with("  - name: security\n    email: aws+security@example.com\n"));
/// ```
#[macro_export]
macro_rules! project_yaml {
    ($($account:literal),* $(,)?) => {
        concat!(
            "# Project definition\n",
            "project_name: binbash\n",
            "short_name: bb\n",
            "primary_region: us-east-1\n",
            "secondary_region: us-west-2\n",
            "organization:\n",
            "  accounts:\n",
            $("  - name: ", $account, "\n    email: aws+", $account, "@example.com\n",)*
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_yaml_declares_the_accounts_in_order() {
        const YAML: &str = project_yaml!("management", "security", "shared");
        assert_eq!(
            YAML,
            "# Project definition\nproject_name: binbash\nshort_name: bb\nprimary_region: us-east-1\n\
secondary_region: us-west-2\norganization:\n  accounts:\n  - name: management\n    email: aws+management@example.com\n  \
- name: security\n    email: aws+security@example.com\n  - name: shared\n    email: aws+shared@example.com\n"
        );
    }

    #[test]
    fn a_server_is_waited_for_and_stopped() {
        // python3's http.server answers GET / with a listing.
        let server = LocalServer::start(
            |port| {
                let mut cmd = Command::new("python3");
                cmd.args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null());
                cmd
            },
            "/",
        )
        .expect("python3 -m http.server");
        let port = server.port;
        assert!(http_get(port, "/").is_some_and(|r| r.starts_with("HTTP/1")));
        drop(server);
        assert!(http_get(port, "/").is_none(), "still answering after the drop");
    }

    #[test]
    fn a_command_that_cannot_start_is_an_error() {
        let error = LocalServer::start(|_| Command::new("/nonexistent/server"), "/")
            .err()
            .expect("an error");
        assert!(error.contains("could not start it"), "{error}");
    }
}
