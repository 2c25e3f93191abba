//! How long the REPL takes to start: from launching `dossier repl` in a
//! pseudo-terminal to its prompt on the screen (process start, store open, banner,
//! line editor), on the sample store and on the scale-1 synthetic graph.
//!
//! `cargo bench --bench repl_startup`. The scale-1 graph is read from
//! `$DOSSIER_BENCH_GRAPH`, else `/work/synth/s1/graph.json` (made by
//! `python3 /work/shared/bench/gen_kg.py --scale 1 --out /work/synth/s1`), and
//! imported into a temporary store; without it only the sample store is measured.
//! `DOSSIER_BENCH_STORE=PATH` measures an existing store instead of importing one
//! (opened `--read-only`, so a store others use is never written). Results go to
//! docs/benchmarks.md by hand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::{Eof, Expect, Regex, Session};

const BIN: &str = env!("CARGO_BIN_EXE_dossier");

fn run(args: &[&str]) {
    let status = Command::new(BIN).args(args).status();
    match status {
        Ok(s) if s.success() => {}
        other => panic!("dossier {args:?} failed: {other:?}"),
    }
}

/// One start: launch, wait for the prompt, leave with Ctrl-D.
fn start_once(db: &Path, read_only: bool) -> Duration {
    let mut cmd = Command::new(BIN);
    cmd.arg("--db").arg(db);
    if read_only {
        cmd.arg("--read-only");
    }
    cmd.args(["repl", "--no-history"])
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let t = Instant::now();
    let mut s = match Session::spawn(cmd) {
        Ok(s) => s,
        Err(e) => panic!("cannot start the shell: {e}"),
    };
    s.set_expect_timeout(Some(Duration::from_secs(120)));
    if let Err(e) = s.expect(Regex(r"\x1b\[\?2004h[^\n]*?dossier> ")) {
        panic!("no prompt: {e}");
    }
    let elapsed = t.elapsed();
    let _ = s.send("\x04");
    let _ = s.expect(Eof);
    let _ = s.get_process().wait();
    elapsed
}

fn measure(name: &str, db: &Path, read_only: bool, runs: usize) {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| start_once(db, read_only).as_secs_f64() * 1000.0)
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{name}: start to prompt min {:.1} ms, median {median:.1} ms, max {:.1} ms ({runs} runs)",
        times[0],
        times[times.len() - 1]
    );
}

fn main() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("cannot make a temp dir: {e}"),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));

    let sample = dir.path().join("sample.db");
    let seeds = root.join("seeds");
    run(&[
        "--db",
        &sample.to_string_lossy(),
        "ingest",
        &seeds.to_string_lossy(),
    ]);
    measure("sample store", &sample, false, 20);

    if let Some(store) = std::env::var_os("DOSSIER_BENCH_STORE") {
        measure(
            &format!("store {}", Path::new(&store).display()),
            Path::new(&store),
            true,
            5,
        );
        return;
    }

    let graph = std::env::var_os("DOSSIER_BENCH_GRAPH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/synth/s1/graph.json"));
    if !graph.exists() {
        println!("scale-1 graph {} not found: skipped", graph.display());
        return;
    }
    let big = dir.path().join("s1.db");
    let t = Instant::now();
    run(&[
        "--db",
        &big.to_string_lossy(),
        "import",
        &graph.to_string_lossy(),
    ]);
    println!(
        "(imported {} in {:.1} s)",
        graph.display(),
        t.elapsed().as_secs_f64()
    );
    // The first start after an import may replay the log; `compact` makes the
    // snapshot the whole state, as a store that has been closed normally is.
    run(&["--db", &big.to_string_lossy(), "compact"]);
    measure(
        "scale-1 store (991,050 nodes, 4,984,223 relationships)",
        &big,
        false,
        5,
    );
}
