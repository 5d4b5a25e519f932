#![no_main]
//! See `leverage_core_fuzz::project_yaml_set` for the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| leverage_core_fuzz::project_yaml_set(data));
