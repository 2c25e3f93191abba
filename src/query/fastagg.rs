//! Counting per node: a stage whose aggregate only counts the matches of its
//! last single-step expansion, grouped by one end of that step, answered by
//! counting per node and grouping nodes afterwards.
//!
//! `MATCH (p:Person)-[:POSTED]->(t:Post) RETURN p.name, count(t)` asks how many
//! posts each person has. The pipeline would stream a row per person, evaluate
//! and hash the name and clone it into the group table: 100k cold strings read,
//! hashed, copied and freed. Here the executor first counts each node's matching
//! relationships on the adjacency (a far node's label is one bit), and only then
//! turns nodes into groups. Two sources of nodes ([`Source`]):
//! - **scan**: a label scan (with conditions on that node) whose node is the
//!   near end of the step, as above: counts per scanned node, in id order;
//! - **far**: any streaming operators, then the step, whose far node (or its
//!   properties) makes the groups (`… (d)-[:MENTIONS]->(b:Person) WHERE b <> a
//!   RETURN b.name, count(*)`): the operators before the step stream as usual,
//!   and each of their rows adds its matches to a count per far node.
//!
//! Grouping, once counted:
//! - with a single key `n.k` and a property index on (label, k) that holds every
//!   node of the label, the index has grouped the nodes by value already. A
//!   value held by several nodes adds their counts up; a value held by one node
//!   is that node's group, and its key is read only if the group can still make
//!   the top-k cut of a following `ORDER BY count DESC … LIMIT k`;
//! - otherwise each counted node's key is read or evaluated once, and nodes with
//!   equivalent keys share a group, as in the aggregate (two people with one
//!   name are one row; people without a name are one null row).
//!
//! Groups come out in the order the pipeline makes them (the order their first
//! node was met), and ties of a top-k are broken the same way, so the answer is
//! the same row for row.
//!
//! [`rewrite`] puts the operator in only where that answer is provably the same:
//! one single-step expansion binding fresh variables with no relationship
//! property test; every aggregate a plain `count(*)` or the count of a variable
//! the step binds (never null once bound); for a scan, conditions and keys that
//! read only the scanned node (and earlier values), with no `rand()` and no
//! subquery; for a far node, keys that are that node or its properties (reads
//! that cannot fail, so doing them after counting changes no error) and WHERE
//! conjuncts after the step that do not read the relationship. A scan's stage
//! fed more than one row at run time runs the original operators, which the
//! operator keeps.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use petgraph::Direction;
use rustc_hash::FxHashMap;

use super::ast::{BinOp, Dir};
use super::exec::{
    self, Access, Check, Ctx, Row, Shared, eval, neighbours, resolve_check, resolve_types,
    stage_cap, stream, used_rels,
};
use super::functions;
use super::plan::{AggSpec, Ex, NodeCheck, Op, Step, deps};
use crate::error::{Error, Result};
use crate::graph::{AdjMode, AdjView, Graph, IndexKey, NodeId, RelId, Sym, adj_mode, set_adj_mode};
use crate::value::Value;

/// The operator: what the replaced stage and aggregate did, in pieces.
#[derive(Debug, Clone)]
pub struct CountPerNode {
    /// Where the counted nodes come from.
    pub source: Source,
    /// The expansion whose matches are counted.
    pub step: Step,
    pub keys: Vec<(Ex, usize)>,
    /// Plain counts only: each equals the number of matches of its group.
    pub aggs: Vec<AggSpec>,
    /// The operators replaced (stage and aggregate): shown by EXPLAIN, and run
    /// instead when a scan's stage is fed more than one row.
    pub fallback: Vec<Op>,
}

/// Which end of the expansion the groups are made of.
#[derive(Debug, Clone)]
pub enum Source {
    /// The scanned node (`step.from`): a label scan, and checks and WHERE
    /// conjuncts on that node.
    Scan {
        slot: usize,
        label: String,
        check: NodeCheck,
        node_checks: Vec<NodeCheck>,
        filters: Vec<Ex>,
    },
    /// The far node (`step.to`): the operators before the expansion stream as
    /// usual, and WHERE conjuncts placed after it are tested per match.
    Far { prefix: Vec<Op>, after: Vec<Ex> },
}

impl CountPerNode {
    /// The operators that feed it rows (EXPLAIN shows them as its inputs, and
    /// PROFILE counts their rows): those before the expansion when counting
    /// per far node, none for a scan.
    pub(crate) fn inputs(&self) -> &[Op] {
        match &self.source {
            Source::Scan { .. } => &[],
            Source::Far { prefix, .. } => prefix,
        }
    }

    /// The replaced operators it runs itself (aggregate aside), for EXPLAIN.
    pub(crate) fn inner(&self) -> &[Op] {
        let end = self.fallback.len().saturating_sub(1);
        &self.fallback[self.inputs().len().min(end)..end]
    }

    /// The slot of the node whose keys make the groups.
    fn node_slot(&self) -> usize {
        match &self.source {
            Source::Scan { slot, .. } => *slot,
            Source::Far { .. } => self.step.to,
        }
    }
}

// ----- planning -----

