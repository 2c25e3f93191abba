//! The Cypher-like query language: a subset of openCypher (see `docs/language.md`).
//!
//! The life of a query:
//! 1. **Guard.** [`parser::check_depth`] refuses text nested more than
//!    [`parser::MAX_DEPTH`] brackets deep, before anything recursive sees it.
//! 2. **Parse.** pest matches `grammar/cypher.pest`; [`parser`] turns the parse tree
//!    into the [`ast`] (every node with its span). A syntax error names the line, the
//!    column and what was expected, with the source line and a caret.
//! 3. **Plan.** [`plan`] binds each variable to a slot of the row, checks meaning
//!    (undefined variables, misplaced aggregates, what CREATE can make …, with the
//!    openCypher TCK's error codes), and chooses how to match: start at the most
//!    selective node (index seek, else the smallest label), expand along adjacency,
//!    and filter as soon as a predicate's variables are bound.
//! 4. **Execute.** [`exec`] runs the operators. A query that writes runs inside
//!    [`Store::write`], so all its changes commit together or not at all; a read-only
//!    query only borrows the graph, and works on a store opened read-only. Planned
//!    expressions keep the spans of the calls, operators, property accesses and
//!    indexes they came from, so an error raised while running (`10 / 0`,
//!    `toInteger([1])`) points at the expression that failed, like a syntax error.
//! 5. **Answer.** A [`QueryResult`]: column names and rows of typed [`Value`]s
//!    (nodes, relationships and paths included), what was written, and timings.
//!    EXPLAIN returns the plan instead of running; PROFILE runs and adds rows and
//!    time per operator.
//!
//! ```
//! use dossier::query::{execute, Params, QueryOptions};
//! use dossier::{Store, Value};
//!
//! let mut store = Store::in_memory();
//! let p = Params::new();
//! let o = QueryOptions::default();
//! execute(&mut store, "CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Bo'})", &p, &o)?;
//! let r = execute(&mut store, "MATCH (a:Person)-[:KNOWS]->(b) RETURN a.name, b.name", &p, &o)?;
//! assert_eq!(r.columns, ["a.name", "b.name"]);
//! assert_eq!(r.rows, vec![vec![Value::str("Ada"), Value::str("Bo")]]);
//! # Ok::<(), dossier::Error>(())
//! ```

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::error::{QueryError, QueryErrorKind, Result};
use crate::graph::WriteStats;
use crate::store::Store;
use crate::value::Value;

pub mod aggregate;
pub mod ast;
pub mod exec;
mod fastagg;
pub mod functions;
pub mod parser;
pub mod plan;
pub mod render;

/// Query parameters (`$name`), by name.
pub type Params = IndexMap<String, Value>;

/// Limits and cancellation for one query.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Set to true (e.g. by a Ctrl-C handler) to cancel the running query.
    pub cancel: Option<Arc<AtomicBool>>,
    /// The query fails with a cancellation error once this instant passes.
    pub deadline: Option<Instant>,
    /// The query fails once its result would hold more rows than this.
    pub max_rows: Option<usize>,
}

/// What a query returns: typed columns and rows, plus what it wrote.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: WriteStats,
    /// Time spent parsing and planning.
    pub compile_time: Duration,
    /// Time spent executing.
    pub exec_time: Duration,
    /// For EXPLAIN / PROFILE: the plan as a tree.
    pub plan: Option<String>,
}

