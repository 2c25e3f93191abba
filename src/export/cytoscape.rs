//! Cytoscape.js elements JSON, so a web page can draw a result as it is:
//! `cytoscape({elements: data.elements, …})`.
//!
//! `{"elements": {"nodes": [{"data": {"id", "label", "labels", "properties"},
//! "classes": [labels]}], "edges": [{"data": {"id", "source", "target", "label",
//! "properties"}}]}}`. `label` is the caption (cut to `max_label`), ready for a
//! `label: data(label)` style; node labels double as classes so a stylesheet can
//! select `.Person`. Properties sit in their own object, so a property called `id`
//! or `source` cannot clash with what Cytoscape.js reads.

use std::io::Write;

use super::json::{write_props, write_str};
use super::{ExportOptions, Numbering, Subgraph, caption, truncate};
use crate::error::Result;
use crate::graph::Graph;

/// Writes the subgraph as Cytoscape.js elements.
pub fn write(
    graph: &Graph,
    sub: &Subgraph,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    super::buffered(out, |w| write_inner(graph, sub, opts, w))
}

fn write_inner(
    graph: &Graph,
    sub: &Subgraph,
    opts: &ExportOptions,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    let (open, mid, close, indent) = if opts.compact {
        ("{\"elements\":{\"nodes\":[", "],\"edges\":[", "]}}\n", "")
    } else {
        (
            "{\n  \"elements\": {\n    \"nodes\": [",
            "\n    ],\n    \"edges\": [",
            "\n    ]\n  }\n}\n",
            "\n      ",
        )
    };
    w.write_all(open.as_bytes())?;
    for (i, n) in sub.nodes.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(indent.as_bytes())?;
        write!(w, "{{\"data\":{{\"id\":\"n{i}\",\"label\":")?;
        write_str(w, &truncate(&caption(graph, *n), opts.max_label))?;
        let labels = graph.node_labels(*n);
        w.write_all(b",\"labels\":")?;
        write_list(w, &labels)?;
        w.write_all(b",\"properties\":")?;
        write_props(w, graph.node_props(*n).into_iter())?;
        w.write_all(b"},\"classes\":")?;
        write_list(w, &labels)?;
        w.write_all(b"}")?;
    }
    w.write_all(mid.as_bytes())?;
    let numbering = Numbering::new(sub);
    for (i, r) in sub.rels.iter().enumerate() {
        let (s, e) = numbering
            .ends(graph, *r)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(indent.as_bytes())?;
        write!(
            w,
            "{{\"data\":{{\"id\":\"r{i}\",\"source\":\"n{s}\",\"target\":\"n{e}\",\"label\":"
        )?;
        write_str(w, graph.rel_type(*r).unwrap_or(""))?;
        w.write_all(b",\"properties\":")?;
        write_props(w, graph.rel_props(*r).into_iter())?;
        w.write_all(b"}}")?;
    }
    w.write_all(close.as_bytes())
}

fn write_list(w: &mut dyn Write, items: &[&str]) -> std::io::Result<()> {
    w.write_all(b"[")?;
    for (i, s) in items.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_str(w, s)?;
    }
    w.write_all(b"]")
}
