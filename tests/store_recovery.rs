//! Persistence tests in the manner of toydb's BitCask: truncate the log at every
//! byte offset and reopen; flip bits in the snapshot and the log; two writers; a
//! reader beside a writer.

use std::fs;
use std::path::{Path, PathBuf};

use dossier::error::Error;
use dossier::graph::NodeId;
use dossier::store::{self, OpenOptions, Store};
use dossier::value::{Value, parse_date};

const RW: OpenOptions = OpenOptions { read_only: false };
const RO: OpenOptions = OpenOptions { read_only: true };

fn open(p: &Path, o: &OpenOptions) -> Store {
    match Store::open(p, o) {
        Ok(s) => s,
        Err(e) => panic!("opening {}: {e}", p.display()),
    }
}

type TxnFn = dyn Fn(&mut dossier::Txn, &mut Vec<NodeId>) -> dossier::Result<()>;

/// Builds a store whose log holds several varied transactions (the snapshot is
/// the empty one); returns the dump after each commit (index 0: before any).
fn build(dir: &Path) -> Vec<String> {
    let mut s = open(dir, &RW);
    s.set_checkpoint_min(u64::MAX);
    let mut dumps = vec![store::dump(s.graph())];
    let date = Value::Date(parse_date("2016-12-12").unwrap_or_default());
    let mut ids: Vec<NodeId> = Vec::new();
    let txns: Vec<Box<TxnFn>> = vec![
        Box::new(|t, ids| {
            ids.push(t.create_node(&["Person"], vec![("name".into(), Value::str("Ann"))])?);
            ids.push(t.create_node(
                &["Person", "Author"],
                vec![
                    ("name".into(), Value::str("بشار")),
                    ("age".into(), Value::Int(41)),
                ],
            )?);
            Ok(())
        }),
        Box::new(move |t, ids| {
            let p = t.create_node(
                &["Post"],
                vec![
                    ("date".into(), date.clone()),
                    ("text".into(), Value::str("hello 👋")),
                    (
                        "tags".into(),
                        Value::List(vec![Value::str("a"), Value::Int(2)]),
                    ),
                    ("score".into(), Value::Float(0.5)),
                ],
            )?;
            t.create_rel(ids[0], p, "POSTED", vec![("w".into(), Value::Float(1.5))])?;
            ids.push(p);
            Ok(())
        }),
        Box::new(|t, ids| {
            t.set_node_prop(ids[0], "name", Value::str("Anne"))?;
            t.remove_label(ids[1], "Author")?;
            t.create_index("Post", "text")
        }),
        Box::new(|t, ids| t.delete_node(ids[0], true)),
        Box::new(|t, ids| {
            t.add_label(ids[2], "Archived")?;
            t.set_node_prop(ids[1], "age", Value::Null)?;
            let n = t.create_node(&[], vec![])?;
            t.create_rel(n, n, "SELF", vec![])?;
            Ok(())
        }),
    ];
    for f in &txns {
        s.write(|t| f(t, &mut ids))
            .unwrap_or_else(|e| panic!("write: {e}"));
        dumps.push(store::dump(s.graph()));
    }
    dumps
}

fn copy_store(from: &Path, to: &Path) {
    let _ = fs::remove_dir_all(to);
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("mkdir: {e}"));
    for f in ["snapshot", "wal"] {
        fs::copy(from.join(f), to.join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
}

/// Offsets where each record of the log ends.
fn record_ends(log: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut off = 32;
    while off + 12 <= log.len() {
        let len = u32::from_le_bytes([log[off], log[off + 1], log[off + 2], log[off + 3]]);
        off += 12 + len as usize;
        ends.push(off);
    }
    ends
}

#[test]
fn truncating_the_log_at_every_offset_keeps_a_committed_prefix() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let dumps = build(&dir);
    let log = fs::read(dir.join("wal")).unwrap_or_else(|e| panic!("read log: {e}"));
    let ends = record_ends(&log);
    assert_eq!(ends.len(), dumps.len() - 1, "one record per transaction");
    assert_eq!(*ends.last().unwrap_or(&0), log.len());
    let work = tmp.path().join("work");
    // Only the log changes from one cut to the next (no checkpoint runs: the log
    // stays far below the threshold), so the snapshot is copied once.
    copy_store(&dir, &work);
    for cut in 32..=log.len() {
        fs::write(work.join("wal"), &log[..cut]).unwrap_or_else(|e| panic!("write: {e}"));
        let k = ends.iter().filter(|e| **e <= cut).count();
        // A reader sees exactly the first k transactions and writes nothing.
        let r = open(&work, &RO);
        assert_eq!(store::dump(r.graph()), dumps[k], "read-only at cut {cut}");
        assert_eq!(
            r.disk_info().torn_tail.is_some(),
            !ends.contains(&cut) && cut > 32
        );
        drop(r);
        assert_eq!(
            fs::metadata(work.join("wal")).map(|m| m.len()).ok(),
            Some(cut as u64)
        );
        // A writer sees the same, cuts the torn tail off, and can go on writing.
        // (Every few offsets and at record boundaries: each of these fsyncs.)
        let near_end = ends.iter().any(|e| e.abs_diff(cut) <= 1);
        if cut % 11 != 0 && !near_end {
            continue;
        }
        let mut w = open(&work, &RW);
        assert_eq!(store::dump(w.graph()), dumps[k], "writer at cut {cut}");
        assert_eq!(!w.notes().is_empty(), !ends.contains(&cut) && cut > 32);
        w.write(|t| t.create_node(&["After"], vec![]))
            .unwrap_or_else(|e| panic!("write after cut {cut}: {e}"));
        let after = store::dump(w.graph());
        drop(w);
        let again = open(&work, &RO);
        assert_eq!(store::dump(again.graph()), after, "reopen after cut {cut}");
    }
}

