//! Runs a [`Plan`]: reads through `&Graph`, writes through `&mut Txn`.
//!
//! Streaming operators are nested loops in push style: each one binds slots of a
//! single mutable row and calls the rest of the pipeline, so a row is cloned only
//! when an operator that collects (sort, aggregate, a write) or the result takes
//! it. A `false` from the rest of the pipeline means "enough" (LIMIT reached) and
//! unwinds every loop at once. Collecting operators run between streaming stages.
//!
//! Cancellation (the `cancel` flag and the deadline) is checked every few hundred
//! steps of every loop, including inside variable-length expansion and shortest
//! path search, so even an unbounded query stops promptly.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::atomic::Ordering as AtomicOrdering;
use std::time::{Duration, Instant};

use chrono::{Months, NaiveDate};
use petgraph::Direction;
use rustc_hash::FxHashMap;

use super::QueryOptions;
use super::ast::{BinOp, Dir, Quant, UnOp};
use super::plan::*;
use super::{aggregate, functions};
use crate::error::{Error, QueryError, QueryErrorKind, Result};
use crate::graph::{Graph, NodeId, RelId, Sym, Txn};
use crate::value::{Map, Path, Value};

/// One row: a value per slot.
pub type Row = Vec<Value>;

/// Counters shared by every stage of one query.
pub struct Shared<'o> {
    pub opts: &'o QueryOptions,
    ticks: Cell<u32>,
    /// PROFILE: rows out of and time in each operator, keyed by the operator's address.
    pub profile: Option<RefCell<HashMap<usize, (u64, Duration)>>>,
    pub nslots: usize,
}

impl<'o> Shared<'o> {
    pub fn new(opts: &'o QueryOptions, nslots: usize, profile: bool) -> Shared<'o> {
        Shared {
            opts,
            ticks: Cell::new(0),
            profile: profile.then(|| RefCell::new(HashMap::new())),
            nslots,
        }
    }

    /// Checks for cancellation every 256 calls.
    #[inline]
    pub(super) fn tick(&self) -> Result<()> {
        let t = self.ticks.get().wrapping_add(1);
        self.ticks.set(t);
        if t.is_multiple_of(256) {
            self.check_cancel()?;
        }
        Ok(())
    }

    pub(super) fn check_cancel(&self) -> Result<()> {
        if let Some(c) = &self.opts.cancel
            && c.load(AtomicOrdering::Relaxed)
        {
            return Err(Error::Cancelled("the query was cancelled".into()));
        }
        if let Some(d) = self.opts.deadline
            && Instant::now() >= d
        {
            return Err(Error::Cancelled("the query ran past its time limit".into()));
        }
        Ok(())
    }

    pub(super) fn count(&self, op: &Op, rows: u64, time: Duration) {
        if let Some(p) = &self.profile {
            let mut p = p.borrow_mut();
            let e = p.entry(op as *const Op as usize).or_default();
            e.0 += rows;
            e.1 += time;
        }
    }
}

/// What the executor reads with. One `Ctx` serves a stretch of work during which
/// the graph does not change (a streaming stage, one row of a write).
pub struct Ctx<'a, 'o> {
    pub g: &'a Graph,
    pub sh: &'a Shared<'o>,
    labels: RefCell<LabelBits>,
    /// Property key ids by the address of the key's name in the plan.
    keys: RefCell<KeyIds>,
    /// The substring searcher of the last CONTAINS.
    finder: RefCell<Option<memchr::memmem::Finder<'static>>>,
}

impl<'a, 'o> Ctx<'a, 'o> {
    pub fn new(g: &'a Graph, sh: &'a Shared<'o>) -> Ctx<'a, 'o> {
        Ctx {
            g,
            sh,
            labels: RefCell::new(FxHashMap::default()),
            keys: RefCell::new(FxHashMap::default()),
            finder: RefCell::new(None),
        }
    }

    /// Whether `needle` occurs in `hay`. The searcher for the last needle is kept:
    /// a CONTAINS over many rows nearly always has one needle, and preparing the
    /// searcher costs about as much as a search through a short text.
    fn contains(&self, hay: &str, needle: &str) -> bool {
        let mut f = self.finder.borrow_mut();
        match &*f {
            Some(fi) if fi.needle() == needle.as_bytes() => {}
            _ => *f = Some(memchr::memmem::Finder::new(needle.as_bytes()).into_owned()),
        }
        f.as_ref()
            .is_some_and(|fi| fi.find(hay.as_bytes()).is_some())
    }

    /// A node's property, the key's interned id looked up once per planned name
    /// (by the name's address in the plan, which outlives this `Ctx`) rather than
    /// hashed as a string on every row.
    fn node_prop(&self, n: NodeId, k: &String) -> Option<&'a Value> {
        let sym = self.key_sym(k)?;
        self.g.node(n)?.props.get(sym)
    }

    /// A relationship's property, like [`Ctx::node_prop`].
    fn rel_prop(&self, r: RelId, k: &String) -> Option<&'a Value> {
        let sym = self.key_sym(k)?;
        self.g.rel(r)?.props.get(sym)
    }

    fn key_sym(&self, k: &String) -> Option<Sym> {
        let addr = k as *const String as usize;
        // The name is compared too, so a reused address can never give a wrong id.
        if let Some((name, s)) = self.keys.borrow().get(&addr)
            && **name == **k
        {
            return *s;
        }
        let s = self.g.key_id(k);
        self.keys.borrow_mut().insert(addr, (k.as_str().into(), s));
        s
    }

    /// The graph's bitmap of the nodes carrying `label`, once checks for that
    /// label have been resolved often enough (relative to how many nodes carry
    /// it) that building it costs less than reading each candidate node's labels:
    /// testing a bit in a small array avoids two cache misses per row on a large
    /// graph. A bitmap built once serves every later query (the graph keeps it in
    /// step with writes).
    fn label_bits(&self, label: Sym, name: &str) -> Option<&'a [u64]> {
        if let Some(b) = self.g.label_bitmap(label, false) {
            return Some(b);
        }
        let mut lb = self.labels.borrow_mut();
        let uses = lb.entry(label).or_insert(0);
        *uses += 1;
        let uses = *uses as usize;
        if uses < 64 || uses.saturating_mul(64) < self.g.label_count(name) {
            return None;
        }
        self.g.label_bitmap(label, true)
    }
}

/// Property key ids by the address of the name in the plan, with the name itself
/// (checked on every hit).
type KeyIds = FxHashMap<usize, (Box<str>, Option<Sym>)>;

/// How often each label was asked for in one [`Ctx`].
type LabelBits = FxHashMap<Sym, u32>;

/// Graph access for a pipeline: read-only, or inside a write transaction.
pub enum Access<'a, 'g> {
    Read(&'a Graph),
    Write(&'a mut Txn<'g>),
}

impl Access<'_, '_> {
    pub(super) fn graph(&self) -> &Graph {
        match self {
            Access::Read(g) => g,
            Access::Write(t) => t.graph(),
        }
    }
}

fn qerr(kind: QueryErrorKind, code: &str, msg: impl Into<String>) -> Error {
    QueryError::new(kind, msg).with_code(code).into()
}

fn type_err(msg: impl Into<String>) -> Error {
    qerr(QueryErrorKind::TypeError, "InvalidArgumentType", msg)
}

// ----- running a pipeline -----

/// Runs a pipeline over the given input rows.
pub fn run(
    acc: &mut Access,
    sh: &Shared,
    ops: &[Op],
    input: Vec<Row>,
    last: bool,
) -> Result<Vec<Row>> {
    let mut rows = input;
    let mut i = 0;
    while i < ops.len() {
        sh.check_cancel()?;
        if ops[i].is_streaming() {
            let j = ops[i..]
                .iter()
                .position(|o| !o.is_streaming())
                .map_or(ops.len(), |p| i + p);
            // A LIMIT right after the stage bounds how many rows it must produce.
            let cap = stage_cap(ops, j, acc.graph(), sh)?;
            let max_rows = if last && j == ops.len() {
                sh.opts.max_rows
            } else {
                None
            };
            let cx = Ctx::new(acc.graph(), sh);
            if let Some(op @ Op::Aggregate { keys, aggs }) = ops.get(j) {
                // Aggregate as rows stream out: no need to hold them all.
                let start = Instant::now();
                let mut st = AggState::new(keys, aggs);
                if let (Some(Op::LabelScan { label, .. }), [_]) = (ops.get(i), rows.as_slice()) {
                    // About one group per node scanned, at most, in the usual case.
                    st.reserve(acc.graph().label_count(label));
                }
                let mut err = None;
                if let Some(split) = parallel_count_scan(acc.graph(), sh, &ops[i..j], aggs, &rows) {
                    // A long label scan that only feeds counts: split across cores.
                    for part in split.run(acc.graph(), sh, keys, aggs, &rows[0])? {
                        st.merge_counts(part)?;
                    }
                    let (out, used) = finish_aggregate(st, acc.graph(), sh, ops, j)?;
                    rows = out;
                    sh.count(op, rows.len() as u64, start.elapsed());
                    i = j + used;
                    continue;
                }
                if let Some(step) = countable_expand(&ops[i..j], keys, aggs) {
                    // The last expansion only feeds counts: count its matches per
                    // row instead of binding each one.
                    let expand = &ops[j - 1];
                    let mut cache = StepCache::default();
                    for mut r in rows {
                        let mut sink = |row: &mut Row| -> Result<bool> {
                            let n = match count_step(&cx, step, row, &mut cache) {
                                Ok(n) => n,
                                Err(e) => {
                                    err = Some(e);
                                    return Ok(false);
                                }
                            };
                            sh.count(expand, n, Duration::ZERO);
                            if n > 0
                                && let Err(e) = st.add_count(&cx, row, n)
                            {
                                err = Some(e);
                                return Ok(false);
                            }
                            Ok(true)
                        };
                        stream(&cx, &ops[i..j - 1], &mut r, &mut sink)?;
                        if let Some(e) = err.take() {
                            return Err(e);
                        }
                    }
                    let (out, used) = finish_aggregate(st, acc.graph(), sh, ops, j)?;
                    rows = out;
                    sh.count(op, rows.len() as u64, start.elapsed());
                    i = j + used;
                    continue;
                }
                for mut r in rows {
                    let mut sink = |row: &mut Row| -> Result<bool> {
                        if let Err(e) = st.add(&cx, row) {
                            err = Some(e);
                            return Ok(false);
                        }
                        Ok(true)
                    };
                    stream(&cx, &ops[i..j], &mut r, &mut sink)?;
                    if let Some(e) = err.take() {
                        return Err(e);
                    }
                }
                let (out, used) = finish_aggregate(st, acc.graph(), sh, ops, j)?;
                rows = out;
                sh.count(op, rows.len() as u64, start.elapsed());
                i = j + used;
                continue;
            }
            let mut out: Vec<Row> = Vec::new();
            let mut input = rows.into_iter();
            while let Some(mut r) = input.next() {
                let mut sink = |row: &mut Row| -> Result<bool> {
                    out.push(row.clone());
                    if let Some(m) = max_rows
                        && out.len() > m
                    {
                        return Err(too_many_rows(m));
                    }
                    Ok(cap.is_none_or(|c| out.len() < c))
                };
                match stream(&cx, &ops[i..j], &mut r, &mut sink) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        dispose(out);
                        dispose(input.collect());
                        return Err(e);
                    }
                }
            }
            rows = out;
            i = j;
        } else {
            let start = Instant::now();
            let (out, used) = collect_op(acc, sh, ops, i, rows)?;
            sh.count(&ops[i], out.len() as u64, start.elapsed());
            rows = out;
            i += used;
        }
    }
    Ok(rows)
}

thread_local! {
    static FAST_PATHS: Cell<bool> = const { Cell::new(true) };
}

/// Turns the executor's shortcuts (counting expansion) on or off for queries run
/// on this thread, so tests can check that they change no answer.
pub fn set_fast_paths(on: bool) {
    FAST_PATHS.with(|c| c.set(on));
}

