#![no_main]
//! See `leverage_core_fuzz::tfvars_read` for the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| leverage_core_fuzz::tfvars_read(data));
