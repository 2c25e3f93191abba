//! GraphML, read by Gephi, yEd, NetworkX and Neo4j's APOC.
//!
//! Every property becomes a `<data>` whose `<key>` is declared with its type: a
//! first pass over the subgraph finds each key's type (`long` for integers,
//! `double` for floats, `boolean`, else `string`; a key whose values differ in
//! type is a `string`). Dates and durations are ISO 8601 strings, lists their JSON
//! text. Labels go in the node key `labels` as `:A:B` (APOC's convention) and the
//! relationship type in the edge key `label` (what Gephi and APOC show).
//!
//! XML 1.0 cannot carry most control characters at all, not even as character
//! references; they are written as U+FFFD.

use std::io::Write;

use indexmap::IndexMap;

use super::{Numbering, Subgraph};
use crate::error::Result;
use crate::graph::Graph;
use crate::value::Value;

/// A GraphML attribute type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Boolean,
    Long,
    Double,
    String,
}

impl Ty {
    fn of(v: &Value) -> Ty {
        match v {
            Value::Bool(_) => Ty::Boolean,
            Value::Int(_) => Ty::Long,
            Value::Float(_) => Ty::Double,
            _ => Ty::String,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Ty::Boolean => "boolean",
            Ty::Long => "long",
            Ty::Double => "double",
            Ty::String => "string",
        }
    }
}

/// The declared keys of one element kind: property name -> (key id, type).
type Keys = IndexMap<String, (String, Ty)>;

fn collect<'a>(keys: &mut Keys, prefix: &str, props: impl Iterator<Item = (&'a str, &'a Value)>) {
    for (k, v) in props {
        let t = Ty::of(v);
        let n = keys.len();
        let entry = keys
            .entry(k.to_string())
            .or_insert_with(|| (format!("{prefix}{n}"), t));
        if entry.1 != t {
            entry.1 = Ty::String;
        }
    }
}

/// Writes the subgraph as GraphML.
pub fn write(graph: &Graph, sub: &Subgraph, out: &mut dyn Write) -> Result<()> {
    let mut node_keys = Keys::new();
    for n in &sub.nodes {
        collect(&mut node_keys, "v", graph.node_props(*n).into_iter());
    }
    let mut edge_keys = Keys::new();
    for r in &sub.rels {
        collect(&mut edge_keys, "e", graph.rel_props(*r).into_iter());
    }
    super::buffered(out, |w| write_inner(graph, sub, &node_keys, &edge_keys, w))
}

fn write_inner(
    graph: &Graph,
    sub: &Subgraph,
    node_keys: &Keys,
    edge_keys: &Keys,
    w: &mut dyn Write,
) -> std::io::Result<()> {
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
    )?;
    w.write_all(
        b"  <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n",
    )?;
    for (name, (id, ty)) in node_keys {
        write_key(w, id, "node", name, *ty)?;
    }
    w.write_all(b"  <key id=\"label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n")?;
    for (name, (id, ty)) in edge_keys {
        write_key(w, id, "edge", name, *ty)?;
    }
    w.write_all(b"  <graph id=\"G\" edgedefault=\"directed\">\n")?;
    for (i, n) in sub.nodes.iter().enumerate() {
        write!(w, "    <node id=\"n{i}\">")?;
        let mut labels = String::new();
        for l in graph.node_labels(*n) {
            labels.push(':');
            labels.push_str(l);
        }
        w.write_all(b"<data key=\"labels\">")?;
        escape(w, &labels)?;
        w.write_all(b"</data>")?;
        for (k, v) in graph.node_props(*n) {
            if let Some((id, ty)) = node_keys.get(k) {
                write_data(w, id, *ty, v)?;
            }
        }
        w.write_all(b"</node>\n")?;
    }
    let numbering = Numbering::new(sub);
    for (i, r) in sub.rels.iter().enumerate() {
        let (s, e) = numbering
            .ends(graph, *r)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        write!(
            w,
            "    <edge id=\"r{i}\" source=\"n{s}\" target=\"n{e}\"><data key=\"label\">"
        )?;
        escape(w, graph.rel_type(*r).unwrap_or(""))?;
        w.write_all(b"</data>")?;
        for (k, v) in graph.rel_props(*r) {
            if let Some((id, ty)) = edge_keys.get(k) {
                write_data(w, id, *ty, v)?;
            }
        }
        w.write_all(b"</edge>\n")?;
    }
    w.write_all(b"  </graph>\n</graphml>\n")
}

fn write_key(w: &mut dyn Write, id: &str, what: &str, name: &str, ty: Ty) -> std::io::Result<()> {
    write!(w, "  <key id=\"{id}\" for=\"{what}\" attr.name=\"")?;
    escape(w, name)?;
    writeln!(w, "\" attr.type=\"{}\"/>", ty.name())
}

fn write_data(w: &mut dyn Write, key: &str, ty: Ty, v: &Value) -> std::io::Result<()> {
    write!(w, "<data key=\"{key}\">")?;
    let text = match (ty, v) {
        (Ty::String, Value::String(s)) => s.to_string(),
        // Java and Python both read these spellings of the special doubles.
        (Ty::Double, Value::Float(f)) => crate::value::format_float(*f),
        (_, Value::List(_)) => crate::value::json::to_json(v).to_string(),
        (_, other) => super::plain_text(other),
    };
    escape(w, &text)?;
    w.write_all(b"</data>")
}

/// Escapes text for XML content and attribute values alike.
pub fn escape(w: &mut dyn Write, s: &str) -> std::io::Result<()> {
    let mut buf = [0u8; 4];
    for c in s.chars() {
        match c {
            '&' => w.write_all(b"&amp;")?,
            '<' => w.write_all(b"&lt;")?,
            '>' => w.write_all(b"&gt;")?,
            '"' => w.write_all(b"&quot;")?,
            '\'' => w.write_all(b"&apos;")?,
            // As references, so attribute-value and line-end normalisation keep them.
            '\n' => w.write_all(b"&#10;")?,
            '\r' => w.write_all(b"&#13;")?,
            '\t' => w.write_all(b"&#9;")?,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                w.write_all("\u{FFFD}".as_bytes())?
            }
            c => w.write_all(c.encode_utf8(&mut buf).as_bytes())?,
        }
    }
    Ok(())
}
