//! `repl`, and the default command (`dossier [PATHS…]`).

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, not_available};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The history file [default: ~/.dossier_history].
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Do not read or write a history file.
    #[arg(long)]
    pub no_history: bool,
}

/// `dossier [PATHS…]`: ingest PATHS if given, then open the REPL.
pub fn run_default(g: &GlobalOpts, paths: &[PathBuf]) -> Result<i32> {
    if !paths.is_empty() {
        let mut store = g.open_store(false)?;
        super::ingest_cmd::ingest_paths(&mut store, paths)?;
    }
    repl(
        g,
        ReplArgs {
            history: None,
            no_history: false,
        },
    )
}

pub fn repl(_g: &GlobalOpts, _a: ReplArgs) -> Result<i32> {
    Err(not_available("repl"))
}
