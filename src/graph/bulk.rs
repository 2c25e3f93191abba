//! Bulk loading: building a graph element by element with names interned up front,
//! for the two places that create millions of elements at once (loading a snapshot
//! and importing a file into an empty store).
//!
//! [`Graph::apply`] keeps every index in step with each op and returns an inverse;
//! that is what a transaction needs and too much for a load. Here nodes go in with
//! their label and key symbols already resolved, label sets are gathered per label
//! and turned into sorted sets once, and property indexes are rebuilt at the end by
//! [`Graph::bulk_finish`]. Until then the graph is not consistent, so the loader
//! owns it alone (the store swaps it in only when the load is done).

use std::collections::{BTreeSet, HashMap};

use petgraph::stable_graph::{NodeIndex, StableDiGraph};

use super::{Graph, NO_SLOT, NodeData, NodeId, PropIndex, Props, RelData, RelId, Sym, Txn};
use crate::error::{Error, Result};
use crate::graph::{IndexKey, Op};
use crate::value::Value;

/// What a bulk load gathers as nodes go in, turned into label sets and property
/// indexes by [`BulkState::prepare`] and installed by [`Graph::bulk_finish`].
#[derive(Default)]
pub struct BulkState {
    /// Per label, its nodes in insertion (= id) order.
    by_label: Vec<Vec<NodeId>>,
    /// Per label, the indexes declared on it before the nodes came: (key, position
    /// in `entries`). Set by [`Graph::bulk_watch_indexes`].
    watch: Vec<Vec<(Sym, usize)>>,
    /// Per watched index, the (value, node) pairs seen so far.
    entries: Vec<((Sym, Sym), Entries)>,
    /// The prepared sets and maps, once [`BulkState::prepare`] ran.
    built: Option<Built>,
    /// Whether any node went in (watching indexes is too late then).
    pushed: bool,
}

#[derive(Default)]
struct Built {
    label_sets: Vec<BTreeSet<NodeId>>,
    indexes: Vec<((Sym, Sym), PropIndex)>,
}

impl BulkState {
    /// Does the heavy part of finishing a load that needs no graph: sorts the label
    /// sets and hashes the gathered index entries into maps. It touches only what
    /// the state holds, so a loader can run it on another thread while it goes on
    /// adding relationships (nodes must all be in by then); [`Graph::bulk_finish`]
    /// then only moves the results into place.
    pub fn prepare(mut self) -> BulkState {
        if self.built.is_some() {
            return self;
        }
        let label_sets = std::mem::take(&mut self.by_label)
            .into_iter()
            // Ids arrive in increasing order, so this is a linear bulk build.
            .map(|ids| ids.into_iter().collect::<BTreeSet<NodeId>>())
            .collect();
        let indexes = std::mem::take(&mut self.entries)
            .into_iter()
            .map(|(lk, pairs)| {
                let mut idx = PropIndex::with_capacity(pairs.len());
                for (key, id) in pairs {
                    idx.entry(key).or_default().insert(id);
                }
                (lk, idx)
            })
            .collect();
        self.built = Some(Built {
            label_sets,
            indexes,
        });
        self
    }
}

/// Where petgraph keeps the nodes, for [`Graph::bulk_prefetch_node`].
#[derive(Debug, Clone, Copy)]
pub struct Prefetcher {
    base: usize,
    stride: usize,
}

/// The (value, node) pairs gathered for one index.
type Entries = Vec<(IndexKey, NodeId)>;

/// A node decoded for a bulk load and checked against the names it may use (see
/// [`BulkNode::new`]), ready for [`Graph::bulk_push_node`].
#[derive(Debug)]
pub struct BulkNode {
    pub id: NodeId,
    labels: Box<[Sym]>,
    props: Props,
}

