//! Export of subgraphs: DOT (and SVG/PNG through Graphviz), dossier's JSON
//! interchange format, GraphML, CSV for `neo4j-admin database import`, a script of
//! CREATE statements, and Cytoscape.js elements.
//!
//! The life of an export:
//! 1. A [`Subgraph`] is chosen: the whole graph ([`Subgraph::whole`]), or every
//!    node, relationship and path that appears in a query result, looked for inside
//!    lists and maps too ([`Subgraph::from_result`]); a relationship brings its two
//!    end nodes, so every format can draw it. With `induced`, the relationships
//!    among the chosen nodes are added.
//! 2. The subgraph is numbered: its nodes sorted by store id become `n0`, `n1`, …
//!    and its relationships `r0`, `r1`, … ([`Numbering`]). Output therefore depends
//!    only on the subgraph's content and order, not on store ids, which is what makes
//!    export → import → export give identical bytes.
//! 3. One writer per format streams the subgraph to a `&mut dyn Write`; no writer
//!    builds the whole output in memory (SVG and PNG aside: Graphviz needs the whole
//!    DOT text, and nobody renders a million nodes).

use std::io::Write;
use std::path::Path;

use unicode_segmentation::UnicodeSegmentation;

use crate::error::{Error, Result};
use crate::graph::{Graph, NodeId, RelId};
use crate::query::QueryResult;
use crate::value::Value;

pub mod csv;
pub mod cypher;
pub mod cytoscape;
pub mod dot;
pub mod graphml;
pub mod json;

/// The formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Dot,
    Svg,
    Png,
    Json,
    GraphMl,
    Csv,
    Cypher,
    Cytoscape,
}

impl Format {
    /// Every format name, as the command line spells them.
    pub const NAMES: &'static [&'static str] = &[
        "dot",
        "svg",
        "png",
        "json",
        "graphml",
        "csv",
        "cypher",
        "cytoscape",
    ];

    /// Parses a format name (case-insensitive).
    pub fn parse(name: &str) -> Result<Format> {
        Ok(match name.to_ascii_lowercase().as_str() {
            "dot" | "gv" => Format::Dot,
            "svg" => Format::Svg,
            "png" => Format::Png,
            "json" => Format::Json,
            "graphml" => Format::GraphMl,
            "csv" => Format::Csv,
            "cypher" => Format::Cypher,
            "cytoscape" | "cyjs" => Format::Cytoscape,
            _ => {
                return Err(Error::Input(format!(
                    "unknown export format {name:?}; expected one of: {}",
                    Format::NAMES.join(", ")
                )));
            }
        })
    }
}

/// Options every writer understands (each uses the ones that apply to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// JSON and Cytoscape.js: everything on one line.
    pub compact: bool,
    /// DOT and Cytoscape.js captions: at most this many characters (grapheme
    /// clusters), the last one an ellipsis; 0 means no limit.
    pub max_label: usize,
    /// Add the relationships among the result's nodes (query exports only).
    pub induced: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            compact: false,
            max_label: 40,
            induced: false,
        }
    }
}

/// The part of a graph an export writes: node and relationship ids, each sorted
/// and without duplicates. Every relationship's end nodes are among the nodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subgraph {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

impl Subgraph {
    /// The whole graph.
    pub fn whole(graph: &Graph) -> Subgraph {
        Subgraph {
            nodes: graph.node_ids().collect(),
            rels: graph.rel_ids().collect(),
        }
    }

    /// Every node, relationship and path in the result's rows (inside lists and
    /// maps too); with `induced`, also the relationships among those nodes.
    pub fn from_result(graph: &Graph, result: &QueryResult, induced: bool) -> Subgraph {
        Subgraph::from_values(graph, result.rows.iter().flatten(), induced)
    }

