//! Export benchmarks (a bench binary, not criterion: one whole-graph export of
//! the scale-1 graph takes seconds, and criterion's minimum of ten samples would
//! take minutes for no better figure).
//!
//! 1. Whole-graph JSON export of the synthetic news graph, to a discarding writer
//!    and to a file, with peak memory (VmHWM) before and after: the export must
//!    stream, so the peak must not grow by anything like the graph's size.
//! 2. DOT export of a 1,000-node subgraph (the first relationships until they
//!    cover 1,000 nodes, and all relationships among those), repeated; min and median.
//!
//! The graph is `$DOSSIER_BENCH_GRAPH`, else `/work/synth/s1/graph.json` (made by
//! `python3 gen_kg.py --scale 1 --out /work/synth/s1`), loaded with the store's
//! importer. Run: `cargo bench --bench export`.

use std::io::Write;
use std::time::{Duration, Instant};

use dossier::export::{self, ExportOptions, Format, Subgraph};
use dossier::store::Store;

fn vm(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// Counts bytes and drops them.
struct Count(u64);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn main() {
    // `cargo test` runs bench targets with --bench absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = std::env::var("DOSSIER_BENCH_GRAPH")
        .unwrap_or_else(|_| "/work/synth/s1/graph.json".to_string());
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!(
                "cannot open {path} ({e}); generate it with \
                 `python3 gen_kg.py --scale 1 --out /work/synth/s1` or set DOSSIER_BENCH_GRAPH"
            );
            std::process::exit(1);
        }
    };
    let mut store = Store::in_memory();
    let t = Instant::now();
    let stats = match dossier::store::import::import(
        &mut store,
        std::io::BufReader::with_capacity(1 << 20, file),
        &path,
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("import failed: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "loaded {} nodes, {} relationships from {path} in {:.2} s; VmRSS {}, VmHWM {}",
        stats.nodes,
        stats.relationships,
        t.elapsed().as_secs_f64(),
        vm("VmRSS:"),
        vm("VmHWM:")
    );
    let g = store.graph();
    let opts = ExportOptions::default();

    // 1. Whole graph as JSON.
    let hwm_before = vm("VmHWM:");
    for run in 1..=3 {
        let mut sink = Count(0);
        let t = Instant::now();
        if let Err(e) = export::export_graph(g, "json", &opts, &mut sink) {
            eprintln!("export failed: {e}");
            std::process::exit(1);
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "json whole graph -> counting sink, run {run}: {:.2} s, {:.0} MiB, {:.0} MiB/s",
            s,
            sink.0 as f64 / 1048576.0,
            sink.0 as f64 / 1048576.0 / s
        );
    }
    let dir = std::env::temp_dir().join(format!("dossier-export-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let out = dir.join("graph.json");
    let t = Instant::now();
    let r = export::export_subgraph_to_path(g, &Subgraph::whole(g), Format::Json, &opts, &out);
    let s = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = r {
        eprintln!("export to file failed: {e}");
        std::process::exit(1);
    }
    println!(
        "json whole graph -> file: {s:.2} s, {:.0} MiB; VmHWM before exports {hwm_before}, after {}",
        size as f64 / 1048576.0,
        vm("VmHWM:")
    );

    // 2. A 1,000-node DOT export.
    // The first relationships until they cover 1,000 nodes, plus every
    // relationship among those nodes: a result-shaped subgraph with edges.
    let mut seen = std::collections::BTreeSet::new();
    let mut rels = Vec::new();
    for r in g.rel_ids() {
        if seen.len() >= 1000 {
            break;
        }
        let Some((a, b)) = g.rel_ends(r) else {
            continue;
        };
        let new = usize::from(!seen.contains(&a)) + usize::from(a != b && !seen.contains(&b));
        if seen.len() + new <= 1000 {
            seen.insert(a);
            seen.insert(b);
            rels.push(r);
        }
    }
    let mut sub = Subgraph {
        nodes: seen.into_iter().collect(),
        rels,
    };
    sub.add_induced(g);
    let mut times: Vec<Duration> = Vec::new();
    let mut bytes = 0;
    for _ in 0..50 {
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let t = Instant::now();
        if let Err(e) = export::export_subgraph(g, &sub, Format::Dot, &opts, &mut buf) {
            eprintln!("dot export failed: {e}");
            std::process::exit(1);
        }
        times.push(t.elapsed());
        bytes = buf.len();
    }
    times.sort();
    println!(
        "dot {} nodes, {} relationships ({} KiB): min {:.2} ms, median {:.2} ms over {} runs",
        sub.nodes.len(),
        sub.rels.len(),
        bytes / 1024,
        times[0].as_secs_f64() * 1e3,
        times[times.len() / 2].as_secs_f64() * 1e3,
        times.len()
    );
}
