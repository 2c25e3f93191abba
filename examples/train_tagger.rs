//! Trains dossier's entity tagger and measures it on held-out text.
//!
//! ```sh
//! cargo run --release --example train_tagger -- --data /work/shared/data/ner \
//!     --heldout uner_en/pud_test.tsv --out data/tagger.bin
//! ```
//!
//! Reads every `*.tsv` (`token<TAB>IOB2 tag`, blank line between sentences) under `--data`,
//! except the held-out file and `gum_open/news_only.tsv` (a copy of GUM's news part, which is
//! already in its splits). Prints entity-level precision, recall and F1 for PER, ORG and LOC
//! on the held-out file after each epoch and writes the averaged model to `--out`.

use std::path::{Path, PathBuf};

use dossier::extract::lexicon::{Lexicon, fold};
use dossier::extract::tagger::{self, Feat, Model, Trainer};

struct Sent {
    words: Vec<String>,
    lower: Vec<String>,
    class: Vec<u32>,
    gold: Vec<u8>,
}

fn read(path: &Path, lx: &Lexicon) -> Result<Vec<Sent>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    let (mut words, mut tags) = (Vec::new(), Vec::new());
    let mut buf = String::new();
    let flush =
        |words: &mut Vec<String>, tags: &mut Vec<u8>, out: &mut Vec<Sent>, buf: &mut String| {
            if words.is_empty() {
                return;
            }
            let lower: Vec<String> = words.iter().map(|w| fold(w)).collect();
            let lr: Vec<&str> = lower.iter().map(|s| s.as_str()).collect();
            let cap: Vec<bool> = words
                .iter()
                .map(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
                .collect();
            let mut class = Vec::new();
            lx.annotate(&lr, &cap, buf, &mut class);
            out.push(Sent {
                words: std::mem::take(words),
                lower,
                class,
                gold: std::mem::take(tags),
            });
        };
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            flush(&mut words, &mut tags, &mut out, &mut buf);
            continue;
        }
        let Some((w, t)) = line.split_once('\t') else {
            continue;
        };
        words.push(w.to_string());
        tags.push(tagger::tag_index(t.trim()));
    }
    flush(&mut words, &mut tags, &mut out, &mut buf);
    Ok(out)
}

fn feats(s: &Sent) -> Vec<Feat<'_>> {
    let mut seen_word = false;
    s.words
        .iter()
        .zip(&s.lower)
        .zip(&s.class)
        .map(|((w, l), c)| {
            let special = w.starts_with('@') && w.len() > 1
                || w.starts_with('#') && w.len() > 1
                || w.starts_with("http");
            let is_word = w.chars().next().is_some_and(|c| c.is_alphanumeric());
            let initial = is_word && !seen_word;
            seen_word |= is_word;
            Feat {
                word: w,
                lower: l,
                class: *c,
                initial,
                special,
            }
        })
        .collect()
}

