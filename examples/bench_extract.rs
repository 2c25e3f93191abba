//! Extraction throughput, per stage, on one core.
//!
//! ```sh
//! cargo run --release --example bench_extract -- [MEGABYTES]
//! ```
//!
//! Builds a corpus of MEGABYTES (default 20) by repeating the annotated documents of
//! tests/extract/docs and the sample article (with their signature lines as accounts), runs the
//! extractor over every document on one thread, and prints MB/s and the time of each stage.
//! It runs with mimalloc, the binary's allocator (before session 4 it ran with the system
//! allocator, so older figures are about a tenth lower than the binary's).

use std::time::Instant;

/// The allocator the `dossier` binary ships with (src/main.rs), so the figure is what
/// `dossier extract` and `dossier ingest` get; the system allocator costs about a tenth more.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use dossier::extract::{Account, Extractor, Input, StageTimes};

/// A document with its accounts and skipped spans.
type Prepared = (String, Vec<Account>, Vec<(usize, usize)>);

fn signatures(text: &str) -> (Vec<Account>, Vec<(usize, usize)>) {
    let mut accounts = Vec::new();
    let mut skip = Vec::new();
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let n = line.chars().count();
        let l = line.trim_end();
        if let Some(rest) = l.strip_prefix("— ")
            && let Some(open) = rest.find("(@")
            && let Some(close) = rest[open..].find(')')
        {
            let name = rest[..open].trim();
            let len = l.chars().count();
            accounts.push(Account {
                display_name: (!name.is_empty()).then(|| name.to_string()),
                handle: rest[open + 2..open + close].to_string(),
                start: pos,
                end: pos + len,
            });
            skip.push((pos, pos + len));
        }
        pos += n;
    }
    (accounts, skip)
}

/// CPU time of this thread: on a shared machine wall time also counts the waiting for a core.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn main() {
    let mb: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    let root = env!("CARGO_MANIFEST_DIR");
    let mut docs: Vec<String> = Vec::new();
    for dir in ["tests/extract/docs", "seeds"] {
        let Ok(rd) = std::fs::read_dir(format!("{root}/{dir}")) else {
            continue;
        };
        let mut paths: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "txt")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                docs.push(t);
            }
        }
    }
    if docs.is_empty() {
        eprintln!("no documents found under {root}");
        std::process::exit(2);
    }
    let t = Instant::now();
    let x = Extractor::new();
    println!("Extractor::new: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let prepared: Vec<Prepared> = docs
        .iter()
        .map(|d| {
            let (a, s) = signatures(d);
            (d.clone(), a, s)
        })
        .collect();
    let target = (mb * 1_000_000.0) as usize;
    let mut bytes = 0usize;
    let mut times = StageTimes::default();
    let mut n_docs = 0;
    let mut mentions = 0;
    let start = Instant::now();
    let cpu0 = thread_cpu();
    'outer: loop {
        for (text, accounts, skip) in &prepared {
            let out = x.extract_timed(
                &Input {
                    text,
                    date: chrono::NaiveDate::from_ymd_opt(2020, 1, 1),
                    accounts,
                    skip,
                },
                &mut times,
            );
            mentions += out.mentions.len();
            bytes += text.len();
            n_docs += 1;
            if bytes >= target {
                break 'outer;
            }
        }
    }
    let total = start.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu0;
    println!(
        "{n_docs} documents, {:.1} MB, {mentions} mentions in {total:.2} s wall, {cpu:.2} s CPU: \
         {:.2} MB/s wall, {:.2} MB/s per CPU-second",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / total,
        bytes as f64 / 1e6 / cpu.max(1e-9)
    );
    println!("stages (wall time, shares of the wall total):");
    let stages = [
        ("tokens + sentences", times.tokens),
        ("lexicon annotation", times.lexicon),
        ("tagger", times.tagger),
        ("candidates", times.candidates),
        ("resolution + places", times.resolve),
        ("events", times.events),
        ("affiliations", times.affiliations),
    ];
    for (name, d) in stages {
        let s = d.as_secs_f64();
        println!(
            "  {name:<20} {:>7.3} s  {:>5.1}%  {:>8.1} MB/s",
            s,
            100.0 * s / total,
            bytes as f64 / 1e6 / s.max(1e-9)
        );
    }
}