/// Whether the shortcuts are on for this thread (the planner asks before it
/// plans one, see `fastagg.rs`).
pub(super) fn fast_paths() -> bool {
    FAST_PATHS.with(|c| c.get())
}

/// The expansion ending a streaming stage when everything the aggregate after it
/// needs from that expansion is how many matches each row has: a single step that
/// binds fresh variables, no relationship property or uniqueness test, grouping
/// keys that do not read what it binds, and only plain `count(*)` or counts of
/// the bound node or relationship (never null once bound).
fn countable_expand<'p>(
    stage: &'p [Op],
    keys: &[(Ex, usize)],
    aggs: &[AggSpec],
) -> Option<&'p Step> {
    if !FAST_PATHS.with(|c| c.get()) {
        return None;
    }
    let Some(Op::Expand(step)) = stage.last() else {
        return None;
    };
    if step.range.is_some()
        || step.to_bound
        || step.rel_bound
        || !step.rel_props.is_empty()
        || !step.uniq.is_empty()
    {
        return None;
    }
    let bound = [step.rel, step.to];
    for (e, _) in keys {
        let mut d = Vec::new();
        deps(e, &mut d);
        if d.iter().any(|s| bound.contains(s)) {
            return None;
        }
    }
    for a in aggs {
        let ok = a.name == "count"
            && !a.distinct
            && match &a.arg {
                None => true,
                Some(Ex::Slot(s)) => bound.contains(s),
                Some(_) => false,
            };
        if !ok {
            return None;
        }
    }
    Some(step)
}

thread_local! {
    /// Below this many nodes a label scan runs on one thread.
    static PARALLEL_SCAN_MIN: Cell<usize> = const { Cell::new(200_000) };
}

/// Sets how many nodes a label scan needs before it is split across threads,
/// for queries run on this thread (tests lower it to cover the split on a small graph).
pub fn set_parallel_scan_min(n: usize) {
    PARALLEL_SCAN_MIN.with(|c| c.set(n));
}

/// The threshold [`set_parallel_scan_min`] set for this thread.
pub(super) fn parallel_scan_min() -> usize {
    PARALLEL_SCAN_MIN.with(|c| c.get())
}

/// A label scan to be split by node id across threads (see [`parallel_count_scan`]).
struct SplitScan<'p> {
    slot: usize,
    label: &'p str,
    check: &'p NodeCheck,
    rest: &'p [Op],
    /// Where each part's ids start (the first part starts at 0).
    cuts: Vec<NodeId>,
}

/// A stage worth running on several threads: one input row, a label scan over
/// many nodes, and an aggregate of plain counts only, which parts can add up
/// (group order stays first-seen order: parts are merged in id order). Not under
/// PROFILE, whose counters are per thread.
fn parallel_count_scan<'p>(
    g: &Graph,
    sh: &Shared,
    stage: &'p [Op],
    aggs: &[AggSpec],
    rows: &[Row],
) -> Option<SplitScan<'p>> {
    if !FAST_PATHS.with(|c| c.get()) || sh.profile.is_some() || rows.len() != 1 {
        return None;
    }
    let Some((Op::LabelScan { slot, label, check }, rest)) = stage.split_first() else {
        return None;
    };
    if aggs.iter().any(|a| a.name != "count" || a.distinct) {
        return None;
    }
    let n = g.label_count(label);
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get().min(4));
    if n < PARALLEL_SCAN_MIN.with(|c| c.get()) || threads < 2 {
        return None;
    }
    let mut cuts = vec![NodeId(0)];
    let per = (n / threads).max(1);
    for (k, id) in g.nodes_with_label(label).enumerate() {
        if k > 0 && k % per == 0 && cuts.len() < threads {
            cuts.push(id);
        }
    }
    Some(SplitScan {
        slot: *slot,
        label,
        check,
        rest,
        cuts,
    })
}

impl SplitScan<'_> {
    /// Runs every part on its own thread; their aggregate states, in id order.
    fn run<'p>(
        &self,
        g: &Graph,
        sh: &Shared,
        keys: &'p [(Ex, usize)],
        aggs: &'p [AggSpec],
        row0: &Row,
    ) -> Result<Vec<AggState<'p>>> {
        let opts = sh.opts;
        let nslots = sh.nslots;
        let part = |k: usize| -> Result<AggState<'p>> {
            let from = self.cuts[k];
            let to = self.cuts.get(k + 1).copied().unwrap_or(NodeId(u64::MAX));
            let sh = Shared::new(opts, nslots, false);
            let cx = Ctx::new(g, &sh);
            let chk = resolve_check(&cx, self.check, row0)?;
            let mut st = AggState::new(keys, aggs);
            let mut row = row0.clone();
            let mut err = None;
            for id in g.nodes_with_label_in(self.label, from..to) {
                sh.tick()?;
                if !chk.matches(g, id) {
                    continue;
                }
                row[self.slot] = Value::Node(id);
                let mut sink = |r: &mut Row| -> Result<bool> {
                    if let Err(e) = st.add(&cx, r) {
                        err = Some(e);
                        return Ok(false);
                    }
                    Ok(true)
                };
                stream(&cx, self.rest, &mut row, &mut sink)?;
                if let Some(e) = err.take() {
                    return Err(e);
                }
            }
            Ok(st)
        };
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..self.cuts.len())
                .map(|k| s.spawn(move || part(k)))
                .collect();
            let mut out = vec![part(0)?];
            for h in handles {
                match h.join() {
                    Ok(r) => out.push(r?),
                    Err(_) => return Err(Error::Internal("a scan thread panicked".into())),
                }
            }
            Ok(out)
        })
    }
}

/// What [`count_step`] resolves once rather than per row: the types, and the far
/// node's check when it has only labels (kept once every label has a bitmap, or
/// after enough rows that no bitmap is coming).
#[derive(Default)]
struct StepCache<'a> {
    types: Option<Option<Vec<Sym>>>,
    chk: Option<Check<'a>>,
    calls: u32,
}

/// How many matches `step` has from the row (see [`countable_expand`]).
fn count_step<'a>(
    cx: &Ctx<'a, '_>,
    step: &Step,
    row: &[Value],
    cache: &mut StepCache<'a>,
) -> Result<u64> {
    cx.sh.tick()?;
    let Value::Node(from) = row[step.from] else {
        return Ok(0);
    };
    let types = cache
        .types
        .get_or_insert_with(|| resolve_types(cx.g, &step.types));
    let Some(types) = types.as_deref() else {
        return Ok(0);
    };
    cache.calls = cache.calls.saturating_add(1);
    let reuse = step.to_check.props.is_empty()
        && cache
            .chk
            .as_ref()
            .is_some_and(|c| c.bits.len() == c.labels.len() || cache.calls > 10_000);
    let fresh;
    let chk = if reuse {
        match &cache.chk {
            Some(c) => c,
            None => return Err(Error::Internal("count_step cache".into())),
        }
    } else {
        let c = resolve_check(cx, &step.to_check, row)?;
        if step.to_check.props.is_empty() {
            &*cache.chk.insert(c)
        } else {
            fresh = c;
            &fresh
        }
    };
    if chk.impossible {
        return Ok(0);
    }
    let g = cx.g;
    let abort = || cx.sh.check_cancel().is_err();
    let keep = |n: NodeId| chk.matches(g, n);
    Ok(match step.dir {
        Dir::Right => g.count_neighbours(from, Direction::Outgoing, types, &keep, &abort),
        Dir::Left => g.count_neighbours(from, Direction::Incoming, types, &keep, &abort),
        Dir::Both => {
            // A self-loop is one relationship: counted once, going out.
            let not_self = |n: NodeId| n != from && chk.matches(g, n);
            g.count_neighbours(from, Direction::Outgoing, types, &keep, &abort)
                + g.count_neighbours(from, Direction::Incoming, types, &not_self, &abort)
        }
    })
}

/// Ends the aggregate at `ops[j]`: its rows and how many operators that used.
/// A following sort on plain slots with a LIMIT after it is done here as a
/// top-k over the groups (rows are built only for groups that make the cut).
fn finish_aggregate(
    st: AggState,
    g: &Graph,
    sh: &Shared,
    ops: &[Op],
    j: usize,
) -> Result<(Vec<Row>, usize)> {
    if let Some(sort @ Op::Sort(keys)) = ops.get(j + 1)
        && FAST_PATHS.with(|c| c.get())
    {
        let slots: Option<Vec<(usize, bool)>> = keys
            .iter()
            .map(|(e, d)| match e {
                Ex::Slot(s) => Some((*s, *d)),
                _ => None,
            })
            .collect();
        if let (Some(slots), Some(k)) = (slots, stage_cap(ops, j + 2, g, sh)?) {
            let start = Instant::now();
            let rows = st.finish_top(sh.nslots, Some((&slots, k)))?;
            sh.count(sort, rows.len() as u64, start.elapsed());
            return Ok((rows, 2));
        }
    }
    Ok((st.finish(sh.nslots)?, 1))
}

/// Drops rows left over when a query stops early. Millions of rows (each a
/// vector, some holding paths) take a hundred milliseconds and more to free, so
/// a large batch is freed on a thread of its own: a cancelled query returns
/// promptly rather than after the clean-up.
fn dispose(rows: Vec<Row>) {
    if rows.len() < 10_000 {
        return;
    }
    if std::thread::Builder::new()
        .name("dossier-drop".into())
        .spawn(move || drop(rows))
        .is_err()
    {
        // No thread to be had: the rows were dropped with the closure, here.
    }
}

fn too_many_rows(m: usize) -> Error {
    qerr(
        QueryErrorKind::Runtime,
        "TooManyRows",
        format!("the result has more than {m} rows (the limit set for this query)"),
    )
}

/// The number of rows a stage ending before `ops[j]` needs, when SKIP/LIMIT follow.
pub(super) fn stage_cap(ops: &[Op], j: usize, g: &Graph, sh: &Shared) -> Result<Option<usize>> {
    let cx = Ctx::new(g, sh);
    let empty: Row = Vec::new();
    match (ops.get(j), ops.get(j + 1)) {
        (Some(Op::Limit(l)), _) => Ok(Some(count_arg(&cx, l, &empty)?)),
        (Some(Op::Skip(s)), Some(Op::Limit(l))) => Ok(Some(
            count_arg(&cx, s, &empty)?.saturating_add(count_arg(&cx, l, &empty)?),
        )),
        _ => Ok(None),
    }
}

fn count_arg(cx: &Ctx, e: &Ex, row: &[Value]) -> Result<usize> {
    match eval(cx, e, row)? {
        Value::Int(i) if i >= 0 => Ok(i as usize),
        Value::Int(_) => Err(qerr(
            QueryErrorKind::SyntaxError,
            "NegativeIntegerArgument",
            "SKIP and LIMIT cannot be negative",
        )),
        v => Err(qerr(
            QueryErrorKind::SyntaxError,
            "InvalidArgumentType",
            format!("SKIP and LIMIT take an integer, not {}", v.type_name()),
        )),
    }
}

/// Streams one row through `ops`, calling `sink` for each result. Returns false
/// when the sink asked to stop.
pub fn stream(
    cx: &Ctx,
    ops: &[Op],
    row: &mut Row,
    sink: &mut dyn FnMut(&mut Row) -> Result<bool>,
) -> Result<bool> {
    guarded(|| stream_inner(cx, ops, row, sink))
}

