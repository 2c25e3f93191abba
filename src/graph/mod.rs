//! The in-memory property graph: nodes with labels and properties, relationships
//! with one type, a direction and properties, and the indexes kept in sync with
//! every write.
//!
//! Structure lives in petgraph's `StableGraph`, so removing an element renumbers
//! nothing. Our ids ([`NodeId`], [`RelId`]) are separate from petgraph's indices:
//! petgraph reuses a vacant slot, while dossier promises that an id is never reused.
//! Ids are handed out in sequence, so mapping an id to its slot is a plain vector
//! (4 bytes an id), not a hash map.
//!
//! Every change goes through [`Op`], the unit the durable store logs: a [`Txn`]
//! applies ops to the graph, records them for the log, and keeps their inverses so
//! a failed transaction rolls back to exactly the state before it.
//!
//! Names of labels, relationship types and property keys are interned in
//! [`IndexSet`]s: a name's id is its insertion position, stable for the life of the
//! graph, and the name list keeps the order in which the schema grew.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use indexmap::IndexSet;
use petgraph::Direction;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::EdgeRef;

use crate::error::{Error, Result};
use crate::value::Value;

mod adj;
mod bulk;
mod fulltext;
pub use adj::{AdjEntry, AdjMode, AdjView, adj_mode, set_adj_mode};
pub use bulk::{BulkNames, BulkNode, BulkRel, BulkState, Prefetcher};

/// A node's id: stable, never reused, kept across restarts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct NodeId(pub u64);

/// A relationship's id: stable, never reused, kept across restarts.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct RelId(pub u64);

/// An interned name id (label, relationship type or property key).
pub type Sym = u32;

/// Properties, in insertion order. A boxed slice rather than a map: most elements
/// have a handful of properties and many relationships have none, and this keeps a
/// relationship's weight at 16 bytes for them.
#[derive(Debug, Clone, Default)]
pub struct Props(Box<[(Sym, Value)]>);

impl Props {
    pub fn get(&self, key: Sym) -> Option<&Value> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
    pub fn iter(&self) -> impl Iterator<Item = (Sym, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Sets `key` (null removes it); returns the previous value.
    fn set(&mut self, key: Sym, value: Value) -> Option<Value> {
        let mut v: Vec<(Sym, Value)> = std::mem::take(&mut self.0).into_vec();
        let old = match v.iter().position(|(k, _)| *k == key) {
            Some(i) if value.is_null() => Some(v.remove(i).1),
            Some(i) => Some(std::mem::replace(&mut v[i].1, value)),
            None => {
                if !value.is_null() {
                    v.push((key, value));
                }
                None
            }
        };
        self.0 = v.into_boxed_slice();
        old
    }
}

/// What a node slot in petgraph holds.
#[derive(Debug, Clone)]
pub struct NodeData {
    pub id: NodeId,
    pub labels: Box<[Sym]>,
    pub props: Props,
}

/// What a relationship slot in petgraph holds.
#[derive(Debug, Clone)]
pub struct RelData {
    pub id: RelId,
    pub ty: Sym,
    pub props: Props,
}

/// One change to the graph: the unit of the write-ahead log and of rollback.
/// Names are spelled out (not interned ids) so a log record reads on its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    CreateNode {
        id: NodeId,
        labels: Vec<String>,
        props: Vec<(String, Value)>,
    },
    DeleteNode {
        id: NodeId,
    },
    CreateRel {
        id: RelId,
        start: NodeId,
        end: NodeId,
        ty: String,
        props: Vec<(String, Value)>,
    },
    DeleteRel {
        id: RelId,
    },
    /// Sets a node property; `Value::Null` removes it.
    SetNodeProp {
        id: NodeId,
        key: String,
        value: Value,
    },
    /// Sets a relationship property; `Value::Null` removes it.
    SetRelProp {
        id: RelId,
        key: String,
        value: Value,
    },
    AddLabel {
        id: NodeId,
        label: String,
    },
    RemoveLabel {
        id: NodeId,
        label: String,
    },
    /// Declares a property index on (label, key); idempotent.
    CreateIndex {
        label: String,
        key: String,
    },
}

/// A property value as an index key: the hashable part of [`Value`]. Integral
/// floats key as integers so `n.x = 1` finds a node whose `x` is `1.0`, as
/// openCypher's equality does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IndexKey {
    Bool(bool),
    Int(i64),
    Float(u64),
    Str(std::sync::Arc<str>),
    Date(chrono::NaiveDate),
}

impl IndexKey {
    /// The key for a value, or `None` for values no index holds (null, NaN, lists).
    pub fn of(v: &Value) -> Option<IndexKey> {
        Some(match v {
            Value::Bool(b) => IndexKey::Bool(*b),
            Value::Int(i) => IndexKey::Int(*i),
            Value::Float(f) if f.is_nan() => return None,
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => IndexKey::Int(*f as i64),
            Value::Float(f) => IndexKey::Float(f.to_bits()),
            Value::String(s) => IndexKey::Str(s.clone()),
            Value::Date(d) => IndexKey::Date(*d),
            _ => return None,
        })
    }
}

