//! The `ingest` and `extract` commands on bad input: every case names the file (and
//! the record or line), the other files still go in, and the exit status is 1.
//! Also: the same output whatever `--jobs` is.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dossier(dir: &Path, args: &[&str]) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(dir)
        .args(args)
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("cannot run dossier: {e}"),
    }
}

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("no temp dir: {e}"),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Err(e) = std::fs::write(&p, bytes) {
        panic!("cannot write {}: {e}", p.display());
    }
    p
}

const GOOD: &str = "The council approved the new cycle lanes on Tuesday after a long debate.\nFinally! Safer streets for everyone #bikes\n— Green Streets (@greenstreets) May 4, 2021\n";

/// Runs `extract` over a good file and one bad one; checks the message and that the
/// good file still came out.
fn bad_input(name: &str, bytes: &[u8], expect: &[&str]) {
    bad_input_with(name, bytes, expect, 0)
}

/// [`bad_input`] for a file that also holds `good` good records.
fn bad_input_with(name: &str, bytes: &[u8], expect: &[&str], good: usize) {
    let dir = tempdir();
    write(dir.path(), "a_good.txt", GOOD.as_bytes());
    write(dir.path(), name, bytes);
    for cmd in ["extract", "ingest"] {
        let out = dossier(dir.path(), &[cmd, "a_good.txt", name, "--db", "store.db"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{cmd} {name}: exit status; stderr: {stderr}"
        );
        assert!(
            stderr.contains(name),
            "{cmd}: the message names the file: {stderr}"
        );
        for e in expect {
            assert!(
                stderr.contains(e),
                "{cmd} {name}: {e:?} missing from: {stderr}"
            );
        }
        if cmd == "extract" {
            assert_eq!(
                stdout.lines().count(),
                1 + good,
                "the good documents still go in: {stdout}"
            );
            assert!(stdout.contains("greenstreets"), "{stdout}");
        } else {
            let docs = format!("ingested {} documents", 1 + good);
            assert!(stdout.contains(&docs), "summary: {stdout}");
            assert!(stdout.contains("1 posts"), "summary: {stdout}");
            assert!(stdout.contains("failures"), "summary: {stdout}");
        }
    }
}

#[test]
fn binary_file() {
    bad_input("b.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &["binary file"]);
}

#[test]
fn invalid_utf8() {
    bad_input(
        "c.txt",
        b"line one\nline \xff two\n",
        &["invalid UTF-8", "line 2"],
    );
}

#[test]
fn empty_file() {
    bad_input("d.txt", b"", &["empty file"]);
    bad_input("e.md", b"  \n\n ", &["empty document"]);
}

#[test]
fn malformed_json_lines_record() {
    let jsonl = b"{\"text\": \"First record, fine.\"}\n{\"text\": \"broken\n{\"title\": \"no text\"}\n{\"text\": 3}\n";
    bad_input_with(
        "f.jsonl",
        jsonl,
        &[
            "record 2 (line 2)",
            "malformed JSON",
            "record 3 (line 3)",
            "no text field",
            "record 4 (line 4)",
            "not a string",
        ],
        1,
    );
}

#[test]
fn malformed_json_file_and_csv() {
    bad_input(
        "g.json",
        b"[{\"text\": \"a\"},",
        &["malformed JSON", "line 1"],
    );
    bad_input_with(
        "h.csv",
        b"title,body\nA,\"fine text\"\nB,\"x\",extra\n",
        &["record 2 (line 3)", "malformed CSV"],
        1,
    );
    bad_input("i.csv", b"title,date\nA,2020-01-01\n", &["no text column"]);
}

#[test]
fn hundred_megabyte_line() {
    let dir = tempdir();
    write(dir.path(), "a_good.txt", GOOD.as_bytes());
    let big = vec![b'a'; 100 << 20];
    write(dir.path(), "huge.txt", &big);
    drop(big);
    let out = dossier(dir.path(), &["extract", "a_good.txt", "huge.txt"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("huge.txt") && stderr.contains("line 1 is longer than"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
}

#[test]
fn missing_path_and_summary() {
    let dir = tempdir();
    write(dir.path(), "a_good.txt", GOOD.as_bytes());
    let out = dossier(
        dir.path(),
        &["ingest", "a_good.txt", "nope.txt", "--db", "s.db"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("nope.txt: cannot read"), "{stderr}");
    let out = dossier(dir.path(), &["ingest", "a_good.txt", "--db", "s.db"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // With the durable store (merged), the first run already committed a_good.txt.
    assert!(
        (stdout.contains("1 documents") || stdout.contains("1 already present"))
            && stdout.contains("0 failures"),
        "{stdout}"
    );
}

#[test]
fn stdin_is_read() {
    let dir = tempdir();
    let mut child = match Command::new(env!("CARGO_BIN_EXE_dossier"))
        .current_dir(dir.path())
        .args(["extract", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => panic!("cannot run dossier: {e}"),
    };
    if let Some(mut stdin) = child.stdin.take() {
        use std::io::Write;
        let _ = stdin.write_all(GOOD.as_bytes());
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"source\":\"<stdin>\""), "{stdout}");
    assert!(stdout.contains("\"handle\":\"greenstreets\""), "{stdout}");
}

#[test]
fn same_output_whatever_the_jobs() {
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ingest/golden");
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let run = |jobs: &str| {
        let out = dossier(
            Path::new(env!("CARGO_MANIFEST_DIR")),
            &[
                "extract",
                golden.to_str().unwrap_or_default(),
                seeds.to_str().unwrap_or_default(),
                "--jobs",
                jobs,
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let one = run("1");
    assert!(one.len() > 1000, "extract printed too little");
    assert_eq!(one, run("2"), "--jobs 1 and --jobs 2 differ");
    assert_eq!(one, run("4"), "--jobs 1 and --jobs 4 differ");
}
