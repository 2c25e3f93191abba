//! The durable store: the graph in memory, made durable on disk.
//!
//! `Store` is what every command opens. It owns the [`Graph`] and, for a store on
//! disk, the files that make it durable. A store is a folder:
//!
//! - `snapshot`: the whole graph as of some log sequence number ([`snapshot`]);
//! - `wal`: one record per transaction committed since then ([`wal`]);
//! - `LOCK`: held (flock) by the one writer, and holding its pid.
//!
//! The life of a write: [`Store::write`] runs the closure inside a [`Txn`], which
//! changes the graph at once; if the closure returns `Ok`, the transaction's ops are
//! encoded as one log record, appended and fsynced, and only then is the commit
//! reported. If the closure fails, or the append or fsync fails, the transaction
//! rolls back and the graph is as before. Opening loads the snapshot and replays the
//! log; a torn record at the log's end (a crash mid-append) is dropped and reported
//! in [`Store::notes`], damage anywhere else is an [`Error::Corrupt`].
//!
//! A checkpoint writes a new snapshot beside the old one, fsyncs and renames it over,
//! then starts an empty log. It runs when the log outgrows the snapshot (and at
//! least [`CHECKPOINT_MIN`]), and on `dossier compact`. See `docs/storage.md`.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::os::unix::fs::{FileExt as _, MetadataExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::graph::{Graph, Txn, WriteStats};

pub mod codec;
pub mod import;
pub mod snapshot;
pub mod wal;

pub use import::{ImportStats, import};

/// The log must be at least this long before it triggers an automatic checkpoint.
pub const CHECKPOINT_MIN: u64 = 8 << 20;

const SNAPSHOT: &str = "snapshot";
const SNAPSHOT_TMP: &str = "snapshot.tmp";
const LOG: &str = "wal";
const LOG_TMP: &str = "wal.tmp";
const LOCK: &str = "LOCK";

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

pub(crate) fn corrupt(file: &Path, offset: u64, message: &str) -> Error {
    Error::Corrupt {
        file: file.to_path_buf(),
        offset,
        message: message.to_string(),
    }
}

pub(crate) fn io_err(context: impl Into<String>, e: std::io::Error) -> Error {
    Error::io(context, e)
}

pub(crate) fn version_error(path: &Path, found: u32, supported: u32) -> Error {
    let why = if found > supported {
        "newer than this dossier supports; upgrade dossier to open it"
    } else {
        "not one this dossier reads"
    };
    corrupt(
        path,
        8,
        &format!("format version {found} is {why} (this dossier reads version {supported})"),
    )
}

/// fsyncs a folder, so a rename or a new file in it is durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    let d = File::open(dir).map_err(|e| io_err(format!("opening {}", dir.display()), e))?;
    d.sync_all()
        .map_err(|e| io_err(format!("syncing {}", dir.display()), e))
}

/// What opening found on disk (for `dossier check` and the crash tests).
#[derive(Debug, Clone, Default)]
pub struct DiskInfo {
    pub snapshot_bytes: u64,
    /// The last transaction the snapshot includes.
    pub snapshot_seq: u64,
    pub log_bytes: u64,
    /// Records replayed from the log (those newer than the snapshot).
    pub log_records: u64,
    /// The last committed transaction's sequence number.
    pub last_seq: u64,
    /// A torn tail dropped from the log, described.
    pub torn_tail: Option<String>,
}

/// The writer's open files.
struct Disk {
    dir: PathBuf,
    _lock: File,
    log: File,
    log_len: u64,
    checkpoint_min: u64,
    /// Set when an I/O failure left the log in an unknown state: no more writes.
    poisoned: Option<String>,
    buf: Vec<u8>,
}

/// A graph store, in memory or on disk.
pub struct Store {
    graph: Graph,
    path: Option<PathBuf>,
    read_only: bool,
    disk: Option<Disk>,
    info: DiskInfo,
    notes: Vec<String>,
}

impl Store {
    /// A store that lives in memory only (tests, the TCK, `dossier extract`).
    pub fn in_memory() -> Store {
        Store {
            graph: Graph::new(),
            path: None,
            read_only: false,
            disk: None,
            info: DiskInfo::default(),
            notes: Vec::new(),
        }
    }