type PropIndex = HashMap<IndexKey, BTreeSet<NodeId>>;

/// Labels that get an index on `name` (and accounts on `handle`) in every new graph:
/// the entity labels of the graph contract in `docs/model.md`.
pub const DEFAULT_INDEXES: &[(&str, &str)] = &[
    ("Person", "name"),
    ("Organisation", "name"),
    ("Place", "name"),
    ("Hashtag", "name"),
    ("Person", "handle"),
    ("Organisation", "handle"),
    ("Document", "id"),
];

const NO_SLOT: u32 = u32::MAX;

/// The property graph.
#[derive(Clone)]
pub struct Graph {
    g: StableDiGraph<NodeData, RelData, u32>,
    node_slot: Vec<u32>,
    rel_slot: Vec<u32>,
    labels: IndexSet<String>,
    types: IndexSet<String>,
    keys: IndexSet<String>,
    by_label: Vec<BTreeSet<NodeId>>,
    rels_by_type: Vec<u64>,
    /// (label, key) -> value -> nodes.
    prop_indexes: HashMap<(Sym, Sym), PropIndex>,
    /// Bumped on every change to the schema (labels, types, keys, indexes), so
    /// caches such as the REPL's completion lists know when to refresh.
    schema_version: u64,
    /// The full-text index (`fulltext.rs`), built on the first search.
    fulltext: std::sync::OnceLock<fulltext::Index>,
    /// Adjacency and label bitmaps for fast reads (`adj.rs`), derived and optional.
    derived: adj::Derived,
}

impl Default for Graph {
    fn default() -> Self {
        Graph::new()
    }
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Graph({} nodes, {} relationships)",
            self.node_count(),
            self.rel_count()
        )
    }
}

impl Graph {
    /// An empty graph with no indexes.
    pub fn empty() -> Graph {
        Graph {
            g: StableDiGraph::default(),
            node_slot: Vec::new(),
            rel_slot: Vec::new(),
            labels: IndexSet::new(),
            types: IndexSet::new(),
            keys: IndexSet::new(),
            by_label: Vec::new(),
            rels_by_type: Vec::new(),
            prop_indexes: HashMap::new(),
            schema_version: 0,
            fulltext: std::sync::OnceLock::new(),
            derived: adj::Derived::default(),
        }
    }

    /// An empty graph with the default indexes ([`DEFAULT_INDEXES`]).
    pub fn new() -> Graph {
        let mut g = Graph::empty();
        for (l, k) in DEFAULT_INDEXES {
            g.create_index(l, k);
        }
        g
    }

    // ----- reading -----

    pub fn node_count(&self) -> usize {
        self.g.node_count()
    }
    pub fn rel_count(&self) -> usize {
        self.g.edge_count()
    }
    /// The id the next created node gets.
    pub fn next_node_id(&self) -> NodeId {
        NodeId(self.node_slot.len() as u64)
    }
    /// The id the next created relationship gets.
    pub fn next_rel_id(&self) -> RelId {
        RelId(self.rel_slot.len() as u64)
    }
    pub fn schema_version(&self) -> u64 {
        self.schema_version
    }

    fn nidx(&self, id: NodeId) -> Option<NodeIndex<u32>> {
        match self.node_slot.get(id.0 as usize) {
            Some(&s) if s != NO_SLOT => Some(NodeIndex::new(s as usize)),
            _ => None,
        }
    }
    fn eidx(&self, id: RelId) -> Option<EdgeIndex<u32>> {
        match self.rel_slot.get(id.0 as usize) {
            Some(&s) if s != NO_SLOT => Some(EdgeIndex::new(s as usize)),
            _ => None,
        }
    }

    pub fn node(&self, id: NodeId) -> Option<&NodeData> {
        self.nidx(id).and_then(|i| self.g.node_weight(i))
    }
    pub fn rel(&self, id: RelId) -> Option<&RelData> {
        self.eidx(id).and_then(|i| self.g.edge_weight(i))
    }
    pub fn contains_node(&self, id: NodeId) -> bool {
        self.nidx(id).is_some()
    }
    pub fn contains_rel(&self, id: RelId) -> bool {
        self.eidx(id).is_some()
    }

    /// A relationship's (start, end) nodes.
    pub fn rel_ends(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        let e = self.eidx(id)?;
        let (a, b) = self.g.edge_endpoints(e)?;
        Some((self.g[a].id, self.g[b].id))
    }

