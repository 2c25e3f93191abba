//! `import`, `stats`, `check`, `compact`: commands on the store itself.

use std::path::PathBuf;

use clap::Args;

use super::{GlobalOpts, not_available};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A JSON file in dossier's interchange format (`-` for stdin).
    pub file: PathBuf,
}

pub fn import(_g: &GlobalOpts, _a: ImportArgs) -> Result<i32> {
    Err(not_available("import"))
}

pub fn stats(g: &GlobalOpts) -> Result<i32> {
    let store = g.open_store(true)?;
    let graph = store.graph();
    println!("nodes: {}", graph.node_count());
    for l in graph.label_names() {
        println!("  :{l}  {}", graph.label_count(l));
    }
    println!("relationships: {}", graph.rel_count());
    for t in graph.type_names() {
        println!("  :{t}  {}", graph.type_count(t));
    }
    Ok(0)
}

pub fn check(_g: &GlobalOpts) -> Result<i32> {
    Err(not_available("check"))
}

pub fn compact(_g: &GlobalOpts) -> Result<i32> {
    Err(not_available("compact"))
}
