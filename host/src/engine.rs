//! Loading the embedded component and calling its `configure` export.

use std::marker::PhantomData;

use anyhow::{anyhow, Result};
use wasmtime::component::{Component, HasData, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    world: "credentials-core",
    path: "../wit",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use leverage::credentials::aws::{CallerIdentity, OrganizationAccount};
pub use leverage::credentials::files::FilesError;
pub use leverage::credentials::log::Level;
pub use leverage::credentials::prompt::PromptError;
pub use leverage::credentials::types::*;

/// The component, precompiled by build.rs for this host's wasmtime, embedded
/// at a 64 KiB boundary (the largest page size wasmtime aligns an artifact's
/// code to) so that its code can run where it lies: see [`InPlace`].
static PRECOMPILED: &[u8] = &EMBEDDED.0;

#[repr(C, align(65536))]
struct PageAligned<B: ?Sized>(B);

static EMBEDDED: &PageAligned<[u8]> = &PageAligned(*include_bytes!(concat!(env!("OUT_DIR"), "/leverage_core.cwasm")));

/// Runs the embedded component's code where it lies in this binary's
/// read-only data, instead of copying it (2.4 MiB) into fresh memory: the
/// copy was most of the time of a cold `Core::load` (1.9 ms, now 0.4 ms).
/// wasmtime's default publishes code by making a private copy executable;
/// here publishing makes the embedded pages readable and executable. They
/// are never writable, and they stay executable until the process ends:
/// other `Core`s in the process may be running the same code.
struct InPlace {
    page_size: usize,
}

impl wasmtime::CustomCodeMemory for InPlace {
    fn required_alignment(&self) -> usize {
        self.page_size
    }

    fn publish_executable(&self, ptr: *const u8, len: usize) -> wasmtime::Result<()> {
        // SAFETY: wasmtime passes the text section of the artifact, which lies
        // in `EMBEDDED` (static, never written) and starts on a page boundary
        // (see `required_alignment`); only the protection of its pages
        // changes (the last one may also hold other bytes of the artifact,
        // which become executable too, as in wasmtime's own copy).
        match unsafe { libc::mprotect(ptr.cast_mut().cast(), len, libc::PROT_READ | libc::PROT_EXEC) } {
            0 => Ok(()),
            _ => Err(wasmtime::Error::msg(format!(
                "making the embedded core executable: {}",
                std::io::Error::last_os_error()
            ))),
        }
    }

    fn unpublish_executable(&self, _ptr: *const u8, _len: usize) -> wasmtime::Result<()> {
        Ok(())
    }
}

/// Where the build put the component itself (for other runtimes and embedders).
pub const COMPONENT_WASM_PATH: &str = env!("LEVERAGE_CORE_WASM_PATH");

include!("engine_config.rs");

/// Everything a host must serve: the four imported interfaces.
pub trait Backend:
    leverage::credentials::aws::Host
    + leverage::credentials::files::Host
    + leverage::credentials::prompt::Host
    + leverage::credentials::log::Host
    + leverage::credentials::types::Host
    + Send
    + 'static
{
}

impl<T> Backend for T where
    T: leverage::credentials::aws::Host
        + leverage::credentials::files::Host
        + leverage::credentials::prompt::Host
        + leverage::credentials::log::Host
        + leverage::credentials::types::Host
        + Send
        + 'static
{
}

/// The store's data: WASI's state (the component is a wasip2 program and
/// imports stdio and clocks it never really uses) and the backend.
struct RunState<B> {
    wasi: WasiCtx,
    table: ResourceTable,
    backend: B,
}

impl<B: Send> WasiView for RunState<B> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// The WASI interfaces the component imports, which are what any
/// wasm32-wasip2 std program imports (the component test holds the list),
/// rather than all of WASI: the filesystem and sockets alone are well over a
/// hundred functions to link at every start, for nothing.
fn add_wasi_to_linker<T: WasiView + 'static>(l: &mut Linker<T>) -> wasmtime::Result<()> {
    use wasmtime_wasi::cli::{WasiCli, WasiCliView};
    use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
    use wasmtime_wasi::p2::bindings::{cli, clocks, random, sync};
    use wasmtime_wasi::random::WasiRandom;

    struct Table;
    impl HasData for Table {
        type Data<'a> = &'a mut ResourceTable;
    }

    sync::io::error::add_to_linker::<T, Table>(l, |t| t.ctx().table)?;
    sync::io::poll::add_to_linker::<T, Table>(l, |t| t.ctx().table)?;
    sync::io::streams::add_to_linker::<T, Table>(l, |t| t.ctx().table)?;
    clocks::wall_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    clocks::monotonic_clock::add_to_linker::<T, WasiClocks>(l, T::clocks)?;
    random::insecure_seed::add_to_linker::<T, WasiRandom>(l, |t| t.ctx().ctx.random())?;
    cli::exit::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::environment::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_input::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_output::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdin::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stdout::add_to_linker::<T, WasiCli>(l, T::cli)?;
    cli::terminal_stderr::add_to_linker::<T, WasiCli>(l, T::cli)?;
    Ok(())
}

