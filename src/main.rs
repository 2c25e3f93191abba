//! The `dossier` binary: everything is in the library's `cli` module.

fn main() {
    std::process::exit(dossier::cli::main());
}