    /// The subgraph of some values (see [`Subgraph::from_result`]). Elements the
    /// graph no longer holds (deleted by the query that returned them) are left out.
    pub fn from_values<'a>(
        graph: &Graph,
        values: impl IntoIterator<Item = &'a Value>,
        induced: bool,
    ) -> Subgraph {
        let mut sub = Subgraph::default();
        // An explicit stack, not recursion: a deeply nested list cannot overflow it.
        let mut stack: Vec<&Value> = values.into_iter().collect();
        while let Some(v) = stack.pop() {
            match v {
                Value::Node(n) => sub.add_node(graph, *n),
                Value::Rel(r) => sub.add_rel(graph, *r),
                Value::Path(p) => {
                    for n in &p.nodes {
                        sub.add_node(graph, *n);
                    }
                    for r in &p.rels {
                        sub.add_rel(graph, *r);
                    }
                }
                Value::List(items) => stack.extend(items.iter()),
                Value::Map(m) => stack.extend(m.values()),
                _ => {}
            }
        }
        sub.normalize();
        if induced {
            sub.add_induced(graph);
        }
        sub
    }

    fn add_node(&mut self, graph: &Graph, n: NodeId) {
        if graph.contains_node(n) {
            self.nodes.push(n);
        }
    }

    fn add_rel(&mut self, graph: &Graph, r: RelId) {
        if let Some((s, e)) = graph.rel_ends(r) {
            self.rels.push(r);
            self.nodes.push(s);
            self.nodes.push(e);
        }
    }

    fn normalize(&mut self) {
        self.nodes.sort_unstable();
        self.nodes.dedup();
        self.rels.sort_unstable();
        self.rels.dedup();
    }

    /// Adds every relationship whose two ends are both nodes of the subgraph.
    pub fn add_induced(&mut self, graph: &Graph) {
        for n in &self.nodes {
            for (r, other) in graph.rels_of(*n, petgraph::Direction::Outgoing, None) {
                if self.nodes.binary_search(&other).is_ok() {
                    self.rels.push(r);
                }
            }
        }
        self.rels.sort_unstable();
        self.rels.dedup();
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.rels.is_empty()
    }
}

impl std::fmt::Display for Subgraph {
    /// `nodes: 1 4 7; relationships: 0 3` (store ids), a stable text form for tests
    /// and debugging.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("nodes:")?;
        for n in &self.nodes {
            write!(f, " {}", n.0)?;
        }
        f.write_str("; relationships:")?;
        for r in &self.rels {
            write!(f, " {}", r.0)?;
        }
        Ok(())
    }
}

/// Export positions of a subgraph's nodes: `n<position>` is a node's id in every
/// format. A dense table when the subgraph is large (a lookup per relationship end
/// must be cheap for a whole-graph export), a binary search otherwise.
pub struct Numbering<'s> {
    nodes: &'s [NodeId],
    dense: Option<Vec<u32>>,
}

