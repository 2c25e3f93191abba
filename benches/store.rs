//! The store's benchmark: import, open, memory, size on disk and commit latency.
//!
//! A bench binary rather than criterion: the figures are one-off phases of
//! seconds (an import, an open) plus latency distributions, each measured once or
//! a few hundred times on a store of a million nodes, which criterion's sampling
//! model does not fit. Usage (see docs/benchmarks.md):
//!
//! ```text
//! cargo bench --bench store -- /work/synth/s1/graph.json [/tmp/bench-store]
//! ```
//!
//! Without a file argument it builds and measures a small synthetic graph, so the
//! binary also runs where the generated data is absent.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dossier::Value;
use dossier::store::{OpenOptions, Store, import};

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn dir_size(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|it| {
            it.filter_map(|e| e.ok())
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn synthetic(n: usize) -> String {
    let mut s = String::from("{\"nodes\":[");
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        s += &format!(
            "{{\"id\":\"n{i}\",\"labels\":[\"Person\"],\"properties\":{{\"name\":\"p{i}\",\"date\":\"2016-12-12\"}}}}"
        );
    }
    s += "],\"relationships\":[";
    for i in 0..n * 5 {
        if i > 0 {
            s.push(',');
        }
        s += &format!(
            "{{\"id\":\"r{i}\",\"type\":\"KNOWS\",\"startNode\":\"n{}\",\"endNode\":\"n{}\",\"properties\":{{}}}}",
            i % n,
            (i * 7 + 1) % n
        );
    }
    s += "]}";
    s
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let json = args.first().map(PathBuf::from);
    let dir = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("dossier-bench-store"));
    let _ = std::fs::remove_dir_all(&dir);
    let w = OpenOptions::default();

    // 1. Import into an empty store (timed up to the commit; dropping the store,
    // which frees the graph, is not part of it).
    let t = Instant::now();
    let import_time: Duration;
    let (stats, src_len) = {
        let mut store = Store::open(&dir, &w).expect("open a new store");
        match &json {
            Some(p) => {
                let f = std::fs::File::open(p).expect("open the JSON file");
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                let s = import(&mut store, f, &p.display().to_string()).expect("import");
                import_time = t.elapsed();
                (s, len)
            }
            None => {
                let text = synthetic(20_000);
                let s = import(&mut store, text.as_bytes(), "synthetic").expect("import");
                import_time = t.elapsed();
                (s, text.len() as u64)
            }
        }
    };
    println!(
        "import: {} nodes, {} relationships, {:.0} MiB of JSON in {:.2} s",
        stats.nodes,
        stats.relationships,
        src_len as f64 / 1048576.0,
        import_time.as_secs_f64()
    );
    println!(
        "store on disk: {:.0} MiB ({:.0}% of the JSON)",
        dir_size(&dir) as f64 / 1048576.0,
        100.0 * dir_size(&dir) as f64 / src_len.max(1) as f64
    );
    println!("peak RSS so far (import): {} MiB", rss_kib("VmHWM:") / 1024);

    // 2. Open (snapshot load), best of three.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let s = Store::open(&dir, &OpenOptions { read_only: true }).expect("open");
        best = best.min(t.elapsed());
        std::mem::forget(s);
    }
    println!(
        "open (read-only, snapshot load): best of 3 {:.0} ms",
        ms(best)
    );
    let t = Instant::now();
    let mut store = Store::open(&dir, &w).expect("open for writing");
    println!("open (writer): {:.0} ms", ms(t.elapsed()));
    println!(
        "RSS after opening: {} MiB (this process has also imported and opened 3 times; \
         see docs/benchmarks.md for the figure from a fresh process)",
        rss_kib("VmRSS:") / 1024
    );

    // 3. Single-relationship committed writes (each one fsync).
    let ids: Vec<_> = store.graph().node_ids().take(2).collect();
    let (a, b) = (ids[0], ids[ids.len() - 1]);
    let mut lat = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        store
            .write(|txn| txn.create_rel(a, b, "BENCH", vec![("i".into(), Value::Int(i))]))
            .expect("write");
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "single-relationship commit: median {:.2} ms, p90 {:.2} ms, max {:.2} ms (200 commits)",
        ms(lat[lat.len() / 2]),
        ms(lat[lat.len() * 9 / 10]),
        ms(lat[lat.len() - 1])
    );

    // 4. 10,000 writes in one transaction.
    let mut lat = Vec::new();
    for round in 0..5 {
        let t = Instant::now();
        store
            .write(|txn| {
                // 5,000 nodes and 5,000 relationships: 10,000 writes.
                for i in 0..5_000 {
                    let n = txn.create_node(
                        &["BenchNode"],
                        vec![("i".into(), Value::Int(round * 5_000 + i))],
                    )?;
                    txn.create_rel(a, n, "BENCH", vec![])?;
                }
                Ok(())
            })
            .expect("write");
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "10,000 writes (5,000 nodes + 5,000 relationships) in one transaction: median {:.1} ms of 5",
        ms(lat[2])
    );
    std::mem::forget(store);
}
