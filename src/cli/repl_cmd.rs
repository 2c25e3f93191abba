//! `repl`, and the default command (`dossier [PATHS…]`).
//!
//! At a terminal these open the interactive shell; with statements piped on
//! standard input they run them like `dossier query` (no prompt, no banner).

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::GlobalOpts;
use crate::error::Result;
use crate::shell::repl::{self, ReplOptions};
use crate::shell::{Settings, Shell};
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// The history file [default: $DOSSIER_HISTORY, else ~/.dossier_history].
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Do not read or write a history file.
    #[arg(long)]
    pub no_history: bool,
}

/// `dossier [PATHS…]`: ingest PATHS if given, then open the REPL.
pub fn run_default(g: &GlobalOpts, paths: &[PathBuf], a: ReplArgs) -> Result<i32> {
    let mut store = g.open_store(false)?;
    if !paths.is_empty() {
        super::ingest_cmd::ingest_paths(&mut store, paths)?;
    }
    start(store, a)
}

pub fn repl(g: &GlobalOpts, a: ReplArgs) -> Result<i32> {
    start(g.open_store(false)?, a)
}

fn start(store: Store, a: ReplArgs) -> Result<i32> {
    if !std::io::stdin().is_terminal() {
        let text = super::query_cmd::read_stdin()?;
        let mut shell = Shell::new(
            store,
            Settings {
                color: repl::use_color(),
                max_width: repl::terminal_width(),
                ..Settings::default()
            },
        );
        let origin = PathBuf::from("<stdin>");
        let code = super::query_cmd::run_script(&mut shell, &text, Some(&origin), false);
        super::leak_at_exit(shell);
        return Ok(code);
    }
    let history = if a.no_history {
        None
    } else {
        a.history.or_else(default_history)
    };
    let color = repl::use_color();
    let mut shell = Shell::new(
        store,
        Settings {
            timing: true,
            auto_width: true,
            color,
            interactive: true,
            ..Settings::default()
        },
    );
    let code = repl::run(&mut shell, &ReplOptions { history });
    super::leak_at_exit(shell);
    code
}

/// `$DOSSIER_HISTORY`, else `~/.dossier_history`.
fn default_history() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DOSSIER_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(".dossier_history"))
}
