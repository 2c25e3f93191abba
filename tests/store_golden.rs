//! Golden scripts for the graph API over a durable store: tests/golden/store/*.txt.
//!
//! A script is blocks separated by blank lines; a block is command lines (and `#`
//! comments), a `----` line, then the expected output. The write commands of one
//! block run as one transaction (`abort` makes it fail and roll back); `dump`,
//! `lookup` and `labels` read (inside a block with writes they see the
//! transaction's own writes); `reopen`, `reopen-read-only` and `compact` act on the
//! store. `UPDATE_GOLDENFILES=1 cargo test --test store_golden` rewrites the
//! expected output; review the diff.
//!
//! Commands: `node VAR :L1:L2 {json props}`, `rel VAR FROM TO :TYPE {json}`,
//! `set VAR key JSON`, `label VAR +L|-L`, `delete VAR`, `detach-delete VAR`,
//! `index LABEL key`, `lookup LABEL key JSON`, `dump`, `abort`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dossier::error::{Error, Result};
use dossier::graph::{Graph, NodeId, RelId, Txn};
use dossier::store::{self, OpenOptions, Store};
use dossier::value::Value;
use dossier::value::json::{from_json, property_from_json};

#[derive(Clone, Copy)]
enum Var {
    Node(NodeId),
    Rel(RelId),
}

struct Runner {
    dir: PathBuf,
    store: Option<Store>,
    vars: BTreeMap<String, Var>,
}

fn props(json: &str) -> Result<Vec<(String, Value)>> {
    if json.trim().is_empty() {
        return Ok(Vec::new());
    }
    // An IndexMap keeps the script's order, which the store must preserve.
    let o: indexmap::IndexMap<String, serde_json::Value> =
        serde_json::from_str(json).map_err(|e| Error::Input(format!("bad JSON: {e}")))?;
    o.iter()
        .map(|(k, v)| Ok((k.clone(), property_from_json(k, v).map_err(Error::Input)?)))
        .collect()
}

fn value(json: &str) -> Result<Value> {
    let j: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::Input(format!("bad JSON: {e}")))?;
    from_json(&j).map_err(Error::Input)
}

/// Splits `:A:B rest` into (["A","B"], rest).
fn names(s: &str) -> (Vec<&str>, &str) {
    let s = s.trim_start();
    let end = s.find(' ').unwrap_or(s.len());
    let (head, rest) = s.split_at(end);
    (
        head.split(':').filter(|x| !x.is_empty()).collect(),
        rest.trim(),
    )
}

const READS: &[&str] = &["dump", "lookup", "reopen", "reopen-read-only", "compact"];

impl Runner {
    fn var(&self, name: &str) -> Result<Var> {
        self.vars
            .get(name)
            .copied()
            .ok_or_else(|| Error::Input(format!("unknown variable {name}")))
    }
    fn node(&self, name: &str) -> Result<NodeId> {
        match self.var(name)? {
            Var::Node(n) => Ok(n),
            Var::Rel(_) => Err(Error::Input(format!("{name} is a relationship"))),
        }
    }

