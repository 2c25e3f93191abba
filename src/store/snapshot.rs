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
//!   0  1  kind: 1 names, 2 nodes, 3 relationships, 4 indexes, 255 end
//!   1  4  payload length
//!   5  4  CRC32 of the kind, the length and the payload
//!   9  n  payload
//! ```
//!
//! Names come first so elements refer to labels, types and keys by their interned
//! number; nodes and relationships follow in id order, in chunks of about 1 MiB, so
//! loading streams through a small buffer and an error can name the chunk's offset.
//! The end chunk makes a truncated snapshot detectable.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use super::codec::{self, DecodeError, Reader};
use super::{corrupt, io_err};
use crate::error::{Error, Result};
use crate::graph::{BulkState, Graph, NodeId, RelId, Sym};
use crate::value::Value;

pub const MAGIC: &[u8; 8] = b"DOSSIERS";
pub const VERSION: u32 = 1;
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
    let idx = graph.indexes();
    codec::put_uvarint(&mut cw.buf, idx.len() as u64);
    for (l, k) in &idx {
        codec::put_str(&mut cw.buf, l);
        codec::put_str(&mut cw.buf, k);
    }
    cw.emit(K_INDEXES)?;
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
    if version != VERSION {
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
pub fn load(path: &Path) -> Result<(Graph, Header, u64)> {
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
    let mut st = BulkState::default();
    let mut off = HEADER_LEN as u64;
    let mut payload: Vec<u8> = Vec::new();
    let mut stage = 0u8; // the highest chunk kind seen so far
    let (mut nodes, mut rels) = (0u64, 0u64);
    // The previous id, across chunks: ids are stored as gaps.
    let (mut prev_node, mut prev_rel): (Option<u64>, Option<u64>) = (None, None);
    let rd = |e| io_err(format!("reading {}", path.display()), e);
    loop {
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
        payload.resize(len, 0);
        r.read_exact(&mut payload).map_err(rd)?;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&h[0..5]);
        hasher.update(&payload);
        if hasher.finalize() != crc {
            return Err(corrupt(path, off, "snapshot chunk checksum mismatch"));
        }
        let body = off + CHUNK_HEADER_LEN as u64;
        let order_ok = match kind {
            K_NAMES => stage == 0,
            K_NODES => stage == K_NAMES || stage == K_NODES,
            K_RELS => (K_NAMES..=K_RELS).contains(&stage),
            K_INDEXES => (K_NAMES..=K_RELS).contains(&stage),
            K_END => stage == K_INDEXES,
            _ => false,
        };
        if !order_ok {
            return Err(corrupt(
                path,
                off,
                &format!("unexpected snapshot chunk kind {kind}"),
            ));
        }
        stage = kind;
        let mut rdr = Reader::new(&payload);
        let at = |e: DecodeError| corrupt(path, body + e.offset as u64, &e.message);
        let as_corrupt = |rdr: &Reader, e: Error| {
            corrupt(
                path,
                body + rdr.pos() as u64,
                &match e {
                    Error::Input(m) | Error::Internal(m) => m,
                    e => e.to_string(),
                },
            )
        };
        match kind {
            K_NAMES => {
                for which in 0..3 {
                    let n = rdr.len().map_err(at)?;
                    for _ in 0..n {
                        let s = rdr.str().map_err(at)?;
                        let before = g.name_counts();
                        let _ = match which {
                            0 => g.bulk_label(s),
                            1 => g.bulk_type(s),
                            _ => g.bulk_key(s),
                        };
                        if g.name_counts() == before {
                            return Err(corrupt(
                                path,
                                body + rdr.pos() as u64,
                                &format!("name {s:?} appears twice"),
                            ));
                        }
                    }
                }
            }
            K_NODES => {
                let prev = &mut prev_node;
                while !rdr.is_empty() {
                    let gap = rdr.uvarint().map_err(at)?;
                    let id = match *prev {
                        None => gap,
                        Some(p) => p.checked_add(gap).filter(|_| gap > 0).ok_or_else(|| {
                            corrupt(path, body + rdr.pos() as u64, "node ids out of order")
                        })?,
                    };
                    let nl = rdr.len().map_err(at)?;
                    let mut labels: Vec<Sym> = Vec::with_capacity(nl);
                    for _ in 0..nl {
                        labels.push(sym(&mut rdr).map_err(at)?);
                    }
                    let props = read_props(&mut rdr).map_err(at)?;
                    g.bulk_add_node(&mut st, NodeId(id), &labels, props)
                        .map_err(|e| as_corrupt(&rdr, e))?;
                    *prev = Some(id);
                    nodes += 1;
                }
            }
            K_RELS => {
                let prev = &mut prev_rel;
                while !rdr.is_empty() {
                    let gap = rdr.uvarint().map_err(at)?;
                    let id = match *prev {
                        None => gap,
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
                    g.bulk_add_rel(RelId(id), NodeId(s), NodeId(e), t, props)
                        .map_err(|e| as_corrupt(&rdr, e))?;
                    *prev = Some(id);
                    rels += 1;
                }
            }
            K_INDEXES => {
                let n = rdr.len().map_err(at)?;
                for _ in 0..n {
                    let l = rdr.str().map_err(at)?;
                    let k = rdr.str().map_err(at)?;
                    // Declared now, filled from the nodes by bulk_finish.
                    g.create_index(l, k);
                }
            }
            _ => {
                // K_END: nothing may follow.
                if off + (CHUNK_HEADER_LEN + len) as u64 != file_len {
                    return Err(corrupt(
                        path,
                        off + (CHUNK_HEADER_LEN + len) as u64,
                        "bytes after the snapshot's end marker",
                    ));
                }
                break;
            }
        }
        if kind != K_END && kind != K_NAMES && !rdr.is_empty() {
            return Err(corrupt(path, body + rdr.pos() as u64, "trailing bytes"));
        }
        off += (CHUNK_HEADER_LEN + len) as u64;
    }
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
    g.bulk_finish(st);
    g.reserve_ids(header.next_node, header.next_rel);
    Ok((g, header, file_len))
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
