//! `ingest` and `extract`: the command-line face of [`crate::ingest`].

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::GlobalOpts;
use crate::error::{Error, Result};
use crate::ingest::{self, Options, Summary};

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Files and folders (recursive); `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Worker threads for extraction [default: all cores].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// The field holding the text in JSON and CSV records.
    #[arg(long)]
    pub text_field: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Files and folders; `-` reads standard input.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Worker threads [default: all cores].
    #[arg(long, short = 'j')]
    pub jobs: Option<usize>,
    /// The field holding the text in JSON and CSV records.
    #[arg(long)]
    pub text_field: Option<String>,
}

fn check_jobs(jobs: Option<usize>) -> Result<()> {
    if jobs == Some(0) {
        return Err(Error::Input("--jobs must be at least 1".into()));
    }
    Ok(())
}

/// Prints a failure as it happens.
fn report(f: &ingest::Failure) {
    eprintln!("error: {f}");
}

/// The exit code of a run: 1 when any file or record failed.
fn exit_code(s: &Summary) -> i32 {
    i32::from(!s.failures.is_empty())
}

pub fn ingest(g: &GlobalOpts, a: IngestArgs) -> Result<i32> {
    check_jobs(a.jobs)?;
    let mut store = g.open_store(false)?;
    ingest_with(
        &mut store,
        &a.paths,
        &Options {
            jobs: a.jobs,
            text_field: a.text_field,
            progress: std::io::stderr().is_terminal(),
            ..Options::default()
        },
    )
}

/// Ingests `paths` into an open store (the default command and `:ingest` use this).
pub fn ingest_paths(store: &mut crate::store::Store, paths: &[PathBuf]) -> Result<i32> {
    ingest_with(
        store,
        paths,
        &Options {
            progress: std::io::stderr().is_terminal(),
            ..Options::default()
        },
    )
}

/// [`ingest_paths`] with options; prints failures as they happen and the summary.
pub fn ingest_with(
    store: &mut crate::store::Store,
    paths: &[PathBuf],
    opts: &Options,
) -> Result<i32> {
    let summary = ingest::ingest(store, paths, opts, &mut report)?;
    println!("ingested {summary}");
    Ok(exit_code(&summary))
}

pub fn extract(_g: &GlobalOpts, a: ExtractArgs) -> Result<i32> {
    check_jobs(a.jobs)?;
    if a.format != "json" {
        return Err(Error::Input(format!(
            "unknown --format `{}` (dossier extract writes `json`)",
            a.format
        )));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let summary = ingest::extract(
        &a.paths,
        &Options {
            jobs: a.jobs,
            text_field: a.text_field,
            progress: false,
            ..Options::default()
        },
        &mut out,
        &mut report,
    )?;
    out.flush()
        .map_err(|e| Error::io("writing the extraction", e))?;
    eprintln!("extracted {summary}");
    Ok(exit_code(&summary))
}
