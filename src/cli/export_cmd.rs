//! `export`: the graph or a query's subgraph in another format.
//!
//! Opens the store read-only (an export never writes), runs the query if one is
//! given, chooses the subgraph and hands it to [`crate::export`]. Output goes to
//! standard output unless `-o` names a file (for `csv`, a folder).

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::GlobalOpts;
use crate::error::{Error, Result};
use crate::export::{self, ExportOptions, Format, Subgraph};
use crate::query::{self, Params, QueryOptions};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// dot, svg, png, json, graphml, csv, cypher, cytoscape.
    #[arg(long, short = 'F', default_value = "json")]
    pub format: String,
    /// Export this query's subgraph (default: the whole graph).
    #[arg(long, short = 'q', conflicts_with = "query_file")]
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
    /// Truncate DOT captions to N characters (0: no limit).
    #[arg(long, default_value_t = 40)]
    pub max_label: usize,
}

pub fn export(g: &GlobalOpts, a: ExportArgs) -> Result<i32> {
    let format = Format::parse(&a.format)?;
    let opts = ExportOptions {
        compact: a.compact,
        max_label: a.max_label,
        induced: a.induced,
    };
    let text = match (&a.query, &a.query_file) {
        (Some(q), _) => Some(q.clone()),
        (None, Some(f)) => Some(
            std::fs::read_to_string(f)
                .map_err(|e| Error::io(format!("cannot read query file {}", f.display()), e))?,
        ),
        (None, None) => None,
    };
    if format == Format::Csv && a.output.is_none() {
        return Err(Error::Input(
            "csv export writes two files (nodes.csv and relationships.csv): give a folder with \
             -o DIR"
                .into(),
        ));
    }
    let mut store = g.open_store(true)?;
    let sub = match &text {
        Some(q) => {
            let result = query::execute(&mut store, q, &Params::new(), &QueryOptions::default())
                .map_err(|e| match e {
                    Error::ReadOnly => Error::Input(
                        "export runs read-only queries, and this one writes; run it with \
                         `dossier query` first, then export what it made"
                            .into(),
                    ),
                    other => other,
                })?;
            Subgraph::from_result(store.graph(), &result, opts.induced)
        }
        None => {
            if opts.induced {
                eprintln!("note: --induced has no effect without a query");
            }
            Subgraph::whole(store.graph())
        }
    };
    let graph = store.graph();
    match &a.output {
        Some(path) => export::export_subgraph_to_path(graph, &sub, format, &opts, path)?,
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let written = export::export_subgraph(graph, &sub, format, &opts, &mut lock)
                .and_then(|()| lock.flush().map_err(export::io_err));
            match written {
                // A reader that stops early (`| head`) is not an error.
                Err(Error::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    drop(sub);
    super::leak_at_exit(store);
    Ok(0)
}