fn stream_inner(
    cx: &Ctx,
    ops: &[Op],
    row: &mut Row,
    sink: &mut dyn FnMut(&mut Row) -> Result<bool>,
) -> Result<bool> {
    let Some((op, rest)) = ops.split_first() else {
        // Rows that go straight to the final step (a count, the result) may come
        // from a loop that never starts another operator (the inner UNWIND of
        // `UNWIND .. UNWIND .. RETURN count(*)`), so count them here too.
        cx.sh.tick()?;
        return sink(row);
    };
    cx.sh.tick()?;
    let g = cx.g;
    // Emits the current row to the rest of the pipeline (and counts it).
    macro_rules! emit {
        () => {{
            if cx.sh.profile.is_some() {
                cx.sh.count(op, 1, Duration::ZERO);
            }
            if !stream(cx, rest, row, sink)? {
                return Ok(false);
            }
        }};
    }
    match op {
        Op::AllNodes { slot, check } => {
            let chk = resolve_check(cx, check, row)?;
            for id in g.node_ids() {
                cx.sh.tick()?;
                if chk.matches(g, id) {
                    row[*slot] = Value::Node(id);
                    emit!();
                }
            }
        }
        Op::LabelScan { slot, label, check } => {
            let chk = resolve_check(cx, check, row)?;
            for id in g.nodes_with_label(label) {
                cx.sh.tick()?;
                if chk.matches(g, id) {
                    row[*slot] = Value::Node(id);
                    emit!();
                }
            }
        }
        Op::IndexSeek {
            slot,
            label,
            key,
            value,
            check,
        } => {
            let v = eval(cx, value, row)?;
            let chk = resolve_check(cx, check, row)?;
            if v.is_null() {
                return Ok(true);
            }
            let ids = match g.index_lookup(label, key, &v) {
                Some(ids) => ids,
                None => g.nodes_with_label(label).collect(),
            };
            for id in ids {
                cx.sh.tick()?;
                let eq = g
                    .node_prop(id, key)
                    .and_then(|p| p.cypher_eq(&v))
                    .unwrap_or(false);
                if eq && chk.matches(g, id) {
                    row[*slot] = Value::Node(id);
                    emit!();
                }
            }
        }
        Op::NodeFilter { slot, check } => {
            let chk = resolve_check(cx, check, row)?;
            if let Value::Node(id) = row[*slot]
                && chk.matches(g, id)
            {
                emit!();
            }
        }
        Op::Expand(step) => {
            let Value::Node(from) = row[step.from] else {
                return Ok(true);
            };
            let to_fixed = if step.to_bound {
                match row[step.to] {
                    Value::Node(n) => Some(n),
                    _ => return Ok(true),
                }
            } else {
                None
            };
            let chk = resolve_check(cx, &step.to_check, row)?;
            let rchk = resolve_props(cx, &step.rel_props, row)?;
            let Some(types) = resolve_types(g, &step.types) else {
                return Ok(true);
            };
            let used = used_rels(row, &step.uniq);
            if step.rel_bound {
                // Follow the bound relationship(s) instead of searching.
                let list: Vec<RelId> = match &row[step.rel] {
                    Value::Rel(r) if step.range.is_none() => vec![*r],
                    Value::List(items) if step.range.is_some() => {
                        let mut v = Vec::new();
                        for x in items {
                            match x {
                                Value::Rel(r) => v.push(*r),
                                _ => return Ok(true),
                            }
                        }
                        if step.reversed {
                            v.reverse();
                        }
                        v
                    }
                    _ => return Ok(true),
                };
                if let Some((lo, hi)) = step.range
                    && ((list.len() as u64) < lo || (list.len() as u64) > hi)
                {
                    return Ok(true);
                }
                let mut at = from;
                for r in &list {
                    let Some((s, e)) = g.rel_ends(*r) else {
                        return Ok(true);
                    };
                    let ty_ok =
                        types.is_empty() || g.rel(*r).is_some_and(|d| types.contains(&d.ty));
                    let next = match step.dir {
                        Dir::Right if s == at => e,
                        Dir::Left if e == at => s,
                        Dir::Both if s == at => e,
                        Dir::Both if e == at => s,
                        _ => return Ok(true),
                    };
                    if !ty_ok || used.contains(r) || !rchk.matches_rel(g, *r) {
                        return Ok(true);
                    }
                    at = next;
                }
                if to_fixed.is_some_and(|t| t != at) || !chk.matches(g, at) {
                    return Ok(true);
                }
                row[step.to] = Value::Node(at);
                emit!();
                return Ok(true);
            }
            match step.range {
                None => {
                    let mut cands: Vec<(RelId, NodeId)> = Vec::new();
                    neighbours(cx, from, step.dir, &types, &mut cands);
                    let chk = with_tested_bits(g, chk, cands.len());
                    for (r, other) in cands {
                        cx.sh.tick()?;
                        if used.contains(&r) || !rchk.matches_rel(g, r) {
                            continue;
                        }
                        if to_fixed.is_some_and(|t| t != other) || !chk.matches(g, other) {
                            continue;
                        }
                        row[step.rel] = Value::Rel(r);
                        row[step.to] = Value::Node(other);
                        emit!();
                    }
                }
                Some((lo, hi)) => {
                    // Depth-first, relationships unique within the path.
                    let mut path: Vec<RelId> = Vec::new();
                    let mut stack: Vec<(Vec<(RelId, NodeId)>, usize)> = Vec::new();
                    let mut at = from;
                    if lo == 0 && to_fixed.is_none_or(|t| t == from) && chk.matches(g, from) {
                        row[step.rel] = Value::List(Vec::new());
                        row[step.to] = Value::Node(from);
                        emit!();
                    }
                    if hi > 0 {
                        let mut c = Vec::new();
                        neighbours(cx, at, step.dir, &types, &mut c);
                        stack.push((c, 0));
                    }
                    let mut nodes: Vec<NodeId> = vec![from];
                    while let Some((cands, idx)) = stack.last_mut() {
                        cx.sh.tick()?;
                        if *idx >= cands.len() {
                            stack.pop();
                            path.pop();
                            nodes.pop();
                            continue;
                        }
                        let (r, other) = cands[*idx];
                        *idx += 1;
                        if path.contains(&r) || used.contains(&r) || !rchk.matches_rel(g, r) {
                            continue;
                        }
                        path.push(r);
                        nodes.push(other);
                        at = other;
                        let depth = path.len() as u64;
                        if depth >= lo && to_fixed.is_none_or(|t| t == at) && chk.matches(g, at) {
                            let mut list: Vec<Value> =
                                path.iter().map(|r| Value::Rel(*r)).collect();
                            if step.reversed {
                                list.reverse();
                            }
                            row[step.rel] = Value::List(list);
                            row[step.to] = Value::Node(at);
                            emit!();
                        }
                        if depth < hi {
                            let mut c = Vec::new();
                            neighbours(cx, at, step.dir, &types, &mut c);
                            stack.push((c, 0));
                        } else {
                            path.pop();
                            nodes.pop();
                        }
                    }
                }
            }
        }
        Op::ShortestPath { step, path, all } => {
            let (Value::Node(a), Value::Node(b)) = (&row[step.from], &row[step.to]) else {
                return Ok(true);
            };
            let (a, b) = (*a, *b);
            let Some(types) = resolve_types(g, &step.types) else {
                return Ok(true);
            };
            let rchk = resolve_props(cx, &step.rel_props, row)?;
            let (lo, hi) = step.range.unwrap_or((1, 1));
            let found = if *all {
                all_shortest(cx, a, b, step.dir, &types, &rchk, hi)?
            } else {
                shortest(cx, a, b, step.dir, &types, &rchk, hi)?
                    .into_iter()
                    .collect()
            };
            for p in found {
                if (p.rels.len() as u64) < lo {
                    continue;
                }
                row[step.rel] = Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect());
                row[*path] = Value::Path(Box::new(p));
                emit!();
            }
        }
        Op::Filter(e) => {
            if let Value::Bool(true) = eval(cx, e, row)? {
                emit!();
            }
        }
        Op::Optional { ops, nulls } => {
            let mut found = false;
            let mut stopped = false;
            {
                let mut inner = |r: &mut Row| -> Result<bool> {
                    found = true;
                    if !stream(cx, rest, r, sink)? {
                        stopped = true;
                        return Ok(false);
                    }
                    Ok(true)
                };
                stream(cx, ops, row, &mut inner)?;
            }
            if stopped {
                return Ok(false);
            }
            if !found {
                for s in nulls {
                    row[*s] = Value::Null;
                }
                emit!();
            }
        }
        Op::Unwind { expr, slot } => match eval(cx, expr, row)? {
            Value::List(items) => {
                for v in items {
                    row[*slot] = v;
                    emit!();
                }
            }
            Value::Null => {}
            v => {
                row[*slot] = v;
                emit!();
            }
        },
        Op::Project(items) => {
            let mut vals = Vec::with_capacity(items.len());
            for (e, _) in items {
                vals.push(eval(cx, e, row)?);
            }
            for ((_, s), v) in items.iter().zip(vals) {
                row[*s] = v;
            }
            emit!();
        }
        Op::BindPath(spec) => {
            row[spec.slot] = build_path(g, spec, row);
            emit!();
        }
        Op::Call {
            proc,
            args,
            outputs,
            span,
        } => {
            let mut a = Vec::new();
            for e in args {
                a.push(eval(cx, e, row)?);
            }
            for rec in call_procedure(g, *proc, &a).map_err(|e| e.located(*span))? {
                for (field, slot) in outputs {
                    row[*slot] = rec.get(field).cloned().unwrap_or(Value::Null);
                }
                emit!();
            }
        }
        other => {
            return Err(Error::Internal(format!("operator {other:?} cannot stream")));
        }
    }
    Ok(true)
}

