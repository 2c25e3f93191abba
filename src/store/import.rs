//! `import`: loading a graph from dossier's JSON interchange format
//! (`docs/formats.md`), the shape of Neo4j's HTTP "graph" results:
//! `{"nodes":[{"id","labels","properties"}],"relationships":[{"id","type",
//! "startNode","endNode","properties"}]}`.
//!
//! The file is streamed: serde visits the two arrays and hands each record over as
//! soon as it is parsed, so memory grows with the graph being built, never with the
//! file's text. Ids in the file are the file's own; each node gets a fresh store id
//! (in file order) and relationships are resolved through a map from file ids.
//!
//! An import is one all-or-nothing transaction, committed one of two ways:
//! - into an empty store, the graph is bulk-built on the side and committed as a
//!   new snapshot (write, fsync, rename): no log record as large as the file and no
//!   undo log, and a crash before the rename leaves the store as it was;
//! - into a store that holds data, through [`Store::write`]: one log record, rolled
//!   back on the first bad record. (Large imports into a non-empty store therefore
//!   cost memory for the undo and redo lists: import big files first.)

use std::collections::HashMap;
use std::fmt;
use std::io::Read;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Store;
use crate::error::{Error, Result};
use crate::graph::{BulkState, Graph, NodeId, RelId, Sym, Txn};
use crate::value::Value;
use crate::value::json::property_from_json;

/// What an import created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportStats {
    pub nodes: u64,
    pub relationships: u64,
}

/// An id as the file writes it: a string, or an integer taken as its decimal text.
struct FileId(String);