/// Replaces each stage that [`fit_scan`] or [`fit_far`] accepts by a
/// [`CountPerNode`] operator (unless the executor's shortcuts are off for this
/// thread).
pub(crate) fn rewrite(ops: &mut Vec<Op>) {
    if !exec::fast_paths() {
        return;
    }
    let mut i = 0;
    while i < ops.len() {
        // Only where a stage starts: first, or after an operator that collects.
        if i == 0 || !ops[i - 1].is_streaming() {
            let found = match fit_scan(&ops[i..]) {
                Some(n) => Some((n, true)),
                None => fit_far(&ops[i..]).map(|n| (n, false)),
            };
            if let Some((n, scan)) = found {
                let fallback: Vec<Op> = ops.drain(i..i + n).collect();
                let built = if scan {
                    build_scan(fallback)
                } else {
                    build_far(fallback)
                };
                match built {
                    Ok(c) => ops.insert(i, Op::CountPerNode(Box::new(c))),
                    Err(fallback) => {
                        // A fit that does not build: keep the plan as it was.
                        for (k, op) in fallback.into_iter().enumerate() {
                            ops.insert(i + k, op);
                        }
                    }
                }
            }
        }
        i += 1;
    }
}

/// Whether the expansion binds fresh variables in one step with nothing to test
/// on the relationship but its type, so its matches can be counted.
fn countable_step(step: &Step) -> bool {
    step.range.is_none()
        && !step.to_bound
        && !step.rel_bound
        && step.rel_props.is_empty()
        && step.to != step.from
        && step.rel != step.from
        && check_reads_not(&step.to_check, &[step.from, step.rel, step.to])
}

/// Whether every aggregate is a plain count that equals the number of matches:
/// `count(*)` or the count of one of `bound` (never null once bound).
fn plain_counts(aggs: &[AggSpec], bound: &[usize]) -> bool {
    !aggs.is_empty()
        && aggs.iter().all(|a| {
            a.name == "count"
                && !a.distinct
                && match &a.arg {
                    None => true,
                    Some(Ex::Slot(s)) => bound.contains(s),
                    Some(_) => false,
                }
        })
}

/// How many operators from the start of `ops` form a stage counted per scanned
/// node (scan, checks, expansion, aggregate), if they do.
fn fit_scan(ops: &[Op]) -> Option<usize> {
    let Some(Op::LabelScan { slot: p, .. }) = ops.first() else {
        return None;
    };
    let p = *p;
    let mut k = 1;
    // Checks and filters on the scanned node.
    while let Some(op) = ops.get(k) {
        match op {
            Op::NodeFilter { slot, check } if *slot == p && check_reads_not(check, &[p]) => {}
            Op::Filter(e) if pure(e) => {}
            _ => break,
        }
        k += 1;
    }
    let Some(Op::Expand(step)) = ops.get(k) else {
        return None;
    };
    if step.from != p || !countable_step(step) || !step.uniq.is_empty() {
        return None;
    }
    // Filters run before the expansion binds anything: they must not read it.
    for op in &ops[1..k] {
        if let Op::Filter(e) = op
            && reads_any(e, &[step.rel, step.to])
        {
            return None;
        }
    }
    let Some(Op::Aggregate { keys, aggs }) = ops.get(k + 1) else {
        return None;
    };
    if keys.is_empty() || !plain_counts(aggs, &[p, step.rel, step.to]) {
        return None;
    }
    for (e, _) in keys {
        if !pure(e) || reads_any(e, &[step.rel, step.to]) {
            return None;
        }
    }
    Some(k + 2)
}

