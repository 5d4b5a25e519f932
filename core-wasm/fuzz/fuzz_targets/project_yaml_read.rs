#![no_main]
//! See `leverage_core_fuzz::project_yaml_read` for the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| leverage_core_fuzz::project_yaml_read(data));