/// Parses, plans and runs `text` against `store`. A query that writes runs as one
/// transaction of the store: all of it is committed, or none of it.
///
/// Errors: [`Error::Query`](crate::Error::Query) for a bad query (rendered with
/// line, column and caret), [`Error::Cancelled`](crate::Error::Cancelled) when the
/// cancel flag is raised or the deadline passes, [`Error::ReadOnly`](crate::Error::ReadOnly)
/// for a write on a read-only store.
///
/// ```
/// use std::sync::Arc;
/// use std::sync::atomic::AtomicBool;
/// use dossier::query::{execute, Params, QueryOptions};
/// use dossier::{Error, Store};
///
/// let mut store = Store::in_memory();
/// let cancel = Arc::new(AtomicBool::new(true)); // already cancelled
/// let opts = QueryOptions { cancel: Some(cancel), ..Default::default() };
/// let r = execute(&mut store, "UNWIND range(1, 100000) AS x RETURN count(*)", &Params::new(), &opts);
/// assert!(matches!(r, Err(Error::Cancelled(_))));
///
/// let e = execute(&mut store, "MATCH (a)-[]->] RETURN a", &Params::new(), &QueryOptions::default());
/// let text = e.err().map(|e| e.to_string()).unwrap_or_default();
/// assert!(text.contains("expected a node pattern, found `]`"));
/// ```
pub fn execute(
    store: &mut Store,
    text: &str,
    params: &Params,
    opts: &QueryOptions,
) -> Result<QueryResult> {
    // Planning and execution recurse over the (bounded) depth of the query.
    let r = if parser::needs_big_stack(text) {
        stacker::maybe_grow(parser::ENTRY_RED_ZONE, parser::ENTRY_STACK, || {
            execute_inner(store, text, params, opts)
        })
    } else {
        execute_inner(store, text, params, opts)
    };
    // Run-time errors carry the span of the expression that failed; the text
    // lets them render with line, column and caret like compile-time ones.
    r.map_err(|e| e.with_source(text))
}

fn execute_inner(
    store: &mut Store,
    text: &str,
    params: &Params,
    opts: &QueryOptions,
) -> Result<QueryResult> {
    let (plan, compile_time) = compile(store.graph(), text, params)?;
    if plan.mode == ast::Mode::Explain {
        return Ok(explained(&plan, compile_time));
    }
    let t1 = Instant::now();
    let shared = exec::Shared::new(opts, plan.nslots, plan.mode == ast::Mode::Profile);
    let (rows, stats) = if plan.writes {
        store.write(|txn| {
            let mut acc = exec::Access::Write(txn);
            run_parts(&mut acc, &shared, &plan)
        })?
    } else {
        let mut acc = exec::Access::Read(store.graph());
        (run_parts(&mut acc, &shared, &plan)?, WriteStats::default())
    };
    Ok(answer(&plan, &shared, rows, stats, compile_time, t1))
}

/// Steps 1 and 2 of a query: parse and plan, timed.
fn compile(g: &crate::graph::Graph, text: &str, params: &Params) -> Result<(plan::Plan, Duration)> {
    let t0 = Instant::now();
    let stmt = parser::parse(text)?;
    let plan = plan::plan(&stmt, g, params).map_err(|e| e.with_source(text))?;
    Ok((plan, t0.elapsed()))
}

/// The result of an executed plan, with its timings and (for PROFILE) its profile.
fn answer(
    plan: &plan::Plan,
    shared: &exec::Shared,
    rows: Vec<Vec<Value>>,
    stats: WriteStats,
    compile_time: Duration,
    exec_start: Instant,
) -> QueryResult {
    let exec_time = exec_start.elapsed();
    QueryResult {
        columns: plan.columns.clone(),
        rows,
        stats,
        compile_time,
        exec_time,
        plan: profiled(plan, shared, exec_time),
    }
}

/// Runs a read-only query against a graph without a store (a write query fails
/// with [`Error::ReadOnly`](crate::Error::ReadOnly)). Used where a graph is at hand
/// but no store is: tests comparing plans, exports of a query's subgraph.
///
/// ```
/// use dossier::query::{query_graph, Params, QueryOptions};
/// use dossier::{Graph, Txn, Value};
///
/// let mut g = Graph::new();
/// let mut t = Txn::new(&mut g);
/// t.create_node(&["Person"], vec![("name".into(), Value::str("Ada"))])?;
/// t.commit();
/// let r = query_graph(&g, "MATCH (p:Person) RETURN count(p) AS n", &Params::new(), &QueryOptions::default())?;
/// assert_eq!(r.rows, vec![vec![Value::Int(1)]]);
/// # Ok::<(), dossier::Error>(())
/// ```
pub fn query_graph(
    g: &crate::graph::Graph,
    text: &str,
    params: &Params,
    opts: &QueryOptions,
) -> Result<QueryResult> {
    let r = if parser::needs_big_stack(text) {
        stacker::maybe_grow(parser::ENTRY_RED_ZONE, parser::ENTRY_STACK, || {
            query_graph_inner(g, text, params, opts)
        })
    } else {
        query_graph_inner(g, text, params, opts)
    };
    // Run-time errors carry the span of the expression that failed; the text
    // lets them render with line, column and caret like compile-time ones.
    r.map_err(|e| e.with_source(text))
}