/// How many operators from the start of `ops` form a stage counted per far node
/// of its last expansion, if they do: streaming operators, the expansion, WHERE
/// conjuncts, and an aggregate whose keys are the far node or its properties
/// (which cannot fail, so reading them once per far node after counting changes
/// no error either).
fn fit_far(ops: &[Op]) -> Option<usize> {
    let j = ops.iter().position(|o| !o.is_streaming())?;
    let Some(Op::Aggregate { keys, aggs }) = ops.get(j) else {
        return None;
    };
    let e = ops[..j].iter().rposition(|o| matches!(o, Op::Expand(_)))?;
    let Op::Expand(step) = &ops[e] else {
        return None;
    };
    if e == 0 || !countable_step(step) {
        return None;
    }
    for op in &ops[e + 1..j] {
        match op {
            Op::Filter(x) if pure(x) && !reads_any(x, &[step.rel]) => {}
            _ => return None,
        }
    }
    if keys.is_empty() || !plain_counts(aggs, &[step.rel, step.to]) {
        return None;
    }
    for (k, _) in keys {
        let ok = match k {
            Ex::Slot(s) => *s == step.to,
            Ex::Prop(a, ..) => matches!(**a, Ex::Slot(s) if s == step.to),
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    Some(j + 1)
}

/// The operator for operators that [`fit_scan`] accepted (given back if not).
fn build_scan(ops: Vec<Op>) -> std::result::Result<CountPerNode, Vec<Op>> {
    let mut c = None;
    if let (Some(Op::LabelScan { slot, label, check }), Some(Op::Expand(step))) =
        (ops.first(), ops.get(ops.len().wrapping_sub(2)))
        && let Some(Op::Aggregate { keys, aggs }) = ops.last()
    {
        let mut node_checks = Vec::new();
        let mut filters = Vec::new();
        for op in &ops[1..ops.len() - 2] {
            match op {
                Op::NodeFilter { check, .. } => node_checks.push(check.clone()),
                Op::Filter(e) => filters.push(e.clone()),
                _ => return Err(ops),
            }
        }
        c = Some(CountPerNode {
            source: Source::Scan {
                slot: *slot,
                label: label.clone(),
                check: check.clone(),
                node_checks,
                filters,
            },
            step: (**step).clone(),
            keys: keys.clone(),
            aggs: aggs.clone(),
            fallback: Vec::new(),
        });
    }
    match c {
        Some(mut c) => {
            c.fallback = ops;
            Ok(c)
        }
        None => Err(ops),
    }
}

/// The operator for operators that [`fit_far`] accepted (given back if not).
fn build_far(ops: Vec<Op>) -> std::result::Result<CountPerNode, Vec<Op>> {
    let e = ops.iter().rposition(|o| matches!(o, Op::Expand(_)));
    let c = match (e, ops.last()) {
        (Some(e), Some(Op::Aggregate { keys, aggs })) => match &ops[e] {
            Op::Expand(step) => {
                let mut after = Vec::new();
                for op in &ops[e + 1..ops.len() - 1] {
                    match op {
                        Op::Filter(x) => after.push(x.clone()),
                        _ => return Err(ops),
                    }
                }
                CountPerNode {
                    source: Source::Far {
                        prefix: ops[..e].to_vec(),
                        after,
                    },
                    step: (**step).clone(),
                    keys: keys.clone(),
                    aggs: aggs.clone(),
                    fallback: Vec::new(),
                }
            }
            _ => return Err(ops),
        },
        _ => return Err(ops),
    };
    Ok(CountPerNode { fallback: ops, ..c })
}

/// Whether an expression reads any of `slots`.
fn reads_any(e: &Ex, slots: &[usize]) -> bool {
    let mut d = Vec::new();
    deps(e, &mut d);
    d.iter().any(|s| slots.contains(s))
}

/// Whether a node check's property values read none of `slots`, so they can be
/// evaluated once for the stage.
fn check_reads_not(c: &NodeCheck, slots: &[usize]) -> bool {
    c.props.iter().all(|(_, e)| !reads_any(e, slots))
}

/// Whether evaluating `e` once per node gives what evaluating it once per row
/// would: no `rand()`, and no subquery (kept simple: a subquery could hold one).
fn pure(e: &Ex) -> bool {
    let all = |v: &[Ex]| v.iter().all(pure);
    let opt = |x: &Option<Box<Ex>>| x.as_deref().is_none_or(pure);
    match e {
        Ex::Lit(_) | Ex::Slot(_) => true,
        Ex::List(items) => all(items),
        Ex::Map(m) => m.iter().all(|(_, x)| pure(x)),
        Ex::Prop(a, ..) | Ex::HasLabels(a, ..) | Ex::Unary(_, a, ..) => pure(a),
        Ex::Index(a, b, ..) | Ex::Binary(_, a, b, ..) => pure(a) && pure(b),
        Ex::Slice(a, b, c, ..) => pure(a) && opt(b) && opt(c),
        Ex::Case {
            subject,
            arms,
            default,
        } => opt(subject) && arms.iter().all(|(a, b)| pure(a) && pure(b)) && opt(default),
        Ex::Call { name, args, .. } => {
            functions::is_deterministic(&name.to_lowercase()) && all(args)
        }
        Ex::ListComp {
            list, filter, map, ..
        } => pure(list) && opt(filter) && opt(map),
        Ex::Quant { list, pred, .. } => pure(list) && opt(pred),
        Ex::Sub { .. } => false,
    }
}

// ----- running -----

/// A group: its count, its place in the order the aggregate would make groups
/// (`seq`), a node of it, and its key values unless they are read from that
/// node (when needed).
struct Group {
    total: u64,
    seq: u64,
    node: NodeId,
    key: Option<Vec<Value>>,
}

/// Nodes that are a group on their own: (seq, node, count).
type Singles = Vec<(u64, NodeId, u64)>;

/// A value compared and hashed by openCypher equivalence, borrowed from the
/// graph (`None` is null: a missing property).
#[derive(Clone, Copy)]
struct EqRef<'a>(Option<&'a Value>);

impl PartialEq for EqRef<'_> {
    fn eq(&self, o: &Self) -> bool {
        match (self.0, o.0) {
            (None, None) => true,
            (Some(a), Some(b)) => a.equivalent(b),
            _ => false,
        }
    }
}
impl Eq for EqRef<'_> {}
impl Hash for EqRef<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.unwrap_or(&Value::Null).hash_equivalent(h);
    }
}

/// Evaluated key values, compared and hashed by equivalence.
struct EqVec(Vec<Value>);

impl PartialEq for EqVec {
    fn eq(&self, o: &Self) -> bool {
        self.0.len() == o.0.len() && self.0.iter().zip(&o.0).all(|(a, b)| a.equivalent(b))
    }
}
impl Eq for EqVec {}
impl Hash for EqVec {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for v in &self.0 {
            v.hash_equivalent(h);
        }
    }
}

