//! The `dossier` binary: everything is in the library's `cli` module.

/// mimalloc instead of the system allocator: loading a snapshot and grouping a
/// large aggregate allocate and free millions of small blocks, and mimalloc does
/// that faster and in less memory (scale-1 store: open 0.9–1.1 s instead of
/// 1.2–1.3 s, 620 MB resident instead of 656 MB; Q4 median 35–40 ms instead of
/// 57–65 ms, same machine and load; see docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(dossier::cli::main());
}