    /// Opens (creating if needed, unless read-only) the store at `path`.
    ///
    /// A writer takes the lock first: a second writer is refused at once with the
    /// holder's pid. A reader takes no lock and never writes; it sees the state as
    /// of the last commit that had reached the disk when it opened.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        match fs::metadata(path) {
            Ok(m) if !m.is_dir() => {
                return Err(corrupt(
                    path,
                    0,
                    "not a dossier store: a store is a folder, this is a file",
                ));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if opts.read_only {
                    return Err(io_err(
                        format!(
                            "no dossier store at {} (a read-only open never creates one)",
                            path.display()
                        ),
                        e,
                    ));
                }
                fs::create_dir_all(path)
                    .map_err(|e| io_err(format!("creating store {}", path.display()), e))?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    sync_dir(parent)?;
                }
            }
            Err(e) => return Err(io_err(format!("opening store {}", path.display()), e)),
        }
        if opts.read_only {
            Self::open_reader(path)
        } else {
            Self::open_writer(path)
        }
    }

    fn open_writer(dir: &Path) -> Result<Store> {
        let lock = take_lock(dir)?;
        let snap = dir.join(SNAPSHOT);
        let log_path = dir.join(LOG);
        // Leftovers of a checkpoint that crashed before its rename.
        for tmp in [SNAPSHOT_TMP, LOG_TMP] {
            let _ = fs::remove_file(dir.join(tmp));
        }
        if !snap.exists() {
            if log_path.exists() {
                return Err(corrupt(
                    &snap,
                    0,
                    "the snapshot is missing but a log exists; refusing to guess",
                ));
            }
            let foreign = fs::read_dir(dir)
                .map_err(|e| io_err(format!("reading {}", dir.display()), e))?
                .filter_map(|e| e.ok())
                .any(|e| e.file_name() != LOCK);
            if foreign {
                return Err(corrupt(
                    dir,
                    0,
                    "not a dossier store: the folder holds other files and no snapshot",
                ));
            }
            // A new store: an empty snapshot, then an empty log.
            snapshot::write_atomic(&Graph::new(), 0, &dir.join(SNAPSHOT_TMP), &snap)?;
        }
        let (mut graph, header, snapshot_bytes) = snapshot::load(&snap)?;
        if !log_path.exists() {
            new_log(dir, header.last_seq)?;
        }
        let mut log = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&log_path)
            .map_err(|e| io_err(format!("opening {}", log_path.display()), e))?;
        let (base, end) = replay(&log_path, &mut log, &mut graph, header.last_seq)?;
        if base > header.last_seq {
            return Err(corrupt(
                &log_path,
                16,
                &format!(
                    "the log starts after transaction {base} but the snapshot ends at {}",
                    header.last_seq
                ),
            ));
        }
        let mut notes = Vec::new();
        if let Some(t) = &end.torn {
            notes.push(format!(
                "dropped a torn record at the end of {} ({t}); it was never reported committed",
                log_path.display()
            ));
            // Cut it off, so the next append does not follow garbage.
            log.set_len(end.valid_len)
                .and_then(|_| log.sync_all())
                .map_err(|e| io_err(format!("truncating {}", log_path.display()), e))?;
        }
        let info = DiskInfo {
            snapshot_bytes,
            snapshot_seq: header.last_seq,
            log_bytes: end.valid_len,
            log_records: end.records,
            last_seq: end.last_seq.max(header.last_seq),
            torn_tail: end.torn.clone(),
        };
        Ok(Store {
            graph,
            path: Some(dir.to_path_buf()),
            read_only: false,
            disk: Some(Disk {
                dir: dir.to_path_buf(),
                _lock: lock,
                log,
                log_len: end.valid_len,
                checkpoint_min: CHECKPOINT_MIN,
                poisoned: None,
                buf: Vec::new(),
            }),
            info,
            notes,
        })
    }

    fn open_reader(dir: &Path) -> Result<Store> {
        let snap = dir.join(SNAPSHOT);
        let log_path = dir.join(LOG);
        // A checkpoint may replace both files while we read them; we notice because
        // the snapshot we loaded is no longer the one in place, and try again.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let ino = |p: &Path| fs::metadata(p).map(|m| m.ino()).ok();
            let before = ino(&snap);
            if before.is_none() {
                return Err(corrupt(
                    &snap,
                    0,
                    "no snapshot here: this is not a dossier store (or it was never written)",
                ));
            }
            let (mut graph, header, snapshot_bytes) = snapshot::load(&snap)?;
            let mut log = match File::open(&log_path) {
                Ok(f) => Some(f),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(io_err(format!("opening {}", log_path.display()), e)),
            };
            let (base, end) = match log.as_mut() {
                Some(f) => replay(&log_path, f, &mut graph, header.last_seq)?,
                None => (header.last_seq, wal::ScanEnd::default()),
            };
            if (base > header.last_seq || ino(&snap) != before) && attempt < 5 {
                continue;
            }
            if base > header.last_seq {
                return Err(corrupt(
                    &log_path,
                    16,
                    "the log starts after the snapshot ends",
                ));
            }
            let notes = end
                .torn
                .iter()
                .map(|t| {
                    format!(
                        "ignored an incomplete record at the end of {} ({t})",
                        log_path.display()
                    )
                })
                .collect();
            return Ok(Store {
                graph,
                path: Some(dir.to_path_buf()),
                read_only: true,
                disk: None,
                info: DiskInfo {
                    snapshot_bytes,
                    snapshot_seq: header.last_seq,
                    log_bytes: end.valid_len,
                    log_records: end.records,
                    last_seq: end.last_seq.max(header.last_seq),
                    torn_tail: end.torn,
                },
                notes,
            });
        }
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
    /// What opening found: sizes, sequence numbers, a dropped torn tail.
    pub fn disk_info(&self) -> &DiskInfo {
        &self.info
    }
    /// Things the user should hear about that are not errors (a torn tail dropped,
    /// a checkpoint that failed after a commit that did not).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// Takes the notes, so each is reported once.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Sets how long the log must grow before an automatic checkpoint (tests and
    /// the crash harness use small values to exercise checkpoints often).
    pub fn set_checkpoint_min(&mut self, bytes: u64) {
        if let Some(d) = self.disk.as_mut() {
            d.checkpoint_min = bytes;
        }
    }

    /// Runs `f` as one all-or-nothing write transaction. When this returns `Ok`,
    /// the changes are committed (and, on disk, fsynced).
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Txn) -> Result<T>) -> Result<(T, WriteStats)> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        if let Some(p) = self.disk.as_ref().and_then(|d| d.poisoned.as_ref()) {
            return Err(poisoned_error(p));
        }
        let mut txn = Txn::new(&mut self.graph);
        // On any error below, dropping `txn` rolls the graph back.
        let out = f(&mut txn)?;
        if let Some(disk) = self.disk.as_mut()
            && !txn.pending_ops().is_empty()
        {
            let seq = self.info.last_seq + 1;
            disk.append(seq, txn.pending_ops())?;
            self.info.last_seq = seq;
            self.info.log_records += 1;
        }
        let (_ops, stats) = txn.commit();
        self.info.log_bytes = self.disk.as_ref().map_or(0, |d| d.log_len);
        if let Some(d) = self.disk.as_ref()
            && d.log_len > d.checkpoint_min.max(self.info.snapshot_bytes)
            && let Err(e) = self.checkpoint()
        {
            // The transaction is committed (it is in the log); only the checkpoint
            // failed, and the next open replays the log instead.
            self.notes
                .push(format!("automatic checkpoint failed (nothing lost): {e}"));
        }
        Ok((out, stats))
    }

    /// Writes a fresh snapshot of the current state and starts an empty log
    /// (`dossier compact`). A no-op in memory; refused read-only.
    pub fn checkpoint(&mut self) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        let Some(disk) = self.disk.as_mut() else {
            return Ok(());
        };
        if let Some(p) = &disk.poisoned {
            return Err(poisoned_error(p));
        }
        let seq = self.info.last_seq;
        let bytes = snapshot::write_atomic(
            &self.graph,
            seq,
            &disk.dir.join(SNAPSHOT_TMP),
            &disk.dir.join(SNAPSHOT),
        )?;
        self.info.snapshot_bytes = bytes;
        self.info.snapshot_seq = seq;
        // From here the snapshot holds everything; the old log's records are all
        // at or below `seq` and would be skipped, so replacing it is safe at any point.
        let log = new_log(&disk.dir, seq)?;
        disk.log = log;
        disk.log_len = wal::HEADER_LEN;
        self.info.log_bytes = wal::HEADER_LEN;
        self.info.log_records = 0;
        Ok(())
    }

    /// Replaces the whole graph with `graph` as one transaction, committed by a
    /// checkpoint (the import of a file into an empty store: a log record of the
    /// whole file would be as large as the file).
    pub(crate) fn replace_graph(&mut self, graph: Graph) -> Result<()> {
        if self.read_only {
            return Err(Error::ReadOnly);
        }
        if self.disk.is_none() {
            self.graph = graph;
            return Ok(());
        }
        let old = std::mem::replace(&mut self.graph, graph);
        let old_seq = self.info.last_seq;
        self.info.last_seq += 1;
        if let Err(e) = self.checkpoint() {
            // The rename is the commit point. If it happened, the new graph is on
            // disk (only the new log may be missing, and opening recreates it).
            let dir = self.disk.as_ref().map(|d| d.dir.join(SNAPSHOT));
            let on_disk = dir.and_then(|p| fs::File::open(p).ok()).and_then(|mut f| {
                let mut h = [0u8; 24];
                f.read_exact(&mut h).ok()?;
                let mut b = [0u8; 8];
                b.copy_from_slice(&h[16..24]);
                Some(u64::from_le_bytes(b))
            });
            if on_disk != Some(self.info.last_seq) {
                self.graph = old;
                self.info.last_seq = old_seq;
            }
            if let Some(d) = self.disk.as_mut() {
                d.poisoned = Some(format!("{e}"));
            }
            return Err(e);
        }
        Ok(())
    }
}