/// Runs the operator at `ops[i]`; returns its rows and how many operators it
/// used (a following sort on plain slots with a LIMIT is done here as a top-k).
pub(super) fn run(
    acc: &mut Access,
    sh: &Shared,
    ops: &[Op],
    i: usize,
    c: &CountPerNode,
    rows: Vec<Row>,
) -> Result<(Vec<Row>, usize)> {
    let (groups, singles) = match &c.source {
        Source::Scan { .. } if rows.len() != 1 => {
            // Each input row would repeat the scan: the general operators do it.
            return Ok((exec::run(acc, sh, &c.fallback, rows, false)?, 1));
        }
        Source::Scan {
            slot,
            label,
            check,
            node_checks,
            filters,
        } => {
            let cx = Ctx::new(acc.graph(), sh);
            let scan = ScanSpec {
                slot: *slot,
                label,
                check,
                node_checks,
                filters,
            };
            count_scan(&cx, c, &scan, &rows[0])?
        }
        Source::Far { prefix, after } => {
            let cx = Ctx::new(acc.graph(), sh);
            count_far(&cx, c, prefix, after, rows)?
        }
    };
    let g = acc.graph();
    // A sort on plain slots with a LIMIT after it: keep only the best k groups.
    if let Some(sort @ Op::Sort(skeys)) = ops.get(i + 1) {
        let slots: Option<Vec<(usize, bool)>> = skeys
            .iter()
            .map(|(e, d)| match e {
                Ex::Slot(s) => Some((*s, *d)),
                _ => None,
            })
            .collect();
        if let (Some(slots), Some(k)) = (slots, stage_cap(ops, i + 2, g, sh)?) {
            let start = std::time::Instant::now();
            let mut top = Top::new(c, sh.nslots, &slots, k);
            for gr in &groups {
                sh.tick()?;
                top.offer(g, c, gr.total, gr.seq, gr.node, gr.key.as_deref());
            }
            for (seq, node, n) in singles {
                sh.tick()?;
                top.offer(g, c, n, seq, node, None);
            }
            let out = top.finish();
            sh.count(sort, out.len() as u64, start.elapsed());
            return Ok((out, 2));
        }
    }
    let mut all: Vec<Group> = groups;
    all.extend(singles.into_iter().map(|(seq, node, total)| Group {
        total,
        seq,
        node,
        key: None,
    }));
    all.sort_by_key(|gr| gr.seq);
    let mut out = Vec::with_capacity(all.len());
    for gr in &all {
        sh.tick()?;
        out.push(group_row(
            g,
            c,
            sh.nslots,
            gr.total,
            gr.node,
            gr.key.as_deref(),
        ));
    }
    Ok((out, 1))
}

/// The pieces of [`Source::Scan`].
struct ScanSpec<'p> {
    slot: usize,
    label: &'p str,
    check: &'p NodeCheck,
    node_checks: &'p [NodeCheck],
    filters: &'p [Ex],
}

/// The key property `k` when the only grouping key is `n.k` (`n` the node
/// whose groups are made).
fn prop_key(c: &CountPerNode) -> Option<&String> {
    match c.keys.as_slice() {
        [(Ex::Prop(a, k, ..), _)] if matches!(**a, Ex::Slot(s) if s == c.node_slot()) => Some(k),
        _ => None,
    }
}

/// The counting pass over a label scan: the groups with their counts, and the
/// nodes that are a group on their own (see [`index_groups`]).
fn count_scan(
    cx: &Ctx,
    c: &CountPerNode,
    scan: &ScanSpec,
    row0: &Row,
) -> Result<(Vec<Group>, Singles)> {
    let g = cx.g;
    let mut groups: Vec<Group> = Vec::new();
    let Some(label) = g.label_id(scan.label) else {
        return Ok((groups, Vec::new()));
    };
    let Some(types) = resolve_types(g, &c.step.types) else {
        // No relationship has any of the named types: nothing matches (and the
        // pipeline would evaluate nothing either).
        return Ok((groups, Vec::new()));
    };
    let bits = g.label_bitmap(label, true).unwrap_or(&[]);
    let Some(k) = prop_key(c) else {
        // Keys evaluated as the scan goes, in the order the pipeline would.
        let mut map: FxHashMap<EqVec, usize> = FxHashMap::default();
        let mut on_hit = |id: NodeId, n: u64, row: &mut Row| -> Result<()> {
            row[scan.slot] = Value::Node(id);
            let mut k = Vec::with_capacity(c.keys.len());
            for (e, _) in &c.keys {
                k.push(eval(cx, e, row)?);
            }
            let k = EqVec(k);
            match map.get(&k) {
                Some(gi) => groups[*gi].total += n,
                None => {
                    groups.push(Group {
                        total: n,
                        seq: id.0,
                        node: id,
                        key: Some(k.0.clone()),
                    });
                    map.insert(k, groups.len() - 1);
                }
            }
            Ok(())
        };
        scan_part(cx, c, scan, row0, bits, &types, &mut on_hit)?;
        return Ok((groups, Vec::new()));
    };
    // A single key `p.k`: nodes are grouped after counting (a property read
    // cannot fail, so the order of work changes no error), and counting can be
    // split across threads by id range, the parts joined in id order.
    let hits = scan_hits(cx, c, scan, row0, bits, &types)?;
    // `hits` is in id order: a node's place is found by binary search. The
    // index is read whole, which pays only when many of its nodes were counted.
    let find = |id: NodeId| hits.binary_search_by_key(&id, |(n, _)| *n).ok();
    if hits.len().saturating_mul(8) >= g.label_count(scan.label)
        && let Some(out) = index_groups(cx, scan.label, k, &hits, &find)?
    {
        return Ok(out);
    }
    // No index that holds every node: group by the property, borrowed.
    Ok((
        prop_groups(g, g.key_id(k), hits.iter().copied().enumerate()),
        Vec::new(),
    ))
}

/// Below this many scanned nodes, counting runs on one thread.
const SPLIT_MIN: usize = 50_000;