/// Projects the store's data to the backend for the generated imports.
struct BackendOf<B>(PhantomData<B>);

impl<B: 'static> HasData for BackendOf<B> {
    type Data<'a> = &'a mut B;
}

/// wasmtime has its own error type: carry it into anyhow with a context line.
fn wt<T>(result: wasmtime::Result<T>, what: &str) -> Result<T> {
    result.map_err(|e| anyhow!("{what}: {e:#}"))
}

/// The loaded component, ready to run any number of times.
pub struct Core {
    engine: Engine,
    component: Component,
    in_place: bool,
}

impl Core {
    /// Deserialize the embedded precompiled component (no compilation),
    /// running its code in place; if that is refused (e.g. a system policy
    /// forbids making those pages executable), from a private copy.
    ///
    /// The in-place component is loaded once per process and shared by every
    /// `Core` (wasmtime registers code by its address, so the same embedded
    /// code cannot be loaded twice at once); it is never unloaded.
    ///
    /// In place on Linux only: elsewhere (macOS signs the pages of a binary,
    /// and executing data pages may be refused at the first call rather than
    /// at `mprotect`) the copy is used, as wasmtime does by default.
    pub fn load() -> Result<Core> {
        if !cfg!(target_os = "linux") {
            return Core::load_copy();
        }
        static SHARED: std::sync::Mutex<Option<(Engine, Component)>> = std::sync::Mutex::new(None);
        let mut shared = SHARED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((engine, component)) = shared.as_ref() {
            return Ok(Core {
                engine: engine.clone(),
                component: component.clone(),
                in_place: true,
            });
        }
        match Core::load_in_place() {
            Ok(core) => {
                *shared = Some((core.engine.clone(), core.component.clone()));
                Ok(core)
            }
            Err(_) => Core::load_copy(),
        }
    }

