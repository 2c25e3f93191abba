//! The write-ahead log: one record per committed transaction, appended and fsynced
//! before the commit is reported.
//!
//! ```text
//! header (32 bytes)
//!   0  8  magic "DOSSIERL"
//!   8  4  format version (u32 LE)
//!  12  4  reserved, 0
//!  16  8  base sequence number (u64 LE): the first record has base + 1
//!  24  4  CRC32 of bytes 0..24
//!  28  4  reserved, 0
//! record
//!   0  4  payload length (u32 LE)
//!   4  4  CRC32 of the payload
//!   8  4  CRC32 of bytes 0..8 (guards the length itself)
//!  12  n  payload: sequence number (u64 LE), op count (varint), ops (codec.rs)
//! ```
//!
//! The header checksum is what tells a torn tail from damage in the middle: a torn
//! append leaves a short header, a header of zeros, or a payload that runs past the
//! end of the file; a full, non-zero header that fails its checksum, or a record
//! that fails its checksum with more records after it, is corruption and an error.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use super::codec::{self, Reader};
use super::{corrupt, io_err};
use crate::error::{Error, Result};
use crate::graph::Op;

pub const MAGIC: &[u8; 8] = b"DOSSIERL";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: u64 = 32;
pub const RECORD_HEADER_LEN: u64 = 12;