/// The nodes of the scan with a match and their counts, in id order; on
/// several threads when the scan is long (each with its own counters for
/// cancellation; not under PROFILE, whose counters are per thread). An error
/// of a part is reported before those of later parts, as one thread would.
fn scan_hits(
    cx: &Ctx,
    c: &CountPerNode,
    scan: &ScanSpec,
    row0: &Row,
    bits: &[u64],
    types: &[Sym],
) -> Result<Vec<(NodeId, u64)>> {
    let members: usize = bits.iter().map(|w| w.count_ones() as usize).sum();
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get().min(4));
    let sh = cx.sh;
    // Counting a node costs less than the pipeline's work on it, so the split
    // starts below the pipeline's threshold (tests lower both).
    let min = exec::parallel_scan_min().min(SPLIT_MIN);
    // Split only once the adjacency the step reads is built (or off): threads
    // that walked the slow way could each start building it.
    let dirs: &[Direction] = match c.step.dir {
        Dir::Right => &[Direction::Outgoing],
        Dir::Left => &[Direction::Incoming],
        Dir::Both => &[Direction::Outgoing, Direction::Incoming],
    };
    let ready = adj_mode() == AdjMode::Never || dirs.iter().all(|d| cx.g.adj_view(*d).is_some());
    if members < min || threads < 2 || sh.profile.is_some() || !exec::fast_paths() || !ready {
        // Sized once: growing a vector of 100k entries step by step costs
        // copies and fresh pages on every query.
        let mut hits = Vec::with_capacity(members);
        let mut on_hit = |id: NodeId, n: u64, _: &mut Row| -> Result<()> {
            hits.push((id, n));
            Ok(())
        };
        scan_part(cx, c, scan, row0, bits, types, &mut on_hit)?;
        return Ok(hits);
    }
    // Cut the bitmap into parts of about equal membership.
    let mut cuts = vec![0usize];
    let per = members / threads + 1;
    let mut seen = 0usize;
    for (w, word) in bits.iter().enumerate() {
        seen += word.count_ones() as usize;
        if seen >= per * cuts.len() && cuts.len() < threads {
            cuts.push(w + 1);
        }
    }
    cuts.push(bits.len());
    let (g, opts, nslots) = (cx.g, sh.opts, sh.nslots);
    let mode = adj_mode();
    let part = |k: usize| -> Result<Vec<(NodeId, u64)>> {
        // A thread works as this one would (tests turn the adjacency off).
        set_adj_mode(mode);
        let sh = Shared::new(opts, nslots, false);
        let cx = Ctx::new(g, &sh);
        let (from, to) = (cuts[k], cuts[k + 1].max(cuts[k]));
        let n: usize = bits
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .map(|w| w.count_ones() as usize)
            .sum();
        let mut hits = Vec::with_capacity(n);
        let mut on_hit = |id: NodeId, n: u64, _: &mut Row| -> Result<()> {
            hits.push((id, n));
            Ok(())
        };
        // This part's words of the bitmap.
        scan_words(&cx, c, scan, row0, bits, from..to, types, &mut on_hit)?;
        Ok(hits)
    };
    let parts: Vec<Result<Vec<(NodeId, u64)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..cuts.len() - 1)
            .map(|k| s.spawn(move || part(k)))
            .collect();
        let mut out = vec![part(0)];
        for h in handles {
            out.push(
                h.join()
                    .unwrap_or_else(|_| Err(Error::Internal("a counting thread panicked".into()))),
            );
        }
        out
    });
    let mut hits = Vec::with_capacity(members);
    for p in parts {
        hits.extend(p?);
    }
    Ok(hits)
}

/// Counts the whole scan on this thread (see [`scan_words`]).
fn scan_part(
    cx: &Ctx,
    c: &CountPerNode,
    scan: &ScanSpec,
    row0: &Row,
    bits: &[u64],
    types: &[Sym],
    on_hit: &mut dyn FnMut(NodeId, u64, &mut Row) -> Result<()>,
) -> Result<()> {
    scan_words(cx, c, scan, row0, bits, 0..bits.len(), types, on_hit)
}

/// Counts the matches of the scanned nodes whose bits are in `words` of the
/// label's membership bitmap `bits`, in id order, and calls `on_hit` for each
/// node with a match (with a row holding the input row and that node).
#[allow(clippy::too_many_arguments)]
fn scan_words(
    cx: &Ctx,
    c: &CountPerNode,
    scan: &ScanSpec,
    row0: &Row,
    bits: &[u64],
    words: std::ops::Range<usize>,
    types: &[Sym],
    on_hit: &mut dyn FnMut(NodeId, u64, &mut Row) -> Result<()>,
) -> Result<()> {
    let g = cx.g;
    let sh = cx.sh;
    let chk = with_bits(g, resolve_check(cx, scan.check, row0)?);
    let mut node_chks = Vec::with_capacity(scan.node_checks.len());
    for nc in scan.node_checks {
        node_chks.push(with_bits(g, resolve_check(cx, nc, row0)?));
    }
    // The far node's check, resolved when first needed (as the expansion would).
    let mut counter: Option<Counter> = None;
    let mut scratch = row0.clone();
    let abort = || sh.check_cancel().is_err();
    let first = words.start;
    let words = bits.get(words).unwrap_or(&[]);
    'nodes: for id in bit_ids(words, first) {
        sh.tick()?;
        if !chk.matches(g, id) || !node_chks.iter().all(|k| k.matches(g, id)) {
            continue;
        }
        if !scan.filters.is_empty() {
            scratch[scan.slot] = Value::Node(id);
            for f in scan.filters {
                if !matches!(eval(cx, f, &scratch)?, Value::Bool(true)) {
                    continue 'nodes;
                }
            }
        }
        let ct = match &mut counter {
            Some(t) => t,
            None => {
                let t = with_bits(g, resolve_check(cx, &c.step.to_check, row0)?);
                counter.insert(Counter::new(g, c.step.dir, types, t))
            }
        };
        let n = ct.count(id, &abort);
        if n > 0 {
            on_hit(id, n, &mut scratch)?;
        }
    }
    Ok(())
}

