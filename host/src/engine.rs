//! Loading the embedded component and calling its `configure` export.

use anyhow::{anyhow, Result};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    world: "credentials-core",
    path: "../wit",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
});

pub use leverage::credentials::aws::{CallerIdentity, Organization, OrganizationAccount};
pub use leverage::credentials::files::FilesError;
pub use leverage::credentials::log::Level;
pub use leverage::credentials::prompt::{PromptError, Question};
pub use leverage::credentials::types::*;
use leverage::credentials::{aws, files, log, prompt};

/// The component, precompiled by build.rs for this host's wasmtime (with
/// wasmtime's default configuration, which the loader's engine shares).
static PRECOMPILED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/leverage_core.cwasm"));

/// Where the build put the component itself (for other runtimes and embedders).
pub const COMPONENT_WASM_PATH: &str = env!("LEVERAGE_CORE_WASM_PATH");

/// What serves the component's imports: one value per interface, each
/// implementing that interface's generated `Host` trait and linked with that
/// interface's own `add_to_linker`. A new import goes into the interface's
/// value (e.g. an AWS call into the `aws` one); a new interface, into a new
/// field here and a line in [`Core::instantiate`].
pub struct Imports<A, F, P, L> {
    pub aws: A,
    pub files: F,
    pub prompt: P,
    pub log: L,
}

impl<T: Clone> Imports<T, T, T, T> {
    /// One value serving every interface (each gets a clone: give a handle
    /// to shared state when the interfaces must see each other's calls).
    pub fn all(value: T) -> Self {
        Imports {
            aws: value.clone(),
            files: value.clone(),
            prompt: value.clone(),
            log: value,
        }
    }
}

/// The bounds every set of [`Imports`] meets.
pub trait ImportHosts: Send + 'static {
    type Aws: aws::Host + Send + 'static;
    type Files: files::Host + Send + 'static;
    type Prompt: prompt::Host + Send + 'static;
    type Log: log::Host + Send + 'static;
    fn parts(&mut self) -> &mut Imports<Self::Aws, Self::Files, Self::Prompt, Self::Log>;
}

impl<A, F, P, L> ImportHosts for Imports<A, F, P, L>
where
    A: aws::Host + Send + 'static,
    F: files::Host + Send + 'static,
    P: prompt::Host + Send + 'static,
    L: log::Host + Send + 'static,
{
    type Aws = A;
    type Files = F;
    type Prompt = P;
    type Log = L;
    fn parts(&mut self) -> &mut Imports<A, F, P, L> {
        self
    }
}

/// The store's data: WASI's state (the component is a wasip2 program and
/// imports stdio and clocks it never really uses) and the imports.
struct RunState<I> {
    wasi: WasiCtx,
    table: ResourceTable,
    imports: I,
}

impl<I: Send> WasiView for RunState<I> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
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
    /// Returns the core's answer and the imports, so callers can inspect them.
    pub fn configure<I: ImportHosts>(
        &self,
        request: &ConfigureRequest,
        imports: I,
    ) -> Result<(Result<Plan, ConfigureError>, I)> {
        let (mut store, instance) = self.instantiate(imports)?;
        let outcome = wt(
            instance.call_configure(&mut store, request),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((outcome, store.into_data().imports))
    }

    /// Run `rotate` once, in a fresh store; returns the import hosts too.
    pub fn rotate<I: ImportHosts>(
        &self,
        request: &RotateRequest,
        imports: I,
    ) -> Result<(Result<Rotation, ConfigureError>, I)> {
        let (mut store, instance) = self.instantiate(imports)?;
        let outcome = wt(
            instance.call_rotate(&mut store, request),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((outcome, store.into_data().imports))
    }

    /// Run `finish-rotation` once, in a fresh store; returns the import hosts too.
    pub fn finish_rotation<I: ImportHosts>(
        &self,
        state: &RotationState,
        applied: Result<(), String>,
        imports: I,
    ) -> Result<(RotateReport, I)> {
        let (mut store, instance) = self.instantiate(imports)?;
        let report = wt(
            instance.call_finish_rotation(&mut store, state, applied.as_ref().map(|_| ()).map_err(String::as_str)),
            "the credentials core failed (an internal error; see the log lines above)",
        )?;
        Ok((report, store.into_data().imports))
    }

    /// A fresh store and instance serving `imports`.
    fn instantiate<I: ImportHosts>(&self, imports: I) -> Result<(Store<RunState<I>>, CredentialsCore)> {
        let mut linker: Linker<RunState<I>> = Linker::new(&self.engine);
        wt(wasmtime_wasi::p2::add_to_linker_sync(&mut linker), "linking WASI")?;
        wt(
            aws::add_to_linker::<_, HasSelf<I::Aws>>(&mut linker, |s| &mut s.imports.parts().aws),
            "linking the aws import",
        )?;
        wt(
            files::add_to_linker::<_, HasSelf<I::Files>>(&mut linker, |s| &mut s.imports.parts().files),
            "linking the files import",
        )?;
        wt(
            prompt::add_to_linker::<_, HasSelf<I::Prompt>>(&mut linker, |s| &mut s.imports.parts().prompt),
            "linking the prompt import",
        )?;
        wt(
            log::add_to_linker::<_, HasSelf<I::Log>>(&mut linker, |s| &mut s.imports.parts().log),
            "linking the log import",
        )?;
        let state = RunState {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            imports,
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

    /// Times `Core::load()` and one instantiation serving `imports`
    /// (nothing is called).
    pub fn time_load_and_instantiate<I: ImportHosts>(imports: I) -> Result<LoadTimings> {
        let start = Instant::now();
        let core = Core::load()?;
        let loaded = Instant::now();
        let instance = core.instantiate(imports)?;
        let instantiated = Instant::now();
        drop(instance);
        Ok(LoadTimings {
            load: loaded - start,
            instantiate: instantiated - loaded,
        })
    }
}
