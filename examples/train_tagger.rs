//! Trains dossier's entity tagger and measures it on held-out text.
//!
//! ```sh
//! cargo run --release --example train_tagger -- --data /work/shared/data/ner \
//!     --heldout uner_en/pud_test.tsv --epochs 4 --bits 18 --aug-upper 0.3 --margin 48 \
//!     --extra tests/extract/wire/train.tsv --repeat tests/extract/wire/train.tsv=3 \
//!     --seed 3 --common-out data/common_words.txt --out data/tagger.bin
//! ```
//!
//! Reads every `*.tsv` (`token<TAB>IOB2 tag`, blank line between sentences) under `--data`
//! and each `--extra` file (`-DOCSTART-` lines are skipped), except the held-out file, the
//! `--dev` files and `gum_open/news_only.tsv` (a copy of GUM's news part, which is already in
//! its splits); 50 consecutive sentences of a file are a
//! document. Augments the training sentences (`--aug-upper`: copies in capitals;
//! `--aug-names`: copies with other names), trains (`--margin`, `--seed`, `--runs`,
//! `--features N`: the optional feature groups of `tagger::features`, default 1, the word's
//! cluster prefixes; optionally `--second-pass K`), prints entity-level precision, recall and F1 for PER, ORG
//! and LOC on the `--dev` files after each epoch (and on the held-out file with
//! `--report-heldout`) and writes the model to `--out`. docs/extraction.md records what each
//! option did.

use std::path::{Path, PathBuf};

use dossier::extract::lexicon::{Lexicon, fold};
use dossier::extract::tagger::{self, Feat, Model, Tagger, Trainer};

/// The optional feature groups of the shipped model (`tagger::features`; `--features`).
const DEFAULT_FEATURES: u32 = tagger::features::CLUSTER;

struct Sent {
    words: Vec<String>,
    lower: Vec<String>,
    class: Vec<u32>,
    gold: Vec<u8>,
    /// How the document writes each word elsewhere (`tagger::doc_case`).
    doc: Vec<u8>,
    /// The document (50 sentences of a file) the sentence is in; a copy made by augmentation
    /// is in its original's document but is not evidence about it.
    docid: usize,
    copy: bool,
    /// Second-pass features: first-pass tags of the sentence and of its word elsewhere
    /// (`tagger::doc_tags`), from a first pass not trained on the sentence.
    prior: Vec<u8>,
    doc_tag: Vec<u8>,
}

/// A sentence from its words and gold tags, with the lexicon classes the tagger reads.
fn make_sent(words: Vec<String>, gold: Vec<u8>, lx: &Lexicon, buf: &mut String) -> Sent {
    let lower: Vec<String> = words.iter().map(|w| fold(w)).collect();
    let lr: Vec<&str> = lower.iter().map(|s| s.as_str()).collect();
    let cap: Vec<bool> = words
        .iter()
        .map(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        .collect();
    let mut class = Vec::new();
    lx.annotate(&lr, &cap, buf, &mut class);
    let doc = vec![0; words.len()];
    Sent {
        prior: doc.clone(),
        doc_tag: doc.clone(),
        words,
        lower,
        class,
        gold,
        doc,
        docid: 0,
        copy: false,
    }
}

/// A small deterministic generator (xorshift64) for the training order and augmentation.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// Names to put in place of the names of training sentences, per type (PER, ORG, LOC): the
/// names of the training corpora themselves, plus for people a given name and a surname from
/// the name lists and for places a country or city of the gazetteer (as words).
struct Pools {
    seen: [Vec<Vec<String>>; 3],
    given: Vec<String>,
    surnames: Vec<String>,
    places: Vec<Vec<String>>,
}

fn title(w: &str) -> String {
    let mut out = String::new();
    for (i, c) in w.chars().enumerate() {
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn data_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        })
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

impl Pools {
    fn new(train: &[Sent], data_dir: &Path, min_city: u64) -> Pools {
        let mut seen: [std::collections::BTreeSet<Vec<String>>; 3] = Default::default();
        for s in train {
            for (a, b, t) in tagger::spans(&s.gold) {
                if t < 3 {
                    seen[t as usize].insert(s.words[a..b].to_vec());
                }
            }
        }
        let given = data_lines(&data_dir.join("given_names.txt"))
            .iter()
            .map(|w| title(w))
            .collect();
        let surnames = data_lines(&data_dir.join("surnames.txt"))
            .iter()
            .map(|w| title(w))
            .collect();
        let mut places = Vec::new();
        for l in data_lines(&data_dir.join("countries.tsv")) {
            if let Some(name) = l.split('\t').nth(1) {
                places.push(name.split_whitespace().map(str::to_string).collect());
            }
        }
        for l in data_lines(&data_dir.join("cities.tsv")) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() >= 4 && f[3].parse::<u64>().is_ok_and(|p| p >= min_city) {
                places.push(f[0].split_whitespace().map(str::to_string).collect());
            }
        }
        Pools {
            seen: seen.map(|s| s.into_iter().collect()),
            given,
            surnames,
            places,
        }
    }

    /// Another name of type `t` (0 PER, 1 ORG, 2 LOC).
    fn draw(&self, t: usize, rng: &mut Rng) -> Vec<String> {
        let half = rng.chance(0.5);
        match t {
            0 if half && !self.given.is_empty() && !self.surnames.is_empty() => vec![
                self.given[rng.below(self.given.len())].clone(),
                self.surnames[rng.below(self.surnames.len())].clone(),
            ],
            2 if half && !self.places.is_empty() => {
                self.places[rng.below(self.places.len())].clone()
            }
            _ => self.seen[t][rng.below(self.seen[t].len())].clone(),
        }
    }
}

