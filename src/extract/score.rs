//! Scoring the extractor against gold entity annotations in the `token<TAB>IOB2` format of
//! the open NER corpora and of our own newswire set (`tests/extract/wire/`).
//!
//! Not a pipeline stage: this is how the pipeline is measured, shared by `examples/eval_ner`
//! (any file, per type, error listing) and the tests that hold a quality floor
//! (`tests/extract_wire.rs`), so both count the same way. Each sentence becomes one line of a
//! document (tokens joined by single spaces, as the wire corpora are written); a file with
//! `-DOCSTART-` lines has one document per such line (so one sense per document works as in a
//! real article), else 50 sentences make a document. A predicted mention counts when its
//! code-point span and kind equal a gold PER / ORG / LOC span (entity-level exact match, the
//! CoNLL measure); MISC is not scored.

use super::{EntityKind, Extractor, Input};

/// The kinds scored, in the order of [`Counts::per_kind`].
pub const KINDS: [EntityKind; 3] = [
    EntityKind::Person,
    EntityKind::Organisation,
    EntityKind::Place,
];

/// One document with its gold spans (code-point start, end, kind).
#[derive(Debug, Clone, Default)]
pub struct GoldDoc {
    pub text: String,
    pub gold: Vec<(usize, usize, EntityKind)>,
}

/// True positives, predicted and gold mentions per kind (see [`KINDS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Counts {
    pub per_kind: [(usize, usize, usize); 3],
}

impl Counts {
    /// Adds another count.
    pub fn add(&mut self, o: &Counts) {
        for (a, b) in self.per_kind.iter_mut().zip(&o.per_kind) {
            *a = (a.0 + b.0, a.1 + b.1, a.2 + b.2);
        }
    }

    /// All kinds together.
    pub fn total(&self) -> (usize, usize, usize) {
        self.per_kind
            .iter()
            .fold((0, 0, 0), |a, x| (a.0 + x.0, a.1 + x.1, a.2 + x.2))
    }

    /// Precision, recall and F1 of one kind (`None`: all kinds).
    pub fn prf(&self, kind: Option<EntityKind>) -> (f64, f64, f64) {
        let (tp, p, g) = match kind.and_then(|k| KINDS.iter().position(|x| *x == k)) {
            Some(i) => self.per_kind[i],
            None => self.total(),
        };
        let pr = tp as f64 / p.max(1) as f64;
        let rc = tp as f64 / g.max(1) as f64;
        (pr, rc, 2.0 * pr * rc / (pr + rc).max(1e-9))
    }
}

