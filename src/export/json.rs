//! dossier's JSON interchange format, the one `dossier import` reads (the shape of
//! Neo4j's "graph" result): `{"nodes": [{"id", "labels", "properties"}],
//! "relationships": [{"id", "type", "startNode", "endNode", "properties"}]}`.
//!
//! Ids are positions in the export (`n0`…, `r0`…), property values go through
//! [`crate::value::json::to_json`] (the one codec of the format: dates as
//! `{"$date": "YYYY-MM-DD"}`), property keys keep their insertion order. The
//! default layout puts one record per line, so files diff line by line and stream;
//! `compact` puts everything on one line. `docs/interchange.schema.json` is the
//! JSON Schema of the format.
//!
//! Written by hand around serde_json rather than by serializing a document: the
//! whole graph must stream record by record.

use std::io::Write;

use super::{ExportOptions, Numbering, Subgraph};
use crate::error::Result;
use crate::graph::Graph;
use crate::value::Value;

/// Writes the subgraph as interchange JSON.
pub fn write(
    graph: &Graph,
    sub: &Subgraph,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    super::buffered(out, |w| write_inner(graph, sub, opts.compact, w))
}

fn write_inner(
    graph: &Graph,
    sub: &Subgraph,
    compact: bool,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let (open, sep, close_nodes, rels_open, close) = if compact {
        ("{\"nodes\":[", ",", "],", "\"relationships\":[", "]}\n")
    } else {
        (
            "{\n  \"nodes\": [",
            ",",
            "\n  ],\n",
            "  \"relationships\": [",
            "\n  ]\n}\n",
        )
    };
    let indent = if compact { "" } else { "\n    " };

    w.write_all(open.as_bytes())?;
    for (i, id) in sub.nodes.iter().enumerate() {
        if i > 0 {
            w.write_all(sep.as_bytes())?;
        }
        w.write_all(indent.as_bytes())?;
        write!(w, "{{\"id\":\"n{i}\",\"labels\":[")?;
        for (j, l) in graph.node_labels(*id).iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            write_str(w, l)?;
        }
        w.write_all(b"],\"properties\":")?;
        write_props(w, graph.node_props(*id).into_iter())?;
        w.write_all(b"}")?;
    }
    w.write_all(close_nodes.as_bytes())?;

    let numbering = Numbering::new(sub);
    w.write_all(rels_open.as_bytes())?;
    for (i, r) in sub.rels.iter().enumerate() {
        let (s, e) = numbering
            .ends(graph, *r)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if i > 0 {
            w.write_all(sep.as_bytes())?;
        }
        w.write_all(indent.as_bytes())?;
        write!(w, "{{\"id\":\"r{i}\",\"type\":")?;
        write_str(w, graph.rel_type(*r).unwrap_or(""))?;
        write!(
            w,
            ",\"startNode\":\"n{s}\",\"endNode\":\"n{e}\",\"properties\":"
        )?;
        write_props(w, graph.rel_props(*r).into_iter())?;
        w.write_all(b"}")?;
    }
    w.write_all(close.as_bytes())?;
    Ok(())
}

/// A JSON string, escaped as serde_json escapes (non-ASCII kept as UTF-8).
pub(crate) fn write_str(w: &mut dyn Write, s: &str) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, s).map_err(std::io::Error::other)
}

/// A property map: keys in insertion order, values through the interchange codec.
pub(crate) fn write_props<'a>(
    w: &mut dyn Write,
    props: impl Iterator<Item = (&'a str, &'a Value)>,
) -> std::io::Result<()> {
    w.write_all(b"{")?;
    for (i, (k, v)) in props.enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, k)?;
        w.write_all(b":")?;
        write_value(w, v)?;
    }
    w.write_all(b"}")
}

/// One value through [`crate::value::json::to_json`]; plain strings and integers,
/// by far the most common, are written directly to skip building a JSON tree.
pub(crate) fn write_value(w: &mut dyn Write, v: &Value) -> std::io::Result<()> {
    match v {
        Value::String(s) => write_str(w, s),
        Value::Int(i) => write!(w, "{i}"),
        other => serde_json::to_writer(&mut *w, &crate::value::json::to_json(other))
            .map_err(std::io::Error::other),
    }
}