impl<'s> Numbering<'s> {
    pub fn new(sub: &'s Subgraph) -> Numbering<'s> {
        let max = sub.nodes.last().map_or(0, |n| n.0 as usize);
        // Dense only when the table stays within a few times the subgraph's size.
        let dense =
            (sub.nodes.len() > 4096 && max < sub.nodes.len().saturating_mul(8)).then(|| {
                let mut t = vec![u32::MAX; max + 1];
                for (i, n) in sub.nodes.iter().enumerate() {
                    t[n.0 as usize] = i as u32;
                }
                t
            });
        Numbering {
            nodes: &sub.nodes,
            dense,
        }
    }

    /// A node's position in the export, if the subgraph holds it.
    pub fn node(&self, id: NodeId) -> Option<usize> {
        match &self.dense {
            Some(t) => match t.get(id.0 as usize) {
                Some(&p) if p != u32::MAX => Some(p as usize),
                _ => None,
            },
            None => self.nodes.binary_search(&id).ok(),
        }
    }

    /// A relationship's (start, end) positions; an error if the graph or the
    /// subgraph lacks them (a subgraph built here always holds both ends).
    pub fn ends(&self, graph: &Graph, r: RelId) -> Result<(usize, usize)> {
        let (s, e) = graph
            .rel_ends(r)
            .ok_or_else(|| crate::errinternal!("relationship {} is not in the graph", r.0))?;
        match (self.node(s), self.node(e)) {
            (Some(a), Some(b)) => Ok((a, b)),
            _ => Err(crate::errinternal!(
                "relationship {} has an end outside the exported subgraph",
                r.0
            )),
        }
    }
}

/// Exports the subgraph of a query result (the REPL's `:export`).
pub fn export_result(
    graph: &Graph,
    result: &QueryResult,
    format: &str,
    induced: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let opts = ExportOptions {
        induced,
        ..ExportOptions::default()
    };
    export_result_with(graph, result, format, &opts, out)
}

/// Exports the subgraph of a query result with all options.
pub fn export_result_with(
    graph: &Graph,
    result: &QueryResult,
    format: &str,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let sub = Subgraph::from_result(graph, result, opts.induced);
    export_subgraph(graph, &sub, Format::parse(format)?, opts, out)
}

/// Exports the whole graph.
///
/// ```
/// use dossier::export::{export_graph, ExportOptions};
/// use dossier::graph::{Graph, Txn};
/// use dossier::value::Value;
///
/// let mut g = Graph::new();
/// let mut t = Txn::new(&mut g);
/// let a = t.create_node(&["Person"], vec![("name".into(), Value::str("Ann"))])?;
/// let b = t.create_node(&["Place"], vec![("name".into(), Value::str("Aleppo"))])?;
/// t.create_rel(a, b, "VISITED", vec![])?;
/// t.commit();
///
/// let mut out = Vec::new();
/// let opts = ExportOptions { compact: true, ..ExportOptions::default() };
/// export_graph(&g, "json", &opts, &mut out)?;
/// assert_eq!(
///     String::from_utf8_lossy(&out),
///     concat!(
///         r#"{"nodes":[{"id":"n0","labels":["Person"],"properties":{"name":"Ann"}},"#,
///         r#"{"id":"n1","labels":["Place"],"properties":{"name":"Aleppo"}}],"#,
///         r#""relationships":[{"id":"r0","type":"VISITED","startNode":"n0","endNode":"n1","properties":{}}]}"#,
///         "\n"
///     )
/// );
/// # Ok::<(), dossier::Error>(())
/// ```
pub fn export_graph(
    graph: &Graph,
    format: &str,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    let sub = Subgraph::whole(graph);
    export_subgraph(graph, &sub, Format::parse(format)?, opts, out)
}

/// Exports a query result's subgraph to a file (for `csv`: a folder).
pub fn export_result_to_path(
    graph: &Graph,
    result: &QueryResult,
    format: &str,
    opts: &ExportOptions,
    path: &Path,
) -> Result<()> {
    let sub = Subgraph::from_result(graph, result, opts.induced);
    export_subgraph_to_path(graph, &sub, Format::parse(format)?, opts, path)
}

/// Runs a format's writer over a 64 KiB buffer on `out`, then flushes it; I/O
/// errors become ours. Every format writes through this one buffer.
fn buffered(
    out: &mut dyn Write,
    f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    f(&mut w).map_err(io_err)?;
    w.flush().map_err(io_err)
}

/// Writes a subgraph in one format to a stream. `csv` needs two files and is
/// refused here: use [`export_subgraph_to_path`] with a folder.
pub fn export_subgraph(
    graph: &Graph,
    sub: &Subgraph,
    format: Format,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<()> {
    match format {
        Format::Dot => dot::write(graph, sub, opts, out),
        Format::Svg | Format::Png => {
            let mut text = Vec::new();
            dot::write(graph, sub, opts, &mut text)?;
            dot::render(&text, format, out)
        }
        Format::Json => json::write(graph, sub, opts, out),
        Format::GraphMl => graphml::write(graph, sub, out),
        Format::Cypher => cypher::write(graph, sub, out),
        Format::Cytoscape => cytoscape::write(graph, sub, opts, out),
        Format::Csv => Err(Error::Input(
            "csv export writes two files (nodes.csv and relationships.csv): give a folder \
             with -o DIR"
                .into(),
        )),
    }
}

/// Writes a subgraph in one format to `path` (a folder for `csv`). The file is
/// written beside its final name and renamed into place, so a failed export
/// leaves no half-written file behind.
pub fn export_subgraph_to_path(
    graph: &Graph,
    sub: &Subgraph,
    format: Format,
    opts: &ExportOptions,
    path: &Path,
) -> Result<()> {
    if format == Format::Csv {
        return csv::write_dir(graph, sub, path);
    }
    let tmp = temp_name(path);
    let result = (|| {
        let file = std::fs::File::create(&tmp)
            .map_err(|e| Error::io(format!("cannot create {}", path.display()), e))?;
        let mut w = std::io::BufWriter::new(file);
        export_subgraph(graph, sub, format, opts, &mut w)?;
        w.flush()
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))?;
        std::fs::rename(&tmp, path)
            .map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn temp_name(path: &Path) -> std::path::PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

/// Maps an I/O failure while writing an export to an error.
pub fn io_err(e: std::io::Error) -> Error {
    Error::io("cannot write the export", e)
}

/// `s` cut to at most `max` grapheme clusters (so a base letter keeps its
/// combining marks and an emoji sequence stays whole), the last an ellipsis when
/// anything was cut. `max == 0` means no limit.
pub fn truncate(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if max == 0 {
        return s.into();
    }
    let mut it = s.grapheme_indices(true);
    match it.nth(max) {
        None => s.into(),
        Some(_) => {
            let cut = s
                .grapheme_indices(true)
                .nth(max - 1)
                .map_or(s.len(), |(i, _)| i);
            format!("{}…", s[..cut].trim_end()).into()
        }
    }
}

/// The text that names a node in a drawing: its `name`; for a post its `text`,
/// for an event its `summary`; else a `title`, `handle` or `id`; else its first
/// label. Not truncated (see [`truncate`]).
pub fn caption(graph: &Graph, id: NodeId) -> String {
    let labels = graph.node_labels(id);
    let first = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| graph.node_prop(id, k).filter(|v| !v.is_null()))
            .map(plain_text)
    };
    let special = if labels.contains(&"Post") {
        first(&["text"])
    } else if labels.contains(&"Event") {
        first(&["summary"])
    } else {
        None
    };
    special
        .or_else(|| first(&["name", "text", "summary", "title", "handle", "id"]))
        .or_else(|| labels.first().map(|l| l.to_string()))
        .unwrap_or_default()
}

/// A value as plain text (captions, CSV and GraphML fields): strings as they are,
/// dates and durations in ISO 8601, lists as JSON, the rest as literals.
pub fn plain_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Date(d) => crate::value::format_date(*d),
        Value::Duration(d) => d.to_string(),
        Value::List(_) => crate::value::json::to_json(v).to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Txn;
    use crate::value::Path as VPath;

