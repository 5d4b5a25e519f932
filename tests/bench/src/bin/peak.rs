//! `peak OUT PROGRAM [ARGS...]`: runs PROGRAM (same environment, directory
//! and standard streams) and writes its peak resident set size in KiB to
//! OUT; exits with PROGRAM's exit code.
//!
//! Why a separate process: Linux carries a parent's peak RSS over to a child
//! started with vfork (std's `posix_spawn`) or fork, so a child of the
//! benchmark (tens of MiB itself) would report at least that. This program
//! is small (about 1 MiB), so what it reports is the child's own peak.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let (Some(out), Some(program)) = (args.next(), args.next()) else {
        eprintln!("usage: peak OUT PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    let child = match Command::new(&program).args(args).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("peak: cannot start {}: {e}", program.to_string_lossy());
            return ExitCode::from(127);
        }
    };
    let Ok(pid) = libc::pid_t::try_from(child.id()) else {
        return ExitCode::from(125);
    };
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for our own child, which
    // std's `Child` has not reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            eprintln!("peak: wait4 failed: {}", std::io::Error::last_os_error());
            return ExitCode::from(125);
        }
    }
    if let Err(e) = std::fs::write(&out, usage.ru_maxrss.to_string()) {
        eprintln!("peak: cannot write {}: {e}", out.to_string_lossy());
        return ExitCode::from(125);
    }
    if libc::WIFEXITED(status) {
        ExitCode::from(u8::try_from(libc::WEXITSTATUS(status)).unwrap_or(1))
    } else {
        ExitCode::from(128 + u8::try_from(libc::WTERMSIG(status)).unwrap_or(0))
    }
}