fn poisoned_error(why: &str) -> Error {
    Error::io(
        "an earlier write to the store failed; reopen it before writing again",
        std::io::Error::other(why.to_string()),
    )
}

impl Disk {
    /// Appends one record and fsyncs. On failure the log is cut back to where it
    /// was, so no half record stays in front of later ones; if even that fails the
    /// store refuses further writes until reopened.
    fn append(&mut self, seq: u64, ops: &[crate::graph::Op]) -> Result<()> {
        wal::encode_record(&mut self.buf, seq, ops)?;
        let log_path = self.dir.join(LOG);
        let res = self
            .log
            .write_all_at(&self.buf, self.log_len)
            .and_then(|_| self.log.sync_data());
        if let Err(e) = res {
            let undo = self
                .log
                .set_len(self.log_len)
                .and_then(|_| self.log.sync_data());
            // After a failed fsync the page cache's state is unknown: stop writing.
            self.poisoned = Some(format!("appending to {}: {e}", log_path.display()));
            if let Err(e2) = undo {
                self.poisoned = Some(format!(
                    "appending to {}: {e}; cutting it back: {e2}",
                    log_path.display()
                ));
            }
            return Err(io_err(format!("appending to {}", log_path.display()), e));
        }
        self.log_len += self.buf.len() as u64;
        if self.buf.capacity() > 16 << 20 {
            self.buf = Vec::new();
        }
        Ok(())
    }
}