/// Relationship ids a new relationship must differ from.
pub(super) fn used_rels(row: &[Value], slots: &[usize]) -> Vec<RelId> {
    let mut out = Vec::new();
    for s in slots {
        match &row[*s] {
            Value::Rel(r) => out.push(*r),
            Value::List(items) => {
                for v in items {
                    if let Value::Rel(r) = v {
                        out.push(*r);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Type names to interned ids: `Some(empty)` for "any type", `None` when no
/// named type exists (nothing can match).
pub(super) fn resolve_types(g: &Graph, types: &[String]) -> Option<Vec<Sym>> {
    if types.is_empty() {
        return Some(Vec::new());
    }
    let ids: Vec<Sym> = types.iter().filter_map(|t| g.type_id(t)).collect();
    if ids.is_empty() { None } else { Some(ids) }
}

/// Relationships at `n` in `dir` with one of `types` (any if empty).
pub(super) fn neighbours(
    cx: &Ctx,
    n: NodeId,
    dir: Dir,
    types: &[Sym],
    out: &mut Vec<(RelId, NodeId)>,
) {
    let g = cx.g;
    let abort = || cx.sh.check_cancel().is_err();
    match dir {
        Dir::Right => g.neighbours_into(n, Direction::Outgoing, types, out, &abort),
        Dir::Left => g.neighbours_into(n, Direction::Incoming, types, out, &abort),
        Dir::Both => {
            g.neighbours_into(n, Direction::Outgoing, types, out, &abort);
            // A self-loop is one relationship: seen once, going out.
            let from = out.len();
            g.neighbours_into(n, Direction::Incoming, types, out, &abort);
            let mut k = from;
            for i in from..out.len() {
                if out[i].1 != n {
                    out[k] = out[i];
                    k += 1;
                }
            }
            out.truncate(k);
        }
    }
}

/// A node check with names resolved and property values evaluated for this row.
pub(super) struct Check<'a> {
    pub(super) impossible: bool,
    pub(super) labels: Vec<Sym>,
    pub(super) props: Vec<(Option<Sym>, Value)>,
    /// Membership bitmaps for `labels`, used only when there is one for each.
    pub(super) bits: Vec<&'a [u64]>,
}

pub(super) fn resolve_check<'a>(
    cx: &Ctx<'a, '_>,
    c: &NodeCheck,
    row: &[Value],
) -> Result<Check<'a>> {
    let mut out = resolve_props(cx, &c.props, row)?;
    for l in &c.labels {
        match cx.g.label_id(l) {
            Some(s) => {
                out.labels.push(s);
                if let Some(b) = cx.label_bits(s, l) {
                    out.bits.push(b);
                }
            }
            None => out.impossible = true,
        }
    }
    Ok(out)
}

fn resolve_props<'a>(cx: &Ctx<'a, '_>, props: &[(String, Ex)], row: &[Value]) -> Result<Check<'a>> {
    let mut out = Check {
        impossible: false,
        labels: Vec::new(),
        props: Vec::new(),
        bits: Vec::new(),
    };
    for (k, e) in props {
        let v = eval(cx, e, row)?;
        if v.is_null() {
            out.impossible = true;
        }
        out.props.push((cx.g.key_id(k), v));
    }
    Ok(out)
}

/// `chk` about to test `n` nodes: with bitmaps for its labels when the graph
/// has them or decides they are due (see [`Graph::note_label_tests`]).
fn with_tested_bits<'a>(g: &'a Graph, mut chk: Check<'a>, n: usize) -> Check<'a> {
    if n == 0 || !chk.props.is_empty() || chk.bits.len() == chk.labels.len() {
        return chk;
    }
    let bits: Vec<&[u64]> = chk
        .labels
        .iter()
        .filter_map(|l| g.note_label_tests(*l, n as u64))
        .collect();
    if bits.len() == chk.labels.len() {
        chk.bits = bits;
    }
    chk
}

impl Check<'_> {
    pub(super) fn matches(&self, g: &Graph, id: NodeId) -> bool {
        if self.impossible {
            return false;
        }
        if self.labels.is_empty() && self.props.is_empty() {
            return true;
        }
        if self.props.is_empty() && self.bits.len() == self.labels.len() {
            // Bitmaps are built from the label index, so a set bit means the node exists.
            let (w, b) = ((id.0 / 64) as usize, id.0 % 64);
            return self
                .bits
                .iter()
                .all(|bits| bits.get(w).is_some_and(|x| x & (1 << b) != 0));
        }
        let Some(n) = g.node(id) else { return false };
        self.labels.iter().all(|l| n.labels.contains(l))
            && self.props.iter().all(|(k, v)| {
                k.and_then(|k| n.props.get(k))
                    .and_then(|p| p.cypher_eq(v))
                    .unwrap_or(false)
            })
    }

    fn matches_rel(&self, g: &Graph, id: RelId) -> bool {
        if self.impossible {
            return false;
        }
        if self.props.is_empty() {
            return true;
        }
        let Some(r) = g.rel(id) else { return false };
        self.props.iter().all(|(k, v)| {
            k.and_then(|k| r.props.get(k))
                .and_then(|p| p.cypher_eq(v))
                .unwrap_or(false)
        })
    }
}

fn build_path(g: &Graph, spec: &PathSpec, row: &[Value]) -> Value {
    let Some(Value::Node(first)) = spec.nodes.first().map(|s| &row[*s]) else {
        return Value::Null;
    };
    let mut p = Path {
        nodes: vec![*first],
        rels: Vec::new(),
    };
    for (slot, is_list) in &spec.rels {
        let rels: Vec<RelId> = match (&row[*slot], is_list) {
            (Value::Rel(r), false) => vec![*r],
            (Value::List(items), true) => {
                let mut v: Vec<RelId> = items
                    .iter()
                    .filter_map(|x| match x {
                        Value::Rel(r) => Some(*r),
                        _ => None,
                    })
                    .collect();
                // A list bound by expanding right-to-left runs backwards: orient it.
                let cur = *p.nodes.last().unwrap_or(first);
                if let Some(r0) = v.first()
                    && let Some((s, e)) = g.rel_ends(*r0)
                    && s != cur
                    && e != cur
                {
                    v.reverse();
                }
                v
            }
            _ => return Value::Null,
        };
        for r in rels {
            let cur = *p.nodes.last().unwrap_or(first);
            let Some((s, e)) = g.rel_ends(r) else {
                return Value::Null;
            };
            let next = if s == cur { e } else { s };
            p.rels.push(r);
            p.nodes.push(next);
        }
    }
    Value::Path(Box::new(p))
}

// ----- shortest paths -----

/// One shortest path from `a` to `b` by bidirectional breadth-first search.
fn shortest(
    cx: &Ctx,
    a: NodeId,
    b: NodeId,
    dir: Dir,
    types: &[Sym],
    rchk: &Check,
    max: u64,
) -> Result<Option<Path>> {
    if a == b {
        return Ok(Some(Path {
            nodes: vec![a],
            rels: Vec::new(),
        }));
    }
    let g = cx.g;
    let back = match dir {
        Dir::Right => Dir::Left,
        Dir::Left => Dir::Right,
        Dir::Both => Dir::Both,
    };
    // parent maps: node -> (rel, previous node)
    let mut pa: HashMap<NodeId, Option<(RelId, NodeId)>> = HashMap::new();
    let mut pb: HashMap<NodeId, Option<(RelId, NodeId)>> = HashMap::new();
    pa.insert(a, None);
    pb.insert(b, None);
    let mut fa = vec![a];
    let mut fb = vec![b];
    let mut depth = 0u64;
    let mut buf = Vec::new();
    while depth < max && !fa.is_empty() && !fb.is_empty() {
        // Expand the smaller frontier.
        let from_a = fa.len() <= fb.len();
        let (front, parents, other, d) = if from_a {
            (&mut fa, &mut pa, &pb, dir)
        } else {
            (&mut fb, &mut pb, &pa, back)
        };
        let mut next = Vec::new();
        let mut meet = None;
        'outer: for &n in front.iter() {
            buf.clear();
            neighbours(cx, n, d, types, &mut buf);
            for &(r, m) in &buf {
                cx.sh.tick()?;
                if parents.contains_key(&m) || !rchk.matches_rel(g, r) {
                    continue;
                }
                parents.insert(m, Some((r, n)));
                if other.contains_key(&m) {
                    meet = Some(m);
                    break 'outer;
                }
                next.push(m);
            }
        }
        depth += 1;
        if let Some(m) = meet {
            // Walk back to a, then forward to b.
            let mut nodes = vec![m];
            let mut rels = Vec::new();
            let mut cur = m;
            while let Some(Some((r, p))) = pa.get(&cur) {
                rels.push(*r);
                nodes.push(*p);
                cur = *p;
            }
            nodes.reverse();
            rels.reverse();
            let mut cur = m;
            while let Some(Some((r, p))) = pb.get(&cur) {
                rels.push(*r);
                nodes.push(*p);
                cur = *p;
            }
            return Ok(Some(Path { nodes, rels }));
        }
        *front = next;
    }
    Ok(None)
}

/// Every shortest path from `a` to `b` (breadth-first with all parents kept).
fn all_shortest(
    cx: &Ctx,
    a: NodeId,
    b: NodeId,
    dir: Dir,
    types: &[Sym],
    rchk: &Check,
    max: u64,
) -> Result<Vec<Path>> {
    if a == b {
        return Ok(vec![Path {
            nodes: vec![a],
            rels: Vec::new(),
        }]);
    }
    let g = cx.g;
    let mut level: HashMap<NodeId, u64> = HashMap::new();
    let mut parents: HashMap<NodeId, Vec<(RelId, NodeId)>> = HashMap::new();
    level.insert(a, 0);
    let mut q = VecDeque::new();
    q.push_back(a);
    let mut found_at: Option<u64> = None;
    let mut buf = Vec::new();
    while let Some(n) = q.pop_front() {
        let l = level.get(&n).copied().unwrap_or(0);
        if l >= max || found_at.is_some_and(|f| l >= f) {
            continue;
        }
        buf.clear();
        neighbours(cx, n, dir, types, &mut buf);
        for &(r, m) in &buf {
            cx.sh.tick()?;
            if !rchk.matches_rel(g, r) {
                continue;
            }
            match level.get(&m) {
                None => {
                    level.insert(m, l + 1);
                    parents.entry(m).or_default().push((r, n));
                    if m == b {
                        found_at = Some(l + 1);
                    } else {
                        q.push_back(m);
                    }
                }
                Some(&lm) if lm == l + 1 => parents.entry(m).or_default().push((r, n)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if found_at.is_none() {
        return Ok(out);
    }
    // Enumerate paths back from b.
    let mut stack: Vec<(NodeId, Vec<RelId>, Vec<NodeId>)> = vec![(b, Vec::new(), vec![b])];
    while let Some((n, rels, nodes)) = stack.pop() {
        cx.sh.tick()?;
        if n == a {
            let mut nodes = nodes;
            let mut rels = rels;
            nodes.reverse();
            rels.reverse();
            out.push(Path { nodes, rels });
            continue;
        }
        for (r, p) in parents.get(&n).into_iter().flatten() {
            if rels.contains(r) {
                continue;
            }
            let mut r2 = rels.clone();
            r2.push(*r);
            let mut n2 = nodes.clone();
            n2.push(*p);
            stack.push((*p, r2, n2));
        }
    }
    out.sort_by(|x, y| x.rels.cmp(&y.rels));
    Ok(out)
}

// ----- procedures -----

fn call_procedure(g: &Graph, proc: Proc, args: &[Value]) -> Result<Vec<HashMap<String, Value>>> {
    let rec = |pairs: Vec<(&str, Value)>| -> HashMap<String, Value> {
        pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    };
    Ok(match proc {
        Proc::Search => {
            let (Some(Value::String(labels)), Some(Value::String(q))) = (args.first(), args.get(1))
            else {
                return Err(type_err("db.search takes (labels: STRING, query: STRING)"));
            };
            let ls: Vec<&str> = labels
                .split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            g.fulltext_search(&ls, q)
                .into_iter()
                .map(|(n, s)| rec(vec![("node", Value::Node(n)), ("score", Value::Float(s))]))
                .collect()
        }
        Proc::Labels => {
            let mut v: Vec<&str> = g.label_names().filter(|l| g.label_count(l) > 0).collect();
            v.sort();
            v.into_iter()
                .map(|l| rec(vec![("label", Value::str(l))]))
                .collect()
        }
        Proc::RelTypes => {
            let mut v: Vec<&str> = g.type_names().filter(|t| g.type_count(t) > 0).collect();
            v.sort();
            v.into_iter()
                .map(|t| rec(vec![("relationshipType", Value::str(t))]))
                .collect()
        }
        Proc::PropertyKeys => {
            let mut v: Vec<&str> = g.key_names().collect();
            v.sort();
            v.into_iter()
                .map(|k| rec(vec![("propertyKey", Value::str(k))]))
                .collect()
        }
    })
}

// ----- collecting operators -----

/// Values compared by equivalence, hashed consistently: a grouping key.
#[derive(Clone)]
struct Key(Vec<Value>);

impl PartialEq for Key {
    fn eq(&self, o: &Key) -> bool {
        self.0.len() == o.0.len() && self.0.iter().zip(&o.0).all(|(a, b)| a.equivalent(b))
    }
}
impl Eq for Key {}
impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for v in &self.0 {
            v.hash_equivalent(h);
        }
    }
}

/// A grouping key: one value held as is (the common case, no vector to allocate
/// per group), or several. Compared and hashed by equivalence like [`Key`].
#[derive(Clone)]
enum GroupKey {
    One(Value),
    Many(Vec<Value>),
}

impl GroupKey {
    fn values(&self) -> &[Value] {
        match self {
            GroupKey::One(v) => std::slice::from_ref(v),
            GroupKey::Many(v) => v,
        }
    }
    fn into_vec(self) -> Vec<Value> {
        match self {
            GroupKey::One(v) => vec![v],
            GroupKey::Many(v) => v,
        }
    }
}

impl PartialEq for GroupKey {
    fn eq(&self, o: &GroupKey) -> bool {
        let (a, b) = (self.values(), o.values());
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equivalent(y))
    }
}
impl Eq for GroupKey {}
impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, h: &mut H) {
        for v in self.values() {
            v.hash_equivalent(h);
        }
    }
}