/// The log file header.
pub fn header(base_seq: u64) -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[0..8].copy_from_slice(MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    h[16..24].copy_from_slice(&base_seq.to_le_bytes());
    let crc = crc32fast::hash(&h[0..24]);
    h[24..28].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Encodes one transaction as a complete log record into `out` (cleared first).
pub fn encode_record(out: &mut Vec<u8>, seq: u64, ops: &[Op]) -> Result<()> {
    out.clear();
    out.extend_from_slice(&[0u8; RECORD_HEADER_LEN as usize]);
    out.extend_from_slice(&seq.to_le_bytes());
    codec::put_uvarint(out, ops.len() as u64);
    for op in ops {
        codec::put_op(out, op);
    }
    let len = out.len() - RECORD_HEADER_LEN as usize;
    let len = u32::try_from(len).map_err(|_| {
        Error::Input(format!(
            "a transaction of {len} bytes is too large for one log record (the limit is 4 GiB)"
        ))
    })?;
    let pcrc = crc32fast::hash(&out[RECORD_HEADER_LEN as usize..]);
    out[0..4].copy_from_slice(&len.to_le_bytes());
    out[4..8].copy_from_slice(&pcrc.to_le_bytes());
    let hcrc = crc32fast::hash(&out[0..8]);
    out[8..12].copy_from_slice(&hcrc.to_le_bytes());
    Ok(())
}

/// How a scan of the log ended.
#[derive(Debug, Clone, Default)]
pub struct ScanEnd {
    /// The end of the last valid record: where the next append goes.
    pub valid_len: u64,
    /// The file's length when scanned.
    pub file_len: u64,
    /// Why the bytes after `valid_len` were dropped (a torn tail), if there are any.
    pub torn: Option<String>,
    pub records: u64,
    pub last_seq: u64,
}

/// Reads the header of the log at `path`; returns its base sequence number.
pub fn read_header(path: &Path, r: &mut impl Read) -> Result<u64> {
    let mut h = [0u8; HEADER_LEN as usize];
    if let Err(e) = r.read_exact(&mut h) {
        return Err(if e.kind() == std::io::ErrorKind::UnexpectedEof {
            corrupt(path, 0, "the log is shorter than its 32-byte header")
        } else {
            io_err(format!("reading {}", path.display()), e)
        });
    }
    if &h[0..8] != MAGIC {
        return Err(corrupt(
            path,
            0,
            "not a dossier log file (bad magic number)",
        ));
    }
    let version = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
    if version != VERSION {
        return Err(super::version_error(path, version, VERSION));
    }
    let crc = u32::from_le_bytes([h[24], h[25], h[26], h[27]]);
    if crc != crc32fast::hash(&h[0..24]) {
        return Err(corrupt(path, 24, "log header checksum mismatch"));
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[16..24]);
    Ok(u64::from_le_bytes(b))
}

/// Scans the log at `path`, handing each valid record's (sequence number, ops) to
/// `apply` in order. A torn tail ends the scan and is described in the result;
/// damage before the tail, a gap in the sequence numbers or an `apply` failure is
/// an error naming the file and byte offset.
pub fn scan(
    path: &Path,
    file: &mut File,
    mut apply: impl FnMut(u64, Vec<Op>) -> std::result::Result<(), String>,
) -> Result<(u64, ScanEnd)> {
    let file_len = file
        .metadata()
        .map_err(|e| io_err(format!("reading {}", path.display()), e))?
        .len();
    file.seek(SeekFrom::Start(0))
        .map_err(|e| io_err(format!("reading {}", path.display()), e))?;
    let mut r = BufReader::with_capacity(1 << 20, &*file);
    let base = read_header(path, &mut r)?;
    let mut end = ScanEnd {
        valid_len: HEADER_LEN,
        file_len,
        torn: None,
        records: 0,
        last_seq: base,
    };
    let mut off = HEADER_LEN;
    let mut payload = Vec::new();
    let rd = |e| io_err(format!("reading {}", path.display()), e);
    while off < file_len {
        let left = file_len - off;
        if left < RECORD_HEADER_LEN {
            end.torn = Some(format!(
                "a partial record header ({left} bytes) at byte {off}"
            ));
            break;
        }
        let mut h = [0u8; RECORD_HEADER_LEN as usize];
        r.read_exact(&mut h).map_err(rd)?;
        let len = u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as u64;
        let pcrc = u32::from_le_bytes([h[4], h[5], h[6], h[7]]);
        let hcrc = u32::from_le_bytes([h[8], h[9], h[10], h[11]]);
        if hcrc != crc32fast::hash(&h[0..8]) {
            // Zeros to the end are space the file system extended but never wrote
            // (power loss mid-append): a torn tail. Anything else is damage.
            let mut rest = Vec::new();
            r.read_to_end(&mut rest).map_err(rd)?;
            if h.iter().all(|b| *b == 0) && rest.iter().all(|b| *b == 0) {
                end.torn = Some(format!("{left} zero bytes at byte {off}"));
                break;
            }
            return Err(corrupt(path, off, "log record header checksum mismatch"));
        }
        let rec_end = off + RECORD_HEADER_LEN + len;
        if rec_end > file_len {
            end.torn = Some(format!(
                "a record at byte {off} that needs {} bytes but only {left} were written",
                RECORD_HEADER_LEN + len
            ));
            break;
        }
        payload.resize(len as usize, 0);
        r.read_exact(&mut payload).map_err(rd)?;
        if pcrc != crc32fast::hash(&payload) {
            if rec_end == file_len {
                end.torn = Some(format!(
                    "the last record, at byte {off}, fails its checksum"
                ));
                break;
            }
            return Err(corrupt(
                path,
                off,
                "log record checksum mismatch (not at the end of the log)",
            ));
        }
        let at = off + RECORD_HEADER_LEN;
        let mut rd = Reader::new(&payload);
        let decoded = (|| {
            let seq = rd.u64_le()?;
            let n = rd.len()?;
            let mut ops = Vec::with_capacity(n);
            for _ in 0..n {
                ops.push(rd.op()?);
            }
            if !rd.is_empty() {
                return rd.err("bytes left over after the last op");
            }
            Ok((seq, ops))
        })();
        let (seq, ops) = decoded.map_err(|e| corrupt(path, at + e.offset as u64, &e.message))?;
        if seq != end.last_seq + 1 {
            return Err(corrupt(
                path,
                off,
                &format!(
                    "log record has sequence number {seq}, expected {}",
                    end.last_seq + 1
                ),
            ));
        }
        apply(seq, ops).map_err(|m| {
            corrupt(
                path,
                off,
                &format!("log record {seq} does not apply to the graph: {m}"),
            )
        })?;
        end.last_seq = seq;
        end.records += 1;
        off = rec_end;
        end.valid_len = off;
    }
    Ok((base, end))
}
