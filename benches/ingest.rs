//! Throughput of `dossier extract` and `dossier ingest` over a generated corpus.
//!
//! `cargo bench --bench ingest` generates (once) a corpus of news-like articles with
//! embedded posts in every signature variant under `target/bench-corpus/` (100 MB by
//! default; `DOSSIER_BENCH_MB` changes it), then measures:
//! - the dry run (read, segment, extract) on one thread, output to a sink;
//! - ingestion into an in-memory store on all cores;
//!
//! and prints MB/s of text and the peak resident memory. The corpus is generated, not
//! committed. Figures go to `docs/benchmarks.md` ("Ingestion").

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use dossier::Store;
use dossier::ingest::{self, Options};

const WORDS: &[&str] = &[
    "council",
    "minister",
    "harbour",
    "market",
    "season",
    "river",
    "budget",
    "festival",
    "engineers",
    "residents",
    "committee",
    "shares",
    "union",
    "villages",
    "report",
    "officials",
    "league",
    "station",
    "bridge",
    "company",
    "weekend",
    "voters",
    "police",
    "museum",
    "hospital",
    "teachers",
    "farmers",
    "storm",
    "court",
    "airport",
];
const NAMES: &[&str] = &[
    "Maria Olsen",
    "Tom Brennan",
    "Grace Achieng",
    "Piotr Nowak",
    "Lucy Park",
    "هادي العبدالله",
    "Élodie Durand",
    "Sam Okoro",
    "River Aid",
    "City News Desk",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A small deterministic generator (xorshift), so every run builds the same corpus.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn sentence(r: &mut Rng, words: usize) -> String {
    let mut s = String::from("The");
    for _ in 0..words {
        s.push(' ');
        s.push_str(r.pick(WORDS));
    }
    s.push('.');
    s
}

fn article(r: &mut Rng) -> String {
    let mut a = String::new();
    for i in 0..12 {
        for _ in 0..3 {
            let words = 8 + (r.next() % 12) as usize;
            a += &sentence(r, words);
            a.push(' ');
        }
        a.push('\n');
        if i % 4 == 3 {
            let name = r.pick(NAMES);
            let handle = format!("user{}", r.next() % 5000);
            let day = 1 + r.next() % 28;
            let month = r.pick(MONTHS);
            let year = 2015 + r.next() % 9;
            a += &format!(
                "Short post about the {} #{} https://t.co/x{}\n",
                r.pick(WORDS),
                r.pick(WORDS),
                r.next() % 999
            );
            a += &match r.next() % 4 {
                0 => format!("— {name} (@{handle}) {month} {day}, {year}\n"),
                1 => format!("- {name} (@{handle}) {day} {month} {year}\n"),
                2 => format!(
                    "{name} (@{handle}) {year}-{:02}-{day:02}\n",
                    1 + r.next() % 12
                ),
                _ => format!("— @{handle} {} {day}, {year}\n", &month[..3]),
            };
        }
    }
    a
}

fn corpus(mb: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-corpus-{mb}mb"));
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut total = 0usize;
    let mut n = 0usize;
    while total < mb << 20 {
        let sub = dir.join(format!("{:03}", n / 500));
        if n.is_multiple_of(500) {
            std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        }
        let a = article(&mut r);
        total += a.len();
        std::fs::write(sub.join(format!("{n:06}.txt")), a).unwrap_or_else(|e| panic!("{e}"));
        n += 1;
    }
    std::fs::write(&done, b"").unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "generated {n} articles, {} MB, in {}",
        total >> 20,
        dir.display()
    );
    dir
}

fn peak_rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string())
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or("?".into(), |kb| format!("{} MB", kb / 1024))
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` would pass nothing: skip then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let mb: usize = std::env::var("DOSSIER_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let dir = corpus(mb);
    let paths = vec![dir];

    let t = Instant::now();
    let mut sink = std::io::sink();
    let s = ingest::extract(
        &paths,
        &Options {
            jobs: Some(1),
            ..Options::default()
        },
        &mut sink,
        &mut |f| eprintln!("{f}"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sink.flush().ok();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "extract, 1 thread: {} documents, {} posts, {:.1} MB in {secs:.2} s = {:.1} MB/s (peak RSS {})",
        s.documents,
        s.posts,
        s.bytes as f64 / 1e6,
        s.bytes as f64 / 1e6 / secs,
        peak_rss_mb()
    );

    let t = Instant::now();
    let mut store = Store::in_memory();
    let s = ingest::ingest(&mut store, &paths, &Options::default(), &mut |f| {
        eprintln!("{f}")
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let secs = t.elapsed().as_secs_f64();
    println!(
        "ingest, all cores, in-memory store: {} documents, {} posts, {} entities, {:.1} MB in {secs:.2} s = {:.1} MB/s; graph {} nodes, {} relationships (peak RSS {})",
        s.documents,
        s.posts,
        s.entities,
        s.bytes as f64 / 1e6,
        s.bytes as f64 / 1e6 / secs,
        store.graph().node_count(),
        store.graph().rel_count(),
        peak_rss_mb()
    );
}
