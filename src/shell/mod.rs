//! The REPL: a `Shell` with one `execute(&str)`, and a thin rustyline loop.
//!
//! SKELETON: being built.
