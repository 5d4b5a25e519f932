// The wasmtime configuration the core is precompiled with. Included both by
// build.rs (which precompiles) and by engine.rs (which loads): a precompiled
// artifact only loads in an engine configured the same way.

/// wasmtime's defaults, except that no native unwind information
/// (`.eh_frame`) is generated: it only helps outside unwinders walk through
/// wasm frames (wasmtime's own backtraces and traps do not use it), and
/// registering it with the system unwinder walked every function of the
/// component at each start.
pub fn core_config() -> wasmtime::Config {
    let mut config = wasmtime::Config::new();
    config.native_unwind_info(false);
    config
}
