//! The snapshot: the whole graph in one file, written at a checkpoint and loaded at
//! open. Layout (all integers little-endian; see `docs/storage.md`):
//!
//! ```text
//! header (64 bytes)
//!   0  8  magic "DOSSIERS"
//!   8  4  format version
//!  12  4  header length (64)
//!  16  8  last sequence number included
//!  24  8  next node id      32  8  next relationship id
//!  40  8  node count        48  8  relationship count
//!  56  4  reserved, 0       60  4  CRC32 of bytes 0..60
//! chunks, each
//!   0  1  kind: 1 names, 4 indexes, 2 nodes, 3 relationships, 255 end
//!   1  4  payload length
//!   5  4  CRC32 of the kind, the length and the payload
//!   9  n  payload
//! ```
//!
//! Names come first so elements refer to labels, types and keys by their interned
//! number; then the declared indexes (version 2; version 1 put them after the
//! relationships), so a load fills the indexes as nodes go in; nodes and
//! relationships follow in id order, in chunks of about 1 MiB, so loading streams
//! through a small buffer and an error can name the chunk's offset. The end chunk
//! makes a truncated snapshot detectable.
//!
//! Loading is a pipeline on two threads (the machine this was tuned on has two
//! cores): a parsing thread reads each chunk, checks its CRC and decodes it into
//! checked elements ([`BulkNode`], [`BulkRel`]); the loading thread puts them into
//! the graph. Decoding nodes (allocating their strings) costs more than inserting
//! them, so the loading thread decodes every second node chunk itself; inserting
//! relationships costs more than decoding them, so the parser decodes all of those.
//! Once the nodes are in, a third thread sorts the label sets and hashes the index
//! entries gathered on the way ([`BulkState::prepare`]) while relationships go in.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use indexmap::IndexSet;

use super::codec::{self, DecodeError, Reader};
use super::{corrupt, io_err};
use crate::error::{Error, Result};
use crate::graph::{BulkNames, BulkNode, BulkRel, BulkState, Graph, NodeId, RelId, Sym};
use crate::value::Value;

pub const MAGIC: &[u8; 8] = b"DOSSIERS";
/// The version written. 2 moved the indexes chunk from after the relationships to
/// right after the names; nothing else changed.
pub const VERSION: u32 = 2;
/// The oldest version read.
const OLDEST_VERSION: u32 = 1;
const HEADER_LEN: usize = 64;
const CHUNK_HEADER_LEN: usize = 9;
const CHUNK_TARGET: usize = 1 << 20;
/// Chunks are written at about 1 MiB; anything far larger is a corrupt length.
const CHUNK_MAX: usize = 1 << 30;

const K_NAMES: u8 = 1;
const K_NODES: u8 = 2;
const K_RELS: u8 = 3;
const K_INDEXES: u8 = 4;
const K_END: u8 = 255;

/// What a snapshot's header says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Header {
    pub version: u32,
    pub last_seq: u64,
    pub next_node: u64,
    pub next_rel: u64,
    pub nodes: u64,
    pub rels: u64,
}

struct ChunkWriter<W: Write> {
    w: W,
    buf: Vec<u8>,
    written: u64,
}