/// The counting pass per far node: streams the operators before the expansion
/// over the input rows and, for each of their rows, counts the matches per far
/// node (in the order the pipeline would meet them), then groups those nodes.
fn count_far<'g>(
    cx: &Ctx<'g, '_>,
    c: &CountPerNode,
    prefix: &[Op],
    after: &[Ex],
    rows: Vec<Row>,
) -> Result<(Vec<Group>, Singles)> {
    let g = cx.g;
    let sh = cx.sh;
    let step = &c.step;
    // Far nodes in the order first met, with their counts; and their places.
    let mut hits: Vec<(NodeId, u64)> = Vec::new();
    let mut place: FxHashMap<NodeId, usize> = FxHashMap::default();
    // The far node's check, kept when its properties are constants.
    let fixed = step.to_check.props.iter().all(|(_, e)| {
        let mut d = Vec::new();
        deps(e, &mut d);
        d.is_empty()
    });
    let mut kept: Option<Check> = None;
    let mut cands: Vec<(RelId, NodeId)> = Vec::new();
    for mut r in rows {
        let mut sink = |row: &mut Row| -> Result<bool> {
            sh.tick()?;
            let Value::Node(from) = row[step.from] else {
                return Ok(true);
            };
            let fresh;
            let tc = match &kept {
                Some(t) if fixed => t,
                _ => {
                    let t = with_bits(g, resolve_check(cx, &step.to_check, row)?);
                    if fixed {
                        &*kept.insert(t)
                    } else {
                        fresh = t;
                        &fresh
                    }
                }
            };
            let Some(types) = resolve_types(g, &step.types) else {
                return Ok(true);
            };
            let used = used_rels(row, &step.uniq);
            // `far <> x` with `x` a node of this row is an id test; other
            // conditions are evaluated per match.
            let mut not: Vec<NodeId> = Vec::new();
            let mut rest: Vec<&Ex> = Vec::new();
            for f in after {
                match not_node(f, step.to, row) {
                    Some(x) => not.push(x),
                    None => rest.push(f),
                }
            }
            cands.clear();
            neighbours(cx, from, step.dir, &types, &mut cands);
            for &(rel, n) in &cands {
                sh.tick()?;
                if used.contains(&rel) || not.contains(&n) || !tc.matches(g, n) {
                    continue;
                }
                if !rest.is_empty() {
                    row[step.to] = Value::Node(n);
                    let mut pass = true;
                    for f in &rest {
                        if !matches!(eval(cx, f, row)?, Value::Bool(true)) {
                            pass = false;
                            break;
                        }
                    }
                    if !pass {
                        continue;
                    }
                }
                match place.get(&n) {
                    Some(at) => hits[*at].1 += 1,
                    None => {
                        place.insert(n, hits.len());
                        hits.push((n, 1));
                    }
                }
            }
            Ok(true)
        };
        stream(cx, prefix, &mut r, &mut sink)?;
    }
    if let Some(k) = prop_key(c) {
        // The index pays when many of its nodes were met (it is read whole).
        let find = |id: NodeId| place.get(&id).copied();
        for l in &step.to_check.labels {
            if hits.len().saturating_mul(8) >= g.label_count(l)
                && let Some(out) = index_groups(cx, l, k, &hits, &find)?
            {
                return Ok(out);
            }
        }
        return Ok((
            prop_groups(g, g.key_id(k), hits.iter().copied().enumerate()),
            Vec::new(),
        ));
    }
    // Keys that are the far node or its properties: read once per far node.
    let mut groups: Vec<Group> = Vec::new();
    let mut map: FxHashMap<EqVec, usize> = FxHashMap::default();
    let mut scratch = vec![Value::Null; sh.nslots];
    for (seq, (n, total)) in hits.into_iter().enumerate() {
        sh.tick()?;
        scratch[step.to] = Value::Node(n);
        let mut k = Vec::with_capacity(c.keys.len());
        for (e, _) in &c.keys {
            k.push(eval(cx, e, &scratch)?);
        }
        let k = EqVec(k);
        match map.get(&k) {
            Some(gi) => groups[*gi].total += total,
            None => {
                groups.push(Group {
                    total,
                    seq: seq as u64,
                    node: n,
                    key: Some(k.0.clone()),
                });
                map.insert(k, groups.len() - 1);
            }
        }
    }
    Ok((groups, Vec::new()))
}

/// The node `x` when `f` is `far <> x` (or `x <> far`) and `x` holds a node in
/// `row`: then `f` holds exactly for the far nodes other than `x` (two nodes
/// compare by identity, never to null).
fn not_node(f: &Ex, far: usize, row: &[Value]) -> Option<NodeId> {
    let Ex::Binary(BinOp::Ne, a, b, ..) = f else {
        return None;
    };
    let other = match (&**a, &**b) {
        (Ex::Slot(s), Ex::Slot(x)) | (Ex::Slot(x), Ex::Slot(s)) if *s == far && *x != far => *x,
        _ => return None,
    };
    match row.get(other) {
        Some(Value::Node(x)) => Some(*x),
        _ => None,
    }
}

/// Groups counted nodes (`(place, (node, count))`, in order) by their property
/// `key`, borrowed and compared by equivalence; a group's key is read from its
/// first node.
fn prop_groups(
    g: &Graph,
    key: Option<Sym>,
    nodes: impl Iterator<Item = (usize, (NodeId, u64))>,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut map: FxHashMap<EqRef, usize> = FxHashMap::default();
    for (seq, (id, n)) in nodes {
        let v = key.and_then(|k| g.node(id).and_then(|d| d.props.get(k)));
        match map.get(&EqRef(v)) {
            Some(gi) => groups[*gi].total += n,
            None => {
                map.insert(EqRef(v), groups.len());
                groups.push(Group {
                    total: n,
                    seq: seq as u64,
                    node: id,
                    key: None,
                });
            }
        }
    }
    groups
}

