//! Cancel latency (issue 3, point 9: "an unbounded variable-length query on a
//! large graph stops within 100 ms of the request").
//!
//! Each query starts on a worker thread; after a head start (500 ms by default)
//! the main thread raises the cancel flag and measures how long `execute` takes
//! to return `Cancelled`. Prints one line per query with the latencies of all
//! trials, and a final line with the worst.
//!
//! The graph is the store at `$DOSSIER_BENCH_DB` (default `/tmp/imp`, opened
//! read-only); when there is none, a random graph of 200k nodes and 1M
//! relationships is built in memory. `$DOSSIER_CANCEL_TRIALS` (default 5) and
//! `$DOSSIER_CANCEL_AFTER_MS` (default 500) adjust the run.
//!
//! `cargo bench --bench query_cancel`

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use dossier::query::{Params, QueryOptions, execute};
use dossier::store::OpenOptions;
use dossier::{Error, Store, Value};

const QUERIES: &[&str] = &[
    "MATCH p = (a)-[*]-(b) RETURN count(p)",
    "MATCH (a)-[*]->(b) RETURN a, b",
    "MATCH (a:Person)-[*]-(b:Person) RETURN a.name, count(*)",
    "MATCH (a)-[*]-(b) WITH b, count(*) AS c RETURN b ORDER BY c DESC LIMIT 1",
    // Counted per far node (`CountPerNode`): its own loop must stop too.
    "MATCH (a:Person)-[*1..4]-(m)-[]-(b:Person) RETURN b.name, count(*) AS c ORDER BY c DESC LIMIT 3",
];

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn open() -> Store {
    let path = std::env::var("DOSSIER_BENCH_DB").unwrap_or_else(|_| "/tmp/imp".into());
    if Path::new(&path).is_dir() {
        let t = Instant::now();
        match Store::open(Path::new(&path), &OpenOptions { read_only: true }) {
            Ok(s) => {
                eprintln!("opened {path} in {:.1} s", t.elapsed().as_secs_f64());
                return s;
            }
            Err(e) => eprintln!("cannot open {path} ({e}); using a random graph"),
        }
    }
    let mut s = Store::in_memory();
    let r = s.write(|t| {
        let n = 200_000u64;
        let mut ids = Vec::with_capacity(n as usize);
        for i in 0..n {
            ids.push(t.create_node(
                &["Person"],
                vec![("name".into(), Value::str(&format!("p{i}")))],
            )?);
        }
        // A fixed linear congruential sequence: the same graph every run.
        let mut x = 12345u64;
        for _ in 0..1_000_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let a = ids[((x >> 33) % n) as usize];
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let b = ids[((x >> 33) % n) as usize];
            t.create_rel(a, b, "KNOWS", vec![])?;
        }
        Ok(())
    });
    if let Err(e) = r {
        eprintln!("building the random graph failed: {e}");
        std::process::exit(1);
    }
    s
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument filters nothing here.
    let trials = env_u64("DOSSIER_CANCEL_TRIALS", 5);
    let after = Duration::from_millis(env_u64("DOSSIER_CANCEL_AFTER_MS", 500));
    let mut store = Some(open());
    let mut worst = Duration::ZERO;
    for q in QUERIES {
        let mut lat = Vec::new();
        for _ in 0..trials {
            let Some(mut s) = store.take() else { return };
            let flag = Arc::new(AtomicBool::new(false));
            let opts = QueryOptions {
                cancel: Some(flag.clone()),
                ..Default::default()
            };
            let text = q.to_string();
            let worker = std::thread::spawn(move || {
                let r = execute(&mut s, &text, &Params::new(), &opts);
                (s, r, Instant::now())
            });
            std::thread::sleep(after);
            let asked = Instant::now();
            flag.store(true, Ordering::Relaxed);
            let Ok((s, r, done)) = worker.join() else {
                eprintln!("{q}: the worker panicked");
                std::process::exit(1);
            };
            store = Some(s);
            match r {
                Err(Error::Cancelled(_)) => {
                    let l = done.saturating_duration_since(asked);
                    worst = worst.max(l);
                    lat.push(l);
                }
                Ok(res) => {
                    println!("{q}: finished before the cancel ({} rows)", res.rows.len());
                    break;
                }
                Err(e) => {
                    println!("{q}: failed: {e}");
                    break;
                }
            }
        }
        let ms: Vec<String> = lat
            .iter()
            .map(|d| format!("{:.2}", d.as_secs_f64() * 1e3))
            .collect();
        println!("{q}: cancel latency ms [{}]", ms.join(", "));
    }
    println!(
        "worst cancel latency: {:.2} ms (flag raised after {} ms)",
        worst.as_secs_f64() * 1e3,
        after.as_millis()
    );
}
