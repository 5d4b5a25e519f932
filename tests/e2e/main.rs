//! End-to-end tests: the real `leverage` binary against a local AWS emulator
//! (moto). One test binary, one module per area (as ripgrep and jj do).

mod support;

mod account_check;
mod bad_input;
mod cli;
mod configure;
mod fault_proxy;
mod field;
mod hardening;
mod network;
mod organization;
mod prune;
mod restore;
mod rotate;
mod terminal;
mod transaction;
