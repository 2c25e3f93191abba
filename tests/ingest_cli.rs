//! The `ingest` and `extract` commands on bad input: every case names the file (and
//! the record or line), the other files still go in, and the exit status is 1.
//! Also: standard input, and the same output whatever `--jobs` is.
//!
//! Each run of the debug binary costs about half a second of start-up (the extractor
//! loads its data), so the cases share runs: one `extract` and one `ingest` over every
//! bad input at once.

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

/// A bad input: the file, its bytes, the messages its failure must carry, and how
/// many good records it also holds.
struct Bad {
    name: &'static str,
    bytes: Vec<u8>,
    expect: &'static [&'static str],
    good: usize,
}

fn bad_inputs() -> Vec<Bad> {
    let bad = |name, bytes: &[u8], expect, good| Bad {
        name,
        bytes: bytes.to_vec(),
        expect,
        good,
    };
    vec![
        bad("b.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &["binary file"], 0),
        bad(
            "c.txt",
            b"line one\nline \xff two\n",
            &["invalid UTF-8", "line 2"],
            0,
        ),
        bad("d.txt", b"", &["empty file"], 0),
        bad("e.md", b"  \n\n ", &["empty document"], 0),
        bad(
            "f.jsonl",
            b"{\"text\": \"First record, fine.\"}\n{\"text\": \"broken\n{\"title\": \"no text\"}\n{\"text\": 3}\n",
            &[
                "record 2 (line 2)",
                "malformed JSON",
                "record 3 (line 3)",
                "no text field",
                "record 4 (line 4)",
                "not a string",
            ],
            1,
        ),
        bad(
            "g.json",
            b"[{\"text\": \"a\"},",
            &["malformed JSON", "line 1"],
            0,
        ),
        bad(
            "h.csv",
            b"title,body\nA,\"fine text\"\nB,\"x\",extra\n",
            &["record 2 (line 3)", "malformed CSV"],
            1,
        ),
        bad("i.csv", b"title,date\nA,2020-01-01\n", &["no text column"], 0),
        Bad {
            name: "huge.txt",
            bytes: vec![b'a'; 100 << 20],
            expect: &["line 1 is longer than"],
            good: 0,
        },
    ]
}

/// Every kind of bad input at once, between two good files, through `extract` and
/// `ingest` (one run each: every run of the debug binary pays the extractor's start):
/// each failure names its file (and record or line) and says what was wrong, every
/// good document still goes in, and the exit status is 1. Then a second ingest finds
/// the good documents already present.
#[test]
fn bad_input_of_every_kind() {
    let dir = tempdir();
    let bad = bad_inputs();
    write(dir.path(), "a_good.txt", GOOD.as_bytes());
    write(
        dir.path(),
        "z_good.txt",
        GOOD.replace("Tuesday", "Friday")
            .replace("#bikes", "#cycling")
            .as_bytes(),
    );
    let mut args = vec!["a_good.txt"];
    for b in &bad {
        write(dir.path(), b.name, &b.bytes);
        args.push(b.name);
    }
    args.extend(["nope.txt", "z_good.txt", "--db", "store.db"]);
    let good = 2 + bad.iter().map(|b| b.good).sum::<usize>();
    for cmd in ["extract", "ingest"] {
        let mut full = vec![cmd];
        full.extend(&args);
        let out = dossier(dir.path(), &full);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{cmd}: exit status; {stderr}");
        let lines: Vec<&str> = stderr.lines().collect();
        for b in &bad {
            // The message is on the line that names the file.
            let line = lines
                .iter()
                .filter(|l| l.contains(&format!("{}:", b.name)))
                .copied()
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                !line.is_empty(),
                "{cmd}: no message names {}: {stderr}",
                b.name
            );
            for e in b.expect {
                assert!(
                    line.contains(e),
                    "{cmd} {}: {e:?} missing from: {line}",
                    b.name
                );
            }
        }
        assert!(
            stderr.contains("nope.txt: cannot read"),
            "{cmd}: a missing path: {stderr}"
        );
        if cmd == "extract" {
            assert_eq!(
                stdout.lines().count(),
                good,
                "the good documents still go in: {stdout}"
            );
            assert!(stdout.matches("greenstreets").count() >= 2, "{stdout}");
        } else {
            let docs = format!("ingested {good} documents");
            assert!(stdout.contains(&docs), "summary: {stdout}");
            assert!(stdout.contains("2 posts"), "summary: {stdout}");
            // One failure per bad file, three in f.jsonl, and the missing path.
            let failures = format!("{} failures", bad.len() + 2 + 1);
            assert!(stdout.contains(&failures), "summary: {stdout}");
        }
    }
    // The store kept the first run's documents: a second run finds them present.
    let out = dossier(dir.path(), &["ingest", "a_good.txt", "--db", "store.db"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("0 documents (1 already present)") && stdout.contains("0 failures"),
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
    assert_eq!(one, run("3"), "--jobs 1 and --jobs 3 differ");
}
