//! Syntax tree to plan: binds variables to row slots, checks meaning, and chooses
//! how to match patterns.
//!
//! A plan is a list of [`Pipeline`]s (one per UNION branch); a pipeline is a flat
//! list of [`Op`]s run left to right over rows. A row is a vector of values with one
//! slot per variable of the whole query (named or anonymous), so the executor never
//! looks a variable up by name. Streaming operators (scans, expands, filters,
//! projections) pass rows one at a time; the others (sort, aggregate, writes)
//! collect their input first. Writes always collect first, so a clause never sees
//! its own changes half-made, and `MATCH (n) CREATE (m)` cannot chase its tail.
//!
//! Pattern planning, deliberately simple but selective:
//! - each pattern part starts at its cheapest node: one already bound, else an index
//!   seek (a label with an indexed property given by the pattern or by a WHERE
//!   equality), else the smallest label, else all nodes;
//! - parts are taken cheapest first, a part touching bound variables before any
//!   other, so connected parts never become a cartesian product;
//! - from the start node the part is expanded both ways along adjacency;
//! - each WHERE conjunct is placed right after the operator that binds the last
//!   variable it needs.

// Errors are rare and carry their position and text; boxing them would only
// add noise to every signature.
#![allow(clippy::result_large_err)]
use std::collections::HashSet;
use std::fmt;

use indexmap::IndexMap;

use super::ast::*;
use super::{Params, aggregate, functions};
use crate::error::{QueryError, QueryErrorKind, Span};
use crate::graph::Graph;
use crate::value::Value;

type PResult<T> = Result<T, QueryError>;

/// A compile-time error with its TCK detail code. The openCypher TCK reports every
/// error found before execution as a `SyntaxError` (with a detail code such as
/// `UndefinedVariable`), so the planner's errors use that kind too.
pub(crate) fn semantic(code: &str, msg: impl Into<String>, span: Span) -> QueryError {
    QueryError::new(QueryErrorKind::SyntaxError, msg)
        .with_code(code)
        .at(span)
}

/// What a variable holds, as far as the planner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    Node,
    Rel,
    RelList,
    Path,
    /// Certainly not a graph element (a literal, arithmetic, a comparison …).
    Scalar,
    /// A list literal: not a node or a relationship, but maybe a relationship list.
    List,
    /// Unknown.
    Value,
}

/// A planned expression: variables resolved to slots, parameters to values.
#[derive(Debug, Clone)]
pub enum Ex {
    Lit(Value),
    Slot(usize),
    List(Vec<Ex>),
    Map(Vec<(String, Ex)>),
    // The `Span`s below point run-time errors (a property of a non-map, a bad
    // index, `1 / 0`, an overflow) at the expression that failed; an empty span
    // (`Span::default()`, for expressions the planner made up) means "unknown".
    Prop(Box<Ex>, String, Span),
    Index(Box<Ex>, Box<Ex>, Span),
    Slice(Box<Ex>, Option<Box<Ex>>, Option<Box<Ex>>, Span),
    HasLabels(Box<Ex>, Vec<String>, Span),
    Unary(UnOp, Box<Ex>, Span),
    Binary(BinOp, Box<Ex>, Box<Ex>, Span),
    Case {
        subject: Option<Box<Ex>>,
        arms: Vec<(Ex, Ex)>,
        default: Option<Box<Ex>>,
    },
    Call {
        name: String,
        args: Vec<Ex>,
        span: Span,
    },
    ListComp {
        slot: usize,
        list: Box<Ex>,
        filter: Option<Box<Ex>>,
        map: Option<Box<Ex>>,
        /// The list's text, where "not a list" points.
        list_span: Span,
    },
    Quant {
        kind: Quant,
        slot: usize,
        list: Box<Ex>,
        pred: Option<Box<Ex>>,
        list_span: Span,
    },
    /// A pattern or subquery run for the current row.
    Sub {
        ops: Vec<Op>,
        kind: SubKind,
        /// Slots of the outer row it reads.
        deps: Vec<usize>,
    },
}

#[derive(Debug, Clone)]
pub enum SubKind {
    Exists,
    Count,
    /// A pattern comprehension: the mapped value of each match.
    Collect(Box<Ex>),
    /// `shortestPath(…)` as an expression: the first path in this slot, or null.
    First(usize),
}

/// How a node found by a scan or an expansion must look.
#[derive(Debug, Clone, Default)]
pub struct NodeCheck {
    pub labels: Vec<String>,
    pub props: Vec<(String, Ex)>,
}

impl NodeCheck {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.props.is_empty()
    }
}

/// One relationship step.
#[derive(Debug, Clone)]
pub struct Step {
    pub from: usize,
    pub rel: usize,
    pub to: usize,
    pub types: Vec<String>,
    /// Direction as seen from `from`.
    pub dir: Dir,
    /// `to` is bound already: check it rather than bind it.
    pub to_bound: bool,
    pub to_check: NodeCheck,
    pub rel_props: Vec<(String, Ex)>,
    /// Variable length bounds; `None` for a single step.
    pub range: Option<(u64, u64)>,
    /// Relationship slots (single or list) bound earlier in the same MATCH: a new
    /// relationship must differ from all of them.
    pub uniq: Vec<usize>,
    /// The step runs against the pattern's direction (planned from its right end),
    /// so a variable-length list is reversed to keep the pattern's order.
    pub reversed: bool,
    /// The relationship variable was bound before: the step must follow it (a
    /// relationship, or for variable length a list of them) rather than bind it.
    pub rel_bound: bool,
}

/// A WHERE conjunct waiting for its variables: the predicate, the slots it reads,
/// and, for `n.key = value`, the index seek it allows (slot, key, value).
type Pending = (Ex, Vec<usize>, Option<(usize, String, Ex)>);

/// A node to create: slot, labels, properties.
pub type NewNode = (usize, Vec<String>, Vec<(String, Ex)>);
/// A relationship to create: slot, start slot, end slot, type, properties.
pub type NewRel = (usize, usize, usize, String, Vec<(String, Ex)>);

/// What CREATE makes for one pattern part.
#[derive(Debug, Clone)]
pub struct CreatePart {
    /// Nodes to create: slot, labels, properties.
    pub nodes: Vec<NewNode>,
    /// Relationships: slot, start slot, end slot, type, properties.
    pub rels: Vec<NewRel>,
    pub path: Option<PathSpec>,
    /// The text of each created element's property map, by slot: where a value
    /// that cannot be stored (or a null in MERGE) points.
    pub prop_spans: Vec<(usize, Span)>,
    /// The text of each created relationship pattern, by slot: where a missing or
    /// deleted end node points.
    pub rel_spans: Vec<(usize, Span)>,
}

impl CreatePart {
    /// The span of the property map of the element in `slot` (empty if unknown).
    pub fn prop_span(&self, slot: usize) -> Span {
        self.prop_spans
            .iter()
            .find(|(s, _)| *s == slot)
            .map_or(Span::default(), |x| x.1)
    }

    /// The span of the relationship pattern in `slot` (empty if unknown).
    pub fn rel_span(&self, slot: usize) -> Span {
        self.rel_spans
            .iter()
            .find(|(s, _)| *s == slot)
            .map_or(Span::default(), |x| x.1)
    }
}

/// How to assemble a named path from slots.
#[derive(Debug, Clone)]
pub struct PathSpec {
    pub slot: usize,
    pub nodes: Vec<usize>,
    /// Relationship slots; `true` when the slot holds a list (variable length).
    pub rels: Vec<(usize, bool)>,
}

#[derive(Debug, Clone)]
pub enum PSet {
    /// Target, key, value, and the value's text (where a value that cannot be
    /// stored points).
    Prop(Ex, String, Ex, Span),
    Replace(usize, Ex, Span),
    Merge(usize, Ex, Span),
    Labels(usize, Vec<String>),
    RemoveProp(Ex, String),
    RemoveLabels(usize, Vec<String>),
}

/// An aggregate to compute per group.
#[derive(Debug, Clone)]
pub struct AggSpec {
    pub name: String,
    pub distinct: bool,
    /// `None` for count(*).
    pub arg: Option<Ex>,
    pub extra: Value,
    pub slot: usize,
    /// The aggregate call's text, where a run-time error in it points.
    pub span: Span,
}

/// A procedure of CALL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proc {
    Search,
    Labels,
    RelTypes,
    PropertyKeys,
}

/// One operator.
#[derive(Debug, Clone)]
pub enum Op {
    AllNodes {
        slot: usize,
        check: NodeCheck,
    },
    LabelScan {
        slot: usize,
        label: String,
        check: NodeCheck,
    },
    IndexSeek {
        slot: usize,
        label: String,
        key: String,
        value: Ex,
        check: NodeCheck,
    },
    /// Checks labels and properties of a node bound earlier.
    NodeFilter {
        slot: usize,
        check: NodeCheck,
    },
    Expand(Box<Step>),
    ShortestPath {
        step: Box<Step>,
        path: usize,
        all: bool,
    },
    Filter(Ex),
    Optional {
        ops: Vec<Op>,
        nulls: Vec<usize>,
    },
    Unwind {
        expr: Ex,
        slot: usize,
    },
    Project(Vec<(Ex, usize)>),
    BindPath(PathSpec),
    Call {
        proc: Proc,
        args: Vec<Ex>,
        outputs: Vec<(String, usize)>,
        /// The CALL clause, where a bad argument points.
        span: Span,
    },
    // ----- operators that collect their input -----
    Aggregate {
        keys: Vec<(Ex, usize)>,
        aggs: Vec<AggSpec>,
    },
    Distinct(Vec<usize>),
    Sort(Vec<(Ex, bool)>),
    Skip(Ex),
    Limit(Ex),
    Create(Vec<CreatePart>),
    Merge {
        matcher: Vec<Op>,
        create: CreatePart,
        on_create: Vec<PSet>,
        on_match: Vec<PSet>,
    },
    Set(Vec<PSet>),
    Delete {
        exprs: Vec<Ex>,
        detach: bool,
        /// Each expression's text, where a refused deletion points.
        spans: Vec<Span>,
    },
    /// A scan, one expansion and a count grouped by the scanned node, done as one
    /// counting pass (see `fastagg.rs`).
    CountPerNode(Box<super::fastagg::CountPerNode>),
}

impl Op {
    /// Whether the operator passes rows one at a time.
    pub fn is_streaming(&self) -> bool {
        !matches!(
            self,
            Op::Aggregate { .. }
                | Op::Distinct(_)
                | Op::Sort(_)
                | Op::Skip(_)
                | Op::Limit(_)
                | Op::Create(_)
                | Op::Merge { .. }
                | Op::Set(_)
                | Op::Delete { .. }
                | Op::CountPerNode(_)
        )
    }
    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Op::Create(_) | Op::Merge { .. } | Op::Set(_) | Op::Delete { .. }
        )
    }
}

/// One branch of a UNION: operators, and the slots of its result columns.
#[derive(Debug, Clone)]
pub struct Pipeline {
    pub ops: Vec<Op>,
    pub columns: Vec<usize>,
}

/// A planned query.
#[derive(Debug, Clone)]
pub struct Plan {
    pub parts: Vec<Pipeline>,
    /// UNION (not UNION ALL): remove duplicate rows.
    pub distinct_union: bool,
    pub columns: Vec<String>,
    pub nslots: usize,
    pub writes: bool,
    pub mode: Mode,
    /// Slot names, for EXPLAIN.
    pub slot_names: Vec<String>,
}