/// Groups and their accumulators, fed one row at a time (so a streaming stage can
/// aggregate without collecting its rows first).
struct AggState<'p> {
    keys: &'p [(Ex, usize)],
    aggs: &'p [AggSpec],
    index: FxHashMap<GroupKey, usize>,
    /// Accumulators by group index (the group's key is in `index`).
    /// `aggs.len()` accumulators per group, one run after another (one vector
    /// for all groups, not one per group: a query may make 100k groups).
    accs: Vec<aggregate::Accumulator>,
    ngroups: usize,
    /// When every grouping key reads just one slot (`p`, `p.name`, ...), the slot
    /// and, for each node or relationship seen there, the group its rows went to.
    /// The key is then a function of that entity (the graph does not change while
    /// rows are grouped), so later rows of the same entity skip evaluating and
    /// hashing the key. Entities with equal keys (two people with one name) still
    /// share one group: the group is found by its key the first time.
    by_entity: Option<(usize, FxHashMap<Entity, usize>)>,
}

/// A node or relationship id, as a cheap grouping shortcut.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Entity {
    Node(NodeId),
    Rel(RelId),
}

/// The one slot every grouping key reads, if there is one (`p` or `p.k` only).
fn single_key_slot(keys: &[(Ex, usize)]) -> Option<usize> {
    let mut slot = None;
    for (e, _) in keys {
        let s = match e {
            Ex::Slot(s) => *s,
            Ex::Prop(a, _, _) => match &**a {
                Ex::Slot(s) => *s,
                _ => return None,
            },
            _ => return None,
        };
        if slot.is_some_and(|x| x != s) {
            return None;
        }
        slot = Some(s);
    }
    slot
}