    /// All nodes, in id order.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.node_slot
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != NO_SLOT)
            .map(|(i, _)| NodeId(i as u64))
    }
    /// All relationships, in id order.
    pub fn rel_ids(&self) -> impl Iterator<Item = RelId> + '_ {
        self.rel_slot
            .iter()
            .enumerate()
            .filter(|(_, s)| **s != NO_SLOT)
            .map(|(i, _)| RelId(i as u64))
    }

    /// Nodes carrying `label`, in id order.
    pub fn nodes_with_label(&self, label: &str) -> impl Iterator<Item = NodeId> + '_ {
        self.label_id(label)
            .and_then(|l| self.by_label.get(l as usize))
            .into_iter()
            .flat_map(|s| s.iter().copied())
    }
    /// Nodes carrying `label` with ids in `range`, in id order (for splitting a scan).
    pub fn nodes_with_label_in(
        &self,
        label: &str,
        range: std::ops::Range<NodeId>,
    ) -> impl Iterator<Item = NodeId> + '_ {
        self.label_id(label)
            .and_then(|l| self.by_label.get(l as usize))
            .into_iter()
            .flat_map(move |s| s.range(range.clone()).copied())
    }
    /// How many nodes carry `label` (O(1)).
    pub fn label_count(&self, label: &str) -> usize {
        self.label_id(label)
            .and_then(|l| self.by_label.get(l as usize))
            .map_or(0, |s| s.len())
    }
    /// How many relationships have type `ty` (O(1)).
    pub fn type_count(&self, ty: &str) -> u64 {
        self.type_id(ty)
            .and_then(|t| self.rels_by_type.get(t as usize))
            .copied()
            .unwrap_or(0)
    }

    /// Relationships at `node` in `dir` (`Outgoing`: node is the start), as
    /// (relationship, other node) pairs. Optionally only of type `ty`.
    pub fn rels_of(
        &self,
        node: NodeId,
        dir: Direction,
        ty: Option<Sym>,
    ) -> impl Iterator<Item = (RelId, NodeId)> + '_ {
        self.nidx(node)
            .into_iter()
            .flat_map(move |i| self.g.edges_directed(i, dir))
            .filter(move |e| ty.is_none_or(|t| e.weight().ty == t))
            .map(move |e| {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                (e.weight().id, self.g[other].id)
            })
    }

    /// The number of relationships at `node` in `dir` (all types).
    pub fn degree(&self, node: NodeId, dir: Direction) -> usize {
        self.nidx(node)
            .map_or(0, |i| self.g.edges_directed(i, dir).count())
    }

    /// Nodes with `label` whose `key` equals `value`, through the index when there
    /// is one (`None` when (label, key) is not indexed).
    pub fn index_lookup(&self, label: &str, key: &str, value: &Value) -> Option<Vec<NodeId>> {
        let l = self.label_id(label);
        let k = self.key_id(key);
        let (l, k) = match (l, k) {
            (Some(l), Some(k)) => (l, k),
            _ => {
                // Unknown label or key: an index may still be declared on them.
                return if self.has_index(label, key) {
                    Some(Vec::new())
                } else {
                    None
                };
            }
        };
        let idx = self.prop_indexes.get(&(l, k))?;
        Some(
            IndexKey::of(value)
                .and_then(|key| idx.get(&key))
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
        )
    }

    /// Every entry of the (label, key) property index: a value and the nodes
    /// holding it, in no particular order (`None` when there is no such index).
    pub fn index_entries(
        &self,
        label: &str,
        key: &str,
    ) -> Option<impl Iterator<Item = (&IndexKey, &BTreeSet<NodeId>)> + '_> {
        let idx = self
            .prop_indexes
            .get(&(self.label_id(label)?, self.key_id(key)?))?;
        Some(idx.iter())
    }

    /// Whether (label, key) has a property index.
    pub fn has_index(&self, label: &str, key: &str) -> bool {
        match (self.label_id(label), self.key_id(key)) {
            (Some(l), Some(k)) => self.prop_indexes.contains_key(&(l, k)),
            _ => false,
        }
    }

    /// The declared indexes as (label, key) names, in a stable order.
    pub fn indexes(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .prop_indexes
            .keys()
            .map(|(l, k)| {
                (
                    self.label_name(*l).to_string(),
                    self.key_name(*k).to_string(),
                )
            })
            .collect();
        v.sort();
        v
    }

    pub fn label_id(&self, name: &str) -> Option<Sym> {
        self.labels.get_index_of(name).map(|i| i as Sym)
    }
    pub fn type_id(&self, name: &str) -> Option<Sym> {
        self.types.get_index_of(name).map(|i| i as Sym)
    }
    pub fn key_id(&self, name: &str) -> Option<Sym> {
        self.keys.get_index_of(name).map(|i| i as Sym)
    }
    pub fn label_name(&self, s: Sym) -> &str {
        self.labels.get_index(s as usize).map_or("", |s| s.as_str())
    }
    pub fn type_name(&self, s: Sym) -> &str {
        self.types.get_index(s as usize).map_or("", |s| s.as_str())
    }
    pub fn key_name(&self, s: Sym) -> &str {
        self.keys.get_index(s as usize).map_or("", |s| s.as_str())
    }
    /// Every label ever used, in the order first seen (some may have no nodes now).
    pub fn label_names(&self) -> impl Iterator<Item = &str> {
        self.labels.iter().map(|s| s.as_str())
    }
    pub fn type_names(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|s| s.as_str())
    }
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|s| s.as_str())
    }

    /// A node's property by name.
    pub fn node_prop(&self, id: NodeId, key: &str) -> Option<&Value> {
        let k = self.key_id(key)?;
        self.node(id)?.props.get(k)
    }
    /// A relationship's property by name.
    pub fn rel_prop(&self, id: RelId, key: &str) -> Option<&Value> {
        let k = self.key_id(key)?;
        self.rel(id)?.props.get(k)
    }
    /// Whether a node carries `label`.
    pub fn has_label(&self, id: NodeId, label: &str) -> bool {
        match (self.label_id(label), self.node(id)) {
            (Some(l), Some(n)) => n.labels.contains(&l),
            _ => false,
        }
    }
    /// A node's labels by name, in the order they were added.
    pub fn node_labels(&self, id: NodeId) -> Vec<&str> {
        self.node(id)
            .map(|n| n.labels.iter().map(|l| self.label_name(*l)).collect())
            .unwrap_or_default()
    }
    /// A node's properties by name, in insertion order.
    pub fn node_props(&self, id: NodeId) -> Vec<(&str, &Value)> {
        self.node(id)
            .map(|n| n.props.iter().map(|(k, v)| (self.key_name(k), v)).collect())
            .unwrap_or_default()
    }
    /// A relationship's properties by name, in insertion order.
    pub fn rel_props(&self, id: RelId) -> Vec<(&str, &Value)> {
        self.rel(id)
            .map(|r| r.props.iter().map(|(k, v)| (self.key_name(k), v)).collect())
            .unwrap_or_default()
    }
    /// A relationship's type name.
    pub fn rel_type(&self, id: RelId) -> Option<&str> {
        self.rel(id).map(|r| self.type_name(r.ty))
    }

    // ----- writing: only through `apply`, which returns the inverse op -----

    fn intern_label(&mut self, name: &str) -> Sym {
        if let Some(i) = self.labels.get_index_of(name) {
            return i as Sym;
        }
        self.schema_version += 1;
        self.labels.insert(name.to_string());
        self.by_label.push(BTreeSet::new());
        self.derived_new_label();
        (self.labels.len() - 1) as Sym
    }
    fn intern_type(&mut self, name: &str) -> Sym {
        if let Some(i) = self.types.get_index_of(name) {
            return i as Sym;
        }
        self.schema_version += 1;
        self.types.insert(name.to_string());
        self.rels_by_type.push(0);
        (self.types.len() - 1) as Sym
    }
    fn intern_key(&mut self, name: &str) -> Sym {
        if let Some(i) = self.keys.get_index_of(name) {
            return i as Sym;
        }
        self.schema_version += 1;
        self.keys.insert(name.to_string());
        (self.keys.len() - 1) as Sym
    }

    /// Declares a property index and fills it from the existing nodes.
    pub fn create_index(&mut self, label: &str, key: &str) {
        let l = self.intern_label(label);
        let k = self.intern_key(key);
        if self.prop_indexes.contains_key(&(l, k)) {
            return;
        }
        self.schema_version += 1;
        let idx = self.scan_prop_index(l, k);
        self.prop_indexes.insert((l, k), idx);
    }

    /// A property index for `(l, k)` built by reading every node labelled `l`.
    fn scan_prop_index(&self, l: Sym, k: Sym) -> PropIndex {
        let mut idx = PropIndex::new();
        for id in self.by_label[l as usize].iter() {
            if let Some(key) = self
                .node(*id)
                .and_then(|n| n.props.get(k))
                .and_then(IndexKey::of)
            {
                idx.entry(key).or_default().insert(*id);
            }
        }
        idx
    }

    fn index_add(&mut self, id: NodeId, labels: &[Sym], key: Sym, value: &Value) {
        let Some(ik) = IndexKey::of(value) else {
            return;
        };
        for l in labels {
            if let Some(idx) = self.prop_indexes.get_mut(&(*l, key)) {
                idx.entry(ik.clone()).or_default().insert(id);
            }
        }
    }
    fn index_remove(&mut self, id: NodeId, labels: &[Sym], key: Sym, value: &Value) {
        let Some(ik) = IndexKey::of(value) else {
            return;
        };
        for l in labels {
            if let Some(idx) = self.prop_indexes.get_mut(&(*l, key))
                && let Some(set) = idx.get_mut(&ik)
            {
                set.remove(&id);
                if set.is_empty() {
                    idx.remove(&ik);
                }
            }
        }
    }

    fn check_storable(key: &str, v: &Value) -> Result<()> {
        if v.is_storable() {
            Ok(())
        } else {
            Err(Error::Input(format!(
                "property `{key}` cannot hold a {} value",
                v.type_name()
            )))
        }
    }

    /// Applies one op and returns its inverse. On error nothing has changed.
    pub fn apply(&mut self, op: &Op) -> Result<Op> {
        let touched = self.fulltext_before(op);
        self.derived_before(op);
        let inverse = self.apply_op(op);
        self.fulltext_after(touched);
        inverse
    }

    fn apply_op(&mut self, op: &Op) -> Result<Op> {
        match op {
            Op::CreateNode { id, labels, props } => {
                if self.contains_node(*id) {
                    return Err(Error::Internal(format!("node {} already exists", id.0)));
                }
                for (k, v) in props {
                    Self::check_storable(k, v)?;
                }
                let mut ls: Vec<Sym> = Vec::with_capacity(labels.len());
                for l in labels {
                    let s = self.intern_label(l);
                    if !ls.contains(&s) {
                        ls.push(s);
                    }
                }
                let mut p = Props::default();
                let mut v: Vec<(Sym, Value)> = Vec::with_capacity(props.len());
                for (k, val) in props {
                    let s = self.intern_key(k);
                    if val.is_null() {
                        continue;
                    }
                    match v.iter_mut().find(|(kk, _)| *kk == s) {
                        Some(slot) => slot.1 = val.clone(),
                        None => v.push((s, val.clone())),
                    }
                }
                p.0 = v.into_boxed_slice();
                let idx = self.g.add_node(NodeData {
                    id: *id,
                    labels: ls.clone().into_boxed_slice(),
                    props: p.clone(),
                });
                let slot = id.0 as usize;
                if self.node_slot.len() <= slot {
                    self.node_slot.resize(slot + 1, NO_SLOT);
                }
                self.node_slot[slot] = idx.index() as u32;
                for l in &ls {
                    self.by_label[*l as usize].insert(*id);
                    self.derived_label(*l, *id, true);
                }
                for (k, val) in p.iter() {
                    self.index_add(*id, &ls, k, val);
                }
                Ok(Op::DeleteNode { id: *id })
            }
            Op::DeleteNode { id } => {
                let i = self
                    .nidx(*id)
                    .ok_or_else(|| Error::Internal(format!("node {} does not exist", id.0)))?;
                if self
                    .g
                    .edges_directed(i, Direction::Outgoing)
                    .next()
                    .is_some()
                    || self
                        .g
                        .edges_directed(i, Direction::Incoming)
                        .next()
                        .is_some()
                {
                    return Err(Error::Input(format!(
                        "cannot delete node {} because it still has relationships; use DETACH DELETE",
                        id.0
                    )));
                }
                let data = self
                    .g
                    .remove_node(i)
                    .ok_or_else(|| Error::Internal("node vanished".into()))?;
                self.node_slot[id.0 as usize] = NO_SLOT;
                for l in data.labels.iter() {
                    self.by_label[*l as usize].remove(id);
                    self.derived_label(*l, *id, false);
                }
                for (k, v) in data.props.iter() {
                    self.index_remove(*id, &data.labels, k, v);
                }
                Ok(Op::CreateNode {
                    id: *id,
                    labels: data
                        .labels
                        .iter()
                        .map(|l| self.label_name(*l).to_string())
                        .collect(),
                    props: data
                        .props
                        .iter()
                        .map(|(k, v)| (self.key_name(k).to_string(), v.clone()))
                        .collect(),
                })
            }
            Op::CreateRel {
                id,
                start,
                end,
                ty,
                props,
            } => {
                if self.contains_rel(*id) {
                    return Err(Error::Internal(format!(
                        "relationship {} already exists",
                        id.0
                    )));
                }
                let (a, b) = match (self.nidx(*start), self.nidx(*end)) {
                    (Some(a), Some(b)) => (a, b),
                    _ => {
                        return Err(Error::Internal(format!(
                            "relationship {} joins a node that does not exist",
                            id.0
                        )));
                    }
                };
                for (k, v) in props {
                    Self::check_storable(k, v)?;
                }
                let t = self.intern_type(ty);
                let mut v: Vec<(Sym, Value)> = Vec::with_capacity(props.len());
                for (k, val) in props {
                    let s = self.intern_key(k);
                    if val.is_null() {
                        continue;
                    }
                    match v.iter_mut().find(|(kk, _)| *kk == s) {
                        Some(slot) => slot.1 = val.clone(),
                        None => v.push((s, val.clone())),
                    }
                }
                let e = self.g.add_edge(
                    a,
                    b,
                    RelData {
                        id: *id,
                        ty: t,
                        props: Props(v.into_boxed_slice()),
                    },
                );
                let slot = id.0 as usize;
                if self.rel_slot.len() <= slot {
                    self.rel_slot.resize(slot + 1, NO_SLOT);
                }
                self.rel_slot[slot] = e.index() as u32;
                self.rels_by_type[t as usize] += 1;
                Ok(Op::DeleteRel { id: *id })
            }
            Op::DeleteRel { id } => {
                let e = self.eidx(*id).ok_or_else(|| {
                    Error::Internal(format!("relationship {} does not exist", id.0))
                })?;
                let (a, b) = self
                    .g
                    .edge_endpoints(e)
                    .ok_or_else(|| Error::Internal("relationship without ends".into()))?;
                let (start, end) = (self.g[a].id, self.g[b].id);
                let data = self
                    .g
                    .remove_edge(e)
                    .ok_or_else(|| Error::Internal("edge vanished".into()))?;
                self.rel_slot[id.0 as usize] = NO_SLOT;
                self.rels_by_type[data.ty as usize] -= 1;
                Ok(Op::CreateRel {
                    id: *id,
                    start,
                    end,
                    ty: self.type_name(data.ty).to_string(),
                    props: data
                        .props
                        .iter()
                        .map(|(k, v)| (self.key_name(k).to_string(), v.clone()))
                        .collect(),
                })
            }
            Op::SetNodeProp { id, key, value } => {
                Self::check_storable(key, value)?;
                let i = self
                    .nidx(*id)
                    .ok_or_else(|| Error::Internal(format!("node {} does not exist", id.0)))?;
                let k = self.intern_key(key);
                let labels = self.g[i].labels.clone();
                let old = self.g[i].props.set(k, value.clone());
                if let Some(o) = &old {
                    self.index_remove(*id, &labels, k, o);
                }
                self.index_add(*id, &labels, k, value);
                Ok(Op::SetNodeProp {
                    id: *id,
                    key: key.clone(),
                    value: old.unwrap_or(Value::Null),
                })
            }
            Op::SetRelProp { id, key, value } => {
                Self::check_storable(key, value)?;
                let e = self.eidx(*id).ok_or_else(|| {
                    Error::Internal(format!("relationship {} does not exist", id.0))
                })?;
                let k = self.intern_key(key);
                let old = self.g[e].props.set(k, value.clone());
                Ok(Op::SetRelProp {
                    id: *id,
                    key: key.clone(),
                    value: old.unwrap_or(Value::Null),
                })
            }
            Op::AddLabel { id, label } => {
                let i = self
                    .nidx(*id)
                    .ok_or_else(|| Error::Internal(format!("node {} does not exist", id.0)))?;
                let l = self.intern_label(label);
                if self.g[i].labels.contains(&l) {
                    // Already there: the inverse must not remove it.
                    return Ok(Op::AddLabel {
                        id: *id,
                        label: label.clone(),
                    });
                }
                let mut ls = self.g[i].labels.to_vec();
                ls.push(l);
                self.g[i].labels = ls.into_boxed_slice();
                self.by_label[l as usize].insert(*id);
                self.derived_label(l, *id, true);
                let props: Vec<(Sym, Value)> = self.g[i]
                    .props
                    .iter()
                    .map(|(k, v)| (k, v.clone()))
                    .collect();
                for (k, v) in props {
                    self.index_add(*id, &[l], k, &v);
                }
                Ok(Op::RemoveLabel {
                    id: *id,
                    label: label.clone(),
                })
            }
            Op::RemoveLabel { id, label } => {
                let i = self
                    .nidx(*id)
                    .ok_or_else(|| Error::Internal(format!("node {} does not exist", id.0)))?;
                let Some(l) = self.label_id(label) else {
                    return Ok(Op::RemoveLabel {
                        id: *id,
                        label: label.clone(),
                    });
                };
                if !self.g[i].labels.contains(&l) {
                    return Ok(Op::RemoveLabel {
                        id: *id,
                        label: label.clone(),
                    });
                }
                let ls: Vec<Sym> = self.g[i]
                    .labels
                    .iter()
                    .copied()
                    .filter(|x| *x != l)
                    .collect();
                self.g[i].labels = ls.into_boxed_slice();
                self.by_label[l as usize].remove(id);
                self.derived_label(l, *id, false);
                let props: Vec<(Sym, Value)> = self.g[i]
                    .props
                    .iter()
                    .map(|(k, v)| (k, v.clone()))
                    .collect();
                for (k, v) in props {
                    self.index_remove(*id, &[l], k, &v);
                }
                Ok(Op::AddLabel {
                    id: *id,
                    label: label.clone(),
                })
            }
            Op::CreateIndex { label, key } => {
                self.create_index(label, key);
                // Dropping an index is never needed to roll back: an index changes
                // no query's answer, and re-creating it is idempotent.
                Ok(Op::CreateIndex {
                    label: label.clone(),
                    key: key.clone(),
                })
            }
        }
    }

    /// Applies a batch of ops (log replay); stops at the first error.
    pub fn apply_all<'a>(&mut self, ops: impl IntoIterator<Item = &'a Op>) -> Result<()> {
        for op in ops {
            self.apply(op)?;
        }
        Ok(())
    }

    /// Reserves ids so the next created node/relationship gets at least these ids.
    /// Used when loading a snapshot whose highest ids were deleted: ids are never reused.
    pub fn reserve_ids(&mut self, next_node: u64, next_rel: u64) {
        if (self.node_slot.len() as u64) < next_node {
            self.node_slot.resize(next_node as usize, NO_SLOT);
        }
        if (self.rel_slot.len() as u64) < next_rel {
            self.rel_slot.resize(next_rel as usize, NO_SLOT);
        }
    }
}