impl<W: Write> ChunkWriter<W> {
    fn emit(&mut self, kind: u8) -> std::io::Result<()> {
        let len = self.buf.len() as u32;
        let mut h = [0u8; CHUNK_HEADER_LEN];
        h[0] = kind;
        h[1..5].copy_from_slice(&len.to_le_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(&h[0..5]);
        crc.update(&self.buf);
        h[5..9].copy_from_slice(&crc.finalize().to_le_bytes());
        self.w.write_all(&h)?;
        self.w.write_all(&self.buf)?;
        self.written += (CHUNK_HEADER_LEN + self.buf.len()) as u64;
        self.buf.clear();
        Ok(())
    }
}

fn put_props(out: &mut Vec<u8>, props: &crate::graph::Props) {
    codec::put_uvarint(out, props.len() as u64);
    for (k, v) in props.iter() {
        codec::put_uvarint(out, k as u64);
        codec::put_value(out, v);
    }
}

/// Writes `graph` as a snapshot to `w`; returns the bytes written.
pub fn write(graph: &Graph, last_seq: u64, w: impl Write) -> std::io::Result<u64> {
    let mut h = [0u8; HEADER_LEN];
    h[0..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    h[12..16].copy_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    h[16..24].copy_from_slice(&last_seq.to_le_bytes());
    h[24..32].copy_from_slice(&graph.next_node_id().0.to_le_bytes());
    h[32..40].copy_from_slice(&graph.next_rel_id().0.to_le_bytes());
    h[40..48].copy_from_slice(&(graph.node_count() as u64).to_le_bytes());
    h[48..56].copy_from_slice(&(graph.rel_count() as u64).to_le_bytes());
    let crc = crc32fast::hash(&h[0..60]);
    h[60..64].copy_from_slice(&crc.to_le_bytes());
    let mut cw = ChunkWriter {
        w,
        buf: Vec::with_capacity(CHUNK_TARGET + 4096),
        written: HEADER_LEN as u64,
    };
    cw.w.write_all(&h)?;

    for names in [
        graph.label_names().collect::<Vec<_>>(),
        graph.type_names().collect(),
        graph.key_names().collect(),
    ] {
        codec::put_uvarint(&mut cw.buf, names.len() as u64);
        for n in names {
            codec::put_str(&mut cw.buf, n);
        }
    }
    cw.emit(K_NAMES)?;
    let idx = graph.indexes();
    codec::put_uvarint(&mut cw.buf, idx.len() as u64);
    for (l, k) in &idx {
        codec::put_str(&mut cw.buf, l);
        codec::put_str(&mut cw.buf, k);
    }
    cw.emit(K_INDEXES)?;

    // Ids are written as the gap from the previous id: mostly one byte.
    let mut prev = 0u64;
    for id in graph.node_ids() {
        let Some(n) = graph.node(id) else { continue };
        codec::put_uvarint(&mut cw.buf, id.0 - prev);
        prev = id.0;
        codec::put_uvarint(&mut cw.buf, n.labels.len() as u64);
        for l in n.labels.iter() {
            codec::put_uvarint(&mut cw.buf, *l as u64);
        }
        put_props(&mut cw.buf, &n.props);
        if cw.buf.len() >= CHUNK_TARGET {
            cw.emit(K_NODES)?;
        }
    }
    if !cw.buf.is_empty() {
        cw.emit(K_NODES)?;
    }
    let mut prev = 0u64;
    for id in graph.rel_ids() {
        let (Some(r), Some((s, e))) = (graph.rel(id), graph.rel_ends(id)) else {
            continue;
        };
        codec::put_uvarint(&mut cw.buf, id.0 - prev);
        prev = id.0;
        codec::put_uvarint(&mut cw.buf, s.0);
        codec::put_uvarint(&mut cw.buf, e.0);
        codec::put_uvarint(&mut cw.buf, r.ty as u64);
        put_props(&mut cw.buf, &r.props);
        if cw.buf.len() >= CHUNK_TARGET {
            cw.emit(K_RELS)?;
        }
    }
    if !cw.buf.is_empty() {
        cw.emit(K_RELS)?;
    }
    cw.emit(K_END)?;
    cw.w.flush()?;
    Ok(cw.written)
}

/// Writes a snapshot to `tmp`, fsyncs it and renames it to `dest` (then fsyncs the
/// folder), so `dest` is always either the old snapshot or the whole new one.
pub fn write_atomic(graph: &Graph, last_seq: u64, tmp: &Path, dest: &Path) -> Result<u64> {
    let ctx = || format!("writing snapshot {}", tmp.display());
    let f = File::create(tmp).map_err(|e| io_err(ctx(), e))?;
    let n = write(graph, last_seq, BufWriter::with_capacity(1 << 20, &f))
        .map_err(|e| io_err(ctx(), e))?;
    f.sync_all().map_err(|e| io_err(ctx(), e))?;
    drop(f);
    std::fs::rename(tmp, dest).map_err(|e| {
        io_err(
            format!("renaming {} to {}", tmp.display(), dest.display()),
            e,
        )
    })?;
    if let Some(dir) = dest.parent() {
        super::sync_dir(dir)?;
    }
    Ok(n)
}

/// Reads the snapshot header from `r`.
fn read_header(path: &Path, r: &mut impl Read) -> Result<Header> {
    let mut h = [0u8; HEADER_LEN];
    if let Err(e) = r.read_exact(&mut h) {
        return Err(if e.kind() == std::io::ErrorKind::UnexpectedEof {
            corrupt(path, 0, "the snapshot is shorter than its 64-byte header")
        } else {
            io_err(format!("reading {}", path.display()), e)
        });
    }
    if &h[0..8] != MAGIC {
        return Err(corrupt(
            path,
            0,
            "not a dossier snapshot (bad magic number)",
        ));
    }
    let version = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    if !(OLDEST_VERSION..=VERSION).contains(&version) {
        return Err(super::version_error(path, version, VERSION));
    }
    let crc = u32::from_le_bytes([h[60], h[61], h[62], h[63]]);
    if crc != crc32fast::hash(&h[0..60]) {
        return Err(corrupt(path, 60, "snapshot header checksum mismatch"));
    }
    let u = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[i..i + 8]);
        u64::from_le_bytes(b)
    };
    Ok(Header {
        version,
        last_seq: u(16),
        next_node: u(24),
        next_rel: u(32),
        nodes: u(40),
        rels: u(48),
    })
}

