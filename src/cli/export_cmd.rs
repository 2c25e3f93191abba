//! `export`: the graph or a query's subgraph in another format.

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, not_available};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// dot, svg, png, json, graphml, csv, cypher, cytoscape.
    #[arg(long, short = 'F', default_value = "json")]
    pub format: String,
    /// Export this query's subgraph (default: the whole graph).
    #[arg(long, short = 'q')]
    pub query: Option<String>,
    /// Read the query from FILE.
    #[arg(long)]
    pub query_file: Option<PathBuf>,
    /// Add the relationships among the result's nodes.
    #[arg(long)]
    pub induced: bool,
    /// Write to FILE (for csv: a folder) instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Compact JSON (one line).
    #[arg(long)]
    pub compact: bool,
    /// Truncate DOT captions to N characters.
    #[arg(long, default_value_t = 40)]
    pub max_label: usize,
}

pub fn export(_g: &GlobalOpts, _a: ExportArgs) -> Result<i32> {
    Err(not_available("export"))
}