impl<'p> AggState<'p> {
    fn new(keys: &'p [(Ex, usize)], aggs: &'p [AggSpec]) -> AggState<'p> {
        AggState {
            keys,
            aggs,
            index: FxHashMap::default(),
            accs: Vec::new(),
            ngroups: 0,
            by_entity: single_key_slot(keys).map(|s| (s, FxHashMap::default())),
        }
    }

    /// Makes room for about `n` groups up front (a hint: growing a table of 100k
    /// groups step by step costs more than the aggregation itself).
    fn reserve(&mut self, n: usize) {
        if self.keys.is_empty() {
            return;
        }
        let n = n.min(1 << 20);
        self.index.reserve(n);
        self.accs.reserve(n * self.aggs.len());
        if let Some((_, m)) = &mut self.by_entity {
            m.reserve(n);
        }
    }

    /// Appends a group with fresh accumulators; its index.
    fn new_group(&mut self) -> Result<usize> {
        for a in self.aggs {
            self.accs.push(
                aggregate::Accumulator::new(&a.name, a.distinct, a.extra.clone())
                    .map_err(Error::from)?,
            );
        }
        self.ngroups += 1;
        Ok(self.ngroups - 1)
    }

    fn add(&mut self, cx: &Ctx, row: &[Value]) -> Result<()> {
        let gi = self.group_for(cx, row)?;
        let na = self.aggs.len();
        for (a, accu) in self.aggs.iter().zip(self.accs[gi * na..].iter_mut()) {
            let v = match &a.arg {
                Some(e) => eval(cx, e, row)?,
                None => Value::Bool(true),
            };
            accu.update(v).map_err(|e| Error::from(e).located(a.span))?;
        }
        Ok(())
    }

    /// Adds `n` to every aggregate of the row's group: for [`count_step`], where
    /// every aggregate is a plain count of values known to be non-null.
    fn add_count(&mut self, cx: &Ctx, row: &[Value], n: u64) -> Result<()> {
        // Each row here stands for all its matches, so an entity rarely comes
        // twice: the per-entity shortcut would cost more than it saves.
        let gi = self.group_of(cx, row)?;
        let na = self.aggs.len();
        for accu in self.accs[gi * na..(gi + 1) * na].iter_mut() {
            if !accu.add_count(n as i64) {
                return Err(Error::Internal(
                    "add_count on an aggregate that is not count".into(),
                ));
            }
        }
        Ok(())
    }

    /// Adds the counts of `other` (a part of the same aggregate over other rows)
    /// to this state, groups of `other` that are new here coming last, in order.
    fn merge_counts(&mut self, other: AggState) -> Result<()> {
        let na = self.aggs.len();
        let mut keys: Vec<Option<GroupKey>> = vec![None; other.ngroups];
        for (k, gi) in other.index {
            keys[gi] = Some(k);
        }
        let mut theirs_all = other.accs.into_iter();
        for key in keys {
            let accs: Vec<aggregate::Accumulator> = theirs_all.by_ref().take(na).collect();
            let Some(key) = key else { continue };
            let gi = match self.index.get(&key) {
                Some(gi) => *gi,
                None => {
                    let gi = self.new_group()?;
                    self.index.insert(key, gi);
                    gi
                }
            };
            for (mine, theirs) in self.accs[gi * na..].iter_mut().zip(accs) {
                let n = theirs.count_value();
                if !n.is_some_and(|n| mine.add_count(n)) {
                    return Err(Error::Internal(
                        "merge_counts on an aggregate that is not count".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The index of the row's group, through the per-entity shortcut when it applies.
    fn group_for(&mut self, cx: &Ctx, row: &[Value]) -> Result<usize> {
        let ent = self
            .by_entity
            .as_ref()
            .and_then(|(s, _)| match row.get(*s) {
                Some(Value::Node(n)) => Some(Entity::Node(*n)),
                Some(Value::Rel(r)) => Some(Entity::Rel(*r)),
                _ => None,
            });
        let cached = match (&self.by_entity, ent) {
            (Some((_, m)), Some(e)) => m.get(&e).copied(),
            _ => None,
        };
        let gi = match cached {
            Some(gi) => gi,
            None => {
                let gi = self.group_of(cx, row)?;
                if let (Some((_, m)), Some(e)) = (&mut self.by_entity, ent) {
                    m.insert(e, gi);
                }
                gi
            }
        };
        Ok(gi)
    }

    /// The index of the row's group, found (or made) by evaluating its key.
    fn group_of(&mut self, cx: &Ctx, row: &[Value]) -> Result<usize> {
        let key = if let [(e, _)] = self.keys {
            GroupKey::One(eval(cx, e, row)?)
        } else {
            let mut k = Vec::with_capacity(self.keys.len());
            for (e, _) in self.keys {
                k.push(eval(cx, e, row)?);
            }
            GroupKey::Many(k)
        };
        Ok(match self.index.get(&key) {
            Some(gi) => *gi,
            None => {
                let gi = self.new_group()?;
                self.index.insert(key, gi);
                gi
            }
        })
    }

    fn finish(self, nslots: usize) -> Result<Vec<Row>> {
        self.finish_top(nslots, None)
    }

    /// The group rows; with `top` = (sort slots, k), only the first k rows in
    /// that order, as [`sort_by_slots`] would leave them (ties in group order),
    /// without building a row for every group.
    fn finish_top(
        mut self,
        nslots: usize,
        top: Option<(&[(usize, bool)], usize)>,
    ) -> Result<Vec<Row>> {
        // Without grouping keys there is one row even over no input.
        if self.ngroups == 0 && self.keys.is_empty() {
            self.new_group()?;
            self.index.insert(GroupKey::Many(Vec::new()), 0);
        }
        let na = self.aggs.len();
        let mut keys: Vec<Option<GroupKey>> = vec![None; self.ngroups];
        for (k, gi) in self.index {
            keys[gi] = Some(k);
        }
        if let Some((slots, k)) = top {
            let cmp = |a: &[Value], b: &[Value]| -> Ordering {
                for (s, desc) in slots {
                    let o = a[*s].order(&b[*s]);
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            };
            // When the first sort key is an aggregate, a group that is strictly
            // worse on it than the current k-th is dropped before its key is
            // even copied (most groups, for `ORDER BY count DESC LIMIT k`).
            let first_agg = slots
                .first()
                .filter(|(s, _)| self.aggs.iter().any(|a| a.slot == *s))
                .copied();
            // The best k so far, in order; a later group goes after equal ones.
            let mut best: Vec<Row> = Vec::with_capacity(k + 1);
            let mut scratch = vec![Value::Null; nslots];
            let mut accs_all = self.accs.into_iter();
            for key in keys {
                let accs = accs_all.by_ref().take(na);
                for (a, accu) in self.aggs.iter().zip(accs) {
                    scratch[a.slot] = accu.finish().map_err(|e| Error::from(e).located(a.span))?;
                }
                if best.len() == k
                    && let (Some((s, desc)), Some(w)) = (first_agg, best.last())
                {
                    let o = scratch[s].order(&w[s]);
                    if (if desc { o.reverse() } else { o }) == Ordering::Greater {
                        continue;
                    }
                }
                let key = key.as_ref().map_or(&[][..], |k| k.values());
                for ((_, s), v) in self.keys.iter().zip(key) {
                    scratch[*s] = v.clone();
                }
                if best.len() == k
                    && best
                        .last()
                        .is_none_or(|w| cmp(&scratch, w) != Ordering::Less)
                {
                    continue;
                }
                let at = best.partition_point(|b| cmp(b, &scratch) != Ordering::Greater);
                best.insert(at, scratch.clone());
                best.truncate(k);
            }
            return Ok(best);
        }
        let mut out = Vec::with_capacity(self.ngroups);
        let mut accs_all = self.accs.into_iter();
        for k in keys {
            let accs = accs_all.by_ref().take(na);
            let mut r = vec![Value::Null; nslots];
            for ((_, s), v) in self
                .keys
                .iter()
                .zip(k.map(GroupKey::into_vec).unwrap_or_default())
            {
                r[*s] = v;
            }
            for (a, accu) in self.aggs.iter().zip(accs) {
                r[a.slot] = accu.finish().map_err(|e| Error::from(e).located(a.span))?;
            }
            out.push(r);
        }
        Ok(out)
    }
}

/// Sorts rows by slot values (ties keep input order); with `cap`, only the first
/// `cap` rows are kept and ordered.
fn sort_by_slots(
    sh: &Shared,
    rows: Vec<Row>,
    slots: &[(usize, bool)],
    cap: Option<usize>,
) -> Result<Vec<Row>> {
    sh.check_cancel()?;
    let mut keyed: Vec<(usize, Row)> = rows.into_iter().enumerate().collect();
    let cmp = |a: &(usize, Row), b: &(usize, Row)| -> Ordering {
        for (s, desc) in slots {
            let o = a.1[*s].order(&b.1[*s]);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.0.cmp(&b.0)
    };
    sort_top(&mut keyed, cap, cmp);
    Ok(keyed.into_iter().map(|(_, r)| r).collect())
}

/// Sorts `v` by `cmp` and keeps the first `cap` elements: with a cap below the
/// length, a selection puts the best `cap` first and only those are sorted
/// (top-k). `cmp` must be a total order (callers break ties by input position),
/// so an unstable sort gives the stable answer.
fn sort_top<T>(v: &mut Vec<T>, cap: Option<usize>, cmp: impl Fn(&T, &T) -> Ordering) {
    if let Some(k) = cap
        && k < v.len()
    {
        if k == 0 {
            v.clear();
            return;
        }
        v.select_nth_unstable_by(k - 1, &cmp);
        v.truncate(k);
    }
    v.sort_unstable_by(cmp);
}

/// Runs the collecting operator at `ops[i]`; returns its rows and how many
/// operators it consumed (a sort takes a following SKIP/LIMIT as top-k).
fn collect_op(
    acc: &mut Access,
    sh: &Shared,
    ops: &[Op],
    i: usize,
    rows: Vec<Row>,
) -> Result<(Vec<Row>, usize)> {
    let empty: Row = Vec::new();
    let op = &ops[i];
    match op {
        Op::Aggregate { keys, aggs } => {
            let cx = Ctx::new(acc.graph(), sh);
            let mut st = AggState::new(keys, aggs);
            for row in &rows {
                sh.tick()?;
                st.add(&cx, row)?;
            }
            Ok((st.finish(sh.nslots)?, 1))
        }
        Op::Distinct(slots) => {
            let mut seen: HashSet<Key> = HashSet::new();
            let mut out = Vec::new();
            for r in rows {
                let k = Key(slots.iter().map(|s| r[*s].clone()).collect());
                if seen.insert(k) {
                    out.push(r);
                }
            }
            Ok((out, 1))
        }
        Op::Sort(keys) => {
            let cap = stage_cap(ops, i + 1, acc.graph(), sh)?;
            let slots: Option<Vec<(usize, bool)>> = keys
                .iter()
                .map(|(e, d)| match e {
                    Ex::Slot(s) => Some((*s, *d)),
                    _ => None,
                })
                .collect();
            if let Some(slots) = slots {
                // Keys that are plain slots (projected items, aggregates) are
                // compared in place: no key is evaluated or copied per row.
                return Ok((sort_by_slots(sh, rows, &slots, cap)?, 1));
            }
            let cx = Ctx::new(acc.graph(), sh);
            let mut keyed: Vec<(Vec<Value>, usize, Row)> = Vec::with_capacity(rows.len());
            for (n, r) in rows.into_iter().enumerate() {
                sh.tick()?;
                let mut k = Vec::with_capacity(keys.len());
                for (e, _) in keys {
                    k.push(eval(&cx, e, &r)?);
                }
                keyed.push((k, n, r));
            }
            let cmp = |a: &(Vec<Value>, usize, Row), b: &(Vec<Value>, usize, Row)| -> Ordering {
                for ((x, y), (_, desc)) in a.0.iter().zip(&b.0).zip(keys) {
                    let o = x.order(y);
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.1.cmp(&b.1)
            };
            // Top-k: with a LIMIT after, only the first skip+limit rows need order.
            sort_top(&mut keyed, cap, cmp);
            Ok((keyed.into_iter().map(|(_, _, r)| r).collect(), 1))
        }
        Op::Skip(e) => {
            let cx = Ctx::new(acc.graph(), sh);
            let n = count_arg(&cx, e, &empty)?;
            Ok((rows.into_iter().skip(n).collect(), 1))
        }
        Op::Limit(e) => {
            let cx = Ctx::new(acc.graph(), sh);
            let n = count_arg(&cx, e, &empty)?;
            Ok((rows.into_iter().take(n).collect(), 1))
        }
        Op::Create(parts) => {
            let Access::Write(txn) = acc else {
                return Err(Error::ReadOnly);
            };
            let mut out = rows;
            for r in out.iter_mut() {
                sh.tick()?;
                for p in parts {
                    create_part(txn, sh, p, r)?;
                }
            }
            Ok((out, 1))
        }
        Op::Set(items) => {
            let Access::Write(txn) = acc else {
                return Err(Error::ReadOnly);
            };
            for r in &rows {
                sh.tick()?;
                apply_set(txn, sh, items, r)?;
            }
            Ok((rows, 1))
        }
        Op::Delete {
            exprs,
            detach,
            spans,
        } => {
            let Access::Write(txn) = acc else {
                return Err(Error::ReadOnly);
            };
            let mut nodes = Vec::new();
            let mut rels = Vec::new();
            {
                let cx = Ctx::new(txn.graph(), sh);
                for r in &rows {
                    for (i, e) in exprs.iter().enumerate() {
                        let span = spans.get(i).copied().unwrap_or_default();
                        match eval(&cx, e, r)? {
                            Value::Node(n) => nodes.push((n, span)),
                            Value::Rel(x) => rels.push(x),
                            Value::Path(p) => {
                                nodes.extend(p.nodes.iter().map(|n| (*n, span)));
                                rels.extend(p.rels.iter().copied());
                            }
                            Value::Null => {}
                            v => {
                                return Err(type_err(format!(
                                    "DELETE takes nodes, relationships or paths, not {}",
                                    v.type_name()
                                ))
                                .located(span));
                            }
                        }
                    }
                }
            }
            let mut seen = HashSet::new();
            for r in rels {
                if seen.insert(r) && txn.graph().contains_rel(r) {
                    txn.delete_rel(r)?;
                }
            }
            let mut seen = HashSet::new();
            for (n, span) in nodes {
                sh.tick()?;
                if !seen.insert(n) || !txn.graph().contains_node(n) {
                    continue;
                }
                if !detach
                    && (txn.graph().degree(n, Direction::Outgoing) > 0
                        || txn.graph().degree(n, Direction::Incoming) > 0)
                {
                    return Err(qerr(
                        QueryErrorKind::ConstraintValidationFailed,
                        "DeleteConnectedNode",
                        "cannot delete a node that still has relationships; use DETACH DELETE",
                    )
                    .located(span));
                }
                txn.delete_node(n, *detach)?;
            }
            Ok((rows, 1))
        }
        Op::Merge {
            matcher,
            create,
            on_create,
            on_match,
        } => {
            let Access::Write(txn) = acc else {
                return Err(Error::ReadOnly);
            };
            let mut out = Vec::new();
            for mut r in rows {
                let mut found: Vec<Row> = Vec::new();
                {
                    let cx = Ctx::new(txn.graph(), sh);
                    let mut sink = |row: &mut Row| -> Result<bool> {
                        found.push(row.clone());
                        Ok(true)
                    };
                    stream(&cx, matcher, &mut r, &mut sink)?;
                }
                if found.is_empty() {
                    // MERGE on a null property could never match what it creates.
                    let cx = Ctx::new(txn.graph(), sh);
                    let props = create
                        .nodes
                        .iter()
                        .map(|n| (n.0, &n.2))
                        .chain(create.rels.iter().map(|r| (r.0, &r.4)));
                    for (slot, props) in props {
                        for (k, e) in props {
                            if eval(&cx, e, &r)?.is_null() {
                                return Err(qerr(
                                    QueryErrorKind::SemanticError,
                                    "MergeReadOwnWrites",
                                    format!("cannot MERGE with a null value for property `{k}`"),
                                )
                                .located(create.prop_span(slot)));
                            }
                        }
                    }
                    create_part(txn, sh, create, &mut r)?;
                    apply_set(txn, sh, on_create, &r)?;
                    out.push(r);
                } else {
                    for f in found {
                        apply_set(txn, sh, on_match, &f)?;
                        out.push(f);
                    }
                }
            }
            Ok((out, 1))
        }
        Op::CountPerNode(c) => super::fastagg::run(acc, sh, ops, i, c, rows),
        other => Err(Error::Internal(format!(
            "operator {other:?} does not collect"
        ))),
    }
}

fn storable(key: &str, v: Value) -> Result<Value> {
    if v.is_storable() {
        Ok(v)
    } else {
        Err(qerr(
            QueryErrorKind::TypeError,
            "InvalidPropertyType",
            format!("property `{key}` cannot hold a {} value", v.type_name()),
        ))
    }
}

fn eval_props(cx: &Ctx, props: &[(String, Ex)], row: &[Value]) -> Result<Vec<(String, Value)>> {
    let mut out = Vec::new();
    for (k, e) in props {
        let v = storable(k, eval(cx, e, row)?)?;
        if !v.is_null() {
            out.push((k.clone(), v));
        }
    }
    Ok(out)
}

fn create_part(txn: &mut Txn, sh: &Shared, p: &CreatePart, row: &mut Row) -> Result<()> {
    for (slot, labels, props) in &p.nodes {
        let vals = {
            let cx = Ctx::new(txn.graph(), sh);
            eval_props(&cx, props, row).map_err(|e| e.located(p.prop_span(*slot)))?
        };
        let ls: Vec<&str> = labels.iter().map(String::as_str).collect();
        let id = txn.create_node(&ls, vals)?;
        row[*slot] = Value::Node(id);
    }
    for (slot, start, end, ty, props) in &p.rels {
        let vals = {
            let cx = Ctx::new(txn.graph(), sh);
            eval_props(&cx, props, row).map_err(|e| e.located(p.prop_span(*slot)))?
        };
        let (Value::Node(a), Value::Node(b)) = (&row[*start], &row[*end]) else {
            return Err(qerr(
                QueryErrorKind::SemanticError,
                "InvalidArgumentType",
                "a relationship can only be created between two nodes",
            )
            .located(p.rel_span(*slot)));
        };
        let (a, b) = (*a, *b);
        if !txn.graph().contains_node(a) || !txn.graph().contains_node(b) {
            return Err(qerr(
                QueryErrorKind::EntityNotFound,
                "DeletedEntityAccess",
                "a relationship cannot join a deleted node",
            )
            .located(p.rel_span(*slot)));
        }
        let id = txn.create_rel(a, b, ty, vals)?;
        row[*slot] = Value::Rel(id);
    }
    if let Some(spec) = &p.path {
        row[spec.slot] = build_path(txn.graph(), spec, row);
    }
    Ok(())
}

enum Target {
    Node(NodeId),
    Rel(RelId),
}

fn target(v: Value) -> Result<Option<Target>> {
    match v {
        Value::Node(n) => Ok(Some(Target::Node(n))),
        Value::Rel(r) => Ok(Some(Target::Rel(r))),
        Value::Null => Ok(None),
        v => Err(type_err(format!(
            "only nodes and relationships have properties, not {}",
            v.type_name()
        ))),
    }
}

fn set_prop(txn: &mut Txn, t: &Target, key: &str, v: Value) -> Result<()> {
    let v = storable(key, v)?;
    let current = match t {
        Target::Node(n) => txn.graph().node_prop(*n, key).cloned(),
        Target::Rel(r) => txn.graph().rel_prop(*r, key).cloned(),
    };
    if v.is_null() && current.is_none() {
        return Ok(());
    }
    match t {
        Target::Node(n) if txn.graph().contains_node(*n) => txn.set_node_prop(*n, key, v),
        Target::Rel(r) if txn.graph().contains_rel(*r) => txn.set_rel_prop(*r, key, v),
        _ => Ok(()),
    }
}

fn props_of(g: &Graph, t: &Target) -> Vec<String> {
    match t {
        Target::Node(n) => g
            .node_props(*n)
            .into_iter()
            .map(|(k, _)| k.to_string())
            .collect(),
        Target::Rel(r) => g
            .rel_props(*r)
            .into_iter()
            .map(|(k, _)| k.to_string())
            .collect(),
    }
}

/// A map from a SET right-hand side: a map, or a node/relationship's properties.
fn as_map(g: &Graph, v: Value) -> Result<Option<Map>> {
    Ok(match v {
        Value::Map(m) => Some(*m),
        Value::Node(n) => Some(
            g.node_props(n)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
        Value::Rel(r) => Some(
            g.rel_props(r)
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
        Value::Null => None,
        v => return Err(type_err(format!("SET needs a map, not {}", v.type_name()))),
    })
}

fn apply_set(txn: &mut Txn, sh: &Shared, items: &[PSet], row: &[Value]) -> Result<()> {
    for it in items {
        let ev = |txn: &Txn, e: &Ex| -> Result<Value> {
            let cx = Ctx::new(txn.graph(), sh);
            eval(&cx, e, row)
        };
        match it {
            PSet::Prop(t, key, value, span) => {
                let t = target(ev(txn, t)?)?;
                let v = ev(txn, value)?;
                if let Some(t) = t {
                    set_prop(txn, &t, key, v).map_err(|e| e.located(*span))?;
                }
            }
            PSet::RemoveProp(t, key) => {
                if let Some(t) = target(ev(txn, t)?)? {
                    set_prop(txn, &t, key, Value::Null)?;
                }
            }
            PSet::Replace(slot, value, span) | PSet::Merge(slot, value, span) => {
                let replace = matches!(it, PSet::Replace(..));
                let Some(t) = target(row[*slot].clone())? else {
                    continue;
                };
                let v = ev(txn, value)?;
                let Some(m) = as_map(txn.graph(), v).map_err(|e| e.located(*span))? else {
                    continue;
                };
                if replace {
                    for k in props_of(txn.graph(), &t) {
                        if !m.contains_key(&k) {
                            set_prop(txn, &t, &k, Value::Null)?;
                        }
                    }
                }
                for (k, v) in m {
                    set_prop(txn, &t, &k, v).map_err(|e| e.located(*span))?;
                }
            }
            PSet::Labels(slot, labels) => {
                if let Value::Node(n) = row[*slot] {
                    for l in labels {
                        txn.add_label(n, l)?;
                    }
                }
            }
            PSet::RemoveLabels(slot, labels) => {
                if let Value::Node(n) = row[*slot] {
                    for l in labels {
                        txn.remove_label(n, l)?;
                    }
                }
            }
        }
    }
    Ok(())
}

// ----- expressions -----

fn truth(v: &Value, what: &str) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        v => Err(type_err(format!(
            "{what} needs a boolean, not {}",
            v.type_name()
        ))),
    }
}

fn opt_bool(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, regex::Regex>> = RefCell::new(HashMap::new());
}

fn regex_match(s: &str, pat: &str) -> Result<bool> {
    REGEX_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if !c.contains_key(pat) {
            let re = regex::Regex::new(&format!("^(?:{pat})$")).map_err(|e| {
                qerr(
                    QueryErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!("bad regular expression: {e}"),
                )
            })?;
            if c.len() > 64 {
                c.clear();
            }
            c.insert(pat.to_string(), re);
        }
        Ok(c.get(pat).is_some_and(|re| re.is_match(s)))
    })
}

/// Evaluates an expression for a row.
pub fn eval(cx: &Ctx, e: &Ex, row: &[Value]) -> Result<Value> {
    // Deep expressions get more stack instead of overflowing it.
    guarded(|| eval_inner(cx, e, row))
}

/// Below this much free stack, recursive walks move to a fresh segment…
pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;
/// …of this size.
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Runs one level of a recursive walk. Every 16 levels it checks the stack and
/// grows it if needed; shallow walks (nearly all) never pay for the check, which
/// on some threads (a main thread with a large heap) costs milliseconds.
pub(crate) fn guarded<R>(f: impl FnOnce() -> R) -> R {
    let d = DEPTH.with(|c| c.get());
    DEPTH.with(|c| c.set(d + 1));
    let r = if d > 0 && d.is_multiple_of(16) {
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, f)
    } else {
        f()
    };
    DEPTH.with(|c| c.set(d));
    r
}

fn eval_inner(cx: &Ctx, e: &Ex, row: &[Value]) -> Result<Value> {
    Ok(match e {
        Ex::Lit(v) => v.clone(),
        Ex::Slot(s) => row.get(*s).cloned().unwrap_or(Value::Null),
        Ex::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for x in items {
                out.push(eval(cx, x, row)?);
            }
            Value::List(out)
        }
        Ex::Map(entries) => {
            let mut m = Map::new();
            for (k, x) in entries {
                m.insert(k.clone(), eval(cx, x, row)?);
            }
            Value::Map(Box::new(m))
        }
        Ex::Prop(a, k, span) => {
            // Read the property without cloning the whole node or map.
            if let Ex::Slot(s) = &**a {
                match row.get(*s) {
                    Some(Value::Node(n)) => {
                        return Ok(cx.node_prop(*n, k).cloned().unwrap_or(Value::Null));
                    }
                    Some(Value::Rel(r)) => {
                        return Ok(cx.rel_prop(*r, k).cloned().unwrap_or(Value::Null));
                    }
                    _ => {}
                }
            }
            property(cx.g, eval(cx, a, row)?, k).map_err(|e| e.located(*span))?
        }
        Ex::Index(a, i, span) => {
            let base = eval(cx, a, row)?;
            let idx = eval(cx, i, row)?;
            index(cx.g, base, idx).map_err(|e| e.located(*span))?
        }
        Ex::Slice(a, from, to, span) => {
            let base = eval(cx, a, row)?;
            let f = match from {
                Some(x) => Some(eval(cx, x, row)?),
                None => None,
            };
            let t = match to {
                Some(x) => Some(eval(cx, x, row)?),
                None => None,
            };
            slice(base, f, t).map_err(|e| e.located(*span))?
        }
        Ex::HasLabels(a, ls, span) => match eval(cx, a, row)? {
            Value::Node(n) => Value::Bool(ls.iter().all(|l| cx.g.has_label(n, l))),
            Value::Null => Value::Null,
            v => {
                return Err(
                    type_err(format!("a label test needs a node, not {}", v.type_name()))
                        .located(*span),
                );
            }
        },
        Ex::Unary(op, a, span) => {
            let v = eval(cx, a, row)?;
            // (A closure, so every failure below gets the operator's span.)
            let r = || -> Result<Value> {
                Ok(match op {
                    UnOp::Not => opt_bool(truth(&v, "NOT")?.map(|b| !b)),
                    UnOp::IsNull => Value::Bool(v.is_null()),
                    UnOp::IsNotNull => Value::Bool(!v.is_null()),
                    UnOp::Pos => match v {
                        Value::Int(_) | Value::Float(_) | Value::Null => v,
                        v => return Err(type_err(format!("cannot apply + to {}", v.type_name()))),
                    },
                    UnOp::Neg => match v {
                        Value::Int(i) => Value::Int(i.checked_neg().ok_or_else(overflow)?),
                        Value::Float(f) => Value::Float(-f),
                        Value::Duration(d) => Value::Duration(Box::new(crate::value::Duration {
                            months: -d.months,
                            days: -d.days,
                            seconds: -d.seconds,
                            nanos: -d.nanos,
                        })),
                        Value::Null => Value::Null,
                        v => return Err(type_err(format!("cannot negate {}", v.type_name()))),
                    },
                })
            };
            r().map_err(|e| e.located(*span))?
        }
        Ex::Binary(op, a, b, span) => binary(cx, *op, a, b, row).map_err(|e| e.located(*span))?,
        Ex::Case {
            subject,
            arms,
            default,
        } => {
            let subj = match subject {
                Some(s) => Some(eval(cx, s, row)?),
                None => None,
            };
            for (w, t) in arms {
                let wv = eval(cx, w, row)?;
                let hit = match &subj {
                    Some(s) => s.cypher_eq(&wv) == Some(true),
                    None => matches!(wv, Value::Bool(true)),
                };
                if hit {
                    return eval(cx, t, row);
                }
            }
            match default {
                Some(d) => eval(cx, d, row)?,
                None => Value::Null,
            }
        }
        Ex::Call { name, args, span } => {
            let mut vals = Vec::with_capacity(args.len());
            for x in args {
                vals.push(eval(cx, x, row)?);
            }
            functions::call(cx.g, name, &vals)
                .map_err(|e| if e.span.is_none() { e.at(*span) } else { e })?
        }
        Ex::ListComp {
            slot,
            list,
            filter,
            map,
            list_span,
        } => {
            let l = eval(cx, list, row)?;
            let items = match l {
                Value::List(items) => items,
                Value::Null => return Ok(Value::Null),
                v => {
                    let e = type_err(format!("IN needs a list, not {}", v.type_name()));
                    return Err(e.located(*list_span));
                }
            };
            let mut local = row.to_vec();
            if local.len() < cx.sh.nslots {
                local.resize(cx.sh.nslots, Value::Null);
            }
            let mut out = Vec::new();
            for v in items {
                cx.sh.tick()?;
                local[*slot] = v;
                if let Some(f) = filter
                    && !matches!(eval(cx, f, &local)?, Value::Bool(true))
                {
                    continue;
                }
                match map {
                    Some(m) => out.push(eval(cx, m, &local)?),
                    None => out.push(std::mem::take(&mut local[*slot])),
                }
            }
            Value::List(out)
        }
        Ex::Quant {
            kind,
            slot,
            list,
            pred,
            list_span,
        } => {
            let l = eval(cx, list, row)?;
            let items = match l {
                Value::List(items) => items,
                Value::Null => return Ok(Value::Null),
                v => {
                    let e = type_err(format!("IN needs a list, not {}", v.type_name()));
                    return Err(e.located(*list_span));
                }
            };
            let mut local = row.to_vec();
            if local.len() < cx.sh.nslots {
                local.resize(cx.sh.nslots, Value::Null);
            }
            let (mut t, mut f, mut n) = (0usize, 0usize, 0usize);
            for v in items {
                cx.sh.tick()?;
                local[*slot] = v;
                let r = match pred {
                    Some(p) => truth(&eval(cx, p, &local)?, "a quantifier")?,
                    None => truth(&local[*slot], "a quantifier")?,
                };
                match r {
                    Some(true) => t += 1,
                    Some(false) => f += 1,
                    None => n += 1,
                }
            }
            // A decisive count settles it; otherwise an unknown element leaves it unknown.
            let (settled, otherwise) = match kind {
                Quant::All => ((f > 0).then_some(false), true),
                Quant::Any => ((t > 0).then_some(true), false),
                Quant::None => ((t > 0).then_some(false), true),
                Quant::Single => ((t > 1).then_some(false), t == 1),
            };
            match settled {
                Some(b) => Value::Bool(b),
                None if n > 0 => Value::Null,
                None => Value::Bool(otherwise),
            }
        }
        Ex::Sub { ops, kind, .. } => {
            let mut local = row.to_vec();
            if local.len() < cx.sh.nslots {
                local.resize(cx.sh.nslots, Value::Null);
            }
            match kind {
                SubKind::Exists => {
                    let mut found = false;
                    stream(cx, ops, &mut local, &mut |_| {
                        found = true;
                        Ok(false)
                    })?;
                    Value::Bool(found)
                }
                SubKind::Count => {
                    let mut n = 0i64;
                    stream(cx, ops, &mut local, &mut |_| {
                        n += 1;
                        Ok(true)
                    })?;
                    Value::Int(n)
                }
                SubKind::Collect(m) => {
                    let mut out = Vec::new();
                    let mut err = None;
                    stream(cx, ops, &mut local, &mut |r| {
                        match eval(cx, m, r) {
                            Ok(v) => out.push(v),
                            Err(e) => {
                                err = Some(e);
                                return Ok(false);
                            }
                        }
                        Ok(true)
                    })?;
                    if let Some(e) = err {
                        return Err(e);
                    }
                    Value::List(out)
                }
                SubKind::First(slot) => {
                    let mut out = Value::Null;
                    stream(cx, ops, &mut local, &mut |r| {
                        out = r[*slot].clone();
                        Ok(false)
                    })?;
                    out
                }
            }
        }
    })
}

fn overflow() -> Error {
    qerr(
        QueryErrorKind::ArgumentError,
        "NumberOutOfRange",
        "integer overflow",
    )
}

fn property(g: &Graph, v: Value, k: &str) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Node(n) => g.node_prop(n, k).cloned().unwrap_or(Value::Null),
        Value::Rel(r) => g.rel_prop(r, k).cloned().unwrap_or(Value::Null),
        Value::Map(m) => m.get(k).cloned().unwrap_or(Value::Null),
        // Dates and durations: one table of fields, shared with the functions
        // (overflow-safe for huge durations).
        v @ (Value::Date(_) | Value::Duration(_)) => {
            match super::functions::temporal_property(&v, k) {
                Some(x) => x,
                None => {
                    let what = if matches!(v, Value::Date(_)) {
                        "date"
                    } else {
                        "duration"
                    };
                    return Err(type_err(format!("a {what} has no field `{k}`")));
                }
            }
        }
        v => {
            return Err(type_err(format!(
                "cannot read property `{k}` of a value of type {}",
                v.type_name()
            )));
        }
    })
}

fn index(g: &Graph, base: Value, idx: Value) -> Result<Value> {
    Ok(match (base, idx) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::List(items), Value::Int(i)) => {
            let n = items.len() as i64;
            let i = if i < 0 { n + i } else { i };
            if i < 0 || i >= n {
                Value::Null
            } else {
                items.into_iter().nth(i as usize).unwrap_or(Value::Null)
            }
        }
        (Value::List(_), v) => {
            return Err(type_err(format!(
                "a list index must be an integer, not {}",
                v.type_name()
            )));
        }
        (base @ (Value::Map(_) | Value::Node(_) | Value::Rel(_)), Value::String(k)) => {
            property(g, base, &k)?
        }
        (Value::Map(_) | Value::Node(_) | Value::Rel(_), v) => {
            return Err(type_err(format!(
                "a map key must be a string, not {}",
                v.type_name()
            )));
        }
        (b, _) => return Err(type_err(format!("cannot index a {}", b.type_name()))),
    })
}