/// Variables in scope: name -> (slot, kind).
#[derive(Debug, Clone, Default)]
struct Scope {
    vars: IndexMap<String, (usize, VarKind)>,
}

impl Scope {
    fn get(&self, n: &str) -> Option<(usize, VarKind)> {
        self.vars.get(n).copied()
    }
}

struct Planner<'a> {
    g: &'a Graph,
    params: &'a Params,
    slot_names: Vec<String>,
    writes: bool,
    /// Inside a WHERE (or a comprehension's filter), where a bare pattern is a predicate.
    in_where: usize,
    /// Inside CREATE, where a pattern's properties may be a parameter map.
    param_props: bool,
}

/// Plans a parsed statement against the graph's current statistics.
pub fn plan(stmt: &Statement, g: &Graph, params: &Params) -> PResult<Plan> {
    let mut p = Planner {
        g,
        params,
        slot_names: Vec::new(),
        writes: false,
        in_where: 0,
        param_props: false,
    };
    let mut parts = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    for sq in &stmt.query.parts {
        let (mut pipe, cols) = p.single(sq, &Scope::default(), false)?;
        super::fastagg::rewrite(&mut pipe.ops);
        if let Some(c) = &columns {
            if *c != cols {
                let span = sq.clauses.first().map(|c| c.span).unwrap_or_default();
                return Err(semantic(
                    "DifferentColumnsInUnion",
                    "all parts of a UNION must return the same columns",
                    span,
                ));
            }
        } else {
            columns = Some(cols);
        }
        parts.push(pipe);
    }
    let u = &stmt.query.union_all;
    if !u.is_empty() && u.iter().any(|a| *a) && u.iter().any(|a| !*a) {
        return Err(semantic(
            "InvalidClauseComposition",
            "UNION and UNION ALL cannot be mixed",
            Span::default(),
        ));
    }
    Ok(Plan {
        parts,
        distinct_union: !u.is_empty() && !u[0],
        columns: columns.unwrap_or_default(),
        nslots: p.slot_names.len(),
        writes: p.writes,
        mode: stmt.mode,
        slot_names: p.slot_names,
    })
}

/// Splits a predicate into its AND-ed parts.
fn conjuncts(e: &Expr, out: &mut Vec<Expr>) {
    if let ExprKind::Binary(BinOp::And, a, b) = &e.kind {
        conjuncts(a, out);
        conjuncts(b, out);
    } else {
        out.push(e.clone());
    }
}

/// Whether an expression contains an aggregate call (not looking into subqueries).
fn has_aggregate(e: &Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| match &x.kind {
        ExprKind::CountStar => found = true,
        ExprKind::Call { name, .. } if aggregate::is_aggregate(&name.to_lowercase()) => {
            found = true
        }
        _ => {}
    });
    found
}

/// Visits every sub-expression (not entering patterns or subqueries).
fn walk(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match &e.kind {
        ExprKind::List(items) => items.iter().for_each(|x| walk(x, f)),
        ExprKind::Map(m) => m.iter().for_each(|(_, x)| walk(x, f)),
        ExprKind::Prop(a, _) | ExprKind::HasLabels(a, _) | ExprKind::Unary(_, a) => walk(a, f),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            walk(a, f);
            walk(b, f);
        }
        ExprKind::Slice(a, b, c) => {
            walk(a, f);
            if let Some(b) = b {
                walk(b, f);
            }
            if let Some(c) = c {
                walk(c, f);
            }
        }
        ExprKind::Case {
            subject,
            arms,
            default,
        } => {
            if let Some(s) = subject {
                walk(s, f);
            }
            for (a, b) in arms {
                walk(a, f);
                walk(b, f);
            }
            if let Some(d) = default {
                walk(d, f);
            }
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|x| walk(x, f)),
        ExprKind::ListComp {
            list, filter, map, ..
        } => {
            walk(list, f);
            if let Some(x) = filter {
                walk(x, f);
            }
            if let Some(x) = map {
                walk(x, f);
            }
        }
        ExprKind::Quantifier { list, pred, .. } => {
            walk(list, f);
            if let Some(x) = pred {
                walk(x, f);
            }
        }
        _ => {}
    }
}

/// A grouping key that an expression around an aggregate may refer to: a
/// variable, or a property of one (`n`, `n.name`, `n.address.city`).
fn is_simple_key(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Var(_) => true,
        ExprKind::Prop(a, _) => is_simple_key(a),
        _ => false,
    }
}

/// Where `e` calls a non-deterministic function (`rand()`), if it does.
fn non_deterministic(e: &Expr) -> Option<Span> {
    let mut found = None;
    walk(e, &mut |x| {
        if found.is_none()
            && let ExprKind::Call { name, .. } = &x.kind
            && !functions::is_deterministic(&name.to_lowercase())
        {
            found = Some(x.span);
        }
    });
    found
}

/// Slots an expression reads (comprehension variables excluded).
pub fn deps(e: &Ex, out: &mut Vec<usize>) {
    match e {
        Ex::Lit(_) => {}
        Ex::Slot(s) => out.push(*s),
        Ex::List(items) => items.iter().for_each(|x| deps(x, out)),
        Ex::Map(m) => m.iter().for_each(|(_, x)| deps(x, out)),
        Ex::Prop(a, _, _) | Ex::HasLabels(a, _, _) | Ex::Unary(_, a, _) => deps(a, out),
        Ex::Index(a, b, _) | Ex::Binary(_, a, b, _) => {
            deps(a, out);
            deps(b, out);
        }
        Ex::Slice(a, b, c, _) => {
            deps(a, out);
            if let Some(b) = b {
                deps(b, out);
            }
            if let Some(c) = c {
                deps(c, out);
            }
        }
        Ex::Case {
            subject,
            arms,
            default,
        } => {
            if let Some(s) = subject {
                deps(s, out);
            }
            for (a, b) in arms {
                deps(a, out);
                deps(b, out);
            }
            if let Some(d) = default {
                deps(d, out);
            }
        }
        Ex::Call { args, .. } => args.iter().for_each(|x| deps(x, out)),
        Ex::ListComp {
            slot,
            list,
            filter,
            map,
            ..
        } => {
            deps(list, out);
            let mut inner = Vec::new();
            if let Some(x) = filter {
                deps(x, &mut inner);
            }
            if let Some(x) = map {
                deps(x, &mut inner);
            }
            out.extend(inner.into_iter().filter(|s| s != slot));
        }
        Ex::Quant {
            slot, list, pred, ..
        } => {
            deps(list, out);
            let mut inner = Vec::new();
            if let Some(x) = pred {
                deps(x, &mut inner);
            }
            out.extend(inner.into_iter().filter(|s| s != slot));
        }
        Ex::Sub { deps: d, .. } => out.extend(d.iter().copied()),
    }
}

fn is_constant(e: &Ex) -> bool {
    let mut d = Vec::new();
    deps(e, &mut d);
    d.is_empty()
}

