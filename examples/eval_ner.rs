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
//! mentions are compared with gold spans by code point offsets. MISC is ignored. The reading
//! and counting are `dossier::extract::score`, shared with the quality tests.
//! `SHOW_ERRORS=1` lists every false positive and false negative.

use dossier::extract::Extractor;
use dossier::extract::score::{Counts, KINDS, parse_iob, score_docs};

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
    let show = std::env::var_os("SHOW_ERRORS").is_some();
    let mut total = Counts::default();
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        };
        let docs = parse_iob(&text, upper);
        let mut errors = Vec::new();
        let c = score_docs(&x, &docs, show.then_some(&mut errors));
        for e in &errors {
            println!("{e}");
        }
        if files.len() > 1 {
            println!("== {path}");
            print_scores(&c);
        }
        total.add(&c);
    }
    if files.len() > 1 {
        println!("== all files");
    }
    print_scores(&total);
}

fn print_scores(c: &Counts) {
    for (name, (k, x)) in ["PER", "ORG", "LOC"]
        .iter()
        .zip(KINDS.iter().zip(&c.per_kind))
    {
        let (p, r, f) = c.prf(Some(*k));
        println!("{name}: P {p:.3} R {r:.3} F1 {f:.3} (gold {})", x.2);
    }
    let (p, r, f) = c.prf(None);
    println!("all: P {p:.3} R {r:.3} F1 {f:.3}");
}