fn slice(base: Value, from: Option<Value>, to: Option<Value>) -> Result<Value> {
    let items = match base {
        Value::List(items) => items,
        Value::Null => return Ok(Value::Null),
        v => return Err(type_err(format!("cannot slice a {}", v.type_name()))),
    };
    let n = items.len() as i64;
    let bound = |v: Option<Value>, default: i64| -> Result<Option<i64>> {
        match v {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (n + i).max(0) } else { i.min(n) })),
            Some(v) => Err(type_err(format!(
                "a slice bound must be an integer, not {}",
                v.type_name()
            ))),
        }
    };
    let (Some(a), Some(b)) = (bound(from, 0)?, bound(to, n)?) else {
        return Ok(Value::Null);
    };
    if a >= b {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(
        items
            .into_iter()
            .skip(a as usize)
            .take((b - a) as usize)
            .collect(),
    ))
}

fn binary(cx: &Ctx, op: BinOp, a: &Ex, b: &Ex, row: &[Value]) -> Result<Value> {
    // Boolean operators short-circuit where three-valued logic allows.
    match op {
        BinOp::And => {
            let l = truth(&eval(cx, a, row)?, "AND")?;
            if l == Some(false) {
                // Still type-check the right side cheaply? openCypher evaluates both;
                // we short-circuit, which only differs for type errors.
                return Ok(Value::Bool(false));
            }
            let r = truth(&eval(cx, b, row)?, "AND")?;
            return Ok(match (l, r) {
                (_, Some(false)) => Value::Bool(false),
                (Some(true), Some(true)) => Value::Bool(true),
                _ => Value::Null,
            });
        }
        BinOp::Or => {
            let l = truth(&eval(cx, a, row)?, "OR")?;
            if l == Some(true) {
                return Ok(Value::Bool(true));
            }
            let r = truth(&eval(cx, b, row)?, "OR")?;
            return Ok(match (l, r) {
                (_, Some(true)) => Value::Bool(true),
                (Some(false), Some(false)) => Value::Bool(false),
                _ => Value::Null,
            });
        }
        BinOp::Xor => {
            let l = truth(&eval(cx, a, row)?, "XOR")?;
            let r = truth(&eval(cx, b, row)?, "XOR")?;
            return Ok(match (l, r) {
                (Some(x), Some(y)) => Value::Bool(x != y),
                _ => Value::Null,
            });
        }
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => {
            // Test strings where they lie (a property, a literal) instead of
            // cloning them; anything else takes the general path below.
            if let (Some(x), Some(y)) = (borrowed_str(cx, a, row), borrowed_str(cx, b, row)) {
                return Ok(Value::Bool(match op {
                    BinOp::StartsWith => x.starts_with(y),
                    BinOp::EndsWith => x.ends_with(y),
                    _ => cx.contains(x, y),
                }));
            }
        }
        _ => {}
    }
    let l = eval(cx, a, row)?;
    let r = eval(cx, b, row)?;
    binary_values(op, l, r)
}