/// The common words of the training text: alphabetic words seen at least three times in
/// lowercase inside a sentence and written lowercase at least two times in three there. The
/// extractor's rules read them ("FREE" in a shouted sentence is a word, not an acronym).
fn common_words(sents: &[Sent]) -> String {
    let mut n: std::collections::BTreeMap<&str, (u32, u32)> = Default::default();
    for s in sents {
        for (i, (w, l)) in s.words.iter().zip(&s.lower).enumerate() {
            if i == 0 || l.chars().count() < 2 || !l.chars().all(char::is_alphabetic) {
                continue;
            }
            let e = n.entry(l.as_str()).or_default();
            if w == l {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let mut out = String::from(
        "# Common lowercase words of the tagger's training corpora (data/ATTRIBUTION.md),\n\
         # written by examples/train_tagger.rs --common-out: seen at least 3 times in lowercase\n\
         # inside a sentence, and lowercase in at least 2 of 3 such occurrences.\n",
    );
    for (w, (lo, up)) in n {
        if lo >= 3 && lo * 3 >= (lo + up) * 2 {
            out.push_str(w);
            out.push('\n');
        }
    }
    out
}

/// Entity-level (exact span and type) counts for PER, ORG, LOC: (true pos, predicted, gold).
fn score(model: &Model, sents: &[Sent]) -> [(usize, usize, usize); 3] {
    let mut r = [(0, 0, 0); 3];
    let (mut sc, mut tags) = (tagger::Scratch::default(), Vec::new());
    for s in sents {
        let f = feats(s);
        model.tag(&f, &mut sc, &mut tags);
        let p = tagger::spans(&tags);
        let g = tagger::spans(&s.gold);
        for &(a, b, t) in &p {
            if t < 3 {
                r[t as usize].1 += 1;
                if g.contains(&(a, b, t)) {
                    r[t as usize].0 += 1;
                }
            }
        }
        for &(_, _, t) in &g {
            if t < 3 {
                r[t as usize].2 += 1;
            }
        }
    }
    r
}

fn report(r: &[(usize, usize, usize); 3]) -> String {
    let prf = |tp: usize, p: usize, g: usize| {
        let pr = tp as f64 / p.max(1) as f64;
        let rc = tp as f64 / g.max(1) as f64;
        (pr, rc, 2.0 * pr * rc / (pr + rc).max(1e-9))
    };
    let mut s = String::new();
    for (name, x) in ["PER", "ORG", "LOC"].iter().zip(r) {
        let (p, rc, f) = prf(x.0, x.1, x.2);
        s += &format!("{name} P {p:.3} R {rc:.3} F1 {f:.3}  ");
    }
    let t = r
        .iter()
        .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2));
    let (p, rc, f) = prf(t.0, t.1, t.2);
    s += &format!("| all P {p:.3} R {rc:.3} F1 {f:.3}");
    s
}

fn main() {
    let mut data = PathBuf::from("../shared/data/ner");
    let mut heldout = String::from("uner_en/pud_test.tsv");
    let mut out = PathBuf::from("data/tagger.bin");
    let mut epochs = 8usize;
    let mut bits = 17u32;
    let mut eval_only = false;
    let mut dev: Vec<String> = Vec::new();
    let mut skip: Vec<String> = Vec::new();
    let mut final_report = false;
    let mut common_out: Option<PathBuf> = None;
    let mut repeat: Vec<(String, usize)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().map(PathBuf::from).unwrap_or(data),
            "--heldout" => heldout = args.next().unwrap_or(heldout),
            "--out" => out = args.next().map(PathBuf::from).unwrap_or(out),
            "--epochs" => epochs = args.next().and_then(|s| s.parse().ok()).unwrap_or(epochs),
            "--bits" => bits = args.next().and_then(|s| s.parse().ok()).unwrap_or(bits),
            "--eval-only" => eval_only = true,
            "--dev" => dev.extend(args.next()),
            "--skip" => skip.extend(args.next()),
            "--report-heldout" => final_report = true,
            "--common-out" => common_out = args.next().map(PathBuf::from),
            "--repeat" => {
                // PREFIX=N: sentences of files under PREFIX count N times per epoch.
                if let Some((p, n)) = args.next().as_deref().and_then(|a| a.split_once('=')) {
                    repeat.push((p.to_string(), n.parse().unwrap_or(1)));
                }
            }
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let lx = Lexicon::load();
    let mut files = Vec::new();
    let mut stack = vec![data.clone()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            eprintln!("cannot read {}", d.display());
            std::process::exit(2);
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "tsv") {
                files.push(p);
            }
        }
    }
    files.sort();
    let held_path = data.join(&heldout);
    let test = match read(&held_path, &lx) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let dev_paths: Vec<PathBuf> = dev.iter().map(|d| data.join(d)).collect();
    let mut dev_set = Vec::new();
    for p in &dev_paths {
        match read(p, &lx) {
            Ok(t) => dev_set.extend(t),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    if eval_only {
        let bytes = std::fs::read(&out).unwrap_or_default();
        let Some(m) = Model::from_bytes(&bytes) else {
            eprintln!("{} is not a model", out.display());
            std::process::exit(2);
        };
        println!("held-out {heldout}: {}", report(&score(&m, &test)));
        return;
    }
    let mut train = Vec::new();
    for f in &files {
        let name = f
            .strip_prefix(&data)
            .unwrap_or(f)
            .to_string_lossy()
            .to_string();
        if *f == held_path
            || dev_paths.contains(f)
            || f.ends_with("gum_open/news_only.tsv")
            || skip.iter().any(|s| name.starts_with(s.as_str()))
        {
            continue;
        }
        match read(f, &lx) {
            Ok(s) => {
                let times = repeat
                    .iter()
                    .find(|(p, _)| name.starts_with(p.as_str()))
                    .map_or(1, |r| r.1);
                eprintln!("train: {} ({} sentences) x{times}", f.display(), s.len());
                for _ in 1..times {
                    train.extend(read(f, &lx).unwrap_or_default());
                }
                train.extend(s);
            }
            Err(e) => eprintln!("skipped {e}"),
        }
    }
    if let Some(path) = &common_out {
        if let Err(e) = std::fs::write(path, common_words(&train)) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
        eprintln!("wrote {}", path.display());
    }
    let mut pres: Vec<Vec<tagger::Pre>> = Vec::new();
    let mut acts: Vec<Vec<bool>> = Vec::new();
    let statics: Vec<Vec<Vec<u64>>> = train
        .iter()
        .map(|s| {
            let f = feats(s);
            let mut pre = Vec::new();
            tagger::precompute(&f, &mut pre);
            let mut act = Vec::new();
            tagger::active(&f, &mut act);
            acts.push(act);
            let st = (0..f.len())
                .map(|i| {
                    let mut v = Vec::new();
                    tagger::static_features(&f, &pre, i, &mut v);
                    v
                })
                .collect();
            pres.push(pre);
            st
        })
        .collect();
    let mut trainer = Trainer::new(bits);
    // A fixed pseudo-random order per epoch (deterministic training).
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    for epoch in 1..=epochs {
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let mut errors = 0;
        let mut tokens = 0;
        for &i in &order {
            let s = &train[i];
            errors += trainer.learn(&pres[i], &statics[i], &acts[i], &s.gold);
            tokens += s.words.len();
        }
        let m = trainer.finish();
        let d = if dev.is_empty() {
            String::new()
        } else {
            format!(" | dev: {}", report(&score(&m, &dev_set)))
        };
        println!(
            "epoch {epoch}: train error {:.4}{d}",
            errors as f64 / tokens.max(1) as f64,
        );
    }
    let m = trainer.finish();
    if final_report {
        println!("held-out {heldout}: {}", report(&score(&m, &test)));
    }
    if let Err(e) = std::fs::write(&out, m.to_bytes()) {
        eprintln!("{}: {e}", out.display());
        std::process::exit(2);
    }
    println!("wrote {}", out.display());
}