/// A relationship decoded for a bulk load, ready for [`Graph::bulk_push_rel`].
#[derive(Debug)]
pub struct BulkRel {
    pub id: RelId,
    pub start: NodeId,
    pub end: NodeId,
    ty: Sym,
    props: Props,
}

/// The names a bulk-loaded element may refer to: how many labels and types there
/// are, and the property keys (named in error messages).
#[derive(Debug, Clone, Copy)]
pub struct BulkNames<'a> {
    pub labels: usize,
    pub types: usize,
    pub keys: &'a indexmap::set::Slice<String>,
}

impl BulkNode {
    /// Checks a decoded node: every label and key defined, labels without repeats
    /// (a repeat is dropped), properties storable and without repeats, nulls
    /// dropped. Needs no graph, so a loader's decoding thread can run it.
    pub fn new(
        id: NodeId,
        mut labels: Vec<Sym>,
        props: Vec<(Sym, Value)>,
        names: BulkNames,
    ) -> Result<BulkNode> {
        for (i, &l) in labels.iter().enumerate() {
            if l as usize >= names.labels {
                return Err(Error::Input(format!("label symbol {l} is not defined")));
            }
            if labels[..i].contains(&l) {
                // Rare: only then pay for the dedup.
                let mut ls: Vec<Sym> = Vec::with_capacity(labels.len());
                for &l in &labels {
                    if l as usize >= names.labels {
                        return Err(Error::Input(format!("label symbol {l} is not defined")));
                    }
                    if !ls.contains(&l) {
                        ls.push(l);
                    }
                }
                labels = ls;
                break;
            }
        }
        Ok(BulkNode {
            id,
            labels: labels.into_boxed_slice(),
            props: check_props(props, names.keys)?,
        })
    }
}

impl BulkRel {
    /// Checks a decoded relationship's type and properties (see [`BulkNode::new`]);
    /// that its ends exist is checked when it goes in.
    pub fn new(
        id: RelId,
        start: NodeId,
        end: NodeId,
        ty: Sym,
        props: Vec<(Sym, Value)>,
        names: BulkNames,
    ) -> Result<BulkRel> {
        if ty as usize >= names.types {
            return Err(Error::Input(format!("type symbol {ty} is not defined")));
        }
        Ok(BulkRel {
            id,
            start,
            end,
            ty,
            props: check_props(props, names.keys)?,
        })
    }
}

fn check_props(mut props: Vec<(Sym, Value)>, keys: &indexmap::set::Slice<String>) -> Result<Props> {
    let name = |k: Sym| keys.get_index(k as usize).map_or("", |s| s.as_str());
    if props.iter().any(|(_, v)| v.is_null()) {
        props.retain(|(_, v)| !v.is_null());
    }
    for (i, (k, v)) in props.iter().enumerate() {
        if *k as usize >= keys.len() {
            return Err(Error::Input(format!("key symbol {k} is not defined")));
        }
        if !v.is_storable() {
            return Err(Error::Input(format!(
                "property `{}` cannot hold a {} value",
                name(*k),
                v.type_name()
            )));
        }
        if props[..i].iter().any(|(k2, _)| k2 == k) {
            return Err(Error::Input(format!(
                "property `{}` appears twice",
                name(*k)
            )));
        }
    }
    Ok(Props(props.into_boxed_slice()))
}

impl Graph {
    /// Reserves room for `nodes` and `rels` more elements (a load knows its counts).
    pub fn bulk_reserve(&mut self, nodes: usize, rels: usize) {
        if self.g.node_count() == 0 && self.g.edge_count() == 0 {
            self.g = StableDiGraph::with_capacity(nodes, rels);
        } else {
            self.g.reserve_nodes(nodes);
            self.g.reserve_edges(rels);
        }
        self.node_slot.reserve(nodes);
        self.rel_slot.reserve(rels);
    }

