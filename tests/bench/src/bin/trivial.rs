//! The start-up baseline of the bench's third row: a Rust program that prints
//! one line, as `leverage --version` does, and nothing else.

fn main() {
    println!("trivial {}", env!("CARGO_PKG_VERSION"));
}