/// Loads the snapshot at `path` into a new graph. Every chunk is checked; any
/// damage is an error naming the file and byte offset. Returns the graph, the
/// header and the file's length.
///
/// With `DOSSIER_TRACE_OPEN` set in the environment, prints how long each phase
/// took on standard error (for benchmarking; see `docs/benchmarks.md`).
pub fn load(path: &Path) -> Result<(Graph, Header, u64)> {
    let started = Instant::now();
    let f = File::open(path).map_err(|e| io_err(format!("opening {}", path.display()), e))?;
    let file_len = f
        .metadata()
        .map_err(|e| io_err(format!("reading {}", path.display()), e))?
        .len();
    let mut r = BufReader::with_capacity(1 << 20, f);
    let header = read_header(path, &mut r)?;
    let mut g = Graph::empty();
    // Counts come from a file that may be damaged: reserve only what it could hold.
    let cap = |n: u64| n.min(file_len / 4) as usize;
    g.bulk_reserve(cap(header.nodes), cap(header.rels));
    let mut trace = Trace::default();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Piece>>(4);
    // Buffers go back to the parser once used, so the load does not keep asking
    // the kernel for fresh pages for them.
    let (spare_tx, spare_rx) = std::sync::mpsc::channel::<Spare>();
    let st = std::thread::scope(|scope| -> Result<BulkState> {
        let version = header.version;
        scope.spawn(move || parse_chunks(path, r, file_len, version, tx, spare_rx));
        let mut names: Option<Arc<Names>> = None;
        let mut st = Some(BulkState::default());
        let mut prepared = None;
        let (mut prev_node, mut prev_rel): (Option<u64>, Option<u64>) = (None, None);
        let mut ended = false;
        let mut waited = Instant::now();
        for piece in rx {
            let t = Instant::now();
            trace.wait += t - waited;
            match piece? {
                Piece::Names(n) => {
                    for l in &n.labels {
                        g.bulk_label(l);
                    }
                    for t in &n.types {
                        g.bulk_type(t);
                    }
                    for k in &n.keys {
                        g.bulk_key(k);
                    }
                    names = Some(n);
                }
                Piece::Indexes(declared) => {
                    for (l, k) in &declared {
                        // Declared now; filled from the nodes by bulk_finish.
                        g.create_index(l, k);
                    }
                    if let Some(st) = st.as_mut() {
                        // Before any node (version 2): the nodes gather the
                        // indexes' entries as they go in.
                        g.bulk_watch_indexes(st);
                    }
                }
                Piece::RawNodes { body, payload } => {
                    let names = names.as_deref().ok_or_else(out_of_order)?;
                    let batch = decode_nodes(path, body, &payload, names)?;
                    let _ = spare_tx.send(Spare::Bytes(payload));
                    trace.decode += t.elapsed();
                    let st = st.as_mut().ok_or_else(out_of_order)?;
                    insert_nodes(path, &mut g, st, batch, &mut prev_node)?;
                }
                Piece::Nodes(batch) => {
                    let st = st.as_mut().ok_or_else(out_of_order)?;
                    insert_nodes(path, &mut g, st, batch, &mut prev_node)?;
                }
                Piece::Rels(batch) => {
                    if let Some(st) = st.take() {
                        // Every node is in: sort the label sets and build the
                        // indexes beside the relationships going in.
                        prepared = Some(scope.spawn(move || st.prepare()));
                        trace.nodes_done = started.elapsed();
                    }
                    let empty = insert_rels(path, &mut g, batch, &mut prev_rel)?;
                    let _ = spare_tx.send(Spare::Rels(empty));
                }
                Piece::End => ended = true,
            }
            let kind = if prev_rel.is_some() { 1 } else { 0 };
            trace.insert[kind] += t.elapsed();
            waited = Instant::now();
        }
        if !ended {
            // The parser stops only after the end chunk or an error it sent.
            return Err(Error::Internal("the snapshot parser stopped early".into()));
        }
        let t = Instant::now();
        let st = match prepared {
            Some(h) => h
                .join()
                .map_err(|_| Error::Internal("the index builder panicked".into()))?,
            None => st.take().unwrap_or_default(),
        };
        trace.join = t.elapsed();
        Ok(st)
    })?;
    let (nodes, rels) = (g.node_count() as u64, g.rel_count() as u64);
    if nodes != header.nodes || rels != header.rels {
        return Err(corrupt(
            path,
            40,
            &format!(
                "the header promises {} nodes and {} relationships, the file holds {nodes} and {rels}",
                header.nodes, header.rels
            ),
        ));
    }
    let t = Instant::now();
    g.bulk_finish(st);
    g.reserve_ids(header.next_node, header.next_rel);
    trace.finish = t.elapsed();
    trace.total = started.elapsed();
    if std::env::var_os("DOSSIER_TRACE_OPEN").is_some() {
        eprintln!("{}", trace.report(path));
    }
    Ok((g, header, file_len))
}