/// A copy of `s` whose PER / ORG / LOC names are each replaced, with probability `p`, by
/// another name of the same type; `None` when it has none.
fn replaced(
    s: &Sent,
    pools: &Pools,
    p: f64,
    rng: &mut Rng,
    lx: &Lexicon,
    buf: &mut String,
) -> Option<Sent> {
    let spans: Vec<_> = tagger::spans(&s.gold)
        .into_iter()
        .filter(|x| x.2 < 3)
        .collect();
    if spans.is_empty() {
        return None;
    }
    let (mut words, mut gold, mut doc) = (Vec::new(), Vec::new(), Vec::new());
    let mut i = 0;
    for (a, b, t) in spans {
        words.extend_from_slice(&s.words[i..a]);
        gold.extend_from_slice(&s.gold[i..a]);
        doc.extend_from_slice(&s.doc[i..a]);
        let name = if rng.chance(p) && !pools.seen[t as usize].is_empty() {
            // A new name is not seen elsewhere in the document.
            let name = pools.draw(t as usize, rng);
            doc.extend(name.iter().map(|_| 0));
            name
        } else {
            doc.extend_from_slice(&s.doc[a..b]);
            s.words[a..b].to_vec()
        };
        for k in 0..name.len() {
            gold.push(2 * t + if k == 0 { 1 } else { 2 });
        }
        words.extend(name);
        i = b;
    }
    words.extend_from_slice(&s.words[i..]);
    gold.extend_from_slice(&s.gold[i..]);
    doc.extend_from_slice(&s.doc[i..]);
    let mut out = make_sent(words, gold, lx, buf);
    out.doc = doc;
    out.docid = s.docid;
    out.copy = true;
    Some(out)
}

fn read(path: &Path, lx: &Lexicon, next_doc: &mut usize) -> Result<Vec<Sent>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::new();
    let (mut words, mut tags) = (Vec::new(), Vec::new());
    let mut buf = String::new();
    let flush =
        |words: &mut Vec<String>, tags: &mut Vec<u8>, out: &mut Vec<Sent>, buf: &mut String| {
            if words.is_empty() {
                return;
            }
            out.push(make_sent(
                std::mem::take(words),
                std::mem::take(tags),
                lx,
                buf,
            ));
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
        // A CoNLL document marker (the wire set) is not a sentence.
        if w == "-DOCSTART-" {
            flush(&mut words, &mut tags, &mut out, &mut buf);
            continue;
        }
        words.push(w.to_string());
        tags.push(tagger::tag_index(t.trim()));
    }
    flush(&mut words, &mut tags, &mut out, &mut buf);
    // Documents of 50 sentences, as `eval_ner` builds them.
    for chunk in out.chunks_mut(50) {
        let mut fs = Vec::new();
        let mut counts = Vec::new();
        for s in chunk.iter() {
            let f = feats(s);
            let shouting = tagger::shouting(f.iter().filter(|t| !t.special).map(|t| t.word));
            counts.extend(f.iter().map(|_| !shouting));
            fs.extend(f);
        }
        tagger::doc_case(&mut fs, |i| counts[i]);
        let bits: Vec<u8> = fs.iter().map(|f| f.doc).collect();
        let mut k = 0;
        for s in chunk.iter_mut() {
            let n = s.words.len();
            s.doc.copy_from_slice(&bits[k..k + n]);
            s.docid = *next_doc;
            k += n;
        }
        *next_doc += 1;
    }
    Ok(out)
}

