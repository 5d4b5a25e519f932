//! The component build: adapts the generated imports to [`Host`] and
//! exports `configure`.

use crate::bindings::leverage::credentials::{aws, files, log, prompt};
use crate::host::*;

struct Imports;

impl Host for Imports {
    fn get_caller_identity(&mut self, credentials: &AwsCredentials, region: &str) -> Result<CallerIdentity, AwsError> {
        aws::get_caller_identity(credentials, region)
    }
    fn list_accounts(
        &mut self,
        credentials: &AwsCredentials,
        region: &str,
    ) -> Result<Vec<OrganizationAccount>, AwsError> {
        aws::list_accounts(credentials, region)
    }
    fn list_mfa_devices(
        &mut self,
        credentials: &AwsCredentials,
        region: &str,
        user_name: &str,
    ) -> Result<Vec<String>, AwsError> {
        aws::list_mfa_devices(credentials, region, user_name)
    }
    fn read_file(&mut self, path: &str) -> Result<Option<String>, FilesError> {
        files::read(path)
    }
    fn read_stdin(&mut self) -> Result<String, FilesError> {
        files::read_stdin()
    }
    fn prompt_text(&mut self, question: &str, default: Option<&str>) -> Result<String, PromptError> {
        prompt::text(question, default)
    }
    fn prompt_secret(&mut self, question: &str) -> Result<String, PromptError> {
        prompt::secret(question)
    }
    fn prompt_select(&mut self, question: &str, choices: &[String], default: u32) -> Result<u32, PromptError> {
        prompt::select(question, choices, default)
    }
    fn log(&mut self, level: Level, message: &str) {
        log::line(level, message)
    }
}

struct Component;

impl crate::bindings::Guest for Component {
    fn configure(request: ConfigureRequest) -> Result<Plan, ConfigureError> {
        // A panic would trap and lose its message: send it to the log first.
        // Panic messages never hold secrets: `Secret` redacts itself.
        std::panic::set_hook(Box::new(|info| {
            log::line(Level::Warn, &format!("internal error in the credentials core: {info}"));
        }));
        crate::flow::configure(&mut Imports, &request)
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);

/// The component's allocator. The planning step allocates many small strings
/// (lines, keys, values), and wasi-libc's dlmalloc, Rust's default on
/// wasm32-wasip2, made allocation about a third of the component's time
/// (issue 10, measured with `tests/bench/src/bin/profile.rs`). Talc grows the
/// linear memory itself and claims each grown region, so it coexists with
/// wasi-libc's own `malloc` (used only inside libc). Small blocks are
/// recycled by [`SizeClasses`](crate::size_classes::SizeClasses) in front of
/// talc, which keeps talc's searching and merging off the hot path.
#[global_allocator]
static ALLOCATOR: crate::size_classes::SizeClasses<talc::wasm::WasmDynamicTalc> =
    crate::size_classes::SizeClasses::new(talc::wasm::new_wasm_dynamic_allocator());

/// `memcmp` for the component: see [`crate::bytes::compare`] for why.
///
/// # Safety
/// `a` and `b` must be valid for reads of `n` bytes (the C contract).
#[no_mangle]
#[inline(never)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { crate::bytes::compare(a, b, n) }
}

/// `bcmp` (equality only), which LLVM may call instead of `memcmp`.
///
/// # Safety
/// As [`memcmp`].
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: the caller's contract.
    unsafe { memcmp(a, b, n) }
}