fn out_of_order() -> Error {
    Error::Internal("snapshot pieces arrived out of order".into())
}

/// Where a load's time went (on the loading thread), for `DOSSIER_TRACE_OPEN`.
#[derive(Default)]
struct Trace {
    /// Waiting for the parsing thread.
    wait: Duration,
    /// Decoding node chunks on the loading thread.
    decode: Duration,
    /// Handling pieces before the first relationship, and from it on (decoding
    /// included).
    insert: [Duration; 2],
    /// From the start until the nodes were all in.
    nodes_done: Duration,
    /// Waiting for the index builder.
    join: Duration,
    /// Installing label sets and indexes.
    finish: Duration,
    total: Duration,
}

impl Trace {
    fn report(&self, path: &Path) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "trace: loaded {} in {:.0} ms: nodes in after {:.0} ms (decoding {:.0} ms, inserting {:.0} ms), \
             relationships {:.0} ms, waited for the parser {:.0} ms, for the index builder {:.0} ms, finish {:.0} ms",
            path.display(),
            ms(self.total),
            ms(self.nodes_done),
            ms(self.decode),
            ms(self.insert[0].saturating_sub(self.decode)),
            ms(self.insert[1]),
            ms(self.wait),
            ms(self.join),
            ms(self.finish)
        )
    }
}

/// The names chunk, decoded: each list in number order.
struct Names {
    labels: IndexSet<String>,
    types: IndexSet<String>,
    keys: IndexSet<String>,
}

impl Names {
    fn bulk(&self) -> BulkNames<'_> {
        BulkNames {
            labels: self.labels.len(),
            types: self.types.len(),
            keys: self.keys.as_slice(),
        }
    }
}

/// What the parsing thread hands the loading thread, in file order.
enum Piece {
    Names(Arc<Names>),
    Indexes(Vec<(String, String)>),
    /// A nodes chunk for the loading thread to decode (`body` is its offset).
    RawNodes {
        body: u64,
        payload: Vec<u8>,
    },
    Nodes(Batch<BulkNode>),
    Rels(Batch<BulkRel>),
    End,
}

/// The elements of one chunk. Ids are stored as gaps from the previous element's,
/// across chunks, so a chunk decodes on its own only relative to its first
/// element: here ids count from the first gap, and the loading thread, which
/// knows the previous chunk's last id, adds it.
struct Batch<T> {
    /// The first element's gap (0 if the chunk is empty), and the file offset
    /// just after it (for an error).
    first_gap: u64,
    first_at: u64,
    /// Each element with the file offset of its end (for an error).
    items: Vec<(u64, T)>,
}

/// The id base for a chunk whose first gap is `first_gap`, after `prev`.
fn chunk_base(path: &Path, prev: Option<u64>, first_gap: u64, at: u64, what: &str) -> Result<u64> {
    match prev {
        None => Ok(0),
        Some(_) if first_gap == 0 => Err(corrupt(path, at, &format!("{what} ids out of order"))),
        Some(p) => Ok(p),
    }
}

