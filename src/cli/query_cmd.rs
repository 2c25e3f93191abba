//! `query`: run statements without prompts.

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, not_available};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query text (else -f FILE, else standard input).
    pub query: Option<String>,
    /// Run the statements in FILE (separated by `;`).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// A parameter, `name=value` (value as a Cypher literal, else a string). Repeatable.
    #[arg(long = "param", short = 'p')]
    pub params: Vec<String>,
    /// Output format: table, csv, tsv, json, jsonl, markdown.
    #[arg(long, default_value = "table")]
    pub format: String,
    /// Keep going after a failing statement.
    #[arg(long)]
    pub continue_on_error: bool,
    /// Cancel a query that runs longer than this many milliseconds.
    #[arg(long)]
    pub timeout: Option<u64>,
    /// Fail a query whose result has more rows than this.
    #[arg(long)]
    pub max_rows: Option<usize>,
    /// Run the query N times; print timing as one JSON line on standard error.
    #[arg(long)]
    pub repeat: Option<usize>,
}

pub fn query(_g: &GlobalOpts, _a: QueryArgs) -> Result<i32> {
    Err(not_available("query"))
}
