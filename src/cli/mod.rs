//! The command line: argument definitions (clap) and dispatch.
//!
//! Each command's handler lives in its own file so the stages stay apart:
//! `store_cmds` (import, stats, check, compact), `ingest_cmd` (ingest, extract),
//! `query_cmd` (query), `repl_cmd` (repl and the default command), `export_cmd`.
//! Exit codes: 0 success, 1 user error (bad query, bad file), 2 store error.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::{Error, Result};
use crate::store::{OpenOptions, Store};

pub mod export_cmd;
pub mod ingest_cmd;
pub mod query_cmd;
pub mod repl_cmd;
pub mod store_cmds;

/// dossier: an embedded knowledge-graph store for news articles and the posts they quote.
#[derive(Debug, Parser)]
#[command(name = "dossier", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files or folders to ingest before opening the REPL.
    pub paths: Vec<PathBuf>,

    /// History options of the REPL that the default command opens.
    #[command(flatten)]
    pub repl: repl_cmd::ReplArgs,
}

/// Options accepted before or after any command.
#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// The store path [default: $DOSSIER_DB, else ./dossier.db].
    #[arg(long, global = true, env = "DOSSIER_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Open the last committed state without taking the writer's lock; refuse writes.
    #[arg(long, global = true)]
    pub read_only: bool,
}

impl GlobalOpts {
    /// The store path this invocation uses.
    pub fn db_path(&self) -> PathBuf {
        crate::store::default_path(self.db.as_deref())
    }

    /// Opens the store with these options (read-only forced when `read_only`).
    pub fn open_store(&self, read_only: bool) -> Result<Store> {
        Store::open(
            &self.db_path(),
            &OpenOptions {
                read_only: read_only || self.read_only,
            },
        )
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ingest files and folders (text, Markdown, HTML, JSON, JSON Lines, CSV; `-` for stdin).
    Ingest(ingest_cmd::IngestArgs),
    /// Show what extraction finds in files, as JSON lines, without touching the store.
    Extract(ingest_cmd::ExtractArgs),
    /// Run Cypher-like queries without prompts (from the argument, -f FILE, or stdin).
    Query(query_cmd::QueryArgs),
    /// Open the interactive shell.
    Repl(repl_cmd::ReplArgs),
    /// Export the graph, or a query's subgraph, as DOT, JSON, GraphML, CSV, Cypher, …
    Export(export_cmd::ExportArgs),
    /// Load a graph from dossier's JSON interchange format.
    Import(store_cmds::ImportArgs),
    /// Print node counts by label and relationship counts by type.
    Stats,
    /// Verify the store's files and print what it holds.
    Check,
    /// Write a fresh snapshot and truncate the log.
    Compact,
    /// (testing) Commit small transactions in a loop, printing `committed K` after each.
    #[command(hide = true)]
    DebugWriteLoop(store_cmds::WriteLoopArgs),
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// Dispatches a parsed command line; returns the exit code for a run that did not fail outright.
pub fn run(cli: Cli) -> Result<i32> {
    let g = cli.global;
    match cli.command {
        None => repl_cmd::run_default(&g, &cli.paths, cli.repl),
        Some(Command::Ingest(a)) => ingest_cmd::ingest(&g, a),
        Some(Command::Extract(a)) => ingest_cmd::extract(&g, a),
        Some(Command::Query(a)) => query_cmd::query(&g, a),
        Some(Command::Repl(a)) => repl_cmd::repl(&g, a),
        Some(Command::Export(a)) => export_cmd::export(&g, a),
        Some(Command::Import(a)) => store_cmds::import(&g, a),
        Some(Command::Stats) => store_cmds::stats(&g),
        Some(Command::Check) => store_cmds::check(&g),
        Some(Command::Compact) => store_cmds::compact(&g),
        Some(Command::DebugWriteLoop(a)) => store_cmds::debug_write_loop(&g, a),
    }
}

/// Ends a command that is about to exit: whatever owns the store (the store, or a
/// shell around it) is leaked, not dropped. Freeing a graph of millions of elements
/// one allocation at a time takes about half a second on the scale-1 graph, after
/// the answer is out; the operating system takes the pages back at exit at once.
/// Nothing is lost: every commit is already fsynced, standard output is flushed at
/// exit, and the writer's lock goes with the process.
pub(crate) fn leak_at_exit<T>(owner: T) {
    std::mem::forget(owner);
}

/// The error for a command whose stage is not built yet.
pub fn not_available(what: &str) -> Error {
    Error::Input(format!("`{what}` is not available yet"))
}
