//! Ingestion: files in, `Document` and `Post` nodes out, every fact traceable to the
//! characters it came from. The graph it writes is specified in `docs/model.md`.
//!
//! The life of a document:
//!
//! 1. **Collect** ([`read::collect`]): the paths become a list of inputs, folders
//!    walked recursively in name order, so every run reads the same sequence.
//! 2. **Read** ([`read::Sources`]): each input yields raw documents, one per file or
//!    one per record of a JSON, JSON Lines or CSV file. Bytes are checked here
//!    (binary, UTF-8, line and size limits); a bad file or record becomes a
//!    [`Failure`] naming it, and reading goes on with the next.
//! 3. **Parse** ([`read::Raw::parse`]): HTML becomes text, metadata dates are read,
//!    empty documents are refused. From here on a document is just its text plus
//!    metadata ([`read::Doc`]).
//! 4. **Segment** ([`segment::segment`]): embedded posts are found by their
//!    signatures; each gets its text, author, date, hashtags, links and @mentions.
//! 5. **Extract** ([`extract::analyse`]): the extractor finds people, organisations,
//!    places and events; every post's account comes back as an entity. Byte offsets
//!    become code points.
//! 6. **Write** ([`write::Writer`]): the document is merged into the graph — skipped
//!    whole if its content hash is known, entities merged by handle, name and aliases.
//!
//! Steps 3–5 run in parallel on a batch of documents (rayon, `--jobs`); step 6 runs
//! in input order, one transaction per batch, so the graph is the same whatever the
//! number of threads. A document is written whole or not at all: should writing
//! one fail, the batch is rolled back and written again a document at a time.
//! Memory holds one batch of documents, never the corpus.

pub mod dates;
pub mod extract;
pub mod html;
pub mod read;
pub mod segment;
pub mod write;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

pub use read::Failure;

use crate::error::{Error, Result};
use crate::extract::Extractor;
use crate::store::Store;
use extract::Analysed;

/// How to ingest.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads for steps 3–5 (`None`: all cores).
    pub jobs: Option<usize>,
    /// The field holding the text in JSON and CSV records.
    pub text_field: Option<String>,
    /// Show a progress bar (drawn only when standard error is a terminal).
    pub progress: bool,
    /// A batch ends after this many documents…
    pub batch_docs: usize,
    /// …or this many bytes of text.
    pub batch_bytes: usize,
    /// Set (by the shell's Ctrl-C) to stop before the next batch is written;
    /// batches already written stay, and the summary says `cancelled`.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            jobs: None,
            text_field: None,
            progress: false,
            batch_docs: 512,
            batch_bytes: 16 << 20,
            cancel: None,
        }
    }
}

/// What an ingest (or a dry run) did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// Documents written (or, for a dry run, analysed).
    pub documents: usize,
    /// Documents whose content was already in the store.
    pub unchanged: usize,
    /// Posts created (for a dry run: found).
    pub posts: usize,
    /// Entities created (for a dry run: found).
    pub entities: usize,
    pub events: usize,
    /// Bytes of document text processed.
    pub bytes: usize,
    pub failures: Vec<Failure>,
    /// [`Options::cancel`] stopped the run before every input was read.
    pub cancelled: bool,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} documents ({} already present), {} posts, {} entities, {} events, {} failures",
            self.documents,
            self.unchanged,
            self.posts,
            self.entities,
            self.events,
            self.failures.len()
        )
    }
}

/// Steps 1–5 over `paths`, handing each batch, in input order, to `sink`.
fn run(
    paths: &[PathBuf],
    opts: &Options,
    report: &mut dyn FnMut(&Failure),
    summary: &mut Summary,
    sink: &mut dyn FnMut(Vec<Analysed>, &mut Summary) -> Result<()>,
) -> Result<()> {
    let (inputs, failures) = read::collect(paths);
    for f in failures {
        report(&f);
        summary.failures.push(f);
    }
    let total: u64 = inputs
        .iter()
        .filter_map(|i| match i {
            read::Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            read::Input::Stdin => None,
        })
        .sum();
    let bar = if opts.progress {
        let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {msg}",
        ) {
            b.set_style(style);
        }
        b
    } else {
        ProgressBar::hidden()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs.unwrap_or(0))
        .build()
        .map_err(|e| Error::Internal(format!("cannot start worker threads: {e}")))?;
    let extractor = extractor();
    let mut sources = read::Sources::new(
        inputs,
        read::ReadOptions {
            text_field: opts.text_field.clone(),
        },
    );
    let cancelled = || {
        opts.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst))
    };
    loop {
        // Step 2, sequential: gather a batch.
        let mut batch = Vec::new();
        let mut bytes = 0;
        for item in sources.by_ref() {
            match item {
                Ok(raw) => {
                    bytes += raw_len(&raw);
                    batch.push(raw);
                }
                Err(f) => {
                    report(&f);
                    summary.failures.push(f);
                }
            }
            if batch.len() >= opts.batch_docs || bytes >= opts.batch_bytes {
                break;
            }
        }
        if batch.is_empty() {
            break;
        }
        // Cancelled (checked once there is more to do, so an ingest that had
        // finished is not reported as cancelled): stop before analysing.
        if cancelled() {
            summary.cancelled = true;
            break;
        }
        // Steps 3–5, parallel; `collect` keeps the input order.
        let results: Vec<std::result::Result<Analysed, Failure>> = pool.install(|| {
            batch
                .into_par_iter()
                .map(|raw| raw.parse().map(|doc| extract::analyse(extractor, doc)))
                .collect()
        });
        let mut analysed = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(a) => {
                    summary.bytes += a.doc.text.len();
                    analysed.push(a);
                }
                Err(f) => {
                    report(&f);
                    summary.failures.push(f);
                }
            }
        }
        // A cancel during the analysis drops this batch unwritten.
        if cancelled() {
            summary.cancelled = true;
            break;
        }
        let before = summary.failures.len();
        sink(analysed, summary)?;
        for f in &summary.failures[before..] {
            report(f);
        }
        bar.inc(bytes as u64);
    }
    bar.finish_and_clear();
    if summary.cancelled && !bar.is_hidden() && bar.position() > 0 {
        clear_echoed_interrupt();
    }
    Ok(())
}

