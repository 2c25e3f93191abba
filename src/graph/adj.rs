//! Read-side accelerators derived from the graph: a compact adjacency per
//! direction (CSR: one offset per node id, then contiguous `(type, relationship,
//! far node)` entries) and dense per-label membership bitmaps.
//!
//! petgraph keeps a node's relationships as a linked list threaded through the
//! edge array, and the far end of each relationship is a node record elsewhere:
//! following one relationship costs two or three cache misses on a large graph.
//! Here a node's relationships of one type are one contiguous run of 12-byte
//! entries holding the far node's id, and a label test is one bit.
//!
//! Both are *derived* and optional. The adjacency is built lazily, only once a
//! process has walked enough relationships the slow way to pay for it (so a small
//! query after a write never triggers a rebuild of a million-node index), and
//! kept correct under writes without rebuilding: a write marks the nodes whose
//! relationships changed as dirty, and a dirty node is read through petgraph
//! again. Once too many nodes are dirty the adjacency is dropped and rebuilt on a
//! later demand. Label bitmaps are built on first use per label and updated in
//! place by every label change, so they never go stale.
//!
//! Written by hand because no crate offers a CSR that sits beside a mutable
//! petgraph and follows its writes.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use petgraph::Direction;
use petgraph::visit::{EdgeRef, IntoEdgeReferences, NodeIndexable};
use rustc_hash::FxHashSet;

use super::{Graph, NodeId, Op, RelId, Sym};

/// One relationship as seen from one of its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdjEntry {
    pub ty: u32,
    pub rel: u32,
    pub far: u32,
}

impl AdjEntry {
    pub fn rel_id(&self) -> RelId {
        RelId(self.rel as u64)
    }
    pub fn far_id(&self) -> NodeId {
        NodeId(self.far as u64)
    }
}

/// The adjacency of one direction. Entries of a node are sorted by type; within a
/// type, newest relationship first (petgraph's own order on a freshly loaded graph).
#[derive(Debug, Clone)]
pub(super) struct Csr {
    offsets: Vec<u32>,
    entries: Vec<AdjEntry>,
    /// Nodes whose relationships in this direction changed since the build.
    dirty: FxHashSet<u64>,
}

impl Csr {
    /// The entries of `node`, unless it changed since the build (then `None`).
    #[inline]
    fn slice(&self, node: NodeId) -> Option<&[AdjEntry]> {
        let i = node.0 as usize;
        if i + 1 >= self.offsets.len() || (!self.dirty.is_empty() && self.dirty.contains(&node.0)) {
            return None;
        }
        self.entries
            .get(self.offsets[i] as usize..self.offsets[i + 1] as usize)
    }
}

/// The adjacency of one direction, borrowed for a loop (see [`Graph::adj_view`]).
pub struct AdjView<'g> {
    csr: &'g Csr,
}

impl<'g> AdjView<'g> {
    /// The entries of `node` with type `ty` (all types when `None`), like
    /// [`Graph::adj_entries`]: `None` when the node changed since the build (ask
    /// petgraph).
    #[inline]
    pub fn entries(&self, node: NodeId, ty: Option<Sym>) -> Option<&'g [AdjEntry]> {
        let all = self.csr.slice(node)?;
        let Some(ty) = ty else { return Some(all) };
        // Most nodes have a handful of entries: a linear search beats a binary
        // one there (and hubs keep the binary one).
        let (lo, hi) = if all.len() <= 16 {
            let lo = all.iter().position(|e| e.ty >= ty).unwrap_or(all.len());
            (lo, lo + all[lo..].iter().take_while(|e| e.ty == ty).count())
        } else {
            let lo = all.partition_point(|e| e.ty < ty);
            (lo, lo + all[lo..].partition_point(|e| e.ty == ty))
        };
        Some(&all[lo..hi])
    }
}

/// The derived structures a [`Graph`] carries (see the module doc).
#[derive(Debug, Default)]
pub(super) struct Derived {
    /// [outgoing, incoming]; `Some(None)` when the graph is too large for u32 ids.
    csr: [OnceLock<Option<Csr>>; 2],
    /// Relationships read the slow way since the last build: the build trigger.
    walked: AtomicU64,
    /// [outgoing, incoming]: a thread is building that direction. Threads of one
    /// query (a scan split across cores) would otherwise each build it, holding
    /// two copies at once; the others go on the slow way meanwhile.
    building: [AtomicBool; 2],
    /// Per label symbol: membership bitmap by node id.
    label_bits: Vec<OnceLock<Vec<u64>>>,
    /// Per label symbol without a bitmap: how many nodes were tested for it
    /// the slow way, across queries (the bitmap's build trigger).
    label_tests: std::sync::Mutex<rustc_hash::FxHashMap<Sym, u64>>,
}

