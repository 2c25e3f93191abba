//! Measures the whole extractor (tagger, rules and resolution) on held-out gold text: entity
//! mentions of PER / ORG / LOC, exact span and type.
//!
//! ```sh
//! cargo run --release --example eval_ner -- /path/to/shared/data/ner/uner_en/pud_test.tsv
//! ```
//!
//! Each sentence of the `token<TAB>IOB2` file becomes one line of a document (tokens joined by
//! spaces), 50 sentences a document; predicted mentions are compared with gold spans by code
//! point offsets. MISC is ignored.

use dossier::extract::{EntityKind, Extractor, Input};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: eval_ner FILE.tsv");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut sents: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        match line.split_once('\t') {
            Some((w, t)) => sents
                .last_mut()
                .map(|s| s.push((w.into(), t.trim().into())))
                .unwrap_or(()),
            None => {
                if sents.last().is_some_and(|s| !s.is_empty()) {
                    sents.push(Vec::new());
                }
            }
        }
    }
    sents.retain(|s| !s.is_empty());
    let x = Extractor::new();
    let kinds = [
        EntityKind::Person,
        EntityKind::Organisation,
        EntityKind::Place,
    ];
    let mut c = [(0usize, 0usize, 0usize); 3];
    for chunk in sents.chunks(50) {
        let mut doc = String::new();
        let mut gold: Vec<(usize, usize, usize)> = Vec::new();
        let mut pos = 0usize;
        for s in chunk {
            let mut open: Option<(usize, usize, usize)> = None;
            for (i, (w, t)) in s.iter().enumerate() {
                if i > 0 {
                    doc.push(' ');
                    pos += 1;
                }
                let start = pos;
                doc.push_str(w);
                pos += w.chars().count();
                let ty = match t.get(2..) {
                    Some("PER") => Some(0),
                    Some("ORG") => Some(1),
                    Some("LOC") => Some(2),
                    _ => None,
                };
                if t.starts_with("I-") && open.is_some_and(|o| Some(o.2) == ty) {
                    if let Some(o) = open.as_mut() {
                        o.1 = pos;
                    }
                    continue;
                }
                if let Some(o) = open.take() {
                    gold.push(o);
                }
                if let Some(ty) = ty {
                    open = Some((start, pos, ty));
                }
            }
            if let Some(o) = open.take() {
                gold.push(o);
            }
            doc.push('\n');
            pos += 1;
        }
        let out = x.extract(&Input {
            text: &doc,
            ..Default::default()
        });
        for m in &out.mentions {
            let ty = kinds.iter().position(|k| *k == m.kind).unwrap_or(0);
            c[ty].1 += 1;
            if gold.contains(&(m.start, m.end, ty)) {
                c[ty].0 += 1;
            }
        }
        for g in &gold {
            c[g.2].2 += 1;
        }
    }
    let prf = |tp: usize, p: usize, g: usize| {
        let pr = tp as f64 / p.max(1) as f64;
        let rc = tp as f64 / g.max(1) as f64;
        (pr, rc, 2.0 * pr * rc / (pr + rc).max(1e-9))
    };
    for (name, x) in ["PER", "ORG", "LOC"].iter().zip(&c) {
        let (p, r, f) = prf(x.0, x.1, x.2);
        println!("{name}: P {p:.3} R {r:.3} F1 {f:.3} (gold {})", x.2);
    }
    let t = c
        .iter()
        .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
    let (p, r, f) = prf(t.0, t.1, t.2);
    println!("all: P {p:.3} R {r:.3} F1 {f:.3}");
}