fn feats(s: &Sent) -> Vec<Feat<'_>> {
    let mut seen_word = false;
    s.words
        .iter()
        .zip(&s.lower)
        .zip(&s.class)
        .zip(&s.doc)
        .zip(s.prior.iter().zip(&s.doc_tag))
        .map(|((((w, l), c), d), (p, dt))| {
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
                doc: *d,
                prior: *p,
                doc_tag: *dt,
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
/// Consecutive sentences of one document are tagged together (the second pass reads the
/// whole document).
fn score(model: &Tagger, sents: &[Sent]) -> [(usize, usize, usize); 3] {
    let mut r = [(0, 0, 0); 3];
    let mut sc = tagger::Scratch::default();
    for doc in sents.chunk_by(|a, b| a.docid == b.docid) {
        let mut fs = Vec::new();
        let mut ranges = Vec::new();
        for s in doc {
            let a = fs.len();
            fs.extend(feats(s));
            ranges.push((a, fs.len()));
        }
        let mut tags = vec![0u8; fs.len()];
        model.tag_document(&mut fs, &ranges, &mut sc, &mut tags);
        for (s, &(a, b)) in doc.iter().zip(&ranges) {
            let p = tagger::spans(&tags[a..b]);
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
    }
    r
}

/// Trains one model (`second`: a second-pass one) on the sentences `idx` of `train`,
/// calling `each_epoch` with the model after every epoch.
#[allow(clippy::too_many_arguments)]
fn train_model(
    train: &[Sent],
    idx: &[usize],
    bits: u32,
    epochs: usize,
    second: bool,
    seed: u64,
    margin: f32,
    fs: u32,
    mut each_epoch: impl FnMut(usize, f64, &Model),
) -> Vec<f32> {
    let mut pres: Vec<Vec<tagger::Pre>> = Vec::new();
    let mut acts: Vec<Vec<bool>> = Vec::new();
    let statics: Vec<Vec<Vec<u64>>> = idx
        .iter()
        .map(|&k| {
            let f = feats(&train[k]);
            let mut pre = Vec::new();
            tagger::precompute(&f, fs, &mut pre);
            let mut act = Vec::new();
            tagger::active(&f, &mut act);
            acts.push(act);
            let st = (0..f.len())
                .map(|i| {
                    let mut v = Vec::new();
                    tagger::static_features(&f, &pre, i, second, fs, &mut v);
                    v
                })
                .collect();
            pres.push(pre);
            st
        })
        .collect();
    let mut trainer = Trainer::new(bits, second);
    trainer.margin = margin;
    trainer.features = fs;
    // A fixed pseudo-random order per epoch (deterministic training).
    let mut order: Vec<usize> = (0..idx.len()).collect();
    let mut shuffle = Rng(0x9e37_79b9_7f4a_7c15u64 ^ seed);
    for epoch in 1..=epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, shuffle.below(i + 1));
        }
        let mut errors = 0;
        let mut tokens = 0;
        for &i in &order {
            let s = &train[idx[i]];
            errors += trainer.learn(&pres[i], &statics[i], &acts[i], &s.gold);
            tokens += s.words.len();
        }
        each_epoch(
            epoch,
            errors as f64 / tokens.max(1) as f64,
            &trainer.finish(),
        );
    }
    trainer.averaged()
}