impl Planner<'_> {
    fn new_slot(&mut self, name: &str) -> usize {
        self.slot_names.push(name.to_string());
        self.slot_names.len() - 1
    }

    /// Plans one single query starting from `outer` (a subquery's enclosing scope).
    /// Returns the pipeline and its column names.
    fn single(
        &mut self,
        sq: &SingleQuery,
        outer: &Scope,
        subquery: bool,
    ) -> PResult<(Pipeline, Vec<String>)> {
        let mut scope = outer.clone();
        let mut ops = Vec::new();
        let mut columns = Vec::new();
        let mut col_slots = Vec::new();
        let n = sq.clauses.len();
        for (i, c) in sq.clauses.iter().enumerate() {
            let last = i + 1 == n;
            match &c.kind {
                ClauseKind::Match {
                    optional,
                    pattern,
                    where_,
                } => {
                    if *optional {
                        let before: HashSet<usize> = scope.vars.values().map(|v| v.0).collect();
                        let mut inner = Vec::new();
                        self.match_clause(pattern, where_.as_ref(), &mut scope, &mut inner)?;
                        let nulls: Vec<usize> = scope
                            .vars
                            .values()
                            .map(|v| v.0)
                            .filter(|s| !before.contains(s))
                            .collect();
                        ops.push(Op::Optional { ops: inner, nulls });
                    } else {
                        self.match_clause(pattern, where_.as_ref(), &mut scope, &mut ops)?;
                    }
                }
                ClauseKind::Unwind { expr, var } => {
                    let e = self.expr(expr, &scope)?;
                    if scope.get(&var.name).is_some() {
                        return Err(semantic(
                            "VariableAlreadyBound",
                            format!("variable `{}` is already bound", var.name),
                            var.span,
                        ));
                    }
                    let slot = self.new_slot(&var.name);
                    scope.vars.insert(var.name.clone(), (slot, VarKind::Value));
                    ops.push(Op::Unwind { expr: e, slot });
                }
                ClauseKind::With { proj, where_ } => {
                    let (new_scope, _, _, where_scope) =
                        self.projection(proj, &scope, &mut ops, false)?;
                    scope = new_scope;
                    if let Some(w) = where_ {
                        // WHERE after WITH also sees the variables WITH dropped
                        // (unless it aggregated or was DISTINCT), as ORDER BY does.
                        let scope = &where_scope;
                        if has_aggregate(w) {
                            return Err(semantic(
                                "InvalidAggregation",
                                "aggregate functions are not allowed in WHERE",
                                w.span,
                            ));
                        }
                        let e = self.where_expr(w, scope)?;
                        ops.push(Op::Filter(e));
                    }
                }
                ClauseKind::Return { proj } => {
                    if !last {
                        return Err(semantic(
                            "InvalidClauseComposition",
                            "RETURN must be the last clause",
                            c.span,
                        ));
                    }
                    let (new_scope, cols, slots, _) =
                        self.projection(proj, &scope, &mut ops, true)?;
                    scope = new_scope;
                    columns = cols;
                    col_slots = slots;
                }
                ClauseKind::Create { pattern } => {
                    self.writes = true;
                    let mut parts = Vec::new();
                    for part in pattern {
                        parts.push(self.create_part(part, &mut scope)?);
                    }
                    ops.push(Op::Create(parts));
                }
                ClauseKind::Merge {
                    part,
                    on_create,
                    on_match,
                } => {
                    self.writes = true;
                    let mut matcher = Vec::new();
                    let mut mscope = scope.clone();
                    self.match_clause(std::slice::from_ref(part), None, &mut mscope, &mut matcher)?;
                    let mut cscope = scope.clone();
                    let create = self.create_part_with(part, &mut cscope, Some(&mscope))?;
                    scope = mscope;
                    let on_create = self.set_items(on_create, &scope)?;
                    let on_match = self.set_items(on_match, &scope)?;
                    ops.push(Op::Merge {
                        matcher,
                        create,
                        on_create,
                        on_match,
                    });
                }
                ClauseKind::Set { items } => {
                    self.writes = true;
                    let s = self.set_items(items, &scope)?;
                    ops.push(Op::Set(s));
                }
                ClauseKind::Remove { items } => {
                    self.writes = true;
                    let mut out = Vec::new();
                    for it in items {
                        match it {
                            RemoveItem::Property { target, key } => {
                                out.push(PSet::RemoveProp(self.expr(target, &scope)?, key.clone()))
                            }
                            RemoveItem::Labels { var, labels } => {
                                let (s, _) = self.lookup(var, &scope)?;
                                out.push(PSet::RemoveLabels(s, labels.clone()));
                            }
                        }
                    }
                    ops.push(Op::Set(out));
                }
                ClauseKind::Delete { detach, exprs } => {
                    self.writes = true;
                    let mut es = Vec::new();
                    for e in exprs {
                        if matches!(
                            e.kind,
                            ExprKind::Lit(_) | ExprKind::Binary(..) | ExprKind::HasLabels(..)
                        ) {
                            return Err(semantic(
                                "InvalidDelete",
                                "DELETE takes nodes, relationships or paths",
                                e.span,
                            ));
                        }
                        es.push(self.expr(e, &scope)?);
                    }
                    ops.push(Op::Delete {
                        exprs: es,
                        detach: *detach,
                        spans: exprs.iter().map(|e| e.span).collect(),
                    });
                }
                ClauseKind::Call { name, args, yields } => {
                    let (proc, fields) = procedure(name).ok_or_else(|| {
                        QueryError::new(
                            QueryErrorKind::ProcedureError,
                            format!("there is no procedure `{name}`"),
                        )
                        .with_code("ProcedureNotFound")
                        .at(c.span)
                    })?;
                    let mut a = Vec::new();
                    for e in args.iter().flatten() {
                        a.push(self.expr(e, &scope)?);
                    }
                    let want = if proc == Proc::Search { 2 } else { 0 };
                    if a.len() != want {
                        return Err(semantic(
                            "InvalidNumberOfArguments",
                            format!("procedure `{name}` takes {want} arguments"),
                            c.span,
                        ));
                    }
                    let mut outputs = Vec::new();
                    let standalone = yields.is_none() && sq.clauses.len() == 1;
                    let chosen: Vec<(String, Ident)> = match yields {
                        Some(Yield {
                            items: Some(items), ..
                        }) => items.clone(),
                        _ => fields
                            .iter()
                            .map(|f| {
                                (
                                    f.to_string(),
                                    Ident {
                                        name: f.to_string(),
                                        span: c.span,
                                    },
                                )
                            })
                            .collect(),
                    };
                    for (field, var) in chosen {
                        if !fields.contains(&field.as_str()) {
                            return Err(semantic(
                                "UndefinedVariable",
                                format!("procedure `{name}` has no output `{field}`"),
                                var.span,
                            ));
                        }
                        if scope.get(&var.name).is_some() {
                            return Err(semantic(
                                "VariableAlreadyBound",
                                format!("variable `{}` is already bound", var.name),
                                var.span,
                            ));
                        }
                        let slot = self.new_slot(&var.name);
                        let kind = if field == "node" {
                            VarKind::Node
                        } else {
                            VarKind::Value
                        };
                        scope.vars.insert(var.name.clone(), (slot, kind));
                        outputs.push((field, slot));
                    }
                    if standalone {
                        columns = outputs.iter().map(|(f, _)| f.clone()).collect();
                        col_slots = outputs.iter().map(|(_, s)| *s).collect();
                    }
                    ops.push(Op::Call {
                        proc,
                        args: a,
                        outputs,
                        span: c.span,
                    });
                    if let Some(Yield {
                        where_: Some(w), ..
                    }) = yields
                    {
                        let e = self.where_expr(w, &scope)?;
                        ops.push(Op::Filter(e));
                    }
                }
            }
        }
        if !subquery {
            let last = sq.clauses.last();
            let ends_ok = matches!(
                last.map(|c| &c.kind),
                Some(
                    ClauseKind::Return { .. }
                        | ClauseKind::Call { .. }
                        | ClauseKind::Create { .. }
                        | ClauseKind::Merge { .. }
                        | ClauseKind::Set { .. }
                        | ClauseKind::Remove { .. }
                        | ClauseKind::Delete { .. }
                )
            );
            if !ends_ok {
                let span = last.map(|c| c.span).unwrap_or_default();
                return Err(semantic(
                    "InvalidClauseComposition",
                    "a query must end with RETURN or a writing clause",
                    span,
                ));
            }
        }
        Ok((
            Pipeline {
                ops,
                columns: col_slots,
            },
            columns,
        ))
    }

    fn lookup(&self, var: &Ident, scope: &Scope) -> PResult<(usize, VarKind)> {
        scope.get(&var.name).ok_or_else(|| {
            semantic(
                "UndefinedVariable",
                format!("variable `{}` is not defined", var.name),
                var.span,
            )
        })
    }

    fn set_items(&mut self, items: &[SetItem], scope: &Scope) -> PResult<Vec<PSet>> {
        let mut out = Vec::new();
        for it in items {
            out.push(match it {
                SetItem::Property { target, key, value } => PSet::Prop(
                    self.expr(target, scope)?,
                    key.clone(),
                    self.expr(value, scope)?,
                    value.span,
                ),
                SetItem::Replace { var, value } => PSet::Replace(
                    self.lookup(var, scope)?.0,
                    self.expr(value, scope)?,
                    value.span,
                ),
                SetItem::Merge { var, value } => PSet::Merge(
                    self.lookup(var, scope)?.0,
                    self.expr(value, scope)?,
                    value.span,
                ),
                SetItem::Labels { var, labels } => {
                    PSet::Labels(self.lookup(var, scope)?.0, labels.clone())
                }
            });
        }
        Ok(out)
    }

    /// Plans WITH / RETURN. Returns the new scope, column names and column slots.
    fn projection(
        &mut self,
        proj: &Projection,
        scope: &Scope,
        ops: &mut Vec<Op>,
        is_return: bool,
    ) -> PResult<(Scope, Vec<String>, Vec<usize>, Scope)> {
        // The items: (column name, expression, span).
        let mut items: Vec<(String, Expr)> = Vec::new();
        if proj.star {
            let mut names: Vec<&String> =
                scope.vars.keys().filter(|k| !k.starts_with(' ')).collect();
            names.sort();
            if names.is_empty() && proj.items.is_empty() && is_return {
                return Err(semantic(
                    "NoVariablesInScope",
                    "`*` needs at least one variable in scope",
                    Span::default(),
                ));
            }
            for n in names {
                items.push((
                    n.clone(),
                    Expr::new(ExprKind::Var(n.clone()), Span::default()),
                ));
            }
        }
        for it in &proj.items {
            let name = match &it.alias {
                Some(a) => a.name.clone(),
                None => {
                    if !is_return && !matches!(it.expr.kind, ExprKind::Var(_)) {
                        return Err(semantic(
                            "NoExpressionAlias",
                            "an expression in WITH must be aliased (use AS)",
                            it.expr.span,
                        ));
                    }
                    match &it.expr.kind {
                        ExprKind::Var(v) => v.clone(),
                        _ => it.text.clone(),
                    }
                }
            };
            if items.iter().any(|(n, _)| *n == name) {
                return Err(semantic(
                    "ColumnNameConflict",
                    format!("multiple result columns are named `{name}`"),
                    it.expr.span,
                ));
            }
            items.push((name, it.expr.clone()));
        }
        let aggregating = items.iter().any(|(_, e)| has_aggregate(e));
        let mut new_scope = Scope::default();
        let mut col_slots = Vec::new();
        let mut names = Vec::new();
        // ORDER BY sees the new names first, then (without DISTINCT or
        // aggregation) the old ones.
        let mut order_scope = if proj.distinct || aggregating {
            Scope::default()
        } else {
            scope.clone()
        };
        // WITH … WHERE sees the dropped variables even after DISTINCT.
        let mut where_scope = if aggregating {
            Scope::default()
        } else {
            scope.clone()
        };
        if !aggregating {
            let mut assigns = Vec::new();
            for (name, e) in &items {
                let ex = self.expr(e, scope)?;
                let kind = self.kind_of(e, scope);
                let slot = match (&e.kind, &ex) {
                    (ExprKind::Var(v), Ex::Slot(s)) if v == name => *s,
                    _ => {
                        let s = self.new_slot(name);
                        assigns.push((ex, s));
                        s
                    }
                };
                new_scope.vars.insert(name.clone(), (slot, kind));
                order_scope.vars.insert(name.clone(), (slot, kind));
                where_scope.vars.insert(name.clone(), (slot, kind));
                col_slots.push(slot);
                names.push(name.clone());
            }
            if !assigns.is_empty() {
                ops.push(Op::Project(assigns));
            }
            if proj.distinct {
                ops.push(Op::Distinct(col_slots.clone()));
            }
        } else {
            let mut keys = Vec::new();
            let mut aggs: Vec<AggSpec> = Vec::new();
            let mut post = Vec::new();
            let mut agg_texts: Vec<(String, usize)> = Vec::new();
            // Grouping keys first (by their text), so expressions around aggregates
            // can refer to them.
            let mut key_slots: Vec<Option<usize>> = Vec::new();
            let mut key_texts: Vec<(String, usize)> = Vec::new();
            for (name, e) in &items {
                if has_aggregate(e) {
                    key_slots.push(None);
                    continue;
                }
                let ex = self.expr(e, scope)?;
                let slot = match (&e.kind, &ex) {
                    (ExprKind::Var(v), Ex::Slot(s)) if v == name => *s,
                    _ => self.new_slot(name),
                };
                keys.push((ex, slot));
                key_slots.push(Some(slot));
                key_texts.push((e.to_string(), slot));
            }
            for ((name, e), key) in items.iter().zip(key_slots) {
                let kind = self.kind_of(e, scope);
                if let Some(slot) = key {
                    new_scope.vars.insert(name.clone(), (slot, kind));
                    col_slots.push(slot);
                } else {
                    let ex =
                        self.agg_expr(e, scope, scope, &key_texts, &mut aggs, &mut agg_texts)?;
                    let slot = match ex {
                        Ex::Slot(s) => s,
                        other => {
                            let s = self.new_slot(name);
                            post.push((other, s));
                            s
                        }
                    };
                    new_scope.vars.insert(name.clone(), (slot, kind));
                    col_slots.push(slot);
                }
                names.push(name.clone());
            }
            order_scope = new_scope.clone();
            ops.push(Op::Aggregate { keys, aggs });
            if !post.is_empty() {
                ops.push(Op::Project(post));
            }
            if proj.distinct {
                ops.push(Op::Distinct(col_slots.clone()));
            }
            // ORDER BY may repeat an item's expression, aggregate included.
            if !proj.order.is_empty() {
                let mut sort = Vec::new();
                for s in &proj.order {
                    let text = s.expr.to_string();
                    let pos = items.iter().position(|(_, e)| e.to_string() == text);
                    let ex = match pos {
                        Some(i) => Ex::Slot(col_slots[i]),
                        None if has_aggregate(&s.expr) => {
                            let mut extra = Vec::new();
                            let mut texts = agg_texts.clone();
                            let ex = self.agg_expr(
                                &s.expr,
                                &order_scope,
                                &Scope::default(),
                                &key_texts,
                                &mut extra,
                                &mut texts,
                            )?;
                            if !extra.is_empty() {
                                return Err(semantic(
                                    "InvalidAggregation",
                                    "ORDER BY may only use aggregates that are projected",
                                    s.expr.span,
                                ));
                            }
                            ex
                        }
                        None => self.expr(&s.expr, &order_scope)?,
                    };
                    sort.push((ex, s.descending));
                }
                ops.push(Op::Sort(sort));
            }
            self.skip_limit(proj, ops)?;
            return Ok((new_scope.clone(), names, col_slots, new_scope));
        }
        if !proj.order.is_empty() {
            let mut sort = Vec::new();
            for s in &proj.order {
                if has_aggregate(&s.expr) {
                    return Err(semantic(
                        "InvalidAggregation",
                        "ORDER BY cannot aggregate when the projection does not",
                        s.expr.span,
                    ));
                }
                sort.push((self.expr(&s.expr, &order_scope)?, s.descending));
            }
            ops.push(Op::Sort(sort));
        }
        self.skip_limit(proj, ops)?;
        Ok((new_scope, names, col_slots, where_scope))
    }

    fn skip_limit(&mut self, proj: &Projection, ops: &mut Vec<Op>) -> PResult<()> {
        for (e, is_skip) in [(&proj.skip, true), (&proj.limit, false)] {
            let Some(e) = e else { continue };
            let ex = self.expr(e, &Scope::default()).map_err(|err| {
                if err.code.as_deref() == Some("UndefinedVariable") {
                    semantic(
                        "NonConstantExpression",
                        "SKIP and LIMIT take a constant expression",
                        e.span,
                    )
                } else {
                    err
                }
            })?;
            if !is_constant(&ex) {
                return Err(semantic(
                    "NonConstantExpression",
                    "SKIP and LIMIT take a constant expression",
                    e.span,
                ));
            }
            match &ex {
                Ex::Lit(Value::Int(i)) if *i < 0 => {
                    return Err(semantic(
                        "NegativeIntegerArgument",
                        "SKIP and LIMIT cannot be negative",
                        e.span,
                    ));
                }
                Ex::Lit(Value::Float(_)) => {
                    return Err(semantic(
                        "InvalidArgumentType",
                        "SKIP and LIMIT take an integer",
                        e.span,
                    ));
                }
                _ => {}
            }
            ops.push(if is_skip { Op::Skip(ex) } else { Op::Limit(ex) });
        }
        Ok(())
    }

    /// Plans an expression holding aggregates: each aggregate becomes a slot filled
    /// by the Aggregate operator.
    /// `outer` is the scope the projection reads; `keys` the grouping keys by text:
    /// outside the aggregates, a variable may only appear inside a grouping key.
    #[allow(clippy::too_many_arguments)]
    fn agg_expr(
        &mut self,
        e: &Expr,
        scope: &Scope,
        outer: &Scope,
        keys: &[(String, usize)],
        aggs: &mut Vec<AggSpec>,
        texts: &mut Vec<(String, usize)>,
    ) -> PResult<Ex> {
        let (name, distinct, args) = match &e.kind {
            ExprKind::CountStar => ("count".to_string(), false, None),
            ExprKind::Call {
                name,
                distinct,
                args,
            } if aggregate::is_aggregate(&name.to_lowercase()) => {
                (name.to_lowercase(), *distinct, Some(args))
            }
            _ => {
                // Not an aggregate: rebuild with aggregate parts replaced.
                return self.expr_with(e, scope, &mut |p, x, sc| {
                    if std::ptr::eq(x, e) {
                        return None;
                    }
                    if has_aggregate(x) {
                        return Some(p.agg_expr(x, sc, outer, keys, aggs, texts));
                    }
                    let text = x.to_string();
                    if keys.iter().any(|(t, _)| *t == text) {
                        // openCypher lets the expression around an aggregate reuse
                        // only grouping keys that are variables or property
                        // accesses; a bigger key (`a.x + b.x`) is taken apart like
                        // any expression, and its variables must be keys themselves.
                        if let Some((_, slot)) = keys.iter().find(|(t, _)| *t == text)
                            && is_simple_key(x)
                        {
                            return Some(Ok(Ex::Slot(*slot)));
                        }
                        return Some(p.agg_expr(x, sc, outer, keys, aggs, texts).map_err(|err| {
                            match err.code.as_deref() {
                                Some("UndefinedVariable" | "AmbiguousAggregationExpression") => {
                                    semantic(
                                        "AmbiguousAggregationExpression",
                                        "only a grouping key that is a variable or a property \
                                         access may be used next to an aggregate",
                                        x.span,
                                    )
                                }
                                _ => err,
                            }
                        }));
                    }
                    if let ExprKind::Var(v) = &x.kind
                        && let Some(o) = outer.get(v)
                        && sc.get(v).is_none_or(|s| s.0 == o.0)
                    {
                        return Some(Err(semantic(
                            "AmbiguousAggregationExpression",
                            format!("`{v}` is used next to an aggregate but is not a grouping key"),
                            x.span,
                        )));
                    }
                    None
                });
            }
        };
        let text = e.to_string();
        if let Some((_, s)) = texts.iter().find(|(t, _)| *t == text) {
            return Ok(Ex::Slot(*s));
        }
        let mut arg = None;
        let mut extra = Value::Null;
        if let Some(args) = args {
            if args.iter().any(has_aggregate) {
                return Err(semantic(
                    "NestedAggregation",
                    "an aggregate cannot contain another aggregate",
                    e.span,
                ));
            }
            // openCypher refuses a random argument (`count(rand())`): an
            // aggregate's value must not depend on how often it is evaluated.
            if let Some(span) = args.iter().find_map(non_deterministic) {
                return Err(semantic(
                    "NonConstantExpression",
                    format!("{name}() cannot aggregate a random value"),
                    span,
                ));
            }
            if args.is_empty() {
                return Err(semantic(
                    "InvalidNumberOfArguments",
                    format!("{name}() takes an argument"),
                    e.span,
                ));
            }
            arg = Some(self.expr(&args[0], scope)?);
            if let Some(x) = args.get(1) {
                let ex = self.expr(x, scope)?;
                match ex {
                    Ex::Lit(v) => extra = v,
                    _ => {
                        return Err(semantic(
                            "NonConstantExpression",
                            "the second argument of a percentile must be a constant",
                            x.span,
                        ));
                    }
                }
            }
        }
        // Check the name and the constant argument now, so errors come at compile time.
        aggregate::Accumulator::new(&name, distinct, extra.clone())
            .map_err(|err| err.at(e.span))?;
        let slot = self.new_slot(&text);
        aggs.push(AggSpec {
            name,
            distinct,
            arg,
            extra,
            slot,
            span: e.span,
        });
        texts.push((text, slot));
        Ok(Ex::Slot(slot))
    }

    fn kind_of(&self, e: &Expr, scope: &Scope) -> VarKind {
        match &e.kind {
            ExprKind::Var(v) => scope.get(v).map_or(VarKind::Value, |x| x.1),
            ExprKind::Lit(Value::Null) => VarKind::Value,
            ExprKind::List(_) => VarKind::List,
            ExprKind::Lit(_)
            | ExprKind::Map(_)
            | ExprKind::Binary(..)
            | ExprKind::Unary(..)
            | ExprKind::HasLabels(..)
            | ExprKind::CountStar
            | ExprKind::ListComp { .. }
            | ExprKind::PatternComp { .. }
            | ExprKind::Quantifier { .. }
            | ExprKind::PatternPred(_)
            | ExprKind::Exists(_)
            | ExprKind::CountSub(_) => VarKind::Scalar,
            _ => VarKind::Value,
        }
    }

    fn expr(&mut self, e: &Expr, scope: &Scope) -> PResult<Ex> {
        if has_aggregate(e) {
            return Err(semantic(
                "InvalidAggregation",
                "an aggregate function is not allowed here",
                e.span,
            ));
        }
        let mut ex = self.expr_with(e, scope, &mut |_, _, _| None)?;
        self.check_constant(&ex, e.span)?;
        self.fold(&mut ex);
        Ok(ex)
    }

    /// Evaluates `date('…')` and `duration({…})` of literals once, here, rather
    /// than for every row (`WHERE e.date >= date('2016-01-01')`).
    fn fold(&self, ex: &mut Ex) {
        match ex {
            Ex::Binary(_, a, b, _) => {
                self.fold(a);
                self.fold(b);
            }
            Ex::Unary(_, a, _) | Ex::Prop(a, _, _) => self.fold(a),
            Ex::List(items) => items.iter_mut().for_each(|x| self.fold(x)),
            Ex::Call { name, args, .. } => {
                args.iter_mut().for_each(|x| self.fold(x));
                let pure = matches!(name.as_str(), "date" | "duration") && !args.is_empty();
                if pure && args.iter().all(|a| matches!(a, Ex::Lit(_))) {
                    let vals: Vec<Value> = args
                        .iter()
                        .filter_map(|a| match a {
                            Ex::Lit(v) => Some(v.clone()),
                            _ => None,
                        })
                        .collect();
                    if let Ok(v) = functions::call(self.g, name, &vals) {
                        *ex = Ex::Lit(v);
                    }
                }
            }
            _ => {}
        }
    }

    /// A predicate of WHERE: patterns may stand as predicates here.
    fn where_expr(&mut self, e: &Expr, scope: &Scope) -> PResult<Ex> {
        self.boolean_operand(e, scope, "WHERE")?;
        self.in_where += 1;
        let r = self.expr(e, scope);
        self.in_where -= 1;
        r
    }

    /// A condition (of WHERE, AND, OR, XOR, NOT, the WHEN of a CASE without
    /// subject) must be a boolean: one the planner knows to be a node, a
    /// relationship or a path (`WHERE (n)`), or a literal of
    /// another type (`WHERE 1`, `x AND 'y'`), is refused before running, as
    /// openCypher requires (`InvalidArgumentType`). Other values are checked at run
    /// time.
    fn boolean_operand(&self, e: &Expr, scope: &Scope, what: &str) -> PResult<()> {
        let literal = match &e.kind {
            ExprKind::Lit(Value::Bool(_) | Value::Null) => None,
            ExprKind::Lit(v) => Some(v.type_name()),
            ExprKind::List(_) => Some("LIST"),
            ExprKind::Map(_) => Some("MAP"),
            _ => None,
        };
        if let Some(t) = literal {
            return Err(semantic(
                "InvalidArgumentType",
                format!("{what} needs a boolean, not {t}"),
                e.span,
            ));
        }
        let ExprKind::Var(v) = &e.kind else {
            return Ok(());
        };
        let kind = match scope.get(v).map(|x| x.1) {
            Some(VarKind::Node) => "a node",
            Some(VarKind::Rel) => "a relationship",
            Some(VarKind::RelList) => "a list of relationships",
            Some(VarKind::Path) => "a path",
            _ => return Ok(()),
        };
        Err(semantic(
            "InvalidArgumentType",
            format!("{what} needs a boolean, but `{v}` is {kind}"),
            e.span,
        ))
    }

    /// An expression built only from literals is evaluated now, so a type error in
    /// it (`NOT [1]`, `'a' % 2`) is reported before the query runs, as openCypher
    /// requires. Only literal-only operator trees qualify: their cost is bounded by
    /// the query's length (no function calls such as `range`).
    fn check_constant(&self, ex: &Ex, span: Span) -> PResult<()> {
        // `local`: slots of comprehension variables over literal lists.
        fn literal_only(e: &Ex, local: &mut Vec<usize>) -> bool {
            match e {
                Ex::Lit(_) => true,
                Ex::Slot(s) => local.contains(s),
                Ex::List(items) => items.iter().all(|x| literal_only(x, local)),
                Ex::Map(m) => m.iter().all(|(_, x)| literal_only(x, local)),
                Ex::Unary(_, a, _) | Ex::Prop(a, _, _) => literal_only(a, local),
                Ex::Binary(_, a, b, _) | Ex::Index(a, b, _) => {
                    literal_only(a, local) && literal_only(b, local)
                }
                Ex::Quant {
                    slot, list, pred, ..
                } => {
                    if !literal_only(list, local) {
                        return false;
                    }
                    local.push(*slot);
                    pred.as_ref().is_none_or(|p| literal_only(p, local))
                }
                Ex::Call { name, args, .. } => {
                    matches!(
                        name.as_str(),
                        "labels"
                            | "properties"
                            | "type"
                            | "keys"
                            | "length"
                            | "nodes"
                            | "relationships"
                    ) && args.iter().all(|x| literal_only(x, local))
                }
                _ => false,
            }
        }
        if matches!(ex, Ex::Lit(_)) || !literal_only(ex, &mut Vec::new()) {
            return Ok(());
        }
        let opts = super::QueryOptions::default();
        let n = self.slot_names.len();
        let sh = super::exec::Shared::new(&opts, n, false);
        let cx = super::exec::Ctx::new(self.g, &sh);
        match super::exec::eval(&cx, ex, &vec![Value::Null; n]) {
            Err(crate::error::Error::Query(q)) if q.kind == QueryErrorKind::TypeError => {
                // (A function's "bad value" is, for a literal, a bad argument type.)
                // (It points at the operator that failed, if evaluation said.)
                Err(semantic(
                    "InvalidArgumentType",
                    q.message,
                    q.span.unwrap_or(span),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Converts an expression; `hook` may take over any sub-expression.
    #[allow(clippy::type_complexity)]
    fn expr_with(
        &mut self,
        e: &Expr,
        scope: &Scope,
        hook: &mut dyn FnMut(&mut Self, &Expr, &Scope) -> Option<PResult<Ex>>,
    ) -> PResult<Ex> {
        super::exec::guarded(|| self.expr_with_inner(e, scope, hook))
    }

    #[allow(clippy::type_complexity)]
    fn expr_with_inner(
        &mut self,
        e: &Expr,
        scope: &Scope,
        hook: &mut dyn FnMut(&mut Self, &Expr, &Scope) -> Option<PResult<Ex>>,
    ) -> PResult<Ex> {
        if let Some(r) = hook(self, e, scope) {
            return r;
        }
        let mut sub = |p: &mut Self, x: &Expr| -> PResult<Box<Ex>> {
            Ok(Box::new(p.expr_with(x, scope, hook)?))
        };
        Ok(match &e.kind {
            ExprKind::Lit(v) => Ex::Lit(v.clone()),
            ExprKind::Param(p) => match self.params.get(p) {
                Some(v) => Ex::Lit(v.clone()),
                None => {
                    return Err(QueryError::new(
                        QueryErrorKind::ParameterMissing,
                        format!("parameter `${p}` was not given"),
                    )
                    .with_code("MissingParameter")
                    .at(e.span));
                }
            },
            ExprKind::Var(v) => match scope.get(v) {
                Some((s, _)) => Ex::Slot(s),
                None => {
                    return Err(semantic(
                        "UndefinedVariable",
                        format!("variable `{v}` is not defined"),
                        e.span,
                    ));
                }
            },
            ExprKind::List(items) => {
                let mut out = Vec::new();
                for x in items {
                    out.push(*sub(self, x)?);
                }
                Ex::List(out)
            }
            ExprKind::Map(m) => {
                let mut out = Vec::new();
                for (k, x) in m {
                    out.push((k.clone(), *sub(self, x)?));
                }
                Ex::Map(out)
            }
            ExprKind::Prop(a, k) => {
                if let ExprKind::Var(v) = &a.kind
                    && let Some((_, VarKind::Path)) = scope.get(v)
                {
                    return Err(semantic(
                        "InvalidArgumentType",
                        format!("a path has no properties (`{v}.{k}`)"),
                        e.span,
                    ));
                }
                Ex::Prop(sub(self, a)?, k.clone(), e.span)
            }
            ExprKind::Index(a, b) => Ex::Index(sub(self, a)?, sub(self, b)?, e.span),
            ExprKind::Slice(a, b, c) => {
                let a = sub(self, a)?;
                let b = match b {
                    Some(b) => Some(sub(self, b)?),
                    None => None,
                };
                let c = match c {
                    Some(c) => Some(sub(self, c)?),
                    None => None,
                };
                Ex::Slice(a, b, c, e.span)
            }
            ExprKind::HasLabels(a, ls) => Ex::HasLabels(sub(self, a)?, ls.clone(), e.span),
            ExprKind::Unary(op, a) => {
                if *op == UnOp::Not {
                    self.boolean_operand(a, scope, "NOT")?;
                }
                Ex::Unary(*op, sub(self, a)?, e.span)
            }
            ExprKind::Binary(op, a, b) => {
                if matches!(op, BinOp::And | BinOp::Or | BinOp::Xor) {
                    self.boolean_operand(a, scope, op.symbol())?;
                    self.boolean_operand(b, scope, op.symbol())?;
                }
                Ex::Binary(*op, sub(self, a)?, sub(self, b)?, e.span)
            }
            ExprKind::Case {
                subject,
                arms,
                default,
            } => {
                let subject = match subject {
                    Some(s) => Some(sub(self, s)?),
                    None => None,
                };
                let mut out = Vec::new();
                for (w, t) in arms {
                    if subject.is_none() {
                        self.boolean_operand(w, scope, "WHEN")?;
                    }
                    out.push((*sub(self, w)?, *sub(self, t)?));
                }
                let default = match default {
                    Some(d) => Some(sub(self, d)?),
                    None => None,
                };
                Ex::Case {
                    subject,
                    arms: out,
                    default,
                }
            }
            ExprKind::Call { name, args, .. } => {
                let lname = name.to_lowercase();
                if lname == "exists"
                    && let [arg] = args.as_slice()
                    && matches!(arg.kind, ExprKind::PatternPred(_))
                {
                    self.in_where += 1;
                    let r = self.expr_with(arg, scope, hook);
                    self.in_where -= 1;
                    return r;
                }
                // exists(n.prop): openCypher 9's test for a property.
                if lname == "exists"
                    && let [arg] = args.as_slice()
                    && matches!(arg.kind, ExprKind::Prop(..))
                {
                    return Ok(Ex::Unary(UnOp::IsNotNull, sub(self, arg)?, e.span));
                }
                // Argument kinds the planner knows are checked now.
                if let Some(arg) = args.first()
                    && let ExprKind::Var(v) = &arg.kind
                    && let Some((_, k)) = scope.get(v)
                {
                    let bad = match lname.as_str() {
                        "length" | "nodes" | "relationships" => {
                            matches!(k, VarKind::Node | VarKind::Rel | VarKind::Scalar)
                        }
                        "size" => matches!(k, VarKind::Path | VarKind::Node | VarKind::Rel),
                        "properties" => matches!(k, VarKind::Path | VarKind::Scalar),
                        "labels" => matches!(k, VarKind::Path | VarKind::Rel | VarKind::Scalar),
                        _ => false,
                    };
                    if bad {
                        return Err(semantic(
                            "InvalidArgumentType",
                            format!("{name}() cannot take `{v}`"),
                            arg.span,
                        ));
                    }
                }
                if let Some((lo, hi)) = functions::arity(&lname)
                    && (args.len() < lo || args.len() > hi)
                {
                    return Err(semantic(
                        "InvalidNumberOfArguments",
                        format!("{name}() takes {lo}..{hi} arguments, not {}", args.len()),
                        e.span,
                    ));
                }
                if aggregate::is_aggregate(&lname) {
                    return Err(semantic(
                        "InvalidAggregation",
                        format!("aggregate `{name}` is not allowed here"),
                        e.span,
                    ));
                }
                if !functions::is_scalar(&lname) {
                    return Err(semantic(
                        "UnknownFunction",
                        format!("there is no function `{name}`"),
                        e.span,
                    ));
                }
                let mut out = Vec::new();
                for x in args {
                    out.push(*sub(self, x)?);
                }
                Ex::Call {
                    name: lname,
                    args: out,
                    span: e.span,
                }
            }
            ExprKind::CountStar => {
                return Err(semantic(
                    "InvalidAggregation",
                    "count(*) is not allowed here",
                    e.span,
                ));
            }
            ExprKind::ListComp {
                var,
                list,
                filter,
                map,
            } => {
                let list_span = list.span;
                let list = sub(self, list)?;
                let slot = self.new_slot(&var.name);
                let mut inner = scope.clone();
                inner.vars.insert(var.name.clone(), (slot, VarKind::Value));
                let filter = match filter {
                    Some(f) => {
                        self.in_where += 1;
                        let r = self.expr_with(f, &inner, hook);
                        self.in_where -= 1;
                        Some(Box::new(r?))
                    }
                    None => None,
                };
                let map = match map {
                    Some(m) => Some(Box::new(self.expr_with(m, &inner, hook)?)),
                    None => None,
                };
                Ex::ListComp {
                    slot,
                    list,
                    filter,
                    map,
                    list_span,
                }
            }
            ExprKind::Quantifier {
                kind,
                var,
                list,
                pred,
            } => {
                let list_span = list.span;
                let list = sub(self, list)?;
                let slot = self.new_slot(&var.name);
                let mut inner = scope.clone();
                inner.vars.insert(var.name.clone(), (slot, VarKind::Value));
                let pred = match pred {
                    Some(f) => {
                        self.in_where += 1;
                        let r = self.expr_with(f, &inner, hook);
                        self.in_where -= 1;
                        Some(Box::new(r?))
                    }
                    None => None,
                };
                Ex::Quant {
                    kind: *kind,
                    slot,
                    list,
                    pred,
                    list_span,
                }
            }
            ExprKind::PatternPred(part) => {
                if self.in_where == 0 {
                    return Err(semantic(
                        "UnexpectedSyntax",
                        "a pattern is a predicate only in WHERE; use exists { … } or count { … }",
                        e.span,
                    ));
                }
                self.check_pattern_expr_vars(part, scope)?;
                self.sub_pattern(std::slice::from_ref(part), None, scope, |_, _| {
                    Ok(SubKind::Exists)
                })?
            }
            ExprKind::ShortestPath(part) => {
                let mut part = (**part).clone();
                let name = " sp".to_string();
                part.var = Some(Ident {
                    name: name.clone(),
                    span: part.span,
                });
                self.sub_pattern(std::slice::from_ref(&part), None, scope, |_, sc| {
                    Ok(SubKind::First(sc.get(" sp").map_or(0, |v| v.0)))
                })?
            }
            ExprKind::PatternComp {
                var,
                part,
                filter,
                map,
            } => {
                let mut part = (**part).clone();
                part.var = var.clone();
                let map = map.clone();
                self.sub_pattern(
                    std::slice::from_ref(&part),
                    filter.as_deref(),
                    scope,
                    |p, sc| Ok(SubKind::Collect(Box::new(p.expr(&map, sc)?))),
                )?
            }
            ExprKind::Exists(sq) | ExprKind::CountSub(sq) => {
                let exists = matches!(e.kind, ExprKind::Exists(_));
                let kind = if exists {
                    SubKind::Exists
                } else {
                    SubKind::Count
                };
                match sq {
                    Subquery::Pattern { pattern, where_ } => {
                        self.sub_pattern(pattern, where_.as_deref(), scope, move |_, _| {
                            Ok(kind.clone())
                        })?
                    }
                    Subquery::Query(q) => {
                        let (pipe, _) = self.single(q, scope, true)?;
                        let outer: HashSet<usize> = scope.vars.values().map(|v| v.0).collect();
                        let mut d = Vec::new();
                        ops_deps(&pipe.ops, &mut d);
                        d.retain(|s| outer.contains(s));
                        d.sort();
                        d.dedup();
                        Ex::Sub {
                            ops: pipe.ops,
                            kind,
                            deps: d,
                        }
                    }
                }
            }
        })
    }

    /// In a pattern expression every named variable must be bound already.
    fn check_pattern_expr_vars(&self, part: &PatternPart, scope: &Scope) -> PResult<()> {
        for n in &part.nodes {
            if let Some(v) = &n.var
                && scope.get(&v.name).is_none()
            {
                return Err(semantic(
                    "UndefinedVariable",
                    format!("variable `{}` is not defined", v.name),
                    v.span,
                ));
            }
        }
        for r in &part.rels {
            if let Some(v) = &r.var
                && scope.get(&v.name).is_none()
            {
                return Err(semantic(
                    "UndefinedVariable",
                    format!("variable `{}` is not defined", v.name),
                    v.span,
                ));
            }
        }
        Ok(())
    }

    fn sub_pattern(
        &mut self,
        pattern: &[PatternPart],
        where_: Option<&Expr>,
        scope: &Scope,
        kind: impl FnOnce(&mut Self, &Scope) -> PResult<SubKind>,
    ) -> PResult<Ex> {
        let mut inner = scope.clone();
        let mut ops = Vec::new();
        self.match_clause(pattern, where_, &mut inner, &mut ops)?;
        let k = kind(self, &inner)?;
        let outer: HashSet<usize> = scope.vars.values().map(|v| v.0).collect();
        let mut d = Vec::new();
        ops_deps(&ops, &mut d);
        if let SubKind::Collect(m) = &k {
            deps(m, &mut d);
        }
        d.retain(|s| outer.contains(s));
        d.sort();
        d.dedup();
        Ok(Ex::Sub {
            ops,
            kind: k,
            deps: d,
        })
    }

    /// Property maps of a pattern element as (key, expression) pairs.
    fn prop_map(&mut self, props: &Option<Expr>, scope: &Scope) -> PResult<Vec<(String, Ex)>> {
        let Some(p) = props else {
            return Ok(Vec::new());
        };
        match &p.kind {
            ExprKind::Map(entries) => {
                let mut out = Vec::new();
                for (k, v) in entries {
                    out.push((k.clone(), self.expr(v, scope)?));
                }
                Ok(out)
            }
            ExprKind::Param(_) if !self.param_props => Err(semantic(
                "InvalidParameterUse",
                "a parameter cannot give a pattern's properties here; write {key: $param}",
                p.span,
            )),
            _ => match self.expr(p, scope)? {
                Ex::Lit(Value::Map(m)) => Ok(m
                    .iter()
                    .map(|(k, v)| (k.clone(), Ex::Lit(v.clone())))
                    .collect()),
                Ex::Lit(Value::Null) => Ok(Vec::new()),
                _ => Err(semantic(
                    "InvalidParameterUse",
                    "a pattern's properties must be a map",
                    p.span,
                )),
            },
        }
    }

    /// Plans MATCH patterns (and WHERE) into `ops`, binding new variables in `scope`.
    fn match_clause(
        &mut self,
        pattern: &[PatternPart],
        where_: Option<&Expr>,
        scope: &mut Scope,
        ops: &mut Vec<Op>,
    ) -> PResult<()> {
        let bound_before: HashSet<usize> = scope.vars.values().map(|v| v.0).collect();
        // 1. Give every element a slot; named ones go into scope.
        struct PNode {
            slot: usize,
            labels: Vec<String>,
            props: Option<Expr>,
        }
        struct PRel {
            slot: usize,
            rel: RelPat,
        }
        struct PPart {
            nodes: Vec<PNode>,
            rels: Vec<PRel>,
            path: Option<usize>,
            shortest: Option<Shortest>,
        }
        let mut parts = Vec::new();
        let mut rel_slots_seen: Vec<usize> = Vec::new();
        for part in pattern {
            let mut pn = Vec::new();
            let mut pr = Vec::new();
            for n in &part.nodes {
                let slot = match &n.var {
                    Some(v) => match scope.get(&v.name) {
                        Some((s, k)) => {
                            if !matches!(k, VarKind::Node | VarKind::Value) {
                                return Err(semantic(
                                    "VariableTypeConflict",
                                    format!("`{}` is not a node", v.name),
                                    v.span,
                                ));
                            }
                            s
                        }
                        None => {
                            let s = self.new_slot(&v.name);
                            scope.vars.insert(v.name.clone(), (s, VarKind::Node));
                            s
                        }
                    },
                    None => self.new_slot(" anon"),
                };
                pn.push(PNode {
                    slot,
                    labels: n.labels.clone(),
                    props: n.props.clone(),
                });
            }
            for r in &part.rels {
                let kind = if r.range.is_some() {
                    VarKind::RelList
                } else {
                    VarKind::Rel
                };
                let slot = match &r.var {
                    Some(v) => match scope.get(&v.name) {
                        Some((s, k)) => {
                            if bound_before.contains(&s) || rel_slots_seen.contains(&s) {
                                if matches!(k, VarKind::Node | VarKind::Path | VarKind::Scalar)
                                    || (k == VarKind::List && r.range.is_none())
                                {
                                    return Err(semantic(
                                        "VariableTypeConflict",
                                        format!("`{}` is not a relationship", v.name),
                                        v.span,
                                    ));
                                }
                                if rel_slots_seen.contains(&s) {
                                    return Err(semantic(
                                        "RelationshipUniquenessViolation",
                                        format!("relationship `{}` is used twice", v.name),
                                        v.span,
                                    ));
                                }
                            } else if matches!(k, VarKind::Node | VarKind::Path | VarKind::Scalar)
                                || (k == VarKind::List && r.range.is_none())
                            {
                                return Err(semantic(
                                    "VariableTypeConflict",
                                    format!("`{}` is a node, not a relationship", v.name),
                                    v.span,
                                ));
                            }
                            s
                        }
                        None => {
                            let s = self.new_slot(&v.name);
                            scope.vars.insert(v.name.clone(), (s, kind));
                            s
                        }
                    },
                    None => self.new_slot(" anon"),
                };
                rel_slots_seen.push(slot);
                pr.push(PRel {
                    slot,
                    rel: r.clone(),
                });
            }
            let path = match &part.var {
                Some(v) => {
                    if scope.get(&v.name).is_some() {
                        return Err(semantic(
                            "VariableAlreadyBound",
                            format!("variable `{}` is already bound", v.name),
                            v.span,
                        ));
                    }
                    let s = self.new_slot(&v.name);
                    scope.vars.insert(v.name.clone(), (s, VarKind::Path));
                    Some(s)
                }
                None => None,
            };
            parts.push(PPart {
                nodes: pn,
                rels: pr,
                path,
                shortest: part.shortest,
            });
        }
        // 2. WHERE conjuncts, planned against the full scope, placed when bound.
        let mut pending: Vec<Pending> = Vec::new();
        if let Some(w) = where_ {
            if has_aggregate(w) {
                return Err(semantic(
                    "InvalidAggregation",
                    "aggregate functions are not allowed in WHERE",
                    w.span,
                ));
            }
            let mut cs = Vec::new();
            conjuncts(w, &mut cs);
            for c in cs {
                let ex = self.where_expr(&c, scope)?;
                let mut d = Vec::new();
                deps(&ex, &mut d);
                d.sort();
                d.dedup();
                // `n.key = value` with a value not depending on n: an index seek candidate.
                let seek = match &ex {
                    Ex::Binary(BinOp::Eq, a, b, _) => match (&**a, &**b) {
                        (Ex::Prop(x, k, _), v) | (v, Ex::Prop(x, k, _)) => match &**x {
                            Ex::Slot(s) => {
                                let mut vd = Vec::new();
                                deps(v, &mut vd);
                                if vd.iter().all(|d| bound_before.contains(d)) {
                                    Some((*s, k.clone(), v.clone()))
                                } else {
                                    None
                                }
                            }
                            _ => None,
                        },
                        _ => None,
                    },
                    _ => None,
                };
                pending.push((ex, d, seek));
            }
        }
        let mut bound: HashSet<usize> = bound_before.clone();
        let mut clause_rels: Vec<usize> = Vec::new();
        let flush = |bound: &HashSet<usize>, pending: &mut Vec<Pending>, ops: &mut Vec<Op>| {
            let mut i = 0;
            while i < pending.len() {
                if pending[i].1.iter().all(|d| bound.contains(d)) {
                    let (e, _, _) = pending.remove(i);
                    ops.push(Op::Filter(e));
                } else {
                    i += 1;
                }
            }
        };
        flush(&bound, &mut pending, ops);
        // 3. Parts, cheapest first.
        let mut done = vec![false; parts.len()];
        // Shortest-path parts go last: their ends are bound by then.
        for _ in 0..parts.len() {
            let mut best: Option<(usize, usize, f64)> = None; // part, node index, cost
            for (pi, part) in parts.iter().enumerate() {
                if done[pi] {
                    continue;
                }
                let sp_penalty = if part.shortest.is_some() { 1e12 } else { 0.0 };
                for (ni, n) in part.nodes.iter().enumerate() {
                    if part.shortest.is_some() && ni != 0 {
                        continue;
                    }
                    let cost = if bound.contains(&n.slot) {
                        0.0
                    } else {
                        self.node_cost(n.slot, &n.labels, &n.props, &pending, scope, &bound)?
                    } + sp_penalty;
                    if best.is_none_or(|b| cost < b.2) {
                        best = Some((pi, ni, cost));
                    }
                }
            }
            let Some((pi, ni, _)) = best else { break };
            done[pi] = true;
            let part = &parts[pi];
            if let Some(sp) = part.shortest {
                // Bind both ends, then search.
                if part.rels.len() != 1 || part.nodes.len() != 2 {
                    let span = pattern.get(pi).map(|p| p.span).unwrap_or_default();
                    return Err(semantic(
                        "InvalidArgumentType",
                        "shortestPath needs a single relationship pattern",
                        span,
                    ));
                }
                for n in &part.nodes {
                    if !bound.contains(&n.slot) {
                        let op =
                            self.scan_op(n.slot, &n.labels, &n.props, &mut pending, scope, &bound)?;
                        ops.push(op);
                        bound.insert(n.slot);
                        flush(&bound, &mut pending, ops);
                    } else if !n.labels.is_empty() || n.props.is_some() {
                        let check = self.node_check(&n.labels, &n.props, scope)?;
                        ops.push(Op::NodeFilter {
                            slot: n.slot,
                            check,
                        });
                    }
                }
                let r = &part.rels[0];
                let (lo, hi) = r.rel.range.unwrap_or((Some(1), Some(1)));
                let step = Step {
                    from: part.nodes[0].slot,
                    rel: r.slot,
                    to: part.nodes[1].slot,
                    types: r.rel.types.clone(),
                    dir: r.rel.dir,
                    to_bound: true,
                    to_check: NodeCheck::default(),
                    rel_props: self.prop_map(&r.rel.props, scope)?,
                    range: Some((lo.unwrap_or(1), hi.unwrap_or(u64::MAX))),
                    uniq: Vec::new(),
                    reversed: false,
                    rel_bound: false,
                };
                let path = match part.path {
                    Some(p) => p,
                    None => self.new_slot(" path"),
                };
                ops.push(Op::ShortestPath {
                    step: Box::new(step),
                    path,
                    all: sp == Shortest::All,
                });
                bound.insert(r.slot);
                bound.insert(path);
                flush(&bound, &mut pending, ops);
                continue;
            }
            let anchor = &part.nodes[ni];
            if !bound.contains(&anchor.slot) {
                let op = self.scan_op(
                    anchor.slot,
                    &anchor.labels,
                    &anchor.props,
                    &mut pending,
                    scope,
                    &bound,
                )?;
                ops.push(op);
                bound.insert(anchor.slot);
            } else if !anchor.labels.is_empty() || anchor.props.is_some() {
                let check = self.node_check(&anchor.labels, &anchor.props, scope)?;
                ops.push(Op::NodeFilter {
                    slot: anchor.slot,
                    check,
                });
            }
            flush(&bound, &mut pending, ops);
            // Expand right, then left.
            let order: Vec<(usize, bool)> = (ni..part.rels.len())
                .map(|i| (i, true))
                .chain((0..ni).rev().map(|i| (i, false)))
                .collect();
            for (ri, forward) in order {
                let r = &part.rels[ri];
                let (from, to) = if forward {
                    (&part.nodes[ri], &part.nodes[ri + 1])
                } else {
                    (&part.nodes[ri + 1], &part.nodes[ri])
                };
                let dir = match (r.rel.dir, forward) {
                    (Dir::Both, _) => Dir::Both,
                    (d, true) => d,
                    (Dir::Right, false) => Dir::Left,
                    (Dir::Left, false) => Dir::Right,
                };
                let to_bound = bound.contains(&to.slot);
                let range = r
                    .rel
                    .range
                    .map(|(lo, hi)| (lo.unwrap_or(1), hi.unwrap_or(u64::MAX)));
                let step = Step {
                    from: from.slot,
                    rel: r.slot,
                    to: to.slot,
                    types: r.rel.types.clone(),
                    dir,
                    to_bound,
                    to_check: self.node_check(&to.labels, &to.props, scope)?,
                    rel_props: self.prop_map(&r.rel.props, scope)?,
                    range,
                    uniq: clause_rels.clone(),
                    reversed: !forward,
                    rel_bound: bound.contains(&r.slot),
                };
                ops.push(Op::Expand(Box::new(step)));
                clause_rels.push(r.slot);
                bound.insert(to.slot);
                bound.insert(r.slot);
                flush(&bound, &mut pending, ops);
            }
            if let Some(p) = part.path {
                ops.push(Op::BindPath(PathSpec {
                    slot: p,
                    nodes: part.nodes.iter().map(|n| n.slot).collect(),
                    rels: part
                        .rels
                        .iter()
                        .map(|r| (r.slot, r.rel.range.is_some()))
                        .collect(),
                }));
                bound.insert(p);
                flush(&bound, &mut pending, ops);
            }
        }
        for (e, _, _) in pending {
            ops.push(Op::Filter(e));
        }
        Ok(())
    }

    fn node_check(
        &mut self,
        labels: &[String],
        props: &Option<Expr>,
        scope: &Scope,
    ) -> PResult<NodeCheck> {
        Ok(NodeCheck {
            labels: labels.to_vec(),
            props: self.prop_map(props, scope)?,
        })
    }

    /// An index seek available for a node: (label, key, value expression).
    #[allow(clippy::type_complexity)]
    fn seek_for(
        &mut self,
        slot: usize,
        labels: &[String],
        props: &Option<Expr>,
        pending: &[Pending],
        scope: &Scope,
        bound: &HashSet<usize>,
    ) -> PResult<Option<(String, String, Ex, Option<usize>)>> {
        let map = self.prop_map(props, scope)?;
        for l in labels {
            for (k, v) in &map {
                let mut d = Vec::new();
                deps(v, &mut d);
                if d.iter().all(|s| bound.contains(s)) && self.g.has_index(l, k) {
                    return Ok(Some((l.clone(), k.clone(), v.clone(), None)));
                }
            }
            for (i, (_, _, seek)) in pending.iter().enumerate() {
                if let Some((s, k, v)) = seek
                    && *s == slot
                    && self.g.has_index(l, k)
                {
                    return Ok(Some((l.clone(), k.clone(), v.clone(), Some(i))));
                }
            }
        }
        Ok(None)
    }

    fn node_cost(
        &mut self,
        slot: usize,
        labels: &[String],
        props: &Option<Expr>,
        pending: &[Pending],
        scope: &Scope,
        bound: &HashSet<usize>,
    ) -> PResult<f64> {
        if self
            .seek_for(slot, labels, props, pending, scope, bound)?
            .is_some()
        {
            return Ok(1.0);
        }
        let base = labels
            .iter()
            .map(|l| self.g.label_count(l))
            .min()
            .unwrap_or(self.g.node_count()) as f64;
        // Unindexed property equality still narrows: prefer it a little.
        let factor = if props.is_some() { 0.5 } else { 1.0 };
        Ok(2.0 + base * factor)
    }

    fn scan_op(
        &mut self,
        slot: usize,
        labels: &[String],
        props: &Option<Expr>,
        pending: &mut Vec<Pending>,
        scope: &Scope,
        bound: &HashSet<usize>,
    ) -> PResult<Op> {
        let check = self.node_check(labels, props, scope)?;
        if let Some((label, key, value, used)) =
            self.seek_for(slot, labels, props, pending, scope, bound)?
        {
            if let Some(i) = used {
                // The seek implies the WHERE equality; keep it as a filter only for
                // nulls/NaN semantics, which the index never returns anyway.
                pending.remove(i);
            }
            return Ok(Op::IndexSeek {
                slot,
                label,
                key,
                value,
                check,
            });
        }
        let smallest = labels.iter().min_by_key(|l| self.g.label_count(l)).cloned();
        Ok(match smallest {
            Some(label) => {
                let mut check = check;
                check.labels.retain(|l| *l != label);
                Op::LabelScan { slot, label, check }
            }
            None => Op::AllNodes { slot, check },
        })
    }

    fn create_part(&mut self, part: &PatternPart, scope: &mut Scope) -> PResult<CreatePart> {
        self.param_props = true;
        let r = self.create_part_with(part, scope, None);
        self.param_props = false;
        r
    }

    /// Plans what CREATE (or MERGE, when nothing matched) makes. `preset` gives the
    /// slots MERGE's match already chose for new variables, so both ways of binding
    /// them fill the same slots.
    fn create_part_with(
        &mut self,
        part: &PatternPart,
        scope: &mut Scope,
        preset: Option<&Scope>,
    ) -> PResult<CreatePart> {
        let slot_for = |p: &mut Self, name: &str| -> usize {
            match preset.and_then(|s| s.get(name)) {
                Some((s, _)) => s,
                None => p.new_slot(name),
            }
        };
        if part.shortest.is_some() {
            return Err(semantic(
                "InvalidClauseComposition",
                "shortestPath cannot be created",
                part.span,
            ));
        }
        let mut out = CreatePart {
            nodes: Vec::new(),
            rels: Vec::new(),
            path: None,
            prop_spans: Vec::new(),
            rel_spans: Vec::new(),
        };
        let mut node_slots = Vec::new();
        for n in &part.nodes {
            let slot = match &n.var {
                Some(v) => match scope.get(&v.name) {
                    Some((s, k)) => {
                        if !n.labels.is_empty() || n.props.is_some() || part.nodes.len() == 1 {
                            // Re-creating a bound node is an error; so is naming one twice.
                            if !out.nodes.iter().any(|x| x.0 == s) {
                                return Err(semantic(
                                    "VariableAlreadyBound",
                                    format!("variable `{}` is already bound", v.name),
                                    v.span,
                                ));
                            }
                        }
                        if !matches!(k, VarKind::Node | VarKind::Value) {
                            return Err(semantic(
                                "VariableTypeConflict",
                                format!("`{}` is not a node", v.name),
                                v.span,
                            ));
                        }
                        s
                    }
                    None => {
                        let s = slot_for(self, &v.name);
                        scope.vars.insert(v.name.clone(), (s, VarKind::Node));
                        let props = self.prop_map(&n.props, scope)?;
                        out.nodes.push((s, n.labels.clone(), props));
                        if let Some(p) = &n.props {
                            out.prop_spans.push((s, p.span));
                        }
                        s
                    }
                },
                None => {
                    let s = self.new_slot(" anon");
                    let props = self.prop_map(&n.props, scope)?;
                    out.nodes.push((s, n.labels.clone(), props));
                    if let Some(p) = &n.props {
                        out.prop_spans.push((s, p.span));
                    }
                    s
                }
            };
            node_slots.push(slot);
        }
        let mut rel_slots = Vec::new();
        for (i, r) in part.rels.iter().enumerate() {
            if let Some(v) = &r.var
                && scope.get(&v.name).is_some()
            {
                return Err(semantic(
                    "VariableAlreadyBound",
                    format!("variable `{}` is already bound", v.name),
                    v.span,
                ));
            }
            if r.types.len() != 1 {
                return Err(semantic(
                    "NoSingleRelationshipType",
                    "a created relationship needs exactly one type",
                    r.span,
                ));
            }
            if r.dir == Dir::Both && preset.is_none() {
                return Err(semantic(
                    "RequiresDirectedRelationship",
                    "a created relationship needs a direction",
                    r.span,
                ));
            }
            if r.range.is_some() {
                return Err(semantic(
                    "CreatingVarLength",
                    "a variable-length relationship cannot be created",
                    r.span,
                ));
            }
            let slot = match &r.var {
                Some(v) => {
                    if scope.get(&v.name).is_some() {
                        return Err(semantic(
                            "VariableAlreadyBound",
                            format!("variable `{}` is already bound", v.name),
                            v.span,
                        ));
                    }
                    let s = slot_for(self, &v.name);
                    scope.vars.insert(v.name.clone(), (s, VarKind::Rel));
                    s
                }
                None => self.new_slot(" anon"),
            };
            let (a, b) = (node_slots[i], node_slots[i + 1]);
            let (start, end) = if r.dir == Dir::Left { (b, a) } else { (a, b) };
            let props = self.prop_map(&r.props, scope)?;
            out.rels.push((slot, start, end, r.types[0].clone(), props));
            out.rel_spans.push((slot, r.span));
            if let Some(p) = &r.props {
                out.prop_spans.push((slot, p.span));
            }
            rel_slots.push((slot, false));
        }
        if let Some(v) = &part.var {
            if scope.get(&v.name).is_some() {
                return Err(semantic(
                    "VariableAlreadyBound",
                    format!("variable `{}` is already bound", v.name),
                    v.span,
                ));
            }
            let s = slot_for(self, &v.name);
            scope.vars.insert(v.name.clone(), (s, VarKind::Path));
            out.path = Some(PathSpec {
                slot: s,
                nodes: node_slots,
                rels: rel_slots,
            });
        }
        Ok(out)
    }
}

/// Slots read by operators (for a subquery's dependencies).
fn ops_deps(ops: &[Op], out: &mut Vec<usize>) {
    let check = |c: &NodeCheck, out: &mut Vec<usize>| {
        for (_, e) in &c.props {
            deps(e, out);
        }
    };
    for op in ops {
        match op {
            Op::AllNodes { check: c, .. } | Op::LabelScan { check: c, .. } => check(c, out),
            Op::IndexSeek {
                value, check: c, ..
            } => {
                deps(value, out);
                check(c, out);
            }
            Op::NodeFilter { slot, check: c } => {
                out.push(*slot);
                check(c, out);
            }
            Op::Expand(s) | Op::ShortestPath { step: s, .. } => {
                out.push(s.from);
                if s.to_bound {
                    out.push(s.to);
                }
                out.extend(s.uniq.iter().copied());
                check(&s.to_check, out);
                for (_, e) in &s.rel_props {
                    deps(e, out);
                }
            }
            Op::Filter(e) | Op::Unwind { expr: e, .. } | Op::Skip(e) | Op::Limit(e) => deps(e, out),
            Op::Optional { ops, .. } => ops_deps(ops, out),
            Op::Project(items) => items.iter().for_each(|(e, _)| deps(e, out)),
            Op::BindPath(_) => {}
            Op::Call { args, .. } => args.iter().for_each(|e| deps(e, out)),
            Op::Aggregate { keys, aggs } => {
                keys.iter().for_each(|(e, _)| deps(e, out));
                for a in aggs {
                    if let Some(e) = &a.arg {
                        deps(e, out);
                    }
                }
            }
            Op::Distinct(s) => out.extend(s.iter().copied()),
            Op::Sort(keys) => keys.iter().for_each(|(e, _)| deps(e, out)),
            Op::Create(_) | Op::Merge { .. } | Op::Set(_) | Op::Delete { .. } => {}
            Op::CountPerNode(c) => ops_deps(&c.fallback, out),
        }
    }
}

/// A procedure by name, with its output fields.
fn procedure(name: &str) -> Option<(Proc, &'static [&'static str])> {
    Some(match name.to_lowercase().as_str() {
        "db.search" => (Proc::Search, &["node", "score"]),
        "db.labels" => (Proc::Labels, &["label"]),
        "db.relationshiptypes" => (Proc::RelTypes, &["relationshipType"]),
        "db.propertykeys" => (Proc::PropertyKeys, &["propertyKey"]),
        _ => return None,
    })
}

// ----- EXPLAIN: the plan as a tree -----

/// Displays a plan with slot names, optionally with PROFILE figures per operator
/// (rows out and time in collecting operators), keyed by the operator's address.
pub struct PlanView<'a> {
    pub plan: &'a Plan,
    pub profile: Option<&'a std::collections::HashMap<usize, (u64, std::time::Duration)>>,
}

struct ExView<'a> {
    e: &'a Ex,
    names: &'a [String],
}

impl fmt::Display for ExView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names;
        let v = |e| ExView { e, names };
        match self.e {
            Ex::Lit(Value::Date(d)) => write!(f, "date('{}')", crate::value::format_date(*d)),
            Ex::Lit(x) => write!(f, "{x}"),
            Ex::Slot(s) => write!(f, "{}", self.names.get(*s).map_or("?", |n| n.trim())),
            Ex::List(items) => {
                let s: Vec<String> = items.iter().map(|x| v(x).to_string()).collect();
                write!(f, "[{}]", s.join(", "))
            }
            Ex::Map(m) => {
                let s: Vec<String> = m.iter().map(|(k, x)| format!("{k}: {}", v(x))).collect();
                write!(f, "{{{}}}", s.join(", "))
            }
            Ex::Prop(a, k, _) => write!(f, "{}.{k}", v(a)),
            Ex::Index(a, b, _) => write!(f, "{}[{}]", v(a), v(b)),
            Ex::Slice(a, _, _, _) => write!(f, "{}[..]", v(a)),
            Ex::HasLabels(a, ls, _) => write!(f, "{}:{}", v(a), ls.join(":")),
            Ex::Unary(op, a, _) => write!(f, "{op:?}({})", v(a)),
            Ex::Binary(op, a, b, _) => write!(f, "({} {} {})", v(a), op.symbol(), v(b)),
            Ex::Case { .. } => f.write_str("CASE … END"),
            Ex::Call { name, args, .. } => {
                let s: Vec<String> = args.iter().map(|x| v(x).to_string()).collect();
                write!(f, "{name}({})", s.join(", "))
            }
            Ex::ListComp { list, .. } => write!(f, "[… IN {}]", v(list)),
            Ex::Quant { kind, list, .. } => write!(f, "{kind:?}(… IN {})", v(list)),
            Ex::Sub { kind, .. } => match kind {
                SubKind::Exists => f.write_str("exists(subquery)"),
                SubKind::Count => f.write_str("count(subquery)"),
                SubKind::Collect(_) => f.write_str("[pattern comprehension]"),
                SubKind::First(_) => f.write_str("shortestPath(…)"),
            },
        }
    }
}