#[test]
fn a_log_shorter_than_its_header_is_an_error() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    build(&dir);
    let log = fs::read(dir.join("wal")).unwrap_or_default();
    for cut in 0..32 {
        fs::write(dir.join("wal"), &log[..cut]).unwrap_or_else(|e| panic!("write: {e}"));
        match Store::open(&dir, &RO) {
            Err(Error::Corrupt { file, .. }) => assert!(file.ends_with("wal")),
            Err(e) => panic!("cut {cut}: unexpected error {e}"),
            Ok(_) => panic!("cut {cut}: a log without a header opened"),
        }
    }
}

#[test]
fn every_bit_flip_in_a_snapshot_is_reported_with_file_and_offset() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    build(&dir);
    {
        let mut s = open(&dir, &RW);
        s.checkpoint().unwrap_or_else(|e| panic!("checkpoint: {e}"));
    }
    let snap = fs::read(dir.join("snapshot")).unwrap_or_default();
    assert!(snap.len() > 100);
    let work = tmp.path().join("work");
    copy_store(&dir, &work);
    for i in 0..snap.len() {
        let bits: &[u8] = if i % 4 == 0 { &[0, 5] } else { &[3] };
        for &bit in bits {
            let mut bad = snap.clone();
            bad[i] ^= 1 << bit;
            fs::write(work.join("snapshot"), &bad).unwrap_or_else(|e| panic!("write: {e}"));
            for o in [&RO, &RW] {
                match Store::open(&work, o) {
                    Err(Error::Corrupt {
                        file,
                        offset,
                        message,
                    }) => {
                        assert!(file.ends_with("snapshot"), "byte {i}: {}", file.display());
                        assert!(offset <= i as u64 + 64, "byte {i}: reported at {offset}");
                        assert!(!message.is_empty());
                    }
                    Err(e) => panic!("byte {i}: unexpected error {e}"),
                    Ok(_) => panic!("byte {i} bit {bit}: a damaged snapshot opened"),
                }
            }
        }
    }
}

#[test]
fn a_bit_flip_in_the_middle_of_the_log_is_an_error_at_the_tail_a_dropped_record() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let dumps = build(&dir);
    let log = fs::read(dir.join("wal")).unwrap_or_default();
    let ends = record_ends(&log);
    let last_start = ends[ends.len() - 2];
    let work = tmp.path().join("work");
    copy_store(&dir, &work);
    for i in 0..log.len() {
        let mut bad = log.clone();
        bad[i] ^= 0x10;
        fs::write(work.join("wal"), &bad).unwrap_or_else(|e| panic!("write: {e}"));
        let res = Store::open(&work, &RO);
        if i >= last_start + 12 {
            // The last record's payload: a torn tail, dropped and reported.
            let s = res.unwrap_or_else(|e| panic!("byte {i}: {e}"));
            assert_eq!(store::dump(s.graph()), dumps[dumps.len() - 2]);
            assert!(s.disk_info().torn_tail.is_some());
        } else {
            match res {
                Err(Error::Corrupt { file, offset, .. }) => {
                    assert!(file.ends_with("wal"), "byte {i}");
                    assert!(offset <= i.max(24) as u64, "byte {i}: reported at {offset}");
                    if i % 10 != 0 {
                        continue;
                    }
                    let msg = Store::open(&work, &RW)
                        .err()
                        .map(|e| e.to_string())
                        .unwrap_or_default();
                    assert!(msg.contains("wal") && msg.contains("byte"), "{msg}");
                }
                Err(e) => panic!("byte {i}: unexpected error {e}"),
                Ok(_) => panic!("byte {i}: a damaged log opened"),
            }
        }
    }
}