    /// Interns a label (bulk loading resolves names once, up front).
    pub fn bulk_label(&mut self, name: &str) -> Sym {
        self.intern_label(name)
    }
    /// Interns a relationship type.
    pub fn bulk_type(&mut self, name: &str) -> Sym {
        self.intern_type(name)
    }
    /// Interns a property key.
    pub fn bulk_key(&mut self, name: &str) -> Sym {
        self.intern_key(name)
    }
    /// How many names of each kind are interned: (labels, types, keys).
    pub fn name_counts(&self) -> (usize, usize, usize) {
        (self.labels.len(), self.types.len(), self.keys.len())
    }

    /// Makes the nodes added from now on gather entries for the property indexes
    /// declared so far, so [`BulkState::prepare`] can build those indexes without
    /// a second pass over the nodes. (Indexes declared later are rebuilt from the
    /// nodes by [`Graph::bulk_finish`].) Once a node is in, this does nothing: the
    /// entries of the nodes before would be missing.
    pub fn bulk_watch_indexes(&self, st: &mut BulkState) {
        if st.pushed || st.built.is_some() {
            return;
        }
        let mut declared: Vec<(Sym, Sym)> = self.prop_indexes.keys().copied().collect();
        declared.sort_unstable();
        for (l, k) in declared {
            if st.entries.iter().any(|(lk, _)| *lk == (l, k)) {
                continue;
            }
            if st.watch.len() <= l as usize {
                st.watch.resize_with(l as usize + 1, Vec::new);
            }
            st.watch[l as usize].push((k, st.entries.len()));
            st.entries.push(((l, k), Vec::new()));
        }
    }

    /// Adds a node with interned labels and keys. Property indexes are not updated
    /// until [`Graph::bulk_finish`]. Errors (never panics) on an id in use, a symbol
    /// out of range or an unstorable value, so a corrupt file cannot crash a load.
    pub fn bulk_add_node(
        &mut self,
        st: &mut BulkState,
        id: NodeId,
        labels: &[Sym],
        props: Vec<(Sym, Value)>,
    ) -> Result<()> {
        let names = BulkNames {
            labels: self.labels.len(),
            types: self.types.len(),
            keys: self.keys.as_slice(),
        };
        let n = BulkNode::new(id, labels.to_vec(), props, names)?;
        self.bulk_push_node(st, n)
    }

    /// Adds a checked node (see [`BulkNode::new`]).
    pub fn bulk_push_node(&mut self, st: &mut BulkState, n: BulkNode) -> Result<()> {
        let id = n.id;
        if self.contains_node(id) {
            return Err(Error::Input(format!("node {} appears twice", id.0)));
        }
        if let Some(&l) = n.labels.iter().find(|l| **l as usize >= self.labels.len()) {
            return Err(Error::Input(format!("label symbol {l} is not defined")));
        }
        let slot = usize::try_from(id.0)
            .ok()
            .filter(|s| *s < u32::MAX as usize)
            .ok_or_else(|| Error::Input(format!("node id {} is out of range", id.0)))?;
        if st.by_label.len() < self.labels.len() {
            st.by_label.resize_with(self.labels.len(), Vec::new);
        }
        st.pushed = true;
        for &l in n.labels.iter() {
            st.by_label[l as usize].push(id);
            for &(k, at) in st.watch.get(l as usize).map_or(&[][..], |w| w.as_slice()) {
                if let Some(key) = n.props.get(k).and_then(IndexKey::of) {
                    st.entries[at].1.push((key, id));
                }
            }
        }
        let idx = self.g.add_node(NodeData {
            id,
            labels: n.labels,
            props: n.props,
        });
        if self.node_slot.len() <= slot {
            self.node_slot.resize(slot + 1, NO_SLOT);
        }
        self.node_slot[slot] = idx.index() as u32;
        Ok(())
    }