impl Clone for Derived {
    fn clone(&self) -> Derived {
        Derived {
            csr: self.csr.clone(),
            walked: AtomicU64::new(self.walked.load(Ordering::Relaxed)),
            building: Default::default(),
            label_bits: self.label_bits.clone(),
            label_tests: std::sync::Mutex::new(
                self.label_tests
                    .lock()
                    .map(|m| m.clone())
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Whether the executor may use (and build) the adjacency: tests compare answers
/// with and without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjMode {
    /// Build once enough work was done the slow way (the default).
    Auto,
    /// Build on first need, whatever the graph's size.
    Always,
    /// Never use it.
    Never,
}

thread_local! {
    static MODE: std::cell::Cell<AdjMode> = const { std::cell::Cell::new(AdjMode::Auto) };
}

/// Sets the adjacency mode for queries run on this thread (for differential tests).
pub fn set_adj_mode(m: AdjMode) {
    MODE.with(|c| c.set(m));
}

fn mode() -> AdjMode {
    MODE.with(|c| c.get())
}

/// The adjacency mode of this thread (for threads that work for it).
pub fn adj_mode() -> AdjMode {
    mode()
}

fn dir_ix(dir: Direction) -> usize {
    match dir {
        Direction::Outgoing => 0,
        Direction::Incoming => 1,
    }
}

/// Below this many relationships the petgraph walk is cheap enough on its own.
const MIN_RELS_FOR_ADJ: usize = 50_000;

impl Graph {
    /// The entries of `node` in `dir` with type `ty` (all types when `None`), from
    /// the adjacency when it is built and the node is clean. `None` means "ask
    /// petgraph" (not built, node changed since, or adjacency disabled).
    pub fn adj_entries(
        &self,
        node: NodeId,
        dir: Direction,
        ty: Option<Sym>,
    ) -> Option<&[AdjEntry]> {
        let csr = self.derived.csr[dir_ix(dir)].get()?.as_ref()?;
        if mode() == AdjMode::Never {
            return None;
        }
        let all = csr.slice(node)?;
        Some(match ty {
            None => all,
            Some(t) => {
                let lo = all.partition_point(|e| e.ty < t);
                let hi = lo + all[lo..].partition_point(|e| e.ty == t);
                &all[lo..hi]
            }
        })
    }

    /// A handle on the adjacency of `dir` for a loop over many nodes (one lookup
    /// instead of one per node), when it is built and enabled.
    pub fn adj_view(&self, dir: Direction) -> Option<AdjView<'_>> {
        let csr = self.derived.csr[dir_ix(dir)].get()?.as_ref()?;
        if mode() == AdjMode::Never {
            return None;
        }
        Some(AdjView { csr })
    }

    /// Records that `n` relationships were read the slow way in `dir`, and builds
    /// the adjacency of that direction once that adds up to a fair share of what a
    /// build costs. `abort` is polled during a build (a cancelled query stops it).
    pub fn note_walked(&self, dir: Direction, n: u64, abort: &dyn Fn() -> bool) {
        let m = mode();
        if m == AdjMode::Never {
            return;
        }
        let lock = &self.derived.csr[dir_ix(dir)];
        if lock.get().is_some() {
            return;
        }
        let total = self.derived.walked.fetch_add(n, Ordering::Relaxed) + n;
        let rels = self.rel_count();
        // Once the other direction was built, this process has shown it walks
        // a lot: build this one after an eighth of that share (a query going
        // both ways, like `(a)<-[:R]-(d)-[:R]->(b)`, often walks one far less).
        let other = self.derived.csr[1 - dir_ix(dir)].get().is_some();
        let share = if other { rels / 512 } else { rels / 64 };
        let due = match m {
            AdjMode::Always => true,
            // A build reads every relationship once and costs about as much as
            // walking a few million the slow way; after a 64th of the graph was
            // walked, a process is likely to keep asking (a REPL session, a
            // repeated query), and each later walk is several times cheaper.
            _ => rels >= MIN_RELS_FOR_ADJ && total >= share as u64,
        };
        let building = &self.derived.building[dir_ix(dir)];
        if !due || building.swap(true, Ordering::AcqRel) {
            return;
        }
        if lock.get().is_none()
            && let Some(csr) = self.build_csr(dir, abort)
        {
            let _ = lock.set(csr);
            self.derived.walked.store(0, Ordering::Relaxed);
        }
        building.store(false, Ordering::Release);
    }

    /// Builds the adjacency of one direction (`Some(None)`: ids do not fit u32;
    /// `None`: aborted).
    fn build_csr(&self, dir: Direction, abort: &dyn Fn() -> bool) -> Option<Option<Csr>> {
        let nn = self.node_slot.len();
        if nn >= u32::MAX as usize
            || self.rel_slot.len() >= u32::MAX as usize
            || self.g.edge_count() >= u32::MAX as usize
        {
            return Some(None);
        }
        // petgraph slot -> our node id, so each edge costs no node-record read.
        let mut slot_id = vec![u32::MAX; self.g.node_bound()];
        for (id, s) in self.node_slot.iter().enumerate() {
            if let Some(x) = slot_id.get_mut(*s as usize) {
                *x = id as u32;
            }
        }
        let ends = |e: &petgraph::stable_graph::EdgeReference<'_, super::RelData, u32>| {
            let (near, far) = match dir {
                Direction::Outgoing => (e.source(), e.target()),
                Direction::Incoming => (e.target(), e.source()),
            };
            (slot_id[near.index()], slot_id[far.index()])
        };
        let mut offsets = vec![0u32; nn + 1];
        for (k, e) in (&self.g).edge_references().enumerate() {
            if k % 65_536 == 0 && abort() {
                return None;
            }
            let (near, _) = ends(&e);
            offsets[near as usize + 1] += 1;
        }
        for i in 0..nn {
            offsets[i + 1] += offsets[i];
        }
        let mut entries = vec![
            AdjEntry {
                ty: 0,
                rel: 0,
                far: 0
            };
            self.g.edge_count()
        ];
        // Fill each node's run from its end, so later (newer) edges come first.
        let mut fill: Vec<u32> = offsets[1..].to_vec();
        for (k, e) in (&self.g).edge_references().enumerate() {
            if k % 65_536 == 0 && abort() {
                return None;
            }
            let (near, far) = ends(&e);
            let f = &mut fill[near as usize];
            *f -= 1;
            entries[*f as usize] = AdjEntry {
                ty: e.weight().ty,
                rel: e.weight().id.0 as u32,
                far,
            };
        }
        for i in 0..nn {
            let run = &mut entries[offsets[i] as usize..offsets[i + 1] as usize];
            if run.windows(2).any(|w| w[0].ty > w[1].ty) {
                // Stable: keeps newest-first within a type.
                run.sort_by_key(|e| e.ty);
            }
        }
        Some(Some(Csr {
            offsets,
            entries,
            dirty: FxHashSet::default(),
        }))
    }

    /// Dense bitmap of the nodes carrying `label`, by node id (built when `build`
    /// and not built yet, then kept in step with every write).
    pub fn label_bitmap(&self, label: Sym, build: bool) -> Option<&[u64]> {
        let lock = self.derived.label_bits.get(label as usize)?;
        if !build {
            return lock.get().map(|v| v.as_slice());
        }
        Some(lock.get_or_init(|| {
            let mut bits = vec![0u64; self.node_slot.len().div_ceil(64) + 1];
            if let Some(set) = self.by_label.get(label as usize) {
                for id in set {
                    if let Some(w) = bits.get_mut((id.0 / 64) as usize) {
                        *w |= 1 << (id.0 % 64);
                    }
                }
            }
            bits
        }))
    }

    /// Records that `n` nodes are about to be tested for `label` one by one, and
    /// builds its bitmap once such tests add up (over this and earlier queries)
    /// to a 64th of the label's nodes: a build reads each member once, in
    /// order, while a test reads a node record at random. The bitmap, if built.
    pub fn note_label_tests(&self, label: Sym, n: u64) -> Option<&[u64]> {
        if let Some(b) = self.label_bitmap(label, false) {
            return Some(b);
        }
        let size = self.by_label.get(label as usize).map_or(0, |s| s.len()) as u64;
        let due = match self.derived.label_tests.lock() {
            Ok(mut m) => {
                let t = m.entry(label).or_insert(0);
                *t += n;
                *t >= size / 64
            }
            Err(_) => false,
        };
        if due {
            self.label_bitmap(label, true)
        } else {
            None
        }
    }

    /// Keeps a built label bitmap in step with a label change.
    pub(super) fn derived_label(&mut self, label: Sym, id: NodeId, on: bool) {
        let l = label as usize;
        if self.derived.label_bits.len() <= l {
            self.derived.label_bits.resize_with(l + 1, OnceLock::new);
        }
        if let Some(bits) = self.derived.label_bits[l].get_mut() {
            let w = (id.0 / 64) as usize;
            if bits.len() <= w {
                bits.resize(w + 1, 0);
            }
            if on {
                bits[w] |= 1 << (id.0 % 64);
            } else {
                bits[w] &= !(1 << (id.0 % 64));
            }
        }
    }

    /// Marks what `op` will change in the adjacency. Called before the op is
    /// applied (a relationship's ends are known only while it exists); marking a
    /// node dirty for an op that then fails costs speed, never correctness.
    pub(super) fn derived_before(&mut self, op: &Op) {
        let ends = match op {
            Op::CreateRel { start, end, .. } => Some((*start, *end)),
            Op::DeleteRel { id } => self.rel_ends(*id),
            _ => None,
        };
        let Some((s, e)) = ends else { return };
        for (d, n) in [(0, s), (1, e)] {
            let lock = &mut self.derived.csr[d];
            if let Some(Some(csr)) = lock.get_mut() {
                csr.dirty.insert(n.0);
                // Past this, most reads would go the slow way: drop and rebuild later.
                if csr.dirty.len() > 1024 && csr.dirty.len() > csr.offsets.len() / 16 {
                    *lock = OnceLock::new();
                }
            }
        }
    }

    /// Makes room for a newly interned label.
    pub(super) fn derived_new_label(&mut self) {
        self.derived.label_bits.push(OnceLock::new());
    }

    /// Forgets everything derived: the entry point a bulk load calls when it has
    /// filled the graph behind `apply`'s back.
    pub fn derived_reset(&mut self) {
        self.derived = Derived::default();
        self.derived
            .label_bits
            .resize_with(self.labels.len(), OnceLock::new);
    }
}

impl Graph {
    /// Appends the relationships at `node` in `dir` with one of `types` (any when
    /// empty) as (relationship, far node) pairs: from the adjacency when it can
    /// answer, else from petgraph (counting the walk toward building it).
    pub fn neighbours_into(
        &self,
        node: NodeId,
        dir: Direction,
        types: &[Sym],
        out: &mut Vec<(RelId, NodeId)>,
        abort: &dyn Fn() -> bool,
    ) {
        let conv = |e: &AdjEntry| (e.rel_id(), e.far_id());
        if types.is_empty() {
            if let Some(s) = self.adj_entries(node, dir, None) {
                out.extend(s.iter().map(conv));
                return;
            }
        } else if self.adj_entries(node, dir, Some(types[0])).is_some() {
            for t in types {
                if let Some(s) = self.adj_entries(node, dir, Some(*t)) {
                    out.extend(s.iter().map(conv));
                }
            }
            return;
        }
        let Some(i) = self.nidx(node) else { return };
        let mut walked = 0u64;
        for e in self.g.edges_directed(i, dir) {
            walked += 1;
            let w = e.weight();
            if types.is_empty() || types.contains(&w.ty) {
                let other = match dir {
                    Direction::Outgoing => e.target(),
                    Direction::Incoming => e.source(),
                };
                out.push((w.id, self.g[other].id));
            }
        }
        self.note_walked(dir, walked, abort);
    }

    /// How many relationships at `node` in `dir` with one of `types` (any when
    /// empty) lead to a node for which `keep` holds.
    pub fn count_neighbours(
        &self,
        node: NodeId,
        dir: Direction,
        types: &[Sym],
        keep: &dyn Fn(NodeId) -> bool,
        abort: &dyn Fn() -> bool,
    ) -> u64 {
        let count = |s: &[AdjEntry]| s.iter().filter(|e| keep(e.far_id())).count() as u64;
        if types.is_empty() {
            if let Some(s) = self.adj_entries(node, dir, None) {
                return count(s);
            }
        } else if self.adj_entries(node, dir, Some(types[0])).is_some() {
            return types
                .iter()
                .filter_map(|t| self.adj_entries(node, dir, Some(*t)))
                .map(count)
                .sum();
        }
        let mut v = Vec::new();
        self.neighbours_into(node, dir, types, &mut v, abort);
        v.iter().filter(|(_, n)| keep(*n)).count() as u64
    }
}
