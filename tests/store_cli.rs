//! The store commands on the real binary, in a temporary folder: import, stats,
//! check, compact; `--db` before or after the command and `$DOSSIER_DB`; exit
//! codes 0 / 1 (bad file) / 2 (store trouble); a second writer refused with the
//! holder's pid while `--read-only` works beside it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dossier");

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env_remove("DOSSIER_DB")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run {args:?}: {e}"))
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

const GRAPH: &str = r#"{"nodes":[
 {"id":"p1","labels":["Person"],"properties":{"name":"Ann","born":{"$date":"1990-01-02"}}},
 {"id":"p2","labels":["Person"],"properties":{"name":"عمر"}},
 {"id":"d1","labels":["Document"],"properties":{"title":"T","published":"2016-12-12"}},
 {"id":"x1","labels":["Post"],"properties":{"date":"2016-12-13","text":"hi"}}],
 "relationships":[
 {"id":"r1","type":"POSTED","startNode":"p1","endNode":"x1","properties":{}},
 {"id":"r2","type":"MENTIONS","startNode":"d1","endNode":"p2","properties":{"count":2}},
 {"id":"r3","type":"MENTIONS","startNode":"d1","endNode":"p1"}]}"#;

#[test]
fn import_stats_check_compact_end_to_end() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = tmp.path();
    std::fs::write(d.join("g.json"), GRAPH).unwrap_or_else(|e| panic!("{e}"));

    let o = run(d, &["import", "g.json"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(out, "imported 4 nodes and 3 relationships from g.json\n");
    assert!(d.join("dossier.db").is_dir(), "default path ./dossier.db");

    // --db after the command, and $DOSSIER_DB, name the same store.
    let o = run(d, &["stats", "--db", "dossier.db"]);
    let (out, _) = text(&o);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        out,
        "nodes: 4\n  :Document           1\n  :Person             2\n  :Post               1\n\
         relationships: 3\n  :MENTIONS           2\n  :POSTED             1\n"
    );
    let o = Command::new(BIN)
        .current_dir(d)
        .env("DOSSIER_DB", "dossier.db")
        .arg("stats")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&o).0, out);

    // A second import goes through the log, as one transaction.
    let o = run(d, &["--db", "dossier.db", "import", "g.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    let o = run(d, &["check"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        out.contains("log: ") && out.contains("1 transactions after the snapshot"),
        "{out}"
    );
    assert!(out.contains("nodes: 8") && out.ends_with("ok\n"), "{out}");

    let o = run(d, &["compact"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o).1);
    assert!(text(&o).0.starts_with("compacted "));
    let o = run(d, &["check"]);
    let (out, _) = text(&o);
    assert!(out.contains("0 transactions after the snapshot"), "{out}");
    assert!(out.contains("relationships: 6"), "{out}");
}

#[test]
fn bad_files_exit_1_and_name_the_record() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = tmp.path();
    let cases = [
        (
            r#"{"nodes":[{"id":"a"}],"relationships":[{"id":"r9","type":"T","startNode":"a","endNode":"b"}]}"#,
            "relationship 1 (id \"r9\"): endNode \"b\" is not a node in the file",
        ),
        (
            r#"{"nodes":[{"id":"a"},{"id":"a"}]}"#,
            "node 2 (id \"a\"): the id appears twice",
        ),
        (
            r#"{"nodes":[{"id":"a","properties":{"date":{"$date":"2016-02-30"}}}]}"#,
            "node 1 (id \"a\"): property `date`: bad date",
        ),
        (r#"{"nodes":[{"id":"a"}"#, "the file ends"),
        (
            r#"{"nodes":[{"labels":["X"]}]}"#,
            "node 1 (at byte 10): missing field `id`",
        ),
    ];
    for (i, (json, want)) in cases.iter().enumerate() {
        let f = format!("bad{i}.json");
        std::fs::write(d.join(&f), json).unwrap_or_else(|e| panic!("{e}"));
        let o = run(d, &["--db", "s.db", "import", &f]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{f}: {err}");
        assert!(err.contains(&f) && err.contains(want), "{f}: {err}");
    }
    // Nothing of the failed imports went in.
    let o = run(d, &["--db", "s.db", "stats"]);
    assert!(text(&o).0.starts_with("nodes: 0\n"), "{}", text(&o).0);
    let o = run(d, &["--db", "s.db", "import", "missing.json"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn store_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = tmp.path();
    let o = run(d, &["--db", "nowhere.db", "stats"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).1.contains("no dossier store at nowhere.db"),
        "{}",
        text(&o).1
    );
    std::fs::write(d.join("g.json"), GRAPH).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(run(d, &["import", "g.json"]).status.code(), Some(0));
    let snap = d.join("dossier.db/snapshot");
    let mut bytes = std::fs::read(&snap).unwrap_or_default();
    let n = bytes.len();
    bytes[n - 20] ^= 0x40;
    std::fs::write(&snap, bytes).unwrap_or_else(|e| panic!("{e}"));
    let o = run(d, &["check"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("snapshot") && err.contains("at byte"), "{err}");
}

#[test]
fn a_second_writer_is_refused_with_the_holders_pid() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = tmp.path();
    let mut child = Command::new(BIN)
        .current_dir(d)
        .args(["--db", "w.db", "debug-write-loop"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let pid = child.id();
    let mut lines =
        BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout"))).lines();
    // Wait until the writer has committed something (it holds the lock by then).
    let first = lines.next().and_then(|l| l.ok()).unwrap_or_default();
    assert_eq!(first, "committed 1");
    std::fs::write(d.join("g.json"), GRAPH).unwrap_or_else(|e| panic!("{e}"));
    let o = run(d, &["--db", "w.db", "import", "g.json"]);
    let (_, err) = text(&o);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(&format!("process {pid}")), "{err}");
    assert!(err.contains("--read-only"), "{err}");
}

#[test]
fn a_reader_beside_a_writer_sees_committed_state() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let d = tmp.path();
    let mut child = Command::new(BIN)
        .current_dir(d)
        .args([
            "--db",
            "w.db",
            "debug-write-loop",
            "--checkpoint-bytes",
            "4000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    let mut lines =
        BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout"))).lines();
    let mut seen = 0u64;
    for round in 0..5 {
        // Read what the writer has reported so far, then look with a reader.
        for _ in 0..20 {
            if let Some(Ok(l)) = lines.next() {
                seen = l.trim_start_matches("committed ").parse().unwrap_or(seen);
            }
        }
        let o = run(d, &["--db", "w.db", "--read-only", "check"]);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "round {round}: {err}");
        let ticks: u64 = out
            .lines()
            .find_map(|l| l.trim().strip_prefix(":Tick"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        assert!(
            ticks >= seen,
            "round {round}: reader saw {ticks}, writer had reported {seen}"
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
