//! `import`, `stats`, `check`, `compact`: commands on the store itself, and the
//! hidden `debug-write-loop` the crash tests drive.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use unicode_width::UnicodeWidthStr;

use super::GlobalOpts;
use crate::error::{Error, Result};
use crate::graph::Graph;
use crate::store::{self, Store};
use crate::value::Value;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A JSON file in dossier's interchange format (`-` for stdin).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct WriteLoopArgs {
    /// Stop after this many transactions (default: until killed).
    #[arg(long)]
    pub count: Option<u64>,
    /// Checkpoint automatically once the log is this many bytes long.
    #[arg(long)]
    pub checkpoint_bytes: Option<u64>,
}

/// Prints what opening the store noted (a torn tail dropped, …) on standard error.
pub fn report_notes(store: &mut Store) {
    for n in store.take_notes() {
        eprintln!("note: {n}");
    }
}

pub fn import(g: &GlobalOpts, a: ImportArgs) -> Result<i32> {
    let name = a.file.display().to_string();
    // Open the file first: a missing file is the user's error, not the store's.
    let reader: Box<dyn std::io::Read> = if a.file.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&a.file)
                .map_err(|e| Error::Input(format!("cannot open {name}: {e}")))?,
        )
    };
    let mut st = g.open_store(false)?;
    report_notes(&mut st);
    let stats = store::import(&mut st, reader, &name)?;
    report_notes(&mut st);
    println!(
        "imported {} nodes and {} relationships from {name}",
        stats.nodes, stats.relationships
    );
    super::leak_at_exit(st);
    Ok(0)
}

/// Rows of (name, count) as aligned lines, by display width.
fn print_counts(rows: &[(String, u64)]) {
    let w = rows.iter().map(|(n, _)| n.width()).max().unwrap_or(0);
    for (n, c) in rows {
        println!("  {n}{}  {c:>10}", " ".repeat(w - n.width()));
    }
}

/// Node counts by label and relationship counts by type, names sorted.
fn print_stats(graph: &Graph) {
    let mut labels: Vec<(String, u64)> = graph
        .label_names()
        .map(|l| (format!(":{l}"), graph.label_count(l) as u64))
        .filter(|(_, c)| *c > 0)
        .collect();
    labels.sort();
    let mut types: Vec<(String, u64)> = graph
        .type_names()
        .map(|t| (format!(":{t}"), graph.type_count(t)))
        .filter(|(_, c)| *c > 0)
        .collect();
    types.sort();
    println!("nodes: {}", graph.node_count());
    print_counts(&labels);
    println!("relationships: {}", graph.rel_count());
    print_counts(&types);
}

pub fn stats(g: &GlobalOpts) -> Result<i32> {
    let mut store = g.open_store(true)?;
    report_notes(&mut store);
    print_stats(store.graph());
    super::leak_at_exit(store);
    Ok(0)
}

/// Opens the store read-only, which checks every checksum of the snapshot and the
/// log, then recomputes the indexes and compares; prints what the store holds.
pub fn check(g: &GlobalOpts) -> Result<i32> {
    let path = g.db_path();
    let mut store = g.open_store(true)?;
    report_notes(&mut store);
    let info = store.disk_info().clone();
    println!("store: {}", path.display());
    println!(
        "snapshot: {} bytes, through transaction {}",
        info.snapshot_bytes, info.snapshot_seq
    );
    println!(
        "log: {} bytes, {} transactions after the snapshot (last committed: {})",
        info.log_bytes, info.log_records, info.last_seq
    );
    match &info.torn_tail {
        Some(t) => println!("torn tail: {t} (ignored; the next writer cuts it off)"),
        None => println!("torn tail: none"),
    }
    print_stats(store.graph());
    let idx: Vec<String> = store
        .graph()
        .indexes()
        .iter()
        .map(|(l, k)| format!(":{l}({k})"))
        .collect();
    println!("indexes: {}", idx.join(", "));
    let problems = store.graph().verify_indexes();
    super::leak_at_exit(store);
    if problems.is_empty() {
        println!("ok");
        Ok(0)
    } else {
        for p in &problems {
            eprintln!("error: {p}");
        }
        println!("check failed: {} problems", problems.len());
        Ok(2)
    }
}

pub fn compact(g: &GlobalOpts) -> Result<i32> {
    let mut store = g.open_store(false)?;
    report_notes(&mut store);
    store.compact()?;
    let info = store.disk_info();
    println!(
        "compacted {}: snapshot {} bytes through transaction {}, log emptied",
        g.db_path().display(),
        info.snapshot_bytes,
        info.snapshot_seq
    );
    super::leak_at_exit(store);
    Ok(0)
}

/// Commits one small transaction at a time and prints `committed K` after each
/// durable commit. K continues from the `:Tick` nodes already in the store, so a
/// harness that kills and restarts this knows exactly what must have survived.
pub fn debug_write_loop(g: &GlobalOpts, a: WriteLoopArgs) -> Result<i32> {
    let mut store = g.open_store(false)?;
    report_notes(&mut store);
    if let Some(b) = a.checkpoint_bytes {
        store.set_checkpoint_min(b);
    }
    let mut prev = store.graph().nodes_with_label("Tick").last();
    let mut k = store.graph().label_count("Tick") as i64;
    let out = std::io::stdout();
    let mut done = 0u64;
    while a.count.is_none_or(|c| done < c) {
        k += 1;
        let (id, _) = store.write(|t| {
            let id = t.create_node(
                &["Tick"],
                vec![
                    ("k".into(), Value::Int(k)),
                    ("pad".into(), Value::str(&"x".repeat((k % 97) as usize))),
                ],
            )?;
            if let Some(p) = prev {
                t.create_rel(p, id, "NEXT", vec![("k".into(), Value::Int(k))])?;
            }
            Ok(id)
        })?;
        prev = Some(id);
        done += 1;
        let mut o = out.lock();
        writeln!(o, "committed {k}")
            .and_then(|_| o.flush())
            .map_err(|e| Error::io("writing to standard output", e))?;
    }
    Ok(0)
}