#[test]
fn foreign_and_newer_files_get_clear_errors() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    build(&dir);
    let snap = fs::read(dir.join("snapshot")).unwrap_or_default();
    let mut newer = snap.clone();
    newer[8] = 9;
    fs::write(dir.join("snapshot"), &newer).unwrap_or_default();
    let e = Store::open(&dir, &RO)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("version 9") && e.contains("newer"), "{e}");
    fs::write(
        dir.join("snapshot"),
        b"PK\x03\x04 this is a zip file, not a snapshot at all.....................",
    )
    .unwrap_or_default();
    let e = Store::open(&dir, &RO)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not a dossier snapshot"), "{e}");
    let file = tmp.path().join("plain.txt");
    fs::write(&file, "hello").unwrap_or_default();
    let e = Store::open(&file, &RW)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not a dossier store"), "{e}");
    let other = tmp.path().join("other");
    fs::create_dir_all(&other).unwrap_or_default();
    fs::write(other.join("notes.txt"), "x").unwrap_or_default();
    let e = Store::open(&other, &RW)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.contains("not a dossier store"), "{e}");
}

#[test]
fn a_second_writer_is_refused_and_a_reader_sees_the_last_commit() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir: PathBuf = tmp.path().join("db");
    let mut w = open(&dir, &RW);
    w.write(|t| t.create_node(&["A"], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    match Store::open(&dir, &RW) {
        Err(e @ Error::Locked(_)) => {
            let m = e.to_string();
            assert!(m.contains(&std::process::id().to_string()), "{m}");
            assert!(m.contains("--read-only"), "{m}");
            assert_eq!(e.exit_code(), 2);
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a second writer was let in"),
    }
    let r = open(&dir, &RO);
    assert_eq!(r.graph().node_count(), 1);
    assert!(matches!(
        {
            let mut r = r;
            r.write(|t| t.create_node(&[], vec![])).map(|_| ())
        },
        Err(Error::ReadOnly)
    ));
    w.write(|t| t.create_node(&["B"], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    w.checkpoint().unwrap_or_else(|e| panic!("{e}"));
    w.write(|t| t.create_node(&["C"], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    let r = open(&dir, &RO);
    assert_eq!(store::dump(r.graph()), store::dump(w.graph()));
    drop(w);
    // The lock goes with the writer.
    let w2 = open(&dir, &RW);
    assert_eq!(w2.graph().node_count(), 3);
}

#[test]
fn a_failed_transaction_leaves_no_trace_on_disk() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let mut s = open(&dir, &RW);
    s.write(|t| t.create_node(&["A"], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = store::dump(s.graph());
    let len = fs::metadata(dir.join("wal")).map(|m| m.len()).unwrap_or(0);
    let r = s.write(|t| {
        t.create_node(&["B"], vec![])?;
        Err::<(), _>(Error::Input("no".into()))
    });
    assert!(r.is_err());
    // (The in-memory id counter may have moved on: ids are never reused, and an
    // id of a rolled-back node is not committed anywhere.)
    let data = |d: &str| d.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(data(&store::dump(s.graph())), data(&before));
    assert_eq!(
        fs::metadata(dir.join("wal")).map(|m| m.len()).unwrap_or(0),
        len
    );
    drop(s);
    assert_eq!(store::dump(open(&dir, &RO).graph()), before);
}

#[test]
fn automatic_checkpoints_keep_the_log_short_and_ids_are_never_reused() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let mut s = open(&dir, &RW);
    s.set_checkpoint_min(2000);
    let mut last = NodeId(0);
    for i in 0..200 {
        let (id, _) = s
            .write(|t| t.create_node(&["N"], vec![("i".into(), Value::Int(i))]))
            .unwrap_or_else(|e| panic!("{e}"));
        last = id;
    }
    // Delete the newest node: its id must not come back after a reopen.
    s.write(|t| t.delete_node(last, false))
        .unwrap_or_else(|e| panic!("{e}"));
    s.checkpoint().unwrap_or_else(|e| panic!("{e}"));
    let want = store::dump(s.graph());
    assert!(s.disk_info().snapshot_seq > 0);
    let log_len = fs::metadata(dir.join("wal"))
        .map(|m| m.len())
        .unwrap_or(u64::MAX);
    assert!(log_len < 4000, "log is {log_len} bytes");
    drop(s);
    let mut s = open(&dir, &RW);
    assert_eq!(store::dump(s.graph()), want);
    let (id, _) = s
        .write(|t| t.create_node(&[], vec![]))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(id > last, "id {} reused (last was {})", id.0, last.0);
}