    /// Adds a relationship between two nodes already present.
    pub fn bulk_add_rel(
        &mut self,
        id: RelId,
        start: NodeId,
        end: NodeId,
        ty: Sym,
        props: Vec<(Sym, Value)>,
    ) -> Result<()> {
        let names = BulkNames {
            labels: self.labels.len(),
            types: self.types.len(),
            keys: self.keys.as_slice(),
        };
        let r = BulkRel::new(id, start, end, ty, props, names)?;
        self.bulk_push_rel(r)
    }

    /// Adds a checked relationship (see [`BulkRel::new`]) between two nodes
    /// already present.
    pub fn bulk_push_rel(&mut self, r: BulkRel) -> Result<()> {
        let BulkRel {
            id,
            start,
            end,
            ty,
            props,
        } = r;
        if self.contains_rel(id) {
            return Err(Error::Input(format!("relationship {} appears twice", id.0)));
        }
        if ty as usize >= self.types.len() {
            return Err(Error::Input(format!("type symbol {ty} is not defined")));
        }
        let (Some(a), Some(b)) = (self.nidx(start), self.nidx(end)) else {
            return Err(Error::Input(format!(
                "relationship {} joins a node that does not exist ({} -> {})",
                id.0, start.0, end.0
            )));
        };
        let slot = usize::try_from(id.0)
            .ok()
            .filter(|s| *s < u32::MAX as usize)
            .ok_or_else(|| Error::Input(format!("relationship id {} is out of range", id.0)))?;
        let e = self.g.add_edge(a, b, RelData { id, ty, props });
        if self.rel_slot.len() <= slot {
            self.rel_slot.resize(slot + 1, NO_SLOT);
        }
        self.rel_slot[slot] = e.index() as u32;
        self.rels_by_type[ty as usize] += 1;
        Ok(())
    }