fn insert_nodes(
    path: &Path,
    g: &mut Graph,
    st: &mut BulkState,
    batch: Batch<BulkNode>,
    prev: &mut Option<u64>,
) -> Result<()> {
    let base = chunk_base(path, *prev, batch.first_gap, batch.first_at, "node")?;
    for (at, mut n) in batch.items {
        let id = base
            .checked_add(n.id.0)
            .ok_or_else(|| corrupt(path, at, "node ids out of order"))?;
        n.id = NodeId(id);
        g.bulk_push_node(st, n)
            .map_err(|e| element_error(path, at, e))?;
        *prev = Some(id);
    }
    Ok(())
}

/// Adds a batch of relationships; returns the batch's emptied vector for reuse.
fn insert_rels(
    path: &Path,
    g: &mut Graph,
    mut batch: Batch<BulkRel>,
    prev: &mut Option<u64>,
) -> Result<Vec<(u64, BulkRel)>> {
    let base = chunk_base(path, *prev, batch.first_gap, batch.first_at, "relationship")?;
    // Fetch the end nodes of the relationship AHEAD places on into the cache, and
    // where their slot numbers are kept twice as far (see
    // Graph::bulk_prefetch_node): adding a relationship is mostly waiting for its
    // ends, and this way the waits overlap.
    const AHEAD: usize = 16;
    let pf = g.bulk_prefetcher();
    let ends: Vec<(NodeId, NodeId)> = batch.items.iter().map(|(_, r)| (r.start, r.end)).collect();
    let fetch = |g: &Graph, i: usize| {
        if let Some(&(s, e)) = ends.get(i + AHEAD) {
            g.bulk_prefetch_node(&pf, s);
            g.bulk_prefetch_node(&pf, e);
        }
        if let Some(&(s, e)) = ends.get(i + 2 * AHEAD) {
            g.bulk_prefetch_slot(s);
            g.bulk_prefetch_slot(e);
        }
    };
    for (i, (at, mut r)) in batch.items.drain(..).enumerate() {
        fetch(g, i);
        let id = base
            .checked_add(r.id.0)
            .ok_or_else(|| corrupt(path, at, "relationship ids out of order"))?;
        r.id = RelId(id);
        g.bulk_push_rel(r).map_err(|e| element_error(path, at, e))?;
        *prev = Some(id);
    }
    Ok(batch.items)
}

/// An element the graph refused, as damage at `at`.
fn element_error(path: &Path, at: u64, e: Error) -> Error {
    corrupt(
        path,
        at,
        &match e {
            Error::Input(m) | Error::Internal(m) => m,
            e => e.to_string(),
        },
    )
}

/// Decodes a nodes chunk whose payload starts at file offset `body`.
fn decode_nodes(path: &Path, body: u64, payload: &[u8], names: &Names) -> Result<Batch<BulkNode>> {
    let names = names.bulk();
    let mut rdr = Reader::new(payload);
    let at = |e: DecodeError| corrupt(path, body + e.offset as u64, &e.message);
    let mut batch = Batch {
        first_gap: 0,
        first_at: body,
        items: Vec::new(),
    };
    let mut prev: Option<u64> = None;
    while !rdr.is_empty() {
        let gap = rdr.uvarint().map_err(at)?;
        let id = match prev {
            None => {
                batch.first_gap = gap;
                batch.first_at = body + rdr.pos() as u64;
                gap
            }
            Some(p) => p
                .checked_add(gap)
                .filter(|_| gap > 0)
                .ok_or_else(|| corrupt(path, body + rdr.pos() as u64, "node ids out of order"))?,
        };
        let nl = rdr.len().map_err(at)?;
        let mut labels: Vec<Sym> = Vec::with_capacity(nl);
        for _ in 0..nl {
            labels.push(sym(&mut rdr).map_err(at)?);
        }
        let props = read_props(&mut rdr).map_err(at)?;
        let end = body + rdr.pos() as u64;
        let n = BulkNode::new(NodeId(id), labels, props, names)
            .map_err(|e| element_error(path, end, e))?;
        batch.items.push((end, n));
        prev = Some(id);
    }
    Ok(batch)
}