impl fmt::Display for PlanView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.plan.parts.iter().enumerate() {
            if i > 0 {
                writeln!(
                    f,
                    "{}",
                    if self.plan.distinct_union {
                        "Union"
                    } else {
                        "UnionAll"
                    }
                )?;
            }
            writeln!(f, "Produce [{}]", self.plan.columns.join(", "))?;
            // Operators print last-first, as a tree whose leaves are the scans.
            self.ops(f, &p.ops, 1)?;
        }
        Ok(())
    }
}

impl PlanView<'_> {
    fn ops(&self, f: &mut fmt::Formatter<'_>, ops: &[Op], depth: usize) -> fmt::Result {
        // The last operator prints first: the tree's leaves are the scans.
        for (k, op) in ops.iter().enumerate().rev() {
            let d = depth + (ops.len() - 1 - k);
            let indent = "  ".repeat(d);
            write!(f, "{indent}+- {}", self.describe(op))?;
            if let Some(p) = self.profile {
                let (rows, time) = p
                    .get(&(op as *const Op as usize))
                    .copied()
                    .unwrap_or_default();
                write!(f, "  [rows: {rows}")?;
                if !time.is_zero() {
                    write!(f, ", time: {:.3} ms", time.as_secs_f64() * 1000.0)?;
                }
                write!(f, "]")?;
            }
            writeln!(f)?;
            match op {
                Op::Optional { ops, .. } | Op::Merge { matcher: ops, .. } => {
                    self.ops(f, ops, d + 2)?;
                }
                Op::CountPerNode(c) => self.ops(f, c.inputs(), d + 1)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn n(&self, s: usize) -> &str {
        self.plan.slot_names.get(s).map_or("?", |n| {
            let t = n.trim();
            if t == "anon" || t.is_empty() { "_" } else { t }
        })
    }

    fn x<'b>(&'b self, e: &'b Ex) -> ExView<'b> {
        ExView {
            e,
            names: &self.plan.slot_names,
        }
    }

    fn check(&self, c: &NodeCheck) -> String {
        let mut s = String::new();
        for l in &c.labels {
            s.push(':');
            s.push_str(l);
        }
        if !c.props.is_empty() {
            let p: Vec<String> = c
                .props
                .iter()
                .map(|(k, e)| format!("{k}: {}", self.x(e)))
                .collect();
            s.push_str(&format!(" {{{}}}", p.join(", ")));
        }
        s
    }

    fn describe(&self, op: &Op) -> String {
        match op {
            Op::AllNodes { slot, check } => {
                format!("AllNodesScan ({}{})", self.n(*slot), self.check(check))
            }
            Op::LabelScan { slot, label, check } => {
                format!(
                    "NodeByLabelScan ({}:{label}{})",
                    self.n(*slot),
                    self.check(check)
                )
            }
            Op::IndexSeek {
                slot,
                label,
                key,
                value,
                ..
            } => format!(
                "NodeIndexSeek ({}:{label} {{{key}: {}}})",
                self.n(*slot),
                self.x(value)
            ),
            Op::NodeFilter { slot, check } => {
                format!("NodeFilter ({}{})", self.n(*slot), self.check(check))
            }
            Op::Expand(s) => {
                let (l, r) = match s.dir {
                    Dir::Right => ("-", "->"),
                    Dir::Left => ("<-", "-"),
                    Dir::Both => ("-", "-"),
                };
                let range = match s.range {
                    Some((lo, hi)) if hi == u64::MAX => format!("*{lo}.."),
                    Some((lo, hi)) => format!("*{lo}..{hi}"),
                    None => String::new(),
                };
                format!(
                    "{} ({}){l}[{}:{}{range}]{r}({}{})",
                    if s.to_bound { "ExpandInto" } else { "Expand" },
                    self.n(s.from),
                    self.n(s.rel),
                    s.types.join("|"),
                    self.n(s.to),
                    self.check(&s.to_check)
                )
            }
            Op::ShortestPath { step, all, .. } => {
                let types = if step.types.is_empty() {
                    String::new()
                } else {
                    format!(":{}", step.types.join("|"))
                };
                let range = match step.range {
                    Some((lo, hi)) if hi == u64::MAX => format!("*{lo}.."),
                    Some((lo, hi)) => format!("*{lo}..{hi}"),
                    None => String::new(),
                };
                let (l, r) = match step.dir {
                    Dir::Right => ("-", "->"),
                    Dir::Left => ("<-", "-"),
                    Dir::Both => ("-", "-"),
                };
                format!(
                    "{} ({}){l}[{types}{range}]{r}({})",
                    if *all {
                        "AllShortestPaths (breadth-first)"
                    } else {
                        "ShortestPath (bidirectional breadth-first)"
                    },
                    self.n(step.from),
                    self.n(step.to)
                )
            }
            Op::Filter(e) => format!("Filter {}", self.x(e)),
            Op::Optional { .. } => "Optional".to_string(),
            Op::Unwind { expr, slot } => format!("Unwind {} AS {}", self.x(expr), self.n(*slot)),
            Op::Project(items) => {
                let s: Vec<String> = items
                    .iter()
                    .map(|(e, s)| format!("{} AS {}", self.x(e), self.n(*s)))
                    .collect();
                format!("Project {}", s.join(", "))
            }
            Op::BindPath(p) => format!("BindPath {}", self.n(p.slot)),
            Op::Call { proc, .. } => format!("ProcedureCall {proc:?}"),
            Op::Aggregate { keys, aggs } => {
                let k: Vec<String> = keys.iter().map(|(e, _)| self.x(e).to_string()).collect();
                let a: Vec<String> = aggs.iter().map(|a| self.n(a.slot).to_string()).collect();
                format!(
                    "Aggregate keys [{}] aggregates [{}]",
                    k.join(", "),
                    a.join(", ")
                )
            }
            Op::Distinct(_) => "Distinct".to_string(),
            Op::Sort(keys) => {
                let k: Vec<String> = keys
                    .iter()
                    .map(|(e, d)| format!("{}{}", self.x(e), if *d { " DESC" } else { "" }))
                    .collect();
                format!("Sort [{}]", k.join(", "))
            }
            Op::Skip(e) => format!("Skip {}", self.x(e)),
            Op::Limit(e) => format!("Limit {}", self.x(e)),
            Op::Create(_) => "Create".to_string(),
            Op::Merge { .. } => "Merge".to_string(),
            Op::Set(_) => "SetOrRemove".to_string(),
            Op::Delete { detach, .. } => {
                if *detach {
                    "DetachDelete".to_string()
                } else {
                    "Delete".to_string()
                }
            }
            Op::CountPerNode(c) => {
                // The operators it replaces, scan first, say what it counts.
                let k: Vec<String> = c.keys.iter().map(|(e, _)| self.x(e).to_string()).collect();
                let a: Vec<String> = c.aggs.iter().map(|a| self.n(a.slot).to_string()).collect();
                let within: Vec<String> = c.inner().iter().map(|o| self.describe(o)).collect();
                format!(
                    "CountPerNode keys [{}] aggregates [{}] over {}",
                    k.join(", "),
                    a.join(", "),
                    within.join(", ")
                )
            }
        }
    }
}