impl<'de> Deserialize<'de> for FileId {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> std::result::Result<FileId, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = FileId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or integer id")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> std::result::Result<FileId, E> {
                Ok(FileId(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> std::result::Result<FileId, E> {
                Ok(FileId(s))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> std::result::Result<FileId, E> {
                Ok(FileId(n.to_string()))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> std::result::Result<FileId, E> {
                Ok(FileId(n.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct NodeRec {
    id: FileId,
    #[serde(default)]
    labels: Vec<String>,
    #[serde(default)]
    properties: IndexMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelRec {
    #[serde(default)]
    id: Option<FileId>,
    #[serde(rename = "type")]
    ty: String,
    start_node: FileId,
    end_node: FileId,
    #[serde(default)]
    properties: IndexMap<String, serde_json::Value>,
}

/// Where parsed records go.
trait Sink {
    fn node(&mut self, rec: NodeRec, what: &str) -> Result<()>;
    fn rel(&mut self, rec: RelRec, what: &str) -> Result<()>;
}

/// Parse state shared by the visitors: the sink, the first error it raised (serde
/// can only carry a string, so the real error waits here), the record being read.
struct Ctx<'a> {
    sink: &'a mut dyn Sink,
    error: Option<Error>,
    /// "node 12" / "relationship 3": the record being parsed, for error messages.
    at: String,
    nodes_seen: bool,
}

struct TopSeed<'a, 'b>(&'b mut Ctx<'a>);
struct ArraySeed<'a, 'b> {
    ctx: &'b mut Ctx<'a>,
    nodes: bool,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(r#"an object {"nodes": [...], "relationships": [...]}"#)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = m.next_key::<String>()? {
            match key.as_str() {
                "nodes" => {
                    self.0.nodes_seen = true;
                    m.next_value_seed(ArraySeed {
                        ctx: self.0,
                        nodes: true,
                    })?
                }
                "relationships" => {
                    if !self.0.nodes_seen {
                        self.0.at = "the file".into();
                        return Err(de::Error::custom(
                            "\"relationships\" comes before \"nodes\"; write nodes first",
                        ));
                    }
                    m.next_value_seed(ArraySeed {
                        ctx: self.0,
                        nodes: false,
                    })?
                }
                _ => {
                    m.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.0.at = "the file".into();
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> std::result::Result<(), A::Error> {
        let mut i = 0u64;
        loop {
            i += 1;
            self.ctx.at = format!("{} {i}", if self.nodes { "node" } else { "relationship" });
            let res = if self.nodes {
                match s.next_element::<NodeRec>()? {
                    None => break,
                    Some(rec) => self.ctx.sink.node(rec, &self.ctx.at),
                }
            } else {
                match s.next_element::<RelRec>()? {
                    None => break,
                    Some(rec) => self.ctx.sink.rel(rec, &self.ctx.at),
                }
            };
            if let Err(e) = res {
                self.ctx.error = Some(e);
                return Err(de::Error::custom("record refused"));
            }
        }
        Ok(())
    }
}

/// Parses the interchange format from `reader` into `sink`.
fn parse(reader: impl Read, name: &str, sink: &mut dyn Sink) -> Result<()> {
    let mut ctx = Ctx {
        sink,
        error: None,
        at: "the file".into(),
        nodes_seen: false,
    };
    let mut de =
        serde_json::Deserializer::from_reader(std::io::BufReader::with_capacity(1 << 20, reader));
    let res = TopSeed(&mut ctx)
        .deserialize(&mut de)
        .and_then(|_| de.end());
    if let Some(e) = ctx.error {
        return Err(e);
    }
    res.map_err(|e| {
        if e.is_io() {
            Error::Input(format!("{name}: cannot read: {e}"))
        } else {
            Error::Input(format!("{name}: {}: {e}", ctx.at))
        }
    })
}

fn describe(name: &str, what: &str, id: &str) -> String {
    if id.is_empty() {
        format!("{name}: {what}")
    } else {
        format!("{name}: {what} (id {id:?})")
    }
}

fn props_of(
    raw: IndexMap<String, serde_json::Value>,
    name: &str,
    what: &str,
    id: &str,
) -> Result<Vec<(String, Value)>> {
    raw.into_iter()
        .map(|(k, j)| match property_from_json(&k, &j) {
            Ok(v) if v.is_storable() => Ok((k, v)),
            Ok(v) => Err(Error::Input(format!(
                "{}: property `{k}` cannot hold a {} value",
                describe(name, what, id),
                v.type_name()
            ))),
            Err(m) => Err(Error::Input(format!(
                "{}: property `{k}`: {m}",
                describe(name, what, id)
            ))),
        })
        .collect()
}

/// Builds a fresh graph directly (the empty-store path).
struct BulkSink<'a> {
    name: &'a str,
    g: Graph,
    st: BulkState,
    ids: HashMap<String, NodeId>,
    next_node: u64,
    next_rel: u64,
    stats: ImportStats,
}

impl Sink for BulkSink<'_> {
    fn node(&mut self, rec: NodeRec, what: &str) -> Result<()> {
        let id = rec.id.0;
        if self.ids.contains_key(&id) {
            return Err(Error::Input(format!(
                "{}: the id appears twice",
                describe(self.name, what, &id)
            )));
        }
        let labels: Vec<Sym> = rec.labels.iter().map(|l| self.g.bulk_label(l)).collect();
        let props = props_of(rec.properties, self.name, what, &id)?
            .into_iter()
            .map(|(k, v)| (self.g.bulk_key(&k), v))
            .collect();
        let nid = NodeId(self.next_node);
        self.g
            .bulk_add_node(&mut self.st, nid, &labels, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &id))))?;
        self.next_node += 1;
        self.ids.insert(id, nid);
        self.stats.nodes += 1;
        Ok(())
    }

    fn rel(&mut self, rec: RelRec, what: &str) -> Result<()> {
        let rid = rec.id.map(|i| i.0).unwrap_or_default();
        let (start, end) = ends(&self.ids, &rec.start_node, &rec.end_node)
            .map_err(|m| Error::Input(format!("{}: {m}", describe(self.name, what, &rid))))?;
        let ty = self.g.bulk_type(&rec.ty);
        let props = props_of(rec.properties, self.name, what, &rid)?
            .into_iter()
            .map(|(k, v)| (self.g.bulk_key(&k), v))
            .collect();
        self.g
            .bulk_add_rel(RelId(self.next_rel), start, end, ty, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &rid))))?;
        self.next_rel += 1;
        self.stats.relationships += 1;
        Ok(())
    }
}

fn ends(
    ids: &HashMap<String, NodeId>,
    s: &FileId,
    e: &FileId,
) -> std::result::Result<(NodeId, NodeId), String> {
    let look = |which: &str, f: &FileId| {
        ids.get(&f.0)
            .copied()
            .ok_or_else(|| format!("{which} {:?} is not a node in the file", f.0))
    };
    Ok((look("startNode", s)?, look("endNode", e)?))
}

/// Writes through a transaction (the non-empty-store path).
struct TxnSink<'a, 't, 'g> {
    name: &'a str,
    txn: &'t mut Txn<'g>,
    ids: HashMap<String, NodeId>,
    stats: ImportStats,
}

impl Sink for TxnSink<'_, '_, '_> {
    fn node(&mut self, rec: NodeRec, what: &str) -> Result<()> {
        let id = rec.id.0;
        if self.ids.contains_key(&id) {
            return Err(Error::Input(format!(
                "{}: the id appears twice",
                describe(self.name, what, &id)
            )));
        }
        let labels: Vec<&str> = rec.labels.iter().map(String::as_str).collect();
        let props = props_of(rec.properties, self.name, what, &id)?;
        let nid = self
            .txn
            .create_node(&labels, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &id))))?;
        self.ids.insert(id, nid);
        self.stats.nodes += 1;
        Ok(())
    }

    fn rel(&mut self, rec: RelRec, what: &str) -> Result<()> {
        let rid = rec.id.map(|i| i.0).unwrap_or_default();
        let (start, end) = ends(&self.ids, &rec.start_node, &rec.end_node)
            .map_err(|m| Error::Input(format!("{}: {m}", describe(self.name, what, &rid))))?;
        let props = props_of(rec.properties, self.name, what, &rid)?;
        self.txn
            .create_rel(start, end, &rec.ty, props)
            .map_err(|e| Error::Input(format!("{}: {e}", describe(self.name, what, &rid))))?;
        self.stats.relationships += 1;
        Ok(())
    }
}