    fn small() -> (Graph, Vec<NodeId>, Vec<RelId>) {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let mut ns = Vec::new();
        for name in ["a", "b", "c", "d"] {
            ns.push(
                t.create_node(&["Person"], vec![("name".into(), Value::str(name))])
                    .unwrap_or(NodeId(u64::MAX)),
            );
        }
        let mut rs = Vec::new();
        for (a, b) in [(0, 1), (1, 2), (2, 0), (2, 3)] {
            rs.push(
                t.create_rel(ns[a], ns[b], "KNOWS", vec![])
                    .unwrap_or(RelId(u64::MAX)),
            );
        }
        t.commit();
        (g, ns, rs)
    }

    #[test]
    fn subgraph_walks_lists_maps_and_paths() {
        let (g, ns, rs) = small();
        let mut m = crate::value::Map::new();
        m.insert("x".into(), Value::List(vec![Value::Node(ns[3])]));
        let path = Value::Path(Box::new(VPath {
            nodes: vec![ns[0], ns[1]],
            rels: vec![rs[0]],
        }));
        let vals = [
            Value::Map(Box::new(m)),
            Value::List(vec![path]),
            Value::Int(1),
        ];
        let sub = Subgraph::from_values(&g, vals.iter(), false);
        assert_eq!(sub.nodes, vec![ns[0], ns[1], ns[3]]);
        assert_eq!(sub.rels, vec![rs[0]]);
    }