    fn read(&self, g: &Graph, line: &str, out: &mut String) -> Result<()> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        match cmd {
            "dump" => out.push_str(&store::dump(g)),
            "lookup" => {
                let mut it = rest.splitn(3, ' ');
                let (l, k, v) = (
                    it.next().unwrap_or(""),
                    it.next().unwrap_or(""),
                    it.next().unwrap_or("null"),
                );
                let found = match g.index_lookup(l, k, &value(v)?) {
                    None => "no index".to_string(),
                    Some(ids) => ids
                        .iter()
                        .map(|id| {
                            self.vars
                                .iter()
                                .find(|(_, x)| matches!(x, Var::Node(n) if n == id))
                                .map(|(name, _)| name.clone())
                                .unwrap_or_else(|| format!("#{}", id.0))
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                };
                out.push_str(&format!("lookup :{l}({k}) = {v}: [{found}]\n"));
            }
            _ => return Err(Error::Input(format!("unknown command {cmd}"))),
        }
        Ok(())
    }

    fn write(
        &mut self,
        t: &mut Txn,
        line: &str,
        out: &mut String,
        new_vars: &mut Vec<(String, Var)>,
    ) -> Result<()> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mut args = rest.split(' ');
        let mut arg = || args.next().unwrap_or("").to_string();
        match cmd {
            "node" => {
                let name = arg();
                let (labels, json) = names(rest.trim_start_matches(&name));
                let id = t.create_node(&labels, props(json)?)?;
                out.push_str(&format!("{name} = node {}\n", id.0));
                new_vars.push((name.clone(), Var::Node(id)));
                self.vars.insert(name, Var::Node(id));
            }
            "rel" => {
                let (name, from, to) = (arg(), arg(), arg());
                let head = format!("{name} {from} {to}");
                let (ty, json) = names(rest.trim_start_matches(&head));
                let id = t.create_rel(
                    self.node(&from)?,
                    self.node(&to)?,
                    ty.first().copied().unwrap_or(""),
                    props(json)?,
                )?;
                out.push_str(&format!("{name} = rel {}\n", id.0));
                self.vars.insert(name, Var::Rel(id));
            }
            "set" => {
                let (name, key) = (arg(), arg());
                let v = rest.splitn(3, ' ').nth(2).unwrap_or("null");
                let v = property_from_json(
                    &key,
                    &serde_json::from_str(v).map_err(|e| Error::Input(e.to_string()))?,
                )
                .map_err(Error::Input)?;
                match self.var(&name)? {
                    Var::Node(n) => t.set_node_prop(n, &key, v)?,
                    Var::Rel(r) => t.set_rel_prop(r, &key, v)?,
                }
            }
            "label" => {
                let (name, l) = (arg(), arg());
                let n = self.node(&name)?;
                match l.split_at(1) {
                    ("+", l) => t.add_label(n, l)?,
                    ("-", l) => t.remove_label(n, l)?,
                    _ => return Err(Error::Input("label +L or -L".into())),
                }
            }
            "delete" | "detach-delete" => match self.var(&arg())? {
                Var::Node(n) => t.delete_node(n, cmd == "detach-delete")?,
                Var::Rel(r) => t.delete_rel(r)?,
            },
            "index" => {
                let (l, k) = (arg(), arg());
                t.create_index(&l, &k)?;
            }
            "abort" => return Err(Error::Input("aborted by the script".into())),
            _ if READS.contains(&cmd) => self.read(t.graph(), line, out)?,
            _ => return Err(Error::Input(format!("unknown command {cmd}"))),
        }
        Ok(())
    }

    fn open(&mut self, read_only: bool) -> Result<()> {
        self.store = None;
        self.store = Some(Store::open(&self.dir, &OpenOptions { read_only })?);
        Ok(())
    }

    fn block(&mut self, cmds: &[&str]) -> String {
        let mut out = String::new();
        let is_read = cmds
            .iter()
            .all(|c| READS.contains(&c.split(' ').next().unwrap_or("")));
        if is_read {
            for c in cmds {
                let r = match *c {
                    "reopen" => self.open(false).map(|_| out.push_str("reopened\n")),
                    "reopen-read-only" => self
                        .open(true)
                        .map(|_| out.push_str("reopened read-only\n")),
                    "compact" => match self.store.as_mut() {
                        Some(s) => s.checkpoint().map(|_| out.push_str("compacted\n")),
                        None => Err(Error::Input("no store".into())),
                    },
                    c => match &self.store {
                        Some(s) => {
                            let g = s.graph().clone();
                            self.read(&g, c, &mut out)
                        }
                        None => Err(Error::Input("no store".into())),
                    },
                };
                if let Err(e) = r {
                    out.push_str(&format!("error: {e}\n"));
                }
            }
            return out;
        }
        let Some(mut store) = self.store.take() else {
            return "error: no store\n".into();
        };
        let mut new_vars = Vec::new();
        let res = store.write(|t| {
            for c in cmds {
                self.write(t, c, &mut out, &mut new_vars)?;
            }
            Ok(())
        });
        match res {
            Ok((_, stats)) => out.push_str(&format!("committed: {stats}\n")),
            Err(e) => out.push_str(&format!("error: {e}\nrolled back\n")),
        }
        self.store = Some(store);
        out
    }
}

fn run_script(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut r = Runner {
        dir: tmp.path().join("db"),
        store: None,
        vars: BTreeMap::new(),
    };
    if let Err(e) = r.open(false) {
        panic!("open: {e}");
    }
    let mut result = String::new();
    for block in text.split("\n\n") {
        let block = block.trim_matches('\n');
        if block.is_empty() {
            continue;
        }
        let input = block.split("\n----").next().unwrap_or("");
        let cmds: Vec<&str> = input
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        if !result.is_empty() {
            result.push('\n');
        }
        result.push_str(input);
        result.push('\n');
        if cmds.is_empty() {
            continue; // a comment-only block
        }
        result.push_str("----\n");
        result.push_str(&r.block(&cmds));
    }
    (text, result)
}

#[test]
fn golden_scripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/store");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scripts in {}", dir.display());
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some_and(|v| v == "1");
    let mut failed = Vec::new();
    for f in &files {
        let (want, got) = run_script(f);
        if want != got {
            if update {
                std::fs::write(f, &got).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            } else {
                eprintln!("--- {} expected\n{want}\n--- got\n{got}", f.display());
                failed.push(f.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "golden scripts differ (UPDATE_GOLDENFILES=1 to accept): {failed:?}"
    );
}
