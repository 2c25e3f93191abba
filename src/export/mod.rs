//! Export of subgraphs: DOT, JSON interchange, GraphML, CSV, Cypher, Cytoscape.js.
//!
//! SKELETON: being built.

use std::io::Write;

use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::query::QueryResult;

/// Writes the subgraph of `result` (its nodes, relationships and paths; with
/// `induced`, also the relationships among its nodes) in `format` to `out`.
///
/// STUB (the shell's `:export` calls this): the export helper provides the real one.
pub fn export_result(
    _graph: &Graph,
    _result: &QueryResult,
    _format: &str,
    _induced: bool,
    _out: &mut dyn Write,
) -> Result<()> {
    Err(Error::Input("export is not available yet".into()))
}