/// Reads a `token<TAB>tag` file into documents. `upper` > 0 writes every `upper`-th sentence
/// in capitals (as headlines are), to measure text in capitals.
pub fn parse_iob(text: &str, upper: usize) -> Vec<GoldDoc> {
    type Sent = Vec<(String, String)>;
    let mut docs: Vec<Vec<Sent>> = Vec::new();
    let mut sent: Sent = Vec::new();
    let mut doc: Vec<Sent> = Vec::new();
    let mut marked = false;
    for line in text.lines() {
        if line.starts_with("-DOCSTART-") {
            marked = true;
            if !sent.is_empty() {
                doc.push(std::mem::take(&mut sent));
            }
            if !doc.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        match line.split_once('\t') {
            Some((w, t)) => sent.push((w.to_string(), t.trim().to_string())),
            None if !sent.is_empty() => doc.push(std::mem::take(&mut sent)),
            None => {}
        }
    }
    if !sent.is_empty() {
        doc.push(sent);
    }
    if !doc.is_empty() {
        docs.push(doc);
    }
    if !marked {
        let all: Vec<Sent> = docs.into_iter().flatten().collect();
        docs = all.chunks(50).map(|c| c.to_vec()).collect();
    }
    if upper > 0 {
        for s in docs.iter_mut().flatten().step_by(upper) {
            for (w, _) in s.iter_mut() {
                *w = w.to_uppercase();
            }
        }
    }
    docs.iter().map(|d| build_doc(d)).collect()
}

/// Joins a document's sentences into text and turns IOB2 tags into spans.
fn build_doc(sents: &[Vec<(String, String)>]) -> GoldDoc {
    let mut out = GoldDoc::default();
    let mut pos = 0usize;
    for s in sents {
        let mut open: Option<(usize, usize, EntityKind)> = None;
        for (i, (w, t)) in s.iter().enumerate() {
            if i > 0 {
                out.text.push(' ');
                pos += 1;
            }
            let start = pos;
            out.text.push_str(w);
            pos += w.chars().count();
            let kind = match t.get(2..) {
                Some("PER") => Some(EntityKind::Person),
                Some("ORG") => Some(EntityKind::Organisation),
                Some("LOC") => Some(EntityKind::Place),
                _ => None,
            };
            if t.starts_with("I-") && kind.is_some() && open.is_some_and(|o| Some(o.2) == kind) {
                if let Some(o) = open.as_mut() {
                    o.1 = pos;
                }
                continue;
            }
            out.gold.extend(open.take());
            open = kind.map(|k| (start, pos, k));
        }
        out.gold.extend(open.take());
        out.text.push('\n');
        pos += 1;
    }
    out
}

/// Extracts one document and counts it; when `errors` is given, every false positive
/// (`FP kind "text"`) and false negative (`FN ...`) is appended to it.
pub fn score_doc(x: &Extractor, doc: &GoldDoc, mut errors: Option<&mut Vec<String>>) -> Counts {
    let out = x.extract(&Input {
        text: &doc.text,
        ..Default::default()
    });
    let idx = |k: EntityKind| KINDS.iter().position(|x| *x == k).unwrap_or(0);
    let mut c = Counts::default();
    for m in &out.mentions {
        let i = idx(m.kind);
        c.per_kind[i].1 += 1;
        if doc.gold.contains(&(m.start, m.end, m.kind)) {
            c.per_kind[i].0 += 1;
        } else if let Some(e) = errors.as_deref_mut() {
            e.push(format!("FP {:?} {:?}", m.kind, m.text));
        }
    }
    for g in &doc.gold {
        c.per_kind[idx(g.2)].2 += 1;
        if let Some(e) = errors.as_deref_mut()
            && !out
                .mentions
                .iter()
                .any(|m| (m.start, m.end, m.kind) == (g.0, g.1, g.2))
        {
            let text: String = doc.text.chars().skip(g.0).take(g.1 - g.0).collect();
            e.push(format!("FN {:?} {:?}", g.2, text));
        }
    }
    c
}

/// Scores every document.
pub fn score_docs(x: &Extractor, docs: &[GoldDoc], mut errors: Option<&mut Vec<String>>) -> Counts {
    let mut c = Counts::default();
    for d in docs {
        c.add(&score_doc(x, d, errors.as_deref_mut()));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_at_docstart_and_spans_follow_iob2() {
        let f = "-DOCSTART-\tO\n\nJohn\tB-PER\nSmith\tI-PER\nof\tO\nAcme\tB-ORG\nCorp\tI-ORG\n\n\
                 Paris\tB-LOC\nParis\tB-LOC\nX\tI-PER\n\n-DOCSTART-\tO\n\nOslo\tB-LOC\n";
        let docs = parse_iob(f, 0);
        assert_eq!(docs.len(), 2, "{docs:?}");
        assert_eq!(docs[0].text, "John Smith of Acme Corp\nParis Paris X\n");
        let spans: Vec<String> = docs[0]
            .gold
            .iter()
            .map(|g| docs[0].text.chars().skip(g.0).take(g.1 - g.0).collect())
            .collect();
        // Two B- in a row are two entities; an I- of another type opens a new one.
        assert_eq!(spans, ["John Smith", "Acme Corp", "Paris", "Paris", "X"]);
        assert_eq!(docs[0].gold[4].2, EntityKind::Person);
        assert_eq!(docs[1].text, "Oslo\n");
    }

    #[test]
    fn without_docstart_fifty_sentences_make_a_document_and_upper_writes_capitals() {
        let f: String = (0..120).map(|i| format!("w{i}\tO\n\n")).collect();
        let docs = parse_iob(&f, 2);
        assert_eq!(docs.len(), 3);
        assert!(docs[0].text.starts_with("W0\nw1\nW2\n"), "{}", docs[0].text);
    }

    #[test]
    fn counts_give_precision_recall_f1() {
        let c = Counts {
            per_kind: [(1, 2, 4), (0, 0, 0), (1, 2, 0)],
        };
        let (p, r, f) = c.prf(None);
        assert_eq!((p, r), (0.5, 0.5));
        assert!((f - 0.5).abs() < 1e-9);
        assert_eq!(c.prf(Some(EntityKind::Organisation)), (0.0, 0.0, 0.0));
    }
}