/// Counts of what a write did, as the REPL's footer reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteStats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub rels_created: u64,
    pub rels_deleted: u64,
    /// Properties given a (non-null) value, including at creation.
    pub props_set: u64,
    /// Properties removed (set to null, or removed with REMOVE).
    pub props_removed: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
}

impl WriteStats {
    pub fn is_empty(&self) -> bool {
        *self == WriteStats::default()
    }
}

impl fmt::Display for WriteStats {
    /// "created 3 nodes, set 5 properties" (only the non-zero counters).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [
            (self.nodes_created, "created", "node"),
            (self.nodes_deleted, "deleted", "node"),
            (self.rels_created, "created", "relationship"),
            (self.rels_deleted, "deleted", "relationship"),
            (self.props_set, "set", "property"),
            (self.props_removed, "removed", "property"),
            (self.labels_added, "added", "label"),
            (self.labels_removed, "removed", "label"),
        ]
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, verb, noun)| {
            let noun = match (noun, *n) {
                (n, 1) => n.to_string(),
                (&"property", _) => "properties".to_string(),
                (n, _) => format!("{n}s"),
            };
            format!("{verb} {n} {noun}")
        })
        .collect();
        f.write_str(&parts.join(", "))
    }
}

/// A write transaction over a graph: every change is applied at once (so the
/// transaction reads its own writes), recorded for the log, and undone if the
/// transaction is dropped without [`Txn::commit`].
pub struct Txn<'g> {
    graph: &'g mut Graph,
    redo: Vec<Op>,
    undo: Vec<Op>,
    stats: WriteStats,
    done: bool,
}

