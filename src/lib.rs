//! dossier: an embedded knowledge-graph store for documents and the posts they quote.
//!
//! The pipeline, one module per stage:
//! - [`ingest`] reads files and splits each document into article text and embedded posts;
//! - [`extract`] finds people, organisations, places and events in that text;
//! - [`graph`] holds the property graph in memory, [`store`] makes it durable;
//! - [`query`] parses, plans and runs Cypher-like queries over it;
//! - [`export`] writes subgraphs as DOT, JSON and other formats;
//! - [`shell`] is the REPL, and [`cli`] the command line.
//!
//! See `docs/architecture.md` for the life of a write and of a query.

pub mod cli;
pub mod error;
pub mod export;
pub mod extract;
pub mod graph;
pub mod ingest;
pub mod query;
pub mod shell;
pub mod store;
pub mod value;

pub use error::{Error, Result};
pub use graph::{Graph, NodeId, RelId, Txn, WriteStats};
pub use store::Store;
pub use value::Value;