/// The string `e` evaluates to, borrowed, when it is a literal, a slot or a
/// property of a node or relationship in a slot and holds a string; `None`
/// otherwise (the caller then evaluates `e` normally).
fn borrowed_str<'a>(cx: &Ctx<'a, '_>, e: &'a Ex, row: &'a [Value]) -> Option<&'a str> {
    let v = match e {
        Ex::Lit(v) => v,
        Ex::Slot(s) => row.get(*s)?,
        Ex::Prop(a, k, _) => match &**a {
            Ex::Slot(s) => match row.get(*s)? {
                Value::Node(n) => cx.node_prop(*n, k)?,
                Value::Rel(r) => cx.rel_prop(*r, k)?,
                _ => return None,
            },
            _ => return None,
        },
        _ => return None,
    };
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// Applies a non-boolean binary operator to two values.
pub fn binary_values(op: BinOp, l: Value, r: Value) -> Result<Value> {
    use Value::*;
    Ok(match op {
        BinOp::Eq => opt_bool(l.cypher_eq(&r)),
        BinOp::Ne => opt_bool(l.cypher_eq(&r).map(|b| !b)),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
            if matches!((&l, &r), (Float(x), Int(_) | Float(_)) if x.is_nan())
                || matches!((&l, &r), (Int(_) | Float(_), Float(y)) if y.is_nan()) =>
        {
            // NaN is a number that compares false with every number.
            Bool(false)
        }
        BinOp::Lt => opt_bool(l.cypher_cmp(&r).map(|o| o == Ordering::Less)),
        BinOp::Le => opt_bool(l.cypher_cmp(&r).map(|o| o != Ordering::Greater)),
        BinOp::Gt => opt_bool(l.cypher_cmp(&r).map(|o| o == Ordering::Greater)),
        BinOp::Ge => opt_bool(l.cypher_cmp(&r).map(|o| o != Ordering::Less)),
        BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => match (&l, &r) {
            (String(x), String(y)) => Bool(match op {
                BinOp::StartsWith => x.starts_with(&**y),
                BinOp::EndsWith => x.ends_with(&**y),
                _ => x.contains(&**y),
            }),
            _ => Null,
        },
        BinOp::Regex => match (&l, &r) {
            (String(x), String(y)) => Bool(regex_match(x, y)?),
            _ => Null,
        },
        BinOp::In => match r {
            Null => Null,
            List(items) => {
                let mut unknown = false;
                for x in &items {
                    match l.cypher_eq(x) {
                        Some(true) => return Ok(Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { Null } else { Bool(false) }
            }
            v => return Err(type_err(format!("IN needs a list, not {}", v.type_name()))),
        },
        BinOp::Add => match (l, r) {
            (Null, _) | (_, Null) => Null,
            (Int(x), Int(y)) => Int(x.checked_add(y).ok_or_else(overflow)?),
            (Int(x), Float(y)) => Float(x as f64 + y),
            (Float(x), Int(y)) => Float(x + y as f64),
            (Float(x), Float(y)) => Float(x + y),
            (String(x), String(y)) => Value::from(format!("{x}{y}")),
            (String(x), y @ (Int(_) | Float(_) | Bool(_))) => Value::from(format!("{x}{y}")),
            (x @ (Int(_) | Float(_) | Bool(_)), String(y)) => Value::from(format!("{x}{y}")),
            (List(mut x), List(y)) => {
                x.extend(y);
                List(x)
            }
            (List(mut x), y) => {
                x.push(y);
                List(x)
            }
            (x, List(mut y)) => {
                y.insert(0, x);
                List(y)
            }
            (Date(d), Duration(du)) | (Duration(du), Date(d)) => Date(add_duration(d, &du, 1)?),
            (Duration(x), Duration(y)) => Duration(Box::new(crate::value::Duration {
                months: x.months + y.months,
                days: x.days + y.days,
                seconds: x.seconds + y.seconds,
                nanos: x.nanos + y.nanos,
            })),
            (x, y) => {
                return Err(type_err(format!(
                    "cannot add {} and {}",
                    x.type_name(),
                    y.type_name()
                )));
            }
        },
        BinOp::Sub => match (l, r) {
            (Null, _) | (_, Null) => Null,
            (Int(x), Int(y)) => Int(x.checked_sub(y).ok_or_else(overflow)?),
            (Int(x), Float(y)) => Float(x as f64 - y),
            (Float(x), Int(y)) => Float(x - y as f64),
            (Float(x), Float(y)) => Float(x - y),
            (Date(d), Duration(du)) => Date(add_duration(d, &du, -1)?),
            (Duration(x), Duration(y)) => Duration(Box::new(crate::value::Duration {
                months: x.months - y.months,
                days: x.days - y.days,
                seconds: x.seconds - y.seconds,
                nanos: x.nanos - y.nanos,
            })),
            (x, y) => {
                return Err(type_err(format!(
                    "cannot subtract {} from {}",
                    y.type_name(),
                    x.type_name()
                )));
            }
        },
        BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow => arith(op, l, r)?,
        BinOp::And | BinOp::Or | BinOp::Xor => {
            return Err(Error::Internal(
                "boolean operator reached arithmetic".into(),
            ));
        }
    })
}

fn arith(op: BinOp, l: Value, r: Value) -> Result<Value> {
    use Value::*;
    let (x, y) = match (&l, &r) {
        (Null, _) | (_, Null) => return Ok(Null),
        // `duration * n`, `n * duration`, `duration / n`: each component scaled,
        // fractions of months and days spilled down (functions::duration_multiply).
        (Duration(d), Int(_) | Float(_)) | (Int(_) | Float(_), Duration(d))
            if op == BinOp::Mul || (op == BinOp::Div && matches!(l, Duration(_))) =>
        {
            let n = match (&l, &r) {
                (Int(i), _) | (_, Int(i)) => *i as f64,
                (Float(f), _) | (_, Float(f)) => *f,
                _ => 1.0,
            };
            if op == BinOp::Div && n == 0.0 {
                return Err(qerr(
                    QueryErrorKind::ArgumentError,
                    "DivisionByZero",
                    "/ by zero",
                ));
            }
            let factor = if op == BinOp::Div { 1.0 / n } else { n };
            return Ok(Duration(Box::new(super::functions::duration_multiply(
                d, factor,
            )?)));
        }
        (Int(x), Int(y)) if op != BinOp::Pow => {
            let (x, y) = (*x, *y);
            return Ok(Int(match op {
                BinOp::Mul => x.checked_mul(y).ok_or_else(overflow)?,
                BinOp::Div => {
                    if y == 0 {
                        return Err(qerr(
                            QueryErrorKind::ArgumentError,
                            "DivisionByZero",
                            "/ by zero",
                        ));
                    }
                    x.checked_div(y).ok_or_else(overflow)?
                }
                _ => {
                    if y == 0 {
                        return Err(qerr(
                            QueryErrorKind::ArgumentError,
                            "DivisionByZero",
                            "% by zero",
                        ));
                    }
                    x.checked_rem(y).ok_or_else(overflow)?
                }
            }));
        }
        (Int(x), Int(y)) => (*x as f64, *y as f64),
        (Int(x), Float(y)) => (*x as f64, *y),
        (Float(x), Int(y)) => (*x, *y as f64),
        (Float(x), Float(y)) => (*x, *y),
        _ => {
            return Err(type_err(format!(
                "cannot apply {} to {} and {}",
                op.symbol(),
                l.type_name(),
                r.type_name()
            )));
        }
    };
    Ok(Float(match op {
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Mod => x % y,
        _ => x.powf(y),
    }))
}

/// Adds (sign 1) or subtracts (sign -1) a duration to a date: months first, then
/// days, as openCypher specifies; the time part is ignored for a date.
fn add_duration(d: NaiveDate, du: &crate::value::Duration, sign: i64) -> Result<NaiveDate> {
    let months = du.months * sign;
    let days = (du.days + du.seconds.div_euclid(86_400)) * sign;
    let out_of_range = || {
        qerr(
            QueryErrorKind::ArgumentError,
            "NumberOutOfRange",
            "the date is out of range",
        )
    };
    let m = if months >= 0 {
        d.checked_add_months(Months::new(
            u32::try_from(months).map_err(|_| out_of_range())?,
        ))
    } else {
        d.checked_sub_months(Months::new(
            u32::try_from(-months).map_err(|_| out_of_range())?,
        ))
    }
    .ok_or_else(out_of_range)?;
    m.checked_add_signed(chrono::Duration::try_days(days).ok_or_else(out_of_range)?)
        .ok_or_else(out_of_range)
}
