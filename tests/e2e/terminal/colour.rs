//! Colour and the spinner.

use super::*;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

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
    // Cut to one row of the terminal: the calls named first show.
    term.expect("Waiting for AWS (sts:GetCallerIdentity, organizations:DescribeOrganization, iam:");
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