    /// Asks the processor to fetch where node `id`'s slot number is kept, ahead of
    /// [`Graph::bulk_prefetch_node`] (which reads it: on a large graph that read is
    /// itself a cache miss).
    #[inline]
    pub fn bulk_prefetch_slot(&self, id: NodeId) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let addr = self.node_slot.as_ptr().wrapping_add(id.0 as usize);
            // SAFETY: as in bulk_prefetch_node: a prefetch never faults.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(addr as *const i8) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = id;
    }

    /// Prepares [`Graph::bulk_prefetch_node`] (call once the nodes are in).
    pub fn bulk_prefetcher(&self) -> Prefetcher {
        // petgraph keeps nodes in one vector: the distance between the first two
        // nodes' weights is the stride. A loaded graph has its nodes at 0, 1, ….
        let at = |i: usize| {
            self.g
                .node_weight(NodeIndex::new(i))
                .map(|w| w as *const NodeData as usize)
        };
        match (at(0), at(1)) {
            (Some(a), Some(b)) if b > a => Prefetcher {
                base: a,
                stride: b - a,
            },
            _ => Prefetcher { base: 0, stride: 0 },
        }
    }

    /// Asks the processor to fetch node `id`'s slot into the cache. Adding a
    /// relationship reads and writes both end nodes' slots, which on a large graph
    /// are cache misses at random places; the loader prefetches the ends of a
    /// relationship a few places ahead of the one it adds, so the misses overlap
    /// instead of coming one after another. Only a hint: a wrong address costs
    /// nothing but the hint (a prefetch never faults), so this relies on
    /// petgraph's layout for speed only, never for correctness.
    #[inline]
    pub fn bulk_prefetch_node(&self, p: &Prefetcher, id: NodeId) {
        // The slot number is read here, so it should be in the cache already:
        // see bulk_prefetch_slot.
        if p.stride == 0 {
            return;
        }
        let Some(&slot) = self.node_slot.get(id.0 as usize) else {
            return;
        };
        let addr = p.base.wrapping_add(p.stride.wrapping_mul(slot as usize));
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never
            // faults or reads into the program, whatever the address.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(addr as *const i8);
                _mm_prefetch::<_MM_HINT_T0>(addr.wrapping_add(p.stride - 1) as *const i8);
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = addr;
    }

    /// Ends a bulk load: installs the label sets and property indexes (prepared by
    /// [`BulkState::prepare`], on this thread if nobody did), and builds from the
    /// nodes any index declared after they went in.
    pub fn bulk_finish(&mut self, st: BulkState) {
        let built = st.prepare().built.unwrap_or_default();
        for (l, set) in built.label_sets.into_iter().enumerate() {
            if set.is_empty() {
                continue;
            }
            let have = &mut self.by_label[l];
            if have.is_empty() {
                *have = set;
            } else {
                have.extend(set);
            }
        }
        let mut ready: HashMap<(Sym, Sym), PropIndex> = built.indexes.into_iter().collect();
        let declared: Vec<(Sym, Sym)> = self.prop_indexes.keys().copied().collect();
        for (l, k) in declared {
            let idx = match ready.remove(&(l, k)) {
                Some(mut idx) => {
                    // Nodes from before the load (none when loading a snapshot or
                    // importing into an empty store) keep their entries.
                    if let Some(old) = self.prop_indexes.remove(&(l, k)) {
                        for (key, ids) in old {
                            idx.entry(key).or_default().extend(ids);
                        }
                    }
                    idx
                }
                None => self.scan_prop_index(l, k),
            };
            self.prop_indexes.insert((l, k), idx);
        }
        self.schema_version += 1;
        self.derived_reset();
    }

    /// Recomputes every property index and label set from the elements and says
    /// where the kept ones differ (for `dossier check`); empty when all agree.
    pub fn verify_indexes(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (l, set) in self.by_label.iter().enumerate() {
            for id in set {
                if !self
                    .node(*id)
                    .is_some_and(|n| n.labels.contains(&(l as Sym)))
                {
                    problems.push(format!(
                        "label set :{} lists node {} which does not carry it",
                        self.label_name(l as Sym),
                        id.0
                    ));
                }
            }
        }
        for ((l, k), idx) in &self.prop_indexes {
            let mut want = PropIndex::new();
            if let Some(set) = self.by_label.get(*l as usize) {
                for id in set {
                    if let Some(key) = self
                        .node(*id)
                        .and_then(|n| n.props.get(*k))
                        .and_then(IndexKey::of)
                    {
                        want.entry(key).or_default().insert(*id);
                    }
                }
            }
            if &want != idx {
                problems.push(format!(
                    "index on :{}({}) does not match the nodes",
                    self.label_name(*l),
                    self.key_name(*k)
                ));
            }
        }
        problems
    }
}

impl Txn<'_> {
    /// The ops applied so far, in order: what the store logs before committing.
    pub fn pending_ops(&self) -> &[Op] {
        &self.redo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_load_into_a_graph_with_nodes_keeps_their_index_entries() {
        let mut g = Graph::new();
        let mut t = Txn::new(&mut g);
        let a = t.create_node(&["Person"], vec![("name".into(), Value::str("a"))]);
        assert!(a.is_ok(), "{a:?}");
        t.commit();
        let mut st = BulkState::default();
        g.bulk_watch_indexes(&mut st);
        let (l, k) = (g.bulk_label("Person"), g.bulk_key("name"));
        let r = g.bulk_add_node(&mut st, NodeId(5), &[l, l], vec![(k, Value::str("b"))]);
        assert!(r.is_ok(), "{r:?}");
        g.bulk_finish(st);
        assert_eq!(g.verify_indexes(), Vec::<String>::new());
        assert_eq!(g.label_count("Person"), 2);
        assert_eq!(
            g.node_labels(NodeId(5)),
            vec!["Person"],
            "a repeated label is dropped"
        );
        for name in ["a", "b"] {
            let found = g.index_lookup("Person", "name", &Value::str(name));
            assert_eq!(found.map(|v| v.len()), Some(1), "{name}");
        }
    }
}