fn query_graph_inner(
    g: &crate::graph::Graph,
    text: &str,
    params: &Params,
    opts: &QueryOptions,
) -> Result<QueryResult> {
    let (plan, compile_time) = compile(g, text, params)?;
    if plan.mode == ast::Mode::Explain {
        return Ok(explained(&plan, compile_time));
    }
    if plan.writes {
        return Err(crate::error::Error::ReadOnly);
    }
    let t1 = Instant::now();
    let shared = exec::Shared::new(opts, plan.nslots, plan.mode == ast::Mode::Profile);
    let mut acc = exec::Access::Read(g);
    let rows = run_parts(&mut acc, &shared, &plan)?;
    Ok(answer(
        &plan,
        &shared,
        rows,
        WriteStats::default(),
        compile_time,
        t1,
    ))
}

/// The answer to EXPLAIN: the plan, no rows.
fn explained(plan: &plan::Plan, compile_time: Duration) -> QueryResult {
    let view = plan::PlanView {
        plan,
        profile: None,
    };
    QueryResult {
        columns: vec!["plan".into()],
        rows: Vec::new(),
        stats: WriteStats::default(),
        compile_time,
        exec_time: Duration::ZERO,
        plan: Some(view.to_string()),
    }
}

/// PROFILE's plan text: the tree with rows (and time where measured) per operator.
fn profiled(plan: &plan::Plan, shared: &exec::Shared, exec_time: Duration) -> Option<String> {
    shared.profile.as_ref().map(|p| {
        let p = p.borrow();
        let view = plan::PlanView {
            plan,
            profile: Some(&p),
        };
        format!("{view}total: {:.3} ms", exec_time.as_secs_f64() * 1000.0)
    })
}

/// Runs every UNION branch and combines their rows.
fn run_parts(
    acc: &mut exec::Access,
    sh: &exec::Shared,
    plan: &plan::Plan,
) -> Result<Vec<Vec<Value>>> {
    let mut out: Vec<Vec<Value>> = Vec::new();
    for part in &plan.parts {
        let start = vec![vec![Value::Null; plan.nslots]];
        let rows = exec::run(acc, sh, &part.ops, start, plan.parts.len() == 1)?;
        // A query without RETURN answers no rows, only its write counts.
        if !plan.columns.is_empty() {
            for r in rows {
                out.push(part.columns.iter().map(|s| r[*s].clone()).collect());
            }
        }
    }
    if plan.distinct_union {
        let mut seen = std::collections::HashSet::new();
        out.retain(|r| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for v in r {
                v.hash_equivalent(&mut h);
            }
            use std::hash::Hasher;
            // Equal hashes are confirmed by comparing with the kept rows.
            seen.insert((h.finish(), RowKey(r.clone())))
        });
    }
    if let Some(m) = sh.opts.max_rows
        && out.len() > m
    {
        return Err(QueryError::new(
            QueryErrorKind::Runtime,
            format!("the result has more than {m} rows (the limit set for this query)"),
        )
        .with_code("TooManyRows")
        .into());
    }
    Ok(out)
}

/// A result row compared by equivalence (for UNION's duplicate removal).
#[derive(Clone)]
struct RowKey(Vec<Value>);

impl PartialEq for RowKey {
    fn eq(&self, o: &RowKey) -> bool {
        self.0.len() == o.0.len() && self.0.iter().zip(&o.0).all(|(a, b)| a.equivalent(b))
    }
}
impl Eq for RowKey {}
impl std::hash::Hash for RowKey {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        for v in &self.0 {
            v.hash_equivalent(h);
        }
    }
}
