//! The snapshot format across versions and across chunks: a version-1 store (made
//! by the dossier of session 1, kept in tests/golden/store/v1/) still opens with
//! the same contents and is rewritten as version 2 by a checkpoint; a snapshot of
//! many chunks (decoded partly on the parsing thread, partly on the loading one,
//! with ids stored as gaps across chunk boundaries) loads exactly what was written,
//! with label sets and property indexes that match the nodes.

mod common;

use std::fs;
use std::path::Path;

use dossier::graph::NodeId;
use dossier::store::{self, OpenOptions, Store};
use dossier::value::Value;

const RW: OpenOptions = OpenOptions { read_only: false };
const RO: OpenOptions = OpenOptions { read_only: true };

fn open(p: &Path, o: &OpenOptions) -> Store {
    match Store::open(p, o) {
        Ok(s) => s,
        Err(e) => panic!("opening {}: {e}", p.display()),
    }
}

fn snapshot_version(dir: &Path) -> u32 {
    let b = fs::read(dir.join("snapshot")).unwrap_or_default();
    assert!(b.len() >= 12, "no snapshot header in {}", dir.display());
    u32::from_le_bytes([b[8], b[9], b[10], b[11]])
}

/// The kinds of a snapshot's chunks, in file order.
fn chunk_kinds(dir: &Path) -> Vec<u8> {
    let b = fs::read(dir.join("snapshot")).unwrap_or_default();
    let mut kinds = Vec::new();
    let mut off = 64;
    while off + 9 <= b.len() {
        kinds.push(b[off]);
        let len = u32::from_le_bytes([b[off + 1], b[off + 2], b[off + 3], b[off + 4]]) as usize;
        off += 9 + len;
    }
    kinds
}

fn lookup(s: &Store, label: &str, key: &str, v: &str) -> Option<Vec<NodeId>> {
    s.graph().index_lookup(label, key, &Value::str(v))
}

#[test]
fn a_version_1_store_opens_and_a_checkpoint_rewrites_it_as_version_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("mkdir: {e}"));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/store/v1");
    for f in ["snapshot", "wal"] {
        fs::copy(fixture.join(f), dir.join(f)).unwrap_or_else(|e| panic!("copy {f}: {e}"));
    }
    assert_eq!(
        snapshot_version(&dir),
        1,
        "the fixture is a version-1 store"
    );
    // Version 1 put the indexes after the relationships.
    assert_eq!(chunk_kinds(&dir), vec![1, 2, 3, 4, 255]);

    let s = open(&dir, &RO);
    let dump = store::dump(s.graph());
    common::check_golden(Path::new("tests/golden/store/v1/dump.txt"), &dump);
    assert!(s.graph().verify_indexes().is_empty(), "indexes disagree");
    // The indexes declared after the nodes were filled from them, and the log's
    // records (a new hashtag, a renamed person) replayed through them.
    assert_eq!(
        lookup(&s, "Person", "name", "Anne").map(|v| v.len()),
        Some(1)
    );
    assert_eq!(lookup(&s, "Person", "name", "Ann"), Some(vec![]));
    assert_eq!(
        lookup(&s, "Place", "name", "Aleppo").map(|v| v.len()),
        Some(1)
    );
    assert_eq!(
        lookup(&s, "Hashtag", "name", "#حلب").map(|v| v.len()),
        Some(1)
    );
    drop(s);

    let mut w = open(&dir, &RW);
    w.checkpoint().unwrap_or_else(|e| panic!("checkpoint: {e}"));
    drop(w);
    assert_eq!(snapshot_version(&dir), 2);
    assert_eq!(chunk_kinds(&dir), vec![1, 4, 2, 3, 255]);
    let s = open(&dir, &RO);
    assert_eq!(
        store::dump(s.graph()),
        dump,
        "the upgrade changed the contents"
    );
    assert!(s.graph().verify_indexes().is_empty(), "indexes disagree");
    assert_eq!(
        lookup(&s, "Hashtag", "name", "#حلب").map(|v| v.len()),
        Some(1)
    );
}

#[test]
fn a_snapshot_of_many_chunks_loads_exactly_what_was_written() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("db");
    let mut s = open(&dir, &RW);
    s.set_checkpoint_min(u64::MAX);
    // About 3 MiB of nodes and 1.5 MiB of relationships: several chunks of each.
    const N: u64 = 30_000;
    let text = "x".repeat(80);
    let ids = s
        .write(|t| {
            let mut ids = Vec::new();
            for i in 0..N {
                let label = ["Person", "Post", "Place"][(i % 3) as usize];
                let mut props = vec![
                    ("name".to_string(), Value::str(&format!("n{i}"))),
                    ("text".to_string(), Value::str(&format!("{text}{i}"))),
                ];
                if i % 7 == 0 {
                    props.push(("n".to_string(), Value::Int(i as i64)));
                }
                let labels: &[&str] = if i % 11 == 0 {
                    &[label, "Extra"]
                } else {
                    &[label]
                };
                ids.push(t.create_node(labels, props)?);
            }
            for i in 0..N * 5 {
                let a = ids[(i * 7919 % N) as usize];
                let b = ids[(i % N) as usize];
                let props = if i % 13 == 0 {
                    vec![("w".to_string(), Value::Float(i as f64 / 2.0))]
                } else {
                    vec![]
                };
                t.create_rel(a, b, ["KNOWS", "MENTIONS"][(i % 2) as usize], props)?;
            }
            t.create_index("Post", "text")?;
            Ok(ids)
        })
        .unwrap_or_else(|e| panic!("write: {e}"))
        .0;
    // Holes in the ids, some of them at chunk boundaries whatever the chunk size.
    s.write(|t| {
        for i in (0..N).filter(|i| i % 97 == 0 || i % 1000 == 999) {
            t.delete_node(ids[i as usize], true)?;
        }
        Ok(())
    })
    .unwrap_or_else(|e| panic!("write: {e}"));
    let before = store::dump(s.graph());
    s.checkpoint().unwrap_or_else(|e| panic!("checkpoint: {e}"));
    drop(s);

    let kinds = chunk_kinds(&dir);
    let count = |k: u8| kinds.iter().filter(|x| **x == k).count();
    assert!(count(2) >= 3, "want several node chunks: {kinds:?}");
    assert!(count(3) >= 2, "want several relationship chunks: {kinds:?}");
    for o in [&RO, &RW] {
        let s = open(&dir, o);
        assert!(
            store::dump(s.graph()) == before,
            "the reopened graph differs"
        );
        assert!(s.graph().verify_indexes().is_empty(), "indexes disagree");
        assert_eq!(lookup(&s, "Place", "name", "n2").map(|v| v.len()), Some(1));
        assert_eq!(lookup(&s, "Person", "name", "n97"), Some(vec![]));
        let t = format!("{text}{}", 3 * 1000 + 1);
        assert_eq!(lookup(&s, "Post", "text", &t).map(|v| v.len()), Some(1));
        assert_eq!(
            s.graph().label_count("Extra"),
            (0..N)
                .filter(|i| i % 11 == 0 && !(i % 97 == 0 || i % 1000 == 999))
                .count()
        );
    }
}