/// Imports the interchange-format JSON read from `reader` into `store` as one
/// all-or-nothing transaction. `name` names the input in error messages.
///
/// ```
/// use dossier::store::{Store, import};
/// let mut store = Store::in_memory();
/// let json = r#"{"nodes":[{"id":"a","labels":["Person"],"properties":{"name":"Ann"}},
///                         {"id":"b","labels":["Post"],"properties":{"date":"2016-12-12"}}],
///                "relationships":[{"id":"r","type":"POSTED","startNode":"a","endNode":"b"}]}"#;
/// let stats = import(&mut store, json.as_bytes(), "example.json").unwrap();
/// assert_eq!((stats.nodes, stats.relationships), (2, 1));
/// ```
pub fn import(store: &mut Store, reader: impl Read, name: &str) -> Result<ImportStats> {
    if store.is_read_only() {
        return Err(Error::ReadOnly);
    }
    let g = store.graph();
    if g.node_count() == 0 && g.rel_count() == 0 {
        let mut sink = BulkSink {
            name,
            next_node: g.next_node_id().0,
            next_rel: g.next_rel_id().0,
            g: g.clone(),
            st: BulkState::default(),
            ids: HashMap::new(),
            stats: ImportStats::default(),
        };
        parse(reader, name, &mut sink)?;
        let BulkSink {
            mut g, st, stats, ..
        } = sink;
        // Free the id map before the snapshot is written.
        g.bulk_finish(st);
        if stats == ImportStats::default() {
            return Ok(stats);
        }
        store.replace_graph(g)?;
        return Ok(stats);
    }
    let (stats, _) = store.write(|txn| {
        let mut sink = TxnSink {
            name,
            txn,
            ids: HashMap::new(),
            stats: ImportStats::default(),
        };
        parse(reader, name, &mut sink)?;
        Ok(sink.stats)
    })?;
    Ok(stats)
}
