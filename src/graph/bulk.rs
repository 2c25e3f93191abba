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

use std::collections::BTreeSet;

use petgraph::stable_graph::StableDiGraph;

use super::{Graph, NO_SLOT, NodeData, NodeId, PropIndex, Props, RelData, RelId, Sym, Txn};
use crate::error::{Error, Result};
use crate::graph::{IndexKey, Op};
use crate::value::Value;

/// Label membership gathered during a bulk load, applied by [`Graph::bulk_finish`].
#[derive(Default)]
pub struct BulkState {
    by_label: Vec<Vec<NodeId>>,
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
        if self.contains_node(id) {
            return Err(Error::Input(format!("node {} appears twice", id.0)));
        }
        let mut ls: Vec<Sym> = Vec::with_capacity(labels.len());
        for &l in labels {
            if l as usize >= self.labels.len() {
                return Err(Error::Input(format!("label symbol {l} is not defined")));
            }
            if !ls.contains(&l) {
                ls.push(l);
            }
        }
        let props = self.check_props(props)?;
        let slot = usize::try_from(id.0)
            .ok()
            .filter(|s| *s < u32::MAX as usize)
            .ok_or_else(|| Error::Input(format!("node id {} is out of range", id.0)))?;
        let idx = self.g.add_node(NodeData {
            id,
            labels: ls.clone().into_boxed_slice(),
            props,
        });
        if self.node_slot.len() <= slot {
            self.node_slot.resize(slot + 1, NO_SLOT);
        }
        self.node_slot[slot] = idx.index() as u32;
        if st.by_label.len() < self.labels.len() {
            st.by_label.resize_with(self.labels.len(), Vec::new);
        }
        for l in ls {
            st.by_label[l as usize].push(id);
        }
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
        let props = self.check_props(props)?;
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

    fn check_props(&self, mut props: Vec<(Sym, Value)>) -> Result<Props> {
        props.retain(|(_, v)| !v.is_null());
        for (i, (k, v)) in props.iter().enumerate() {
            if *k as usize >= self.keys.len() {
                return Err(Error::Input(format!("key symbol {k} is not defined")));
            }
            if !v.is_storable() {
                return Err(Error::Input(format!(
                    "property `{}` cannot hold a {} value",
                    self.key_name(*k),
                    v.type_name()
                )));
            }
            if props[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(Error::Input(format!(
                    "property `{}` appears twice",
                    self.key_name(*k)
                )));
            }
        }
        Ok(Props(props.into_boxed_slice()))
    }

    /// Ends a bulk load: fills the label sets and rebuilds every property index.
    pub fn bulk_finish(&mut self, st: BulkState) {
        for (l, ids) in st.by_label.into_iter().enumerate() {
            if ids.is_empty() {
                continue;
            }
            let set = &mut self.by_label[l];
            if set.is_empty() {
                // Sorted input: the set is built in one pass.
                *set = ids.into_iter().collect::<BTreeSet<NodeId>>();
            } else {
                set.extend(ids);
            }
        }
        let declared: Vec<(Sym, Sym)> = self.prop_indexes.keys().copied().collect();
        for (l, k) in declared {
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
