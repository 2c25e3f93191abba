//! The Cypher-like query language.
//!
//! SKELETON: the public surface other modules build on. The engine (grammar,
//! parser, planner, executor) is being built behind [`execute`].

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use indexmap::IndexMap;

use crate::error::{QueryError, QueryErrorKind, Result};
use crate::graph::WriteStats;
use crate::store::Store;
use crate::value::Value;

pub mod aggregate;
pub mod functions;
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
pub fn execute(
    _store: &mut Store,
    text: &str,
    _params: &Params,
    _opts: &QueryOptions,
) -> Result<QueryResult> {
    Err(QueryError::new(
        QueryErrorKind::Runtime,
        "the query engine is not available yet",
    )
    .with_source(text)
    .into())
}