/// After Ctrl-C at a terminal: the bar fills the whole width of its line, so the
/// `^C` the terminal echoes wraps onto the next line, and clearing the bar clears
/// only that one. Clear the bar's line too, when the terminal echoes control
/// characters (`ECHOCTL`, on by default on Linux). Only once the bar was drawn
/// (a batch went in): before that, the line above is the command itself.
fn clear_echoed_interrupt() {
    use std::io::{IsTerminal, Write};
    let mut err = std::io::stderr();
    if !err.is_terminal() {
        return;
    }
    // SAFETY: tcgetattr only writes a `termios` into the struct we pass.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::tcgetattr(libc::STDERR_FILENO, &mut t) } == 0;
    if ok && t.c_lflag & libc::ECHO != 0 && t.c_lflag & libc::ECHOCTL != 0 {
        // Up one line, clear it; the cursor stays at its start for what follows.
        let _ = err.write_all(b"\x1b[1A\r\x1b[2K");
        let _ = err.flush();
    }
}

/// The extractor, loaded once per process: loading its data (the tagger's model, the
/// word lists) is the slowest part of a small ingest, and a REPL session or a test
/// that ingests several times should pay it once. It is read-only once built.
fn extractor() -> &'static Extractor {
    static EXTRACTOR: std::sync::OnceLock<Extractor> = std::sync::OnceLock::new();
    EXTRACTOR.get_or_init(Extractor::new)
}

fn raw_len(raw: &read::Raw) -> usize {
    match &raw.body {
        read::Body::Text(t) | read::Body::Markdown(t) | read::Body::Html(t) => t.len(),
        read::Body::Record(r) => r.text.len(),
    }
}

/// Ingests `paths` into `store`: steps 1–6. Each failure is passed to `report` as it
/// happens and listed in the summary; the store keeps every document that went in.
pub fn ingest(
    store: &mut Store,
    paths: &[PathBuf],
    opts: &Options,
    report: &mut dyn FnMut(&Failure),
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut writer = write::Writer::new(store.graph());
    let mut sink = |batch: Vec<Analysed>, summary: &mut Summary| -> Result<()> {
        let attempt = store.write(|txn| {
            let mut counts = Vec::with_capacity(batch.len());
            for a in &batch {
                counts.push(writer.write(txn, a)?);
            }
            writer.flush(txn)?;
            Ok(counts)
        });
        match attempt {
            Ok((counts, _)) => {
                for c in counts {
                    add(summary, c);
                }
                Ok(())
            }
            Err(Error::Input(_)) | Err(Error::Internal(_)) => {
                // One document could not be written: the batch was rolled back. Write
                // it again a document at a time so the others go in.
                writer = write::Writer::new(store.graph());
                for a in &batch {
                    let one = store.write(|txn| {
                        let c = writer.write(txn, a)?;
                        writer.flush(txn)?;
                        Ok(c)
                    });
                    match one {
                        Ok((c, _)) => add(summary, c),
                        Err(e @ (Error::Input(_) | Error::Internal(_))) => {
                            writer = write::Writer::new(store.graph());
                            let f = Failure::new(
                                &a.doc.source,
                                a.doc.record.map(|r| format!("record {r}")),
                                format!("not written: {e}"),
                            );
                            summary.failures.push(f);
                        }
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            // The store itself failed (disk, lock): stop.
            Err(e) => Err(e),
        }
    };
    run(paths, opts, report, &mut summary, &mut sink)?;
    Ok(summary)
}

fn add(s: &mut Summary, w: write::Written) {
    if w.new {
        s.documents += 1;
    } else {
        s.unchanged += 1;
    }
    s.posts += w.posts;
    s.entities += w.entities;
    s.events += w.events;
}

/// The dry run: steps 1–5, each document written to `out` as one JSON line
/// (`docs/formats.md`), the store untouched.
pub fn extract(
    paths: &[PathBuf],
    opts: &Options,
    out: &mut dyn std::io::Write,
    report: &mut dyn FnMut(&Failure),
) -> Result<Summary> {
    let mut summary = Summary::default();
    let mut sink = |batch: Vec<Analysed>, summary: &mut Summary| -> Result<()> {
        for a in batch {
            summary.documents += 1;
            summary.posts += a.posts.len();
            summary.entities += a.extraction.entities.len();
            summary.events += a.extraction.events.len();
            writeln!(out, "{}", a.to_json_line())
                .map_err(|e| Error::io("writing the extraction", e))?;
        }
        Ok(())
    };
    run(paths, opts, report, &mut summary, &mut sink)?;
    Ok(summary)
}
