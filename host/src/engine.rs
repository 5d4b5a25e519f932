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

/// The component, precompiled by build.rs for this host's wasmtime (with
/// wasmtime's default configuration, which the loader's engine shares).
static PRECOMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/leverage_core.cwasm"));

/// Where the build put the component itself (for other runtimes and embedders).
pub const COMPONENT_WASM_PATH: &str = env!("LEVERAGE_CORE_WASM_PATH");

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
}

impl Core {
    /// Deserialize the embedded precompiled component: no compiler runs.
    pub fn load() -> Result<Core> {
        let engine = Engine::default();
        // SAFETY: `PRECOMPILED` was produced by `Engine::precompile_component`
        // in build.rs, for this very wasmtime version and its default
        // configuration, and is embedded read-only in this binary: wasmtime
        // only requires that the bytes are such an artifact and trusted.
        let component = unsafe { Component::deserialize(&engine, PRECOMPILED) }
            .map_err(|e| anyhow!("loading the embedded credentials core: {e:#}"))?;
        Ok(Core { engine, component })
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

    /// Run `rotate` once, in a fresh store; returns the backend too.
    pub fn rotate<B: Backend>(
        &self,
        request: &RotateRequest,
        backend: B,
    ) -> Result<(Result<Rotation, ConfigureError>, B)> {
        let (mut store, instance) = self.instantiate(backend)?;
        let outcome = wt(
            instance.call_rotate(&mut store, request),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((outcome, store.into_data().backend))
    }

    /// Run `finish-rotation` once, in a fresh store; returns the backend too.
    pub fn finish_rotation<B: Backend>(
        &self,
        state: &RotationState,
        applied: Result<(), String>,
        backend: B,
    ) -> Result<(RotateReport, B)> {
        let (mut store, instance) = self.instantiate(backend)?;
        let report = wt(
            instance.call_finish_rotation(&mut store, state, applied.as_ref().map(|_| ()).map_err(String::as_str)),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((report, store.into_data().backend))
    }

    /// A fresh store and instance serving `backend`'s imports.
    fn instantiate<B: Backend>(&self, backend: B) -> Result<(Store<RunState<B>>, CredentialsCore)> {
        let mut linker: Linker<RunState<B>> = Linker::new(&self.engine);
        wt(wasmtime_wasi::p2::add_to_linker_sync(&mut linker), "linking WASI")?;
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

impl Core {
    /// The names of the instances the component imports, e.g. `wasi:io/streams@0.2.x`.
    pub fn import_names(&self) -> Vec<String> {
        self.component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_string())
            .collect()
    }
}

/// Timing hooks for the benchmarks in `tests/bench`. Not an API.
#[doc(hidden)]
pub mod bench {
    use std::time::{Duration, Instant};

    use super::*;

    /// The precompiled component embedded in this binary.
    pub fn precompiled() -> &'static [u8] {
        PRECOMPILED
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