/// Decodes a relationships chunk whose payload starts at file offset `body`, into
/// `items` (emptied first: a vector used before).
fn decode_rels(
    path: &Path,
    body: u64,
    payload: &[u8],
    names: &Names,
    mut items: Vec<(u64, BulkRel)>,
) -> Result<Batch<BulkRel>> {
    let names = names.bulk();
    let mut rdr = Reader::new(payload);
    let at = |e: DecodeError| corrupt(path, body + e.offset as u64, &e.message);
    let mut batch = Batch {
        first_gap: 0,
        first_at: body,
        items: {
            items.clear();
            // Relationships without properties take about 9 bytes each.
            items.reserve(payload.len() / 8);
            items
        },
    };
    let mut prev: Option<u64> = None;
    while !rdr.is_empty() {
        let gap = rdr.uvarint().map_err(at)?;
        let id = match prev {
            None => {
                batch.first_gap = gap;
                batch.first_at = body + rdr.pos() as u64;
                gap
            }
            Some(p) => p.checked_add(gap).filter(|_| gap > 0).ok_or_else(|| {
                corrupt(
                    path,
                    body + rdr.pos() as u64,
                    "relationship ids out of order",
                )
            })?,
        };
        let s = rdr.uvarint().map_err(at)?;
        let e = rdr.uvarint().map_err(at)?;
        let t = sym(&mut rdr).map_err(at)?;
        let props = read_props(&mut rdr).map_err(at)?;
        let end = body + rdr.pos() as u64;
        let r = BulkRel::new(RelId(id), NodeId(s), NodeId(e), t, props, names)
            .map_err(|e| element_error(path, end, e))?;
        batch.items.push((end, r));
        prev = Some(id);
    }
    Ok(batch)
}

/// Decodes the names chunk: three lists of distinct names.
fn decode_names(path: &Path, body: u64, payload: &[u8]) -> Result<Names> {
    let mut rdr = Reader::new(payload);
    let at = |e: DecodeError| corrupt(path, body + e.offset as u64, &e.message);
    let mut lists: [IndexSet<String>; 3] = Default::default();
    for list in lists.iter_mut() {
        let n = rdr.len().map_err(at)?;
        for _ in 0..n {
            let s = rdr.str().map_err(at)?;
            if !list.insert(s.to_string()) {
                return Err(corrupt(
                    path,
                    body + rdr.pos() as u64,
                    &format!("name {s:?} appears twice"),
                ));
            }
        }
    }
    if !rdr.is_empty() {
        return Err(corrupt(path, body + rdr.pos() as u64, "trailing bytes"));
    }
    let [labels, types, keys] = lists;
    Ok(Names {
        labels,
        types,
        keys,
    })
}

/// Decodes the indexes chunk: (label, key) pairs.
fn decode_indexes(path: &Path, body: u64, payload: &[u8]) -> Result<Vec<(String, String)>> {
    let mut rdr = Reader::new(payload);
    let at = |e: DecodeError| corrupt(path, body + e.offset as u64, &e.message);
    let n = rdr.len().map_err(at)?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let l = rdr.str().map_err(at)?;
        let k = rdr.str().map_err(at)?;
        v.push((l.to_string(), k.to_string()));
    }
    if !rdr.is_empty() {
        return Err(corrupt(path, body + rdr.pos() as u64, "trailing bytes"));
    }
    Ok(v)
}

/// Whether a chunk of `kind` may follow one of kind `stage` (0 at the start).
fn order_ok(version: u32, stage: u8, kind: u8) -> bool {
    if version == 1 {
        return match kind {
            K_NAMES => stage == 0,
            K_NODES => stage == K_NAMES || stage == K_NODES,
            K_RELS | K_INDEXES => (K_NAMES..=K_RELS).contains(&stage),
            K_END => stage == K_INDEXES,
            _ => false,
        };
    }
    match kind {
        K_NAMES => stage == 0,
        K_INDEXES => stage == K_NAMES,
        K_NODES => stage == K_INDEXES || stage == K_NODES,
        K_RELS => matches!(stage, K_INDEXES | K_NODES | K_RELS),
        K_END => matches!(stage, K_INDEXES | K_NODES | K_RELS),
        _ => false,
    }
}

/// A used buffer, back from the loading thread.
enum Spare {
    Bytes(Vec<u8>),
    Rels(Vec<(u64, BulkRel)>),
}

