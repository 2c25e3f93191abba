//! Measures the whole extractor (tagger, rules and resolution) on held-out gold text: entity
//! mentions of PER / ORG / LOC, exact span and type.
//!
//! ```sh
//! cargo run --release --example eval_ner -- /path/to/shared/data/ner/uner_en/pud_test.tsv
//! ```
//!
//! Each sentence of the `token<TAB>IOB2` file becomes one line of a document (tokens joined by
//! spaces), 50 sentences a document, or one document per `-DOCSTART-` line when the file has
//! them (CoNLL style: one sense per document then holds as in a real article); predicted
//! mentions are compared with gold spans by code point offsets. MISC is ignored.

use dossier::extract::{EntityKind, Extractor, Input};

fn main() {
    let mut files = Vec::new();
    let mut model_path: Option<String> = None;
    let mut upper = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--model" => model_path = args.next(),
            // Every sentence in capitals, as in newswire headlines ("SOCCER - LEEDS BEAT ...").
            "--upper" => upper = 1,
            // Every Nth sentence in capitals (a headline now and then).
            "--upper-every" => upper = args.next().and_then(|n| n.parse().ok()).unwrap_or(1),
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        eprintln!("usage: eval_ner [--model tagger.bin] [--upper | --upper-every N] FILE.tsv...");
        std::process::exit(2);
    }
    let x = match &model_path {
        None => Extractor::new(),
        Some(p) => {
            let bytes = std::fs::read(p).unwrap_or_default();
            let Some(m) = dossier::extract::tagger::Tagger::from_bytes(&bytes) else {
                eprintln!("{p} is not a tagger model");
                std::process::exit(2);
            };
            Extractor::with_model(Some(m))
        }
    };
    let mut total = [(0usize, 0usize, 0usize); 3];
    for path in &files {
        let c = eval_file(&x, path, upper);
        if files.len() > 1 {
            println!("== {path}");
            print_scores(&c);
        }
        for (t, c) in total.iter_mut().zip(&c) {
            *t = (t.0 + c.0, t.1 + c.1, t.2 + c.2);
        }
    }
    if files.len() > 1 {
        println!("== all files");
    }
    print_scores(&total);
}

/// Counts (true positives, predicted, gold) per type over one file.
fn eval_file(x: &Extractor, path: &str, upper: usize) -> [(usize, usize, usize); 3] {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut sents: Vec<Vec<(String, String)>> = vec![Vec::new()];
    // Indices into `sents` where a `-DOCSTART-` line opened a new document.
    let mut doc_starts: Vec<usize> = Vec::new();
    for line in text.lines() {
        if line.starts_with("-DOCSTART-") {
            if sents.last().is_some_and(|s| !s.is_empty()) {
                sents.push(Vec::new());
            }
            doc_starts.push(sents.len() - 1);
            continue;
        }
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
    // Documents: between `-DOCSTART-` lines if there are any, else 50 sentences each.
    let mut docs: Vec<Vec<Vec<(String, String)>>> = Vec::new();
    if doc_starts.is_empty() {
        sents.retain(|s| !s.is_empty());
        docs.extend(sents.chunks(50).map(|c| c.to_vec()));
    } else {
        let mut cur: Vec<Vec<(String, String)>> = Vec::new();
        for (i, s) in sents.into_iter().enumerate() {
            if doc_starts.contains(&i) && !cur.is_empty() {
                docs.push(std::mem::take(&mut cur));
            }
            if !s.is_empty() {
                cur.push(s);
            }
        }
        if !cur.is_empty() {
            docs.push(cur);
        }
    }
    if upper > 0 {
        for s in docs.iter_mut().flatten().step_by(upper) {
            for (w, _) in s.iter_mut() {
                *w = w.to_uppercase();
            }
        }
    }
    let kinds = [
        EntityKind::Person,
        EntityKind::Organisation,
        EntityKind::Place,
    ];
    let mut c = [(0usize, 0usize, 0usize); 3];
    for chunk in &docs {
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
        let show = std::env::var_os("SHOW_ERRORS").is_some();
        let chars: Vec<char> = doc.chars().collect();
        let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        for m in &out.mentions {
            let ty = kinds.iter().position(|k| *k == m.kind).unwrap_or(0);
            c[ty].1 += 1;
            if gold.contains(&(m.start, m.end, ty)) {
                c[ty].0 += 1;
            } else if show {
                println!("FP {:?} {:?}", m.kind, m.text);
            }
        }
        if show {
            for g in &gold {
                if !out
                    .mentions
                    .iter()
                    .any(|m| (m.start, m.end) == (g.0, g.1) && kinds[g.2] == m.kind)
                {
                    println!("FN {:?} {:?}", kinds[g.2], slice(g.0, g.1));
                }
            }
        }
        for g in &gold {
            c[g.2].2 += 1;
        }
    }
    c
}

fn print_scores(c: &[(usize, usize, usize); 3]) {
    let prf = |tp: usize, p: usize, g: usize| {
        let pr = tp as f64 / p.max(1) as f64;
        let rc = tp as f64 / g.max(1) as f64;
        (pr, rc, 2.0 * pr * rc / (pr + rc).max(1e-9))
    };
    for (name, x) in ["PER", "ORG", "LOC"].iter().zip(c) {
        let (p, r, f) = prf(x.0, x.1, x.2);
        println!("{name}: P {p:.3} R {r:.3} F1 {f:.3} (gold {})", x.2);
    }
    let t = c
        .iter()
        .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
    let (p, r, f) = prf(t.0, t.1, t.2);
    println!("all: P {p:.3} R {r:.3} F1 {f:.3}");
}
