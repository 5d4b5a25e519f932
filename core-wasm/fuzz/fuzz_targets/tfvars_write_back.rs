#![no_main]
//! See `leverage_core_fuzz::tfvars_write_back` for the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| leverage_core_fuzz::tfvars_write_back(data));
