//! Extraction quality on our own annotated documents (tests/extract/docs): every `NN_x.txt`
//! has a `NN_x.gold` with the gold mentions (`M KIND text`, one line per occurrence), the
//! gold entities (`E KIND name|alias…`) and affiliations (`A person organisation`), and a
//! golden file `NN_x.out` of the full extraction (rewritten with `UPDATE_GOLDENFILES=1`).
//! The test prints precision and recall and asserts floors the extractor reaches today, so a
//! change that loses quality fails.

#[path = "extract/common.rs"]
mod common;

use std::collections::HashMap;
use std::path::Path;

use dossier::extract::{EntityKind, Extraction, Extractor, Input};

fn kind(s: &str) -> Option<EntityKind> {
    match s {
        "PER" => Some(EntityKind::Person),
        "ORG" => Some(EntityKind::Organisation),
        "LOC" => Some(EntityKind::Place),
        _ => None,
    }
}

fn fold(s: &str) -> String {
    s.to_lowercase()
}

#[derive(Default, Debug, Clone, Copy)]
struct Counts {
    tp: usize,
    pred: usize,
    gold: usize,
}

impl Counts {
    fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.pred += o.pred;
        self.gold += o.gold;
    }
    fn p(&self) -> f64 {
        self.tp as f64 / self.pred.max(1) as f64
    }
    fn r(&self) -> f64 {
        self.tp as f64 / self.gold.max(1) as f64
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.p(), self.r());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

struct Gold {
    mentions: Vec<(EntityKind, String)>,
    entities: Vec<(EntityKind, Vec<String>)>,
    affiliations: Vec<(String, String)>,
}

fn read_gold(path: &Path) -> Gold {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut g = Gold {
        mentions: Vec::new(),
        entities: Vec::new(),
        affiliations: Vec::new(),
    };
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["M", k, t] => g
                .mentions
                .push((kind(k).unwrap_or(EntityKind::Place), t.to_string())),
            ["E", k, forms] => g.entities.push((
                kind(k).unwrap_or(EntityKind::Place),
                forms.split('|').map(fold).collect(),
            )),
            ["A", p, o] => g.affiliations.push((fold(p), fold(o))),
            _ => {}
        }
    }
    g
}

fn score(x: &Extraction, g: &Gold) -> (Counts, Counts, Counts) {
    // Mentions: a multiset of (kind, text).
    let mut gold: HashMap<(EntityKind, String), usize> = HashMap::new();
    for m in &g.mentions {
        *gold.entry(m.clone()).or_default() += 1;
    }
    let mut m = Counts {
        gold: g.mentions.len(),
        pred: x.mentions.len(),
        tp: 0,
    };
    for pm in &x.mentions {
        if let Some(n) = gold.get_mut(&(pm.kind, pm.text.clone()))
            && *n > 0
        {
            *n -= 1;
            m.tp += 1;
        }
    }
    // Entities: a predicted entity (with a mention or a handle) matches a gold one of the same
    // kind when one of its forms is one of the gold forms; each gold entity matches once.
    let mentioned: Vec<usize> = (0..x.entities.len())
        .filter(|&i| x.entities[i].handle.is_some() || x.mentions.iter().any(|m| m.entity == i))
        .collect();
    let mut e = Counts {
        gold: g.entities.len(),
        pred: mentioned.len(),
        tp: 0,
    };
    let mut used = vec![false; g.entities.len()];
    for &i in &mentioned {
        let pe = &x.entities[i];
        let forms: Vec<String> = std::iter::once(&pe.name)
            .chain(pe.aliases.iter())
            .map(|s| fold(s))
            .collect();
        if let Some(j) = (0..g.entities.len()).find(|&j| {
            !used[j]
                && g.entities[j].0 == pe.kind
                && g.entities[j].1.iter().any(|f| forms.contains(f))
        }) {
            used[j] = true;
            e.tp += 1;
        }
    }
    // Affiliations by names.
    let mut a = Counts {
        gold: g.affiliations.len(),
        pred: x.affiliations.len(),
        tp: 0,
    };
    for pa in &x.affiliations {
        let names = |i: usize| -> Vec<String> {
            let e = &x.entities[i];
            std::iter::once(&e.name)
                .chain(e.aliases.iter())
                .map(|s| fold(s))
                .collect()
        };
        let (pn, on) = (names(pa.person), names(pa.organisation));
        if g.affiliations
            .iter()
            .any(|(p, o)| pn.contains(p) && on.contains(o))
        {
            a.tp += 1;
        }
    }
    (m, e, a)
}

#[test]
fn quality_on_annotated_documents() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/extract/docs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    files.sort();
    assert!(
        files.len() >= 10,
        "expected at least 10 documents in {}",
        dir.display()
    );
    let x = Extractor::new();
    assert!(x.has_model(), "the shipped tagger model must load");
    let update = std::env::var_os("UPDATE_GOLDENFILES").is_some();
    let (mut tm, mut te, mut ta) = (Counts::default(), Counts::default(), Counts::default());
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let (accounts, skip) = common::signatures(&text);
        let out = x.extract(&Input {
            text: &text,
            date: chrono::NaiveDate::from_ymd_opt(2023, 6, 1),
            accounts: &accounts,
            skip: &skip,
        });
        for a in &accounts {
            assert!(
                out.entities
                    .iter()
                    .any(|e| e.handle.as_deref() == Some(a.handle.as_str())
                        && e.kind != EntityKind::Place),
                "{}: account @{} must come back as a person or organisation",
                f.display(),
                a.handle
            );
        }
        for m in &out.mentions {
            let slice: String = text.chars().skip(m.start).take(m.end - m.start).collect();
            assert_eq!(slice, m.text, "{}: mention offsets", f.display());
        }
        let g = read_gold(&f.with_extension("gold"));
        let (m, e, a) = score(&out, &g);
        println!(
            "{:<22} mentions P {:.2} R {:.2} | entities P {:.2} R {:.2} | affiliations {}/{} of {}",
            f.file_stem().and_then(|s| s.to_str()).unwrap_or(""),
            m.p(),
            m.r(),
            e.p(),
            e.r(),
            a.tp,
            a.pred,
            a.gold
        );
        tm.add(m);
        te.add(e);
        ta.add(a);
        let golden = f.with_extension("out");
        let rendered = common::render(&out);
        if update {
            if let Err(e) = std::fs::write(&golden, &rendered) {
                failures.push(format!("{}: {e}", golden.display()));
            }
        } else {
            let want = std::fs::read_to_string(&golden).unwrap_or_default();
            if want != rendered {
                failures.push(format!(
                    "{} differs from the extraction (UPDATE_GOLDENFILES=1 rewrites it)",
                    golden.display()
                ));
            }
        }
    }
    println!(
        "TOTAL mentions P {:.3} R {:.3} F1 {:.3} | entities P {:.3} R {:.3} F1 {:.3} | affiliations P {:.3} R {:.3}",
        tm.p(),
        tm.r(),
        tm.f1(),
        te.p(),
        te.r(),
        te.f1(),
        ta.p(),
        ta.r()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Floors: what the extractor reaches today (docs/extraction.md), less a small margin.
    assert!(tm.f1() >= MENTION_F1_FLOOR, "mention F1 {:.3}", tm.f1());
    assert!(te.f1() >= ENTITY_F1_FLOOR, "entity F1 {:.3}", te.f1());
}

const MENTION_F1_FLOOR: f64 = 0.78;
const ENTITY_F1_FLOOR: f64 = 0.80;