impl<'g> Txn<'g> {
    pub fn new(graph: &'g mut Graph) -> Txn<'g> {
        Txn {
            graph,
            redo: Vec::new(),
            undo: Vec::new(),
            stats: WriteStats::default(),
            done: false,
        }
    }

    /// The graph as it stands inside the transaction.
    pub fn graph(&self) -> &Graph {
        self.graph
    }
    pub fn stats(&self) -> WriteStats {
        self.stats
    }
    /// Whether anything has been written.
    pub fn is_empty(&self) -> bool {
        self.redo.is_empty()
    }

    fn apply(&mut self, op: Op) -> Result<()> {
        let inverse = self.graph.apply(&op)?;
        self.undo.push(inverse);
        self.redo.push(op);
        Ok(())
    }

    pub fn create_node(&mut self, labels: &[&str], props: Vec<(String, Value)>) -> Result<NodeId> {
        let id = self.graph.next_node_id();
        let set = props.iter().filter(|(_, v)| !v.is_null()).count() as u64;
        self.apply(Op::CreateNode {
            id,
            labels: labels.iter().map(|s| s.to_string()).collect(),
            props,
        })?;
        self.stats.nodes_created += 1;
        self.stats.labels_added += labels.len() as u64;
        self.stats.props_set += set;
        Ok(id)
    }

    pub fn create_rel(
        &mut self,
        start: NodeId,
        end: NodeId,
        ty: &str,
        props: Vec<(String, Value)>,
    ) -> Result<RelId> {
        let id = self.graph.next_rel_id();
        let set = props.iter().filter(|(_, v)| !v.is_null()).count() as u64;
        self.apply(Op::CreateRel {
            id,
            start,
            end,
            ty: ty.to_string(),
            props,
        })?;
        self.stats.rels_created += 1;
        self.stats.props_set += set;
        Ok(id)
    }

    pub fn set_node_prop(&mut self, id: NodeId, key: &str, value: Value) -> Result<()> {
        self.apply(Op::SetNodeProp {
            id,
            key: key.to_string(),
            value,
        })?;
        self.stats.props_set += 1;
        Ok(())
    }

    pub fn set_rel_prop(&mut self, id: RelId, key: &str, value: Value) -> Result<()> {
        self.apply(Op::SetRelProp {
            id,
            key: key.to_string(),
            value,
        })?;
        self.stats.props_set += 1;
        Ok(())
    }

    pub fn add_label(&mut self, id: NodeId, label: &str) -> Result<()> {
        if !self.graph.has_label(id, label) {
            self.apply(Op::AddLabel {
                id,
                label: label.to_string(),
            })?;
            self.stats.labels_added += 1;
        }
        Ok(())
    }

    pub fn remove_label(&mut self, id: NodeId, label: &str) -> Result<()> {
        if self.graph.has_label(id, label) {
            self.apply(Op::RemoveLabel {
                id,
                label: label.to_string(),
            })?;
            self.stats.labels_removed += 1;
        }
        Ok(())
    }

    /// Deletes a relationship.
    pub fn delete_rel(&mut self, id: RelId) -> Result<()> {
        self.apply(Op::DeleteRel { id })?;
        self.stats.rels_deleted += 1;
        Ok(())
    }

    /// Deletes a node; with `detach`, its relationships first (else having any is an error).
    pub fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<()> {
        if detach {
            let mut rels: Vec<RelId> = self
                .graph
                .rels_of(id, Direction::Outgoing, None)
                .chain(self.graph.rels_of(id, Direction::Incoming, None))
                .map(|(r, _)| r)
                .collect();
            rels.sort();
            rels.dedup();
            for r in rels {
                self.delete_rel(r)?;
            }
        }
        self.apply(Op::DeleteNode { id })?;
        self.stats.nodes_deleted += 1;
        Ok(())
    }

    pub fn create_index(&mut self, label: &str, key: &str) -> Result<()> {
        if !self.graph.has_index(label, key) {
            self.apply(Op::CreateIndex {
                label: label.to_string(),
                key: key.to_string(),
            })?;
        }
        Ok(())
    }

    /// Ends the transaction, keeping its changes; returns the ops to log.
    pub fn commit(mut self) -> (Vec<Op>, WriteStats) {
        self.done = true;
        (std::mem::take(&mut self.redo), self.stats)
    }

    /// Ends the transaction, undoing its changes.
    pub fn rollback(mut self) {
        self.undo_all();
    }

    fn undo_all(&mut self) {
        self.done = true;
        while let Some(op) = self.undo.pop() {
            // An inverse op re-creates exactly what was there; it cannot fail
            // unless the graph was changed behind the transaction's back.
            let _ = self.graph.apply(&op);
        }
        self.redo.clear();
    }
}

impl Drop for Txn<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.undo_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(t: &mut Txn, name: &str) -> NodeId {
        t.create_node(&["Person"], vec![("name".into(), Value::str(name))])
            .unwrap_or(NodeId(u64::MAX))
    }

