#![no_main]
//! See `leverage_core_fuzz::ini_parse` for the properties checked.

libfuzzer_sys::fuzz_target!(|data: &[u8]| leverage_core_fuzz::ini_parse(data));