    fn load_in_place() -> Result<Core> {
        // SAFETY: plain libc call.
        let page_size = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) })?;
        let aligned = PRECOMPILED.as_ptr().align_offset(page_size) == 0;
        anyhow::ensure!(
            page_size.is_power_of_two() && aligned,
            "the embedded core is not page aligned"
        );
        let mut config = core_config();
        config.with_custom_code_memory(Some(std::sync::Arc::new(InPlace { page_size })));
        let engine = wt(Engine::new(&config), "creating the wasmtime engine")?;
        // SAFETY: the bytes were produced by `Engine::precompile_component` in
        // build.rs, for this wasmtime version and configuration (a custom code
        // memory is not part of it); they are static, so they outlive the
        // component, and read-only, so they are never modified.
        let component = wt(
            unsafe { Component::deserialize_raw(&engine, std::ptr::NonNull::from(PRECOMPILED)) },
            "loading the embedded credentials core",
        )?;
        Ok(Core {
            engine,
            component,
            in_place: true,
        })
    }

    fn load_copy() -> Result<Core> {
        let engine = wt(Engine::new(&core_config()), "creating the wasmtime engine")?;
        // SAFETY: as in `load_in_place`; the bytes are copied.
        unsafe { Core::copied(engine, PRECOMPILED, "loading the embedded credentials core") }
    }

    /// A core from a private copy of `artifact`; `what` names it in errors.
    ///
    /// # Safety
    /// `artifact` must come from `precompile_component` of an engine
    /// configured as `engine`.
    unsafe fn copied(engine: Engine, artifact: &[u8], what: &str) -> Result<Core> {
        let component = wt(unsafe { Component::deserialize(&engine, artifact) }, what)?;
        Ok(Core {
            engine,
            component,
            in_place: false,
        })
    }

    /// Run `configure` once, in a fresh store (a trap poisons an instance).
    /// Returns the core's answer and the backend, so callers can inspect it.
    pub fn configure<B: Backend>(
        &self,
        request: &ConfigureRequest,
        backend: B,
    ) -> Result<(Result<Plan, ConfigureError>, B)> {
        let (mut store, instance) = self.instantiate(backend)?;
        let outcome = wt(
            instance.call_configure(&mut store, request),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((outcome, store.into_data().backend))
    }

    /// A fresh store and instance serving `backend`'s imports.
    fn instantiate<B: Backend>(&self, backend: B) -> Result<(Store<RunState<B>>, CredentialsCore)> {
        let mut linker: Linker<RunState<B>> = Linker::new(&self.engine);
        wt(add_wasi_to_linker(&mut linker), "linking WASI")?;
        wt(
            CredentialsCore::add_to_linker::<RunState<B>, BackendOf<B>>(&mut linker, |state| &mut state.backend),
            "linking the host imports",
        )?;
        let state = RunState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            backend,
        };
        let mut store = Store::new(&self.engine, state);
        let instance = wt(
            CredentialsCore::instantiate(&mut store, &self.component, &linker),
            "instantiating the credentials core",
        )?;
        Ok((store, instance))
    }
}

/// Timing hooks for the benchmarks in `tests/bench` (issue 10). Not an API.
#[doc(hidden)]
pub mod bench {
    use std::time::{Duration, Instant};

    use super::*;

    /// The precompiled component embedded in this binary.
    pub fn precompiled() -> &'static [u8] {
        PRECOMPILED
    }

    /// A core from an artifact precompiled by `engine` (e.g. one configured
    /// to emit a perf map, for profiling the component).
    ///
    /// # Safety
    /// `artifact` must come from `engine.precompile_component`.
    pub unsafe fn load_from(engine: Engine, artifact: &[u8]) -> Result<Core> {
        // SAFETY: the caller's contract is `copied`'s.
        unsafe { Core::copied(engine, artifact, "loading the credentials core") }
    }

    /// What one start of the credentials core costs inside the process.
    #[derive(Clone, Copy, Debug)]
    pub struct LoadTimings {
        /// `Core::load()`: the engine and the deserialized component.
        pub load: Duration,
        /// A fresh linker, store and instance, as every `configure` makes.
        pub instantiate: Duration,
    }

    /// Times `Core::load()` and one instantiation serving `backend`'s
    /// imports (nothing is called).
    pub fn time_load_and_instantiate<B: Backend>(backend: B) -> Result<LoadTimings> {
        let start = Instant::now();
        let core = Core::load()?;
        let loaded = Instant::now();
        let instance = core.instantiate(backend)?;
        let instantiated = Instant::now();
        drop(instance);
        Ok(LoadTimings {
            load: loaded - start,
            instantiate: instantiated - loaded,
        })
    }
}

impl Core {
    /// Whether the core's code runs where it is embedded (see [`InPlace`])
    /// rather than from a copy.
    pub fn runs_in_place(&self) -> bool {
        self.in_place
    }

    /// The names of the instances the component imports, e.g. `wasi:io/streams@0.2.x`.
    pub fn import_names(&self) -> Vec<String> {
        self.component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect()
    }
}