/// Groups the counted nodes `hits` (in the order met; `find` gives a node's
/// place) through the property index on (`label`, `k`), when it holds every
/// node of the label (every counted node carries the label); `None` when there
/// is no such index or it misses a node (no property, or a value no index holds).
///
/// The index has grouped the nodes by value already. A string held by one node
/// is that node's group: returned among the singles, its name read only if
/// needed. Strings held by several nodes are added up here. Other values
/// (numbers, dates …) are merged by equivalence as the aggregate does, which an
/// index key (integral floats keyed as integers) does not match exactly for
/// every value.
fn index_groups(
    cx: &Ctx,
    label: &str,
    k: &str,
    hits: &[(NodeId, u64)],
    find: &dyn Fn(NodeId) -> Option<usize>,
) -> Result<Option<(Vec<Group>, Singles)>> {
    let g = cx.g;
    let (Some(key), Some(entries)) = (g.key_id(k), g.index_entries(label, k)) else {
        return Ok(None);
    };
    let mut held = 0usize;
    let mut groups: Vec<Group> = Vec::new();
    // Places in `hits` taken into a group of several nodes.
    let mut taken = vec![false; hits.len()];
    let mut others: Vec<usize> = Vec::new();
    for (ik, set) in entries {
        cx.sh.tick()?;
        held += set.len();
        match ik {
            IndexKey::Str(_) if set.len() == 1 => {}
            IndexKey::Str(s) => {
                let mut total = 0u64;
                let mut first: Option<usize> = None;
                for id in set {
                    if let Some(at) = find(*id) {
                        total += hits[at].1;
                        first = Some(first.map_or(at, |f| f.min(at)));
                        taken[at] = true;
                    }
                }
                if let Some(at) = first {
                    groups.push(Group {
                        total,
                        seq: at as u64,
                        node: hits[at].0,
                        key: Some(vec![Value::String(s.clone())]),
                    });
                }
            }
            _ => {
                for id in set {
                    if let Some(at) = find(*id) {
                        others.push(at);
                        taken[at] = true;
                    }
                }
            }
        }
    }
    // Every node of the label must be in the index. A node is under one value
    // at most, so the sizes add up to the label's count exactly when none is
    // missing.
    if held != g.label_count(label) {
        return Ok(None);
    }
    others.sort_unstable();
    groups.extend(prop_groups(
        g,
        Some(key),
        others.into_iter().map(|at| (at, hits[at])),
    ));
    let mut singles = Vec::with_capacity(hits.len());
    for (at, (id, n)) in hits.iter().enumerate() {
        if !taken[at] {
            singles.push((at as u64, *id, *n));
        }
    }
    Ok(Some((groups, singles)))
}

/// The node ids whose bits are set in `words` (the bitmap's words from word
/// `first` on), in order: a scan of a dense array rather than a walk through a
/// tree.
fn bit_ids(words: &[u64], first: usize) -> impl Iterator<Item = NodeId> + '_ {
    words.iter().enumerate().flat_map(move |(w, &word)| {
        let mut x = word;
        let base = (first + w) as u64 * 64;
        std::iter::from_fn(move || {
            if x == 0 {
                return None;
            }
            let b = x.trailing_zeros() as u64;
            x &= x - 1;
            Some(NodeId(base + b))
        })
    })
}

/// Counts a node's matches of the expansion: from the adjacency when it can
/// answer, testing the far node's labels as bits when it has no properties to
/// test; else through the graph's general count.
struct Counter<'g> {
    g: &'g Graph,
    dir: Dir,
    /// `None` in the list: any type.
    types: Vec<Option<Sym>>,
    tc: Check<'g>,
    /// The far node's check is labels only, each with a bitmap.
    bits_only: bool,
    views: [Option<AdjView<'g>>; 2],
}

impl<'g> Counter<'g> {
    fn new(g: &'g Graph, dir: Dir, types: &[Sym], tc: Check<'g>) -> Counter<'g> {
        let bits_only = !tc.impossible && tc.props.is_empty() && tc.bits.len() == tc.labels.len();
        Counter {
            g,
            dir,
            types: if types.is_empty() {
                vec![None]
            } else {
                types.iter().map(|t| Some(*t)).collect()
            },
            tc,
            bits_only,
            views: [None, None],
        }
    }

    #[inline]
    fn keep(&self, n: NodeId) -> bool {
        if self.bits_only {
            let (w, b) = ((n.0 / 64) as usize, n.0 % 64);
            self.tc
                .bits
                .iter()
                .all(|bits| bits.get(w).is_some_and(|x| x & (1 << b) != 0))
        } else {
            self.tc.matches(self.g, n)
        }
    }

    fn count(&mut self, id: NodeId, abort: &dyn Fn() -> bool) -> u64 {
        if self.tc.impossible {
            return 0;
        }
        match self.dir {
            Dir::Right => self.one(id, Direction::Outgoing, false, abort),
            Dir::Left => self.one(id, Direction::Incoming, false, abort),
            // A self-loop is one relationship: counted once, going out.
            Dir::Both => {
                self.one(id, Direction::Outgoing, false, abort)
                    + self.one(id, Direction::Incoming, true, abort)
            }
        }
    }

    fn one(&mut self, id: NodeId, d: Direction, skip_self: bool, abort: &dyn Fn() -> bool) -> u64 {
        let ix = usize::from(d == Direction::Incoming);
        if self.views[ix].is_none() {
            // Built once enough was walked the slow way (maybe by this query).
            self.views[ix] = self.g.adj_view(d);
        }
        if let Some(v) = &self.views[ix] {
            let mut n = 0u64;
            let mut clean = true;
            for t in &self.types {
                let Some(run) = v.entries(id, *t) else {
                    clean = false;
                    break;
                };
                n += run
                    .iter()
                    .filter(|e| self.keep(e.far_id()) && !(skip_self && e.far_id() == id))
                    .count() as u64;
            }
            if clean {
                return n;
            }
        }
        let types: Vec<Sym> = self.types.iter().flatten().copied().collect();
        let keep = |n: NodeId| self.keep(n) && !(skip_self && n == id);
        self.g.count_neighbours(id, d, &types, &keep, abort)
    }
}