    #[test]
    fn a_relationship_brings_its_ends() {
        let (g, ns, rs) = small();
        let vals = [Value::Rel(rs[3])];
        let sub = Subgraph::from_values(&g, vals.iter(), false);
        assert_eq!(sub.nodes, vec![ns[2], ns[3]]);
    }

    #[test]
    fn induced_adds_relationships_among_the_nodes() {
        let (g, ns, rs) = small();
        let vals = [Value::Node(ns[2]), Value::Node(ns[0]), Value::Node(ns[1])];
        let plain = Subgraph::from_values(&g, vals.iter(), false);
        assert!(plain.rels.is_empty());
        let sub = Subgraph::from_values(&g, vals.iter(), true);
        assert_eq!(sub.rels, vec![rs[0], rs[1], rs[2]]);
        assert_eq!(sub.to_string(), "nodes: 0 1 2; relationships: 0 1 2");
    }

    #[test]
    fn deleted_elements_are_left_out() {
        let (g, ns, _) = small();
        let vals = [
            Value::Node(NodeId(999)),
            Value::Rel(RelId(999)),
            Value::Node(ns[0]),
        ];
        let sub = Subgraph::from_values(&g, vals.iter(), false);
        assert_eq!(sub.nodes, vec![ns[0]]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let (g, ns, _) = small();
        let mut v = Value::Node(ns[1]);
        for _ in 0..10_000 {
            v = Value::List(vec![v]);
        }
        let sub = Subgraph::from_values(&g, [&v], false);
        assert_eq!(sub.nodes, vec![ns[1]]);
    }

    #[test]
    fn numbering_dense_and_sparse_agree() {
        let sub = Subgraph {
            nodes: (0..10_000).map(|i| NodeId(i * 2)).collect(),
            rels: vec![],
        };
        let n = Numbering::new(&sub);
        assert!(n.dense.is_some());
        let sparse = Numbering {
            nodes: &sub.nodes,
            dense: None,
        };
        for id in [0, 1, 2, 19_998, 19_999, 40_000] {
            assert_eq!(n.node(NodeId(id)), sparse.node(NodeId(id)), "id {id}");
        }
    }

    #[test]
    fn truncation_counts_graphemes() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 5), "hell…");
        assert_eq!(truncate("hello", 0), "hello");
        // e + combining acute is one grapheme; it is never split from its mark.
        assert_eq!(truncate("e\u{301}e\u{301}e\u{301}", 2), "e\u{301}…");
        // A family emoji (ZWJ sequence) is one grapheme.
        let fam = "👨‍👩‍👧";
        assert_eq!(truncate(&format!("{fam}{fam}{fam}"), 2), format!("{fam}…"));
        assert_eq!(truncate("مرحبا بالعالم", 4), "مرح…");
    }

    #[test]
    fn unknown_formats_are_refused_with_the_list() {
        let e = Format::parse("xml").err().map(|e| e.to_string());
        assert!(e.as_deref().is_some_and(|m| m.contains("graphml")), "{e:?}");
        assert_eq!(Format::parse("DOT").ok(), Some(Format::Dot));
    }
}
