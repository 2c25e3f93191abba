//! `ingest` and `extract`.

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, not_available};
use crate::error::Result;

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

pub fn ingest(_g: &GlobalOpts, _a: IngestArgs) -> Result<i32> {
    Err(not_available("ingest"))
}

/// Ingests `paths` into an open store (the default command and `:ingest` use this).
pub fn ingest_paths(_store: &mut crate::store::Store, _paths: &[PathBuf]) -> Result<i32> {
    Err(not_available("ingest"))
}

pub fn extract(_g: &GlobalOpts, _a: ExtractArgs) -> Result<i32> {
    Err(not_available("extract"))
}