/// A check with a membership bitmap for each of its labels, building any that
/// is missing: this operator tests a label once per relationship, so a bitmap
/// always pays (and stays with the graph for later queries).
fn with_bits<'g>(g: &'g Graph, mut c: Check<'g>) -> Check<'g> {
    if c.bits.len() != c.labels.len() {
        let bits: Vec<&[u64]> = c
            .labels
            .iter()
            .filter_map(|l| g.label_bitmap(*l, true))
            .collect();
        if bits.len() == c.labels.len() {
            c.bits = bits;
        }
    }
    c
}

/// The values of a group's keys: `key`, or read from the group's `node`.
fn key_values(g: &Graph, c: &CountPerNode, node: NodeId, key: Option<&[Value]>) -> Vec<Value> {
    if let Some(k) = key {
        return k.to_vec();
    }
    let v = match c.keys.first() {
        Some((Ex::Prop(_, k, ..), _)) => g.node_prop(node, k).cloned(),
        Some((Ex::Slot(_), _)) => Some(Value::Node(node)),
        _ => None,
    };
    vec![v.unwrap_or(Value::Null)]
}

/// A group's output row: its keys and its counts in their slots.
fn group_row(
    g: &Graph,
    c: &CountPerNode,
    nslots: usize,
    total: u64,
    node: NodeId,
    key: Option<&[Value]>,
) -> Row {
    let mut r = vec![Value::Null; nslots];
    fill_counts(c, &mut r, total);
    for ((_, s), v) in c.keys.iter().zip(key_values(g, c, node, key)) {
        r[*s] = v;
    }
    r
}

fn fill_counts(c: &CountPerNode, r: &mut Row, total: u64) {
    let n = Value::Int(i64::try_from(total).unwrap_or(i64::MAX));
    for a in &c.aggs {
        r[a.slot] = n.clone();
    }
}

/// The best k groups in sort order, ties broken by `seq` (the order the
/// aggregate makes groups in).
struct Top<'s> {
    slots: &'s [(usize, bool)],
    k: usize,
    nslots: usize,
    /// The first sort key when it is a count: a group worse on it than the k-th
    /// is dropped before its key is read.
    first_count: Option<bool>,
    best: Vec<(Row, u64)>,
    scratch: Row,
}

impl<'s> Top<'s> {
    fn new(c: &CountPerNode, nslots: usize, slots: &'s [(usize, bool)], k: usize) -> Top<'s> {
        let first_count = slots
            .first()
            .filter(|(s, _)| c.aggs.iter().any(|a| a.slot == *s))
            .map(|(_, desc)| *desc);
        Top {
            slots,
            k,
            nslots,
            first_count,
            best: Vec::with_capacity(k + 1),
            scratch: vec![Value::Null; nslots],
        }
    }

    fn cmp(&self, a: &(Row, u64), b: &(Row, u64)) -> Ordering {
        for (s, desc) in self.slots {
            let o = a.0[*s].order(&b.0[*s]);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.1.cmp(&b.1)
    }

    fn offer(
        &mut self,
        g: &Graph,
        c: &CountPerNode,
        total: u64,
        seq: u64,
        node: NodeId,
        key: Option<&[Value]>,
    ) {
        if self.k == 0 {
            return;
        }
        if self.best.len() == self.k
            && let (Some(desc), Some((w, _))) = (self.first_count, self.best.last())
            && let Some(Value::Int(wn)) = c.aggs.first().map(|a| &w[a.slot])
        {
            let o = (i64::try_from(total).unwrap_or(i64::MAX)).cmp(wn);
            if (if desc { o.reverse() } else { o }) == Ordering::Greater {
                return;
            }
        }
        let mut r = std::mem::replace(&mut self.scratch, vec![Value::Null; self.nslots]);
        fill_counts(c, &mut r, total);
        for ((_, s), v) in c.keys.iter().zip(key_values(g, c, node, key)) {
            r[*s] = v;
        }
        let cand = (r, seq);
        if self.best.len() == self.k
            && self
                .best
                .last()
                .is_none_or(|w| self.cmp(&cand, w) != Ordering::Less)
        {
            self.scratch = cand.0;
            return;
        }
        let at = self
            .best
            .partition_point(|b| self.cmp(b, &cand) != Ordering::Greater);
        self.best.insert(at, cand);
        if self.best.len() > self.k
            && let Some((r, _)) = self.best.pop()
        {
            self.scratch = r;
        }
    }

    fn finish(self) -> Vec<Row> {
        self.best.into_iter().map(|(r, _)| r).collect()
    }
}