    #[test]
    fn ids_are_never_reused() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = person(&mut t, "a");
        t.delete_node(a, false).ok();
        let b = person(&mut t, "b");
        assert_ne!(a, b);
        t.commit();
        assert_eq!(g.node_count(), 1);
    }

    #[test]
    fn rollback_restores_everything() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = person(&mut t, "a");
        let b = person(&mut t, "b");
        t.create_rel(a, b, "KNOWS", vec![]).ok();
        t.commit();
        {
            let mut t = Txn::new(&mut g);
            t.set_node_prop(a, "name", Value::str("z")).ok();
            t.delete_node(b, true).ok();
            t.rollback();
        }
        assert_eq!(g.node_count(), 2);
        assert_eq!(g.rel_count(), 1);
        assert_eq!(
            g.index_lookup("Person", "name", &Value::str("a")),
            Some(vec![a])
        );
        assert_eq!(
            g.index_lookup("Person", "name", &Value::str("z")),
            Some(vec![])
        );
    }

    #[test]
    fn delete_with_relationships_needs_detach() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = person(&mut t, "a");
        let b = person(&mut t, "b");
        t.create_rel(a, b, "KNOWS", vec![]).ok();
        assert!(t.delete_node(a, false).is_err());
        assert!(t.delete_node(a, true).is_ok());
    }

    #[test]
    fn index_follows_labels_and_values() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = t
            .create_node(&["Thing"], vec![("name".into(), Value::str("x"))])
            .unwrap_or(NodeId(0));
        t.add_label(a, "Person").ok();
        assert_eq!(
            t.graph().index_lookup("Person", "name", &Value::str("x")),
            Some(vec![a])
        );
        t.remove_label(a, "Person").ok();
        assert_eq!(
            t.graph().index_lookup("Person", "name", &Value::str("x")),
            Some(vec![])
        );
        t.commit();
        assert_eq!(g.index_lookup("Thing", "name", &Value::str("x")), None);
    }

    #[test]
    fn maps_are_not_storable() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let r = t.create_node(&[], vec![("m".into(), Value::Map(Box::default()))]);
        assert!(r.is_err());
    }
}