/// Starts an empty log whose records follow `base_seq`: written to a temporary
/// file, fsynced and renamed over the old log.
fn new_log(dir: &Path, base_seq: u64) -> Result<File> {
    let tmp = dir.join(LOG_TMP);
    let dest = dir.join(LOG);
    let ctx = || format!("writing {}", tmp.display());
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| io_err(ctx(), e))?;
    f.write_all(&wal::header(base_seq))
        .and_then(|_| f.sync_all())
        .map_err(|e| io_err(ctx(), e))?;
    fs::rename(&tmp, &dest).map_err(|e| io_err(format!("renaming {}", tmp.display()), e))?;
    sync_dir(dir)?;
    Ok(f)
}

/// Replays the log onto `graph`, skipping records the snapshot already holds.
fn replay(
    path: &Path,
    log: &mut File,
    graph: &mut Graph,
    snapshot_seq: u64,
) -> Result<(u64, wal::ScanEnd)> {
    wal::scan(path, log, |seq, ops| {
        if seq <= snapshot_seq {
            return Ok(());
        }
        for op in &ops {
            graph.apply(op).map_err(|e| e.to_string())?;
        }
        Ok(())
    })
}

/// Takes the writer's lock, or says who holds it.
fn take_lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK);
    let mut f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io_err(format!("opening {}", path.display()), e))?;
    match fs4::FileExt::try_lock(&f) {
        Ok(()) => {}
        Err(fs4::TryLockError::WouldBlock) => {
            let mut s = String::new();
            let _ = f.read_to_string(&mut s);
            let holder = match s.trim().parse::<u32>() {
                Ok(pid) => format!("process {pid}"),
                Err(_) => "another process".to_string(),
            };
            return Err(Error::Locked(format!(
                "the store {} is open for writing by {holder}; only one writer at a time \
                 (use --read-only to read it beside the writer)",
                dir.display()
            )));
        }
        Err(fs4::TryLockError::Error(e)) => {
            return Err(io_err(format!("locking {}", path.display()), e));
        }
    }
    f.set_len(0)
        .and_then(|_| f.write_all_at(format!("{}\n", std::process::id()).as_bytes(), 0))
        .map_err(|e| io_err(format!("writing {}", path.display()), e))?;
    Ok(f)
}
