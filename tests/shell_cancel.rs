//! Cancelling through the shell's cancel flag (what Ctrl-C sets in the REPL):
//! an `:ingest` stops between batches and keeps the batches already written, a
//! `:source` script stops at the statement running, and the shell goes on.
//!
//! The flag is set from another thread once the work has visibly started (the
//! store's write-ahead log grows, or the script's first statement has run), so
//! the tests do not depend on how fast the machine is.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use dossier::Error;
use dossier::shell::{Settings, Shell};
use dossier::store::{OpenOptions, Store};

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    }
}

fn open(path: &Path) -> Store {
    match Store::open(path, &OpenOptions::default()) {
        Ok(s) => s,
        Err(e) => panic!("cannot open the store {}: {e}", path.display()),
    }
}

/// `n` short articles, each different (so none is a duplicate of another).
fn articles(dir: &Path, n: usize) -> PathBuf {
    let docs = dir.join("docs");
    if let Err(e) = std::fs::create_dir_all(&docs) {
        panic!("cannot make {}: {e}", docs.display());
    }
    for i in 0..n {
        let text = format!(
            "Report number {i} from Aleppo.\n\nLina Shamy said on 12 December 2016 that \
             the White Helmets were evacuating district {i}.\n"
        );
        if let Err(e) = std::fs::write(docs.join(format!("{i:03}.txt")), text) {
            panic!("cannot write an article: {e}");
        }
    }
    docs
}

/// Sets `flag` as soon as `file` grows past its current size (or gives up after
/// a minute, so a broken test fails instead of hanging).
fn cancel_when_growing(file: PathBuf, flag: Arc<AtomicBool>) -> JoinHandle<bool> {
    let start = std::fs::metadata(&file).map_or(0, |m| m.len());
    std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < until {
            if std::fs::metadata(&file).map_or(0, |m| m.len()) > start {
                flag.store(true, Ordering::SeqCst);
                return true;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        false
    })
}

fn documents(store: &Store) -> usize {
    store.graph().label_count("Document")
}

#[test]
fn cancelling_an_ingest_keeps_the_batches_already_written() {
    let dir = tempdir();
    let total = 60;
    let docs = articles(dir.path(), total);
    let db = dir.path().join("db");
    let mut shell = Shell::new(
        open(&db),
        Settings {
            ingest_batch_docs: Some(1),
            ..Settings::default()
        },
    );
    // Cancel once the first batch is in the log.
    let watcher = cancel_when_growing(db.join("wal"), shell.cancel_flag());
    let o = shell.execute(&format!(":ingest {}", docs.display()));
    assert!(
        watcher.join().unwrap_or(false),
        "the write-ahead log never grew"
    );
    assert!(
        matches!(o.error, Some(Error::Cancelled(_))),
        "the ingest should be cancelled: {:?}",
        o.error_text()
    );
    let written = documents(shell.store());
    assert!(
        (1..total).contains(&written),
        "some but not all documents go in before the cancel, got {written}"
    );
    let msg = o.error_text().unwrap_or_default();
    assert!(
        msg.starts_with(&format!(
            "error: ingest cancelled; what went in before stays: {written} documents"
        )),
        "{msg}"
    );
    assert!(o.out.is_empty(), "no success line: {:?}", o.out);

    // The shell goes on, and the next command is not cancelled.
    let o = shell.execute("MATCH (d:Document) RETURN count(d) AS n;");
    assert!(o.error.is_none(), "{:?}", o.error_text());
    assert!(o.out.contains(&format!("│ {written} │")), "{}", o.out);

    // What went in is durable: reopened, the store holds the same documents, and
    // ingesting again adds the rest.
    drop(shell);
    let mut shell = Shell::new(open(&db), Settings::default());
    assert_eq!(documents(shell.store()), written, "after reopening");
    let o = shell.execute(&format!(":ingest {}", docs.display()));
    assert!(o.error.is_none(), "{:?}", o.error_text());
    assert!(
        o.out.starts_with(&format!(
            "ingested {} documents ({written} already present)",
            total - written
        )),
        "{}",
        o.out
    );
    assert_eq!(documents(shell.store()), total);
}

#[test]
fn cancelling_a_source_script_stops_it_and_keeps_what_ran() {
    let dir = tempdir();
    let script = dir.path().join("long.cypher");
    let text = "CREATE (:Before);\n\
                // long enough to be running when the flag is set\n\
                UNWIND range(1, 10000000) AS x UNWIND range(1, 1000) AS y RETURN count(*);\n\
                CREATE (:After);\n";
    if let Err(e) = std::fs::write(&script, text) {
        panic!("cannot write the script: {e}");
    }
    let db = dir.path().join("db");
    let mut shell = Shell::new(open(&db), Settings::default());
    // Cancel once the first statement's write is in the log.
    let watcher = cancel_when_growing(db.join("wal"), shell.cancel_flag());
    let o = shell.execute(&format!(":source {}", script.display()));
    assert!(
        watcher.join().unwrap_or(false),
        "the write-ahead log never grew"
    );
    assert!(
        matches!(o.error, Some(Error::Cancelled(_))),
        "the script should be cancelled: {:?}",
        o.error_text()
    );
    // The error names the statement that was stopped (line 3).
    let msg = o.error_text().unwrap_or_default();
    assert!(
        msg.starts_with(&format!("error: {}:3: ", script.display())),
        "{msg}"
    );
    let g = shell.store().graph();
    assert_eq!(g.label_count("Before"), 1, "the statement before ran");
    assert_eq!(g.label_count("After"), 0, "the statement after did not");
    let o = shell.execute("RETURN 1 AS one;");
    assert!(o.error.is_none(), "the shell goes on: {:?}", o.error_text());
}
