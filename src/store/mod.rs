//! The durable store: the graph in memory, made durable on disk.
//!
//! `Store` is what every command opens. It owns the [`Graph`] and, for a store on
//! disk, the files that make it durable (see `docs/storage.md`). Writes go through
//! [`Store::write`]: the closure changes the graph inside a [`Txn`]; if it returns
//! `Ok`, the transaction's ops are appended to the log and fsynced before `write`
//! returns, and if it returns `Err` (or the log append fails) every change is undone.
//!
//! SKELETON: the on-disk part (snapshot, log, lock) is being built; until then a
//! store opened from a path is held in memory only.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::graph::{Graph, Txn, WriteStats};

/// How to open a store.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    /// Open the last committed state without taking the writer's lock; writes fail.
    pub read_only: bool,
}

/// The default store path: `--db`, else `$DOSSIER_DB`, else `./dossier.db`.
/// (clap reads `$DOSSIER_DB` for `--db`; this is the final fallback.)
pub fn default_path(db: Option<&Path>) -> PathBuf {
    db.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("dossier.db"))
}

/// A graph store, in memory or on disk.
pub struct Store {
    graph: Graph,
    path: Option<PathBuf>,
    read_only: bool,
}

impl Store {
    /// A store that lives in memory only (tests, the TCK, `dossier extract`).
    pub fn in_memory() -> Store {
        Store {
            graph: Graph::new(),
            path: None,
            read_only: false,
        }
    }

    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        Ok(Store {
            graph: Graph::new(),
            path: Some(path.to_path_buf()),
            read_only: opts.read_only,
        })
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Runs `f` as one all-or-nothing write transaction. When this returns `Ok`,
    /// the changes are committed (and, on disk, fsynced).
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Txn) -> Result<T>) -> Result<(T, WriteStats)> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        let mut txn = Txn::new(&mut self.graph);
        let out = f(&mut txn)?;
        let (_ops, stats) = txn.commit();
        Ok((out, stats))
    }
}