/// `runs` models trained in different orders (seeds `seed..seed + runs`), their weights
/// averaged: less dependent on the order of one run.
#[allow(clippy::too_many_arguments)]
fn train_averaged(
    train: &[Sent],
    idx: &[usize],
    bits: u32,
    epochs: usize,
    second: bool,
    seed: u64,
    runs: usize,
    margin: f32,
    fs: u32,
    mut each_epoch: impl FnMut(usize, f64, &Model),
) -> Model {
    let mut sum: Vec<f32> = Vec::new();
    for r in 0..runs.max(1) {
        let w = train_model(
            train,
            idx,
            bits,
            epochs,
            second,
            seed + r as u64,
            margin,
            fs,
            &mut each_epoch,
        );
        if sum.is_empty() {
            sum = w;
        } else {
            for (s, w) in sum.iter_mut().zip(w) {
                *s += w;
            }
        }
    }
    for s in &mut sum {
        *s /= runs.max(1) as f32;
    }
    Model::quantised(bits, fs, second, &sum)
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
    let mut extra: Vec<PathBuf> = Vec::new();
    let mut final_report = false;
    let mut common_out: Option<PathBuf> = None;
    let mut repeat: Vec<(String, usize)> = Vec::new();
    let mut aug_names = 0usize;
    let mut aug_p = 0.8f64;
    let mut aug_upper = 0f64;
    let mut min_city = 100_000u64;
    let mut names_dir = PathBuf::from("data");
    let mut dev_upper = false;
    let mut folds = 0usize;
    let mut seed = 0u64;
    let mut runs = 1usize;
    let mut margin = 0f32;
    let mut bits2 = 18u32;
    let mut fs = DEFAULT_FEATURES;
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
            // Also train on this file outside `--data` (`--repeat` matches its path as given).
            "--extra" => extra.extend(args.next().map(PathBuf::from)),
            "--report-heldout" => final_report = true,
            "--common-out" => common_out = args.next().map(PathBuf::from),
            // N extra copies of every sentence with names, names replaced (see `replaced`).
            "--aug-names" => aug_names = args.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            "--aug-p" => aug_p = args.next().and_then(|s| s.parse().ok()).unwrap_or(aug_p),
            // This share of the sentences also in capitals (headlines).
            "--aug-upper" => aug_upper = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.0),
            "--min-city" => min_city = args.next().and_then(|s| s.parse().ok()).unwrap_or(min_city),
            // Also score the development set written in capitals.
            "--dev-upper" => dev_upper = true,
            // A second pass over documents, trained on first-pass tags from K folds.
            "--second-pass" => folds = args.next().and_then(|s| s.parse().ok()).unwrap_or(4),
            // Another training order and augmentation draw (to see the noise of one run).
            // Average the weights of N runs in different orders.
            // Cost-augmented learning: wrong tags get this much extra score while learning.
            "--margin" => margin = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.0),
            "--runs" => runs = args.next().and_then(|s| s.parse().ok()).unwrap_or(1),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(0),
            // The optional feature groups (`tagger::features`, a bit set; 0: none).
            "--features" => fs = args.next().and_then(|s| s.parse().ok()).unwrap_or(fs),
            "--bits2" => bits2 = args.next().and_then(|s| s.parse().ok()).unwrap_or(bits2),
            "--names" => names_dir = args.next().map(PathBuf::from).unwrap_or(names_dir),
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
    files.extend(extra);
    let held_path = data.join(&heldout);
    let mut next_doc = 0usize;
    let test = match read(&held_path, &lx, &mut next_doc) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let dev_paths: Vec<PathBuf> = dev.iter().map(|d| data.join(d)).collect();
    let mut dev_set = Vec::new();
    for p in &dev_paths {
        match read(p, &lx, &mut next_doc) {
            Ok(t) => dev_set.extend(t),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    }
    if eval_only {
        let bytes = std::fs::read(&out).unwrap_or_default();
        let Some(m) = Tagger::from_bytes(&bytes) else {
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
        match read(f, &lx, &mut next_doc) {
            Ok(s) => {
                let times = repeat
                    .iter()
                    .find(|(p, _)| name.starts_with(p.as_str()))
                    .map_or(1, |r| r.1);
                eprintln!("train: {} ({} sentences) x{times}", f.display(), s.len());
                for _ in 1..times {
                    train.extend(read(f, &lx, &mut next_doc).unwrap_or_default());
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
    // Augmentation, after the common words are counted (they describe real text): copies
    // with other names, and copies in capitals.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ seed);
    let mut buf = String::new();
    let originals = train.len();
    if aug_names > 0 {
        let pools = Pools::new(&train, &names_dir, min_city);
        eprintln!(
            "names to draw from: {} PER, {} ORG, {} LOC seen; {} places",
            pools.seen[0].len(),
            pools.seen[1].len(),
            pools.seen[2].len(),
            pools.places.len()
        );
        for i in 0..originals {
            for _ in 0..aug_names {
                if let Some(s) = replaced(&train[i], &pools, aug_p, &mut rng, &lx, &mut buf) {
                    train.push(s);
                }
            }
        }
    }
    if aug_upper > 0.0 {
        for i in 0..originals {
            if rng.chance(aug_upper) {
                let s = &train[i];
                let words = s.words.iter().map(|w| w.to_uppercase()).collect();
                let gold = s.gold.clone();
                let (doc, docid) = (s.doc.clone(), s.docid);
                let mut up = make_sent(words, gold, &lx, &mut buf);
                up.doc = doc;
                up.docid = docid;
                up.copy = true;
                train.push(up);
            }
        }
    }
    eprintln!(
        "training on {} sentences ({originals} original)",
        train.len()
    );
    // A sentence in capitals is learnt in its usual case, as the tagger reads it.
    for s in &mut train {
        let recased = tagger::usual_case(&feats(s));
        if let Some(words) = recased {
            s.words = words;
        }
    }
    let dev_up: Vec<Sent> = if dev_upper {
        let mut buf = String::new();
        dev_set
            .iter()
            .map(|s| {
                let words = s.words.iter().map(|w| w.to_uppercase()).collect();
                let mut up = make_sent(words, s.gold.clone(), &lx, &mut buf);
                up.docid = s.docid;
                up
            })
            .collect()
    } else {
        Vec::new()
    };
    let show = |epoch: usize, err: f64, t: &Tagger| {
        let mut d = String::new();
        if !dev_set.is_empty() {
            d += &format!(" | dev: {}", report(&score(t, &dev_set)));
        }
        if dev_upper {
            d += &format!(" | dev upper: {}", report(&score(t, &dev_up)));
        }
        println!("epoch {epoch}: train error {err:.4}{d}");
    };
    let all: Vec<usize> = (0..train.len()).collect();
    if folds > 1 {
        // The second pass learns from first-pass tags of text the first pass did not see:
        // each fold of documents is tagged by a first pass trained on the other folds.
        let mut first_tags: Vec<Vec<u8>> = vec![Vec::new(); train.len()];
        let mut sc = tagger::Scratch::default();
        for k in 0..folds {
            let rest: Vec<usize> = all
                .iter()
                .copied()
                .filter(|&i| train[i].docid % folds != k)
                .collect();
            let m = train_averaged(
                &train,
                &rest,
                bits,
                epochs,
                false,
                seed,
                runs,
                margin,
                fs,
                |_, _, _| {},
            );
            for (i, s) in train.iter().enumerate() {
                if s.docid % folds == k {
                    m.tag(&feats(s), &mut sc, &mut first_tags[i]);
                }
            }
            eprintln!("first pass of fold {k} done");
        }
        let mut by_doc: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, s) in train.iter().enumerate() {
            by_doc.entry(s.docid).or_default().push(i);
        }
        for members in by_doc.values() {
            let (mut fs, mut tags, mut counts) = (Vec::new(), Vec::new(), Vec::new());
            for &i in members {
                let f = feats(&train[i]);
                counts.extend(f.iter().map(|_| !train[i].copy));
                tags.extend_from_slice(&first_tags[i]);
                fs.extend(f);
            }
            tagger::doc_tags(&mut fs, &tags, |i| counts[i]);
            let got: Vec<(u8, u8)> = fs.iter().map(|f| (f.prior, f.doc_tag)).collect();
            let mut k = 0;
            for &i in members {
                let n = train[i].words.len();
                train[i].prior = got[k..k + n].iter().map(|g| g.0).collect();
                train[i].doc_tag = got[k..k + n].iter().map(|g| g.1).collect();
                k += n;
            }
        }
    }
    let first = train_averaged(
        &train,
        &all,
        bits,
        epochs,
        false,
        seed,
        runs,
        margin,
        fs,
        |e, err, m| {
            show(
                e,
                err,
                &Tagger {
                    first: m.clone(),
                    second: None,
                },
            )
        },
    );
    let mut tagger = Tagger {
        first,
        second: None,
    };
    if folds > 1 {
        println!("second pass:");
        let second = train_averaged(
            &train,
            &all,
            bits2,
            epochs,
            true,
            seed,
            runs,
            margin,
            fs,
            |e, err, m| {
                show(
                    e,
                    err,
                    &Tagger {
                        first: tagger.first.clone(),
                        second: Some(m.clone()),
                    },
                )
            },
        );
        tagger.second = Some(second);
    }
    let m = tagger;
    if !dev_set.is_empty() {
        println!("final model, dev: {}", report(&score(&m, &dev_set)));
    }
    if final_report {
        println!("held-out {heldout}: {}", report(&score(&m, &test)));
    }
    if let Err(e) = std::fs::write(&out, m.to_bytes()) {
        eprintln!("{}: {e}", out.display());
        std::process::exit(2);
    }
    println!("wrote {}", out.display());
}
