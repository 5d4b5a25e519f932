//! SIGINT, SIGTERM and SIGHUP during a run.
//!
//! Until the plan is applied nothing has been written, so a signal ends the
//! run at once as a cancelled prompt does: the spinner is cleared, a prompt's
//! terminal mode is put back, `cancelled; nothing was written` is printed and
//! the exit code is 130. While the plan is applied ([`defer_during`]) a
//! signal waits: the apply finishes (or rolls back) first, so files are never
//! left half old and half new; the caller then sees [`received`] and ends
//! with 130 after saying what was written.
//!
//! The handlers only note the signal (signal-hook's self-pipe and an atomic
//! flag); everything else happens on an ordinary thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::log::Logger;
use crate::render::Failure;

/// The exit code of a run ended by a signal or a cancelled prompt.
pub const CANCELLED_EXIT_CODE: u8 = 130;

const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing written yet: a signal cancels the run.
    Cancellable,
    /// Files are being replaced, or have been: a signal is only noted.
    Applying,
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::Cancellable);

/// Set by the signal handler itself, the moment a signal arrives.
static RECEIVED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

fn phase() -> std::sync::MutexGuard<'static, Phase> {
    PHASE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// From now on SIGINT, SIGTERM and SIGHUP cancel the run (see the module
/// documentation). Call once per process.
pub fn cancel_on_signals(logger: Logger) -> std::io::Result<()> {
    let received = RECEIVED.get_or_init(|| Arc::new(AtomicBool::new(false))).clone();
    for signal in SIGNALS {
        signal_hook::flag::register(signal, received.clone())?;
    }
    let mut signals = Signals::new(SIGNALS)?;
    std::thread::Builder::new().name("signals".into()).spawn(move || {
        for _ in signals.forever() {
            // Held while exiting, so an apply cannot start meanwhile.
            let phase = phase();
            if *phase == Phase::Cancellable {
                cancel(&logger);
            }
        }
    })?;
    Ok(())
}

/// Run `apply` with signals deferred: one that arrives meanwhile is only
/// noted ([`received`]), and no later signal cancels the run either, since
/// from here on files may have been written.
pub fn defer_during<T>(apply: impl FnOnce() -> T) -> T {
    *phase() = Phase::Applying;
    apply()
}

/// Whether a signal has arrived (and, so, was deferred: before the apply one
/// ends the process).
pub fn received() -> bool {
    RECEIVED.get().is_some_and(|flag| flag.load(Ordering::SeqCst))
}

/// End the run as a cancelled prompt does: clear the spinner, put the
/// terminal back, say so, exit 130.
fn cancel(logger: &Logger) -> ! {
    logger.clear_spinner();
    restore_terminal();
    let failure = Failure {
        exit_code: CANCELLED_EXIT_CODE,
        ..Failure::new("cancelled; nothing was written")
    };
    failure.print();
    std::process::exit(i32::from(CANCELLED_EXIT_CODE))
}

/// A prompt reads keys in raw mode with the cursor hidden at times: put both
/// back, as the prompt itself does when it ends.
fn restore_terminal() {
    if crossterm::terminal::is_raw_mode_enabled().unwrap_or(false) {
        let _ = crossterm::terminal::disable_raw_mode();
        use std::io::Write;
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(b"\x1b[?25h\r\n");
    }
}
