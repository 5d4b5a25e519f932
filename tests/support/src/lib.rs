//! What the end-to-end tests (`tests/e2e`) and the benchmarks (`tests/bench`)
//! share: a local HTTP server (the AWS emulator) on a free loopback port,
//! stopped when dropped, and the project.yaml the fixtures start from.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// The port of the first `http://127.0.0.1:<port>` in `line`.
fn announced_port(line: &str) -> Option<u16> {
    const PREFIX: &str = "http://127.0.0.1:";
    let rest = &line[line.find(PREFIX)? + PREFIX.len()..];
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..digits].parse().ok().filter(|&port| port != 0)
}

/// How long a server may take to say where it listens and to answer.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A child process serving HTTP on a loopback port, killed when dropped.
pub struct LocalServer {
    child: Child,
    pub port: u16,
}

impl LocalServer {
    /// Spawns `command(0)`: a server told to listen on port 0 of 127.0.0.1,
    /// so that the kernel picks a free port when the server binds it, and
    /// no other process can hold it; the server must then print its address
    /// as `http://127.0.0.1:<port>` on stdout or stderr (werkzeug's, hence
    /// moto_server's, start-up line, and python3 -m http.server's, do).
    /// Waits, up to a minute, for that line and then until `GET ready_path`
    /// answers. Both output streams are read (and dropped) for as long as
    /// the server runs. The error says why it did not start.
    ///
    /// Picking a free port first and handing it to the server would leave a
    /// moment in which another test's server can take the port, and answer
    /// this one's readiness probe.
    pub fn start(mut command: impl FnMut(u16) -> Command, ready_path: &str) -> Result<LocalServer, String> {
        let mut cmd = command(0);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Python block-buffers a pipe: the address would not show up.
            .env("PYTHONUNBUFFERED", "1");
        let mut child = cmd.spawn().map_err(|e| format!("could not start it: {e}"))?;
        let (lines, announced) = mpsc::channel::<String>();
        let streams: [Box<dyn Read + Send>; 2] = [
            Box::new(child.stdout.take().expect("piped stdout")),
            Box::new(child.stderr.take().expect("piped stderr")),
        ];
        for stream in streams {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    // Once the address is known nobody listens: keep reading
                    // so that the server never blocks on a full pipe.
                    let _ = lines.send(line);
                }
            });
        }
        drop(lines);
        let mut server = LocalServer { child, port: 0 };
        let deadline = Instant::now() + START_TIMEOUT;
        let mut said = Vec::new();
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match announced.recv_timeout(left) {
                Ok(line) => match announced_port(&line) {
                    Some(port) => server.port = port,
                    None => said.push(line),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(format!("it exited without saying its address: {}", said.join(" | ")))
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "it did not print http://127.0.0.1:<port> within {START_TIMEOUT:?}: {}",
                        said.join(" | ")
                    ))
                }
            }
        }
        while Instant::now() < deadline {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("it exited ({status}) before answering GET {ready_path}"));
            }
            if http_get(server.port, ready_path).is_some() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("it did not answer GET {ready_path} within {START_TIMEOUT:?}"))
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
                cmd.args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()]);
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

    #[test]
    fn a_server_that_exits_without_its_address_is_an_error() {
        let error = LocalServer::start(
            |_| {
                let mut cmd = Command::new("python3");
                cmd.args(["-c", "print('no address here')"]);
                cmd
            },
            "/",
        )
        .err()
        .expect("an error");
        assert!(
            error.contains("exited without saying its address") && error.contains("no address here"),
            "{error}"
        );
    }

    #[test]
    fn the_port_is_read_from_the_servers_own_start_up_line() {
        assert_eq!(announced_port(" * Running on http://127.0.0.1:46041"), Some(46041));
        assert_eq!(
            announced_port("Serving HTTP on 127.0.0.1 port 41539 (http://127.0.0.1:41539/) ..."),
            Some(41539)
        );
        assert_eq!(announced_port("Serving HTTP on 127.0.0.1 port 0"), None);
        assert_eq!(announced_port(" * Running on http://127.0.0.1:0"), None);
    }

    /// Each server answers its own readiness probe: two started side by side
    /// serve two directories, and each port serves its own file.
    #[test]
    fn servers_started_together_each_answer_on_their_own_port() {
        let dirs: Vec<tempfile_free::Dir> = (0..2).map(tempfile_free::Dir::new).collect();
        let servers: Vec<LocalServer> = std::thread::scope(|scope| {
            let handles: Vec<_> = dirs
                .iter()
                .map(|dir| {
                    scope.spawn(move || {
                        LocalServer::start(
                            |port| {
                                let mut cmd = Command::new("python3");
                                cmd.args(["-m", "http.server", "--bind", "127.0.0.1", &port.to_string()])
                                    .current_dir(&dir.path);
                                cmd
                            },
                            "/whoami",
                        )
                        .expect("python3 -m http.server")
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_ne!(servers[0].port, servers[1].port);
        for (i, server) in servers.iter().enumerate() {
            let reply = http_get(server.port, "/whoami").expect("an answer");
            assert!(reply.ends_with(&format!("server {i}\n")), "{reply}");
        }
    }

    /// A directory of its own under the system's temporary directory,
    /// holding `whoami` = `server <n>`, removed when dropped (this crate has
    /// no dependencies).
    mod tempfile_free {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }

        impl Dir {
            pub fn new(n: usize) -> Dir {
                let path = std::env::temp_dir().join(format!("leverage-test-support-{}-{n}", std::process::id()));
                std::fs::create_dir_all(&path).unwrap();
                std::fs::write(path.join("whoami"), format!("server {n}\n")).unwrap();
                Dir { path }
            }
        }

        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }
}