/// The parsing thread: reads the chunks after the header, checks each one's
/// length, checksum and place in the order, decodes it and sends it on `tx`;
/// stops after the end chunk, at the first error (sent), or when the loading
/// thread hangs up. Buffers the loading thread is done with come back on `spare`.
fn parse_chunks(
    path: &Path,
    mut r: impl Read,
    file_len: u64,
    version: u32,
    tx: std::sync::mpsc::SyncSender<Result<Piece>>,
    spare: std::sync::mpsc::Receiver<Spare>,
) {
    let mut off = HEADER_LEN as u64;
    let mut stage = 0u8;
    let mut names: Option<Arc<Names>> = None;
    let mut node_chunks = 0u64;
    let mut buf: Vec<u8> = Vec::new();
    let (mut spare_bytes, mut spare_rels) = (Vec::new(), Vec::new());
    loop {
        while let Ok(s) = spare.try_recv() {
            match s {
                Spare::Bytes(b) => spare_bytes.push(b),
                Spare::Rels(v) => spare_rels.push(v),
            }
        }
        let mut one = || -> Result<Piece> {
            let kind = read_chunk(path, &mut r, off, file_len, &mut buf)?;
            if !order_ok(version, stage, kind) {
                return Err(corrupt(
                    path,
                    off,
                    &format!("unexpected snapshot chunk kind {kind}"),
                ));
            }
            stage = kind;
            let body = off + CHUNK_HEADER_LEN as u64;
            let len = buf.len() as u64;
            off = body + len;
            let table = names.clone();
            let table = || table.as_deref().ok_or_else(out_of_order);
            Ok(match kind {
                K_NAMES => {
                    let n = Arc::new(decode_names(path, body, &buf)?);
                    names = Some(n.clone());
                    Piece::Names(n)
                }
                K_INDEXES => Piece::Indexes(decode_indexes(path, body, &buf)?),
                K_NODES => {
                    node_chunks += 1;
                    if node_chunks.is_multiple_of(2) {
                        let payload =
                            std::mem::replace(&mut buf, spare_bytes.pop().unwrap_or_default());
                        Piece::RawNodes { body, payload }
                    } else {
                        Piece::Nodes(decode_nodes(path, body, &buf, table()?)?)
                    }
                }
                K_RELS => {
                    let items = spare_rels.pop().unwrap_or_default();
                    Piece::Rels(decode_rels(path, body, &buf, table()?, items)?)
                }
                _ => {
                    // K_END: empty, and nothing may follow.
                    if off != file_len || len != 0 {
                        return Err(corrupt(
                            path,
                            body + len,
                            "bytes after the snapshot's end marker",
                        ));
                    }
                    Piece::End
                }
            })
        };
        let res = one();
        let stop = matches!(res, Err(_) | Ok(Piece::End));
        if tx.send(res).is_err() || stop {
            return;
        }
    }
}

/// Reads the chunk at `off` into `payload` (whose old contents go); returns its
/// kind once its length and checksum are checked.
fn read_chunk(
    path: &Path,
    r: &mut impl Read,
    off: u64,
    file_len: u64,
    payload: &mut Vec<u8>,
) -> Result<u8> {
    let rd = |e| io_err(format!("reading {}", path.display()), e);
    let mut h = [0u8; CHUNK_HEADER_LEN];
    if let Err(e) = r.read_exact(&mut h) {
        return Err(if e.kind() == std::io::ErrorKind::UnexpectedEof {
            corrupt(path, off, "the snapshot ends before its end marker")
        } else {
            rd(e)
        });
    }
    let kind = h[0];
    let len = u32::from_le_bytes([h[1], h[2], h[3], h[4]]) as usize;
    let crc = u32::from_le_bytes([h[5], h[6], h[7], h[8]]);
    if len > CHUNK_MAX || off + (CHUNK_HEADER_LEN + len) as u64 > file_len {
        return Err(corrupt(
            path,
            off,
            &format!("snapshot chunk length {len} runs past the end of the file"),
        ));
    }
    payload.clear();
    payload.resize(len, 0);
    r.read_exact(payload).map_err(rd)?;
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&h[0..5]);
    hasher.update(payload);
    if hasher.finalize() != crc {
        return Err(corrupt(path, off, "snapshot chunk checksum mismatch"));
    }
    Ok(kind)
}

fn sym(r: &mut Reader) -> codec::DResult<Sym> {
    let v = r.uvarint()?;
    match Sym::try_from(v) {
        Ok(s) => Ok(s),
        Err(_) => r.err(format!("name number {v} is out of range")),
    }
}

fn read_props(r: &mut Reader) -> codec::DResult<Vec<(Sym, Value)>> {
    let n = r.len()?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let k = sym(r)?;
        v.push((k, r.value()?));
    }
    Ok(v)
}
