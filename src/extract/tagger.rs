//! Stage 3: the statistical tagger, a greedy averaged perceptron over hashed features.
//!
//! Each token gets one of nine IOB2 tags (PER, ORG, LOC, MISC). Features are word forms,
//! word shapes, affixes, the neighbouring words and shapes, the lexicon classes of the token
//! and its neighbours (given name, surname, place, demonym, title, organisation head noun…)
//! and the two previous tags. Features are never stored as strings: each is an FxHash of a
//! template number and its bytes, reduced to a table of `2^bits` rows of nine weights
//! (the "hashing trick"), so tagging allocates nothing per token.
//!
//! Why a perceptron and not a CRF: training takes a minute on two cores, decoding is one
//! left-to-right pass, and on the held-out news text it is within a point of a CRF with the
//! same features (docs/extraction.md has the figures). Why written by hand: no maintained crate
//! offers a small, dependency-free averaged perceptron with hashed features.
//!
//! The model file (`data/tagger.bin`) is `DSTAG001`, `bits: u32 LE`, `scale: f32 LE`, then
//! `9 * 2^bits` weights as `i16 LE` (weights quantised with `scale`). It is trained by
//! `cargo run --release --example train_tagger` from the corpora in `../shared/data/ner/`.

use super::lexicon::{class, hash_bytes};

/// The tag set, in model column order.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
pub const NT: usize = TAGS.len();
const MAGIC: &[u8; 8] = b"DSTAG001";

/// The tag index of a tag name (unknown tags read as O).
pub fn tag_index(s: &str) -> u8 {
    TAGS.iter().position(|t| *t == s).unwrap_or(0) as u8
}

/// Whether tag `t` may follow tag `prev` (an I- tag continues a span of its type).
pub fn allowed(prev: u8, t: u8) -> bool {
    if t == 0 || t % 2 == 1 {
        return true;
    }
    prev == t || prev + 1 == t
}

/// What the tagger sees of a token.
#[derive(Debug, Clone, Copy)]
pub struct Feat<'a> {
    /// The token as written.
    pub word: &'a str,
    /// Folded (lowercase, no diacritics).
    pub lower: &'a str,
    /// Lexicon class bits.
    pub class: u32,
    /// First word of its sentence.
    pub initial: bool,
    /// A handle, hashtag or URL (never part of an entity).
    pub special: bool,
}

/// A trained model.
#[derive(Clone)]
pub struct Model {
    bits: u32,
    scale: f32,
    w: Vec<i16>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Model {{ bits: {}, scale: {} }}", self.bits, self.scale)
    }
}

/// The shape of a word: X for capitals, x for small letters, d for digits, `a` for letters
/// without case, runs cut to two ("Aleppo" -> "Xxx", "McDonald" -> "XxXxx", "1,200" -> "d,dd").
fn shape(word: &str, out: &mut [u8; 12]) -> usize {
    let mut n = 0;
    let mut last = 0u8;
    let mut run = 0;
    for c in word.chars() {
        let s = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_ascii_digit() {
            b'd'
        } else if c.is_alphabetic() {
            b'a' // letters without case (Arabic, CJK)
        } else if c.is_ascii() {
            c as u8
        } else {
            b'*'
        };
        if s == last {
            run += 1;
            if run >= 2 {
                continue;
            }
        } else {
            run = 0;
            last = s;
        }
        if n == out.len() {
            break;
        }
        out[n] = s;
        n += 1;
    }
    n
}

#[inline]
fn h(t: u64, b: &[u8]) -> u64 {
    hash_bytes(t, b)
}

#[inline]
fn h2(t: u64, a: &[u8], b: &[u8]) -> u64 {
    hash_bytes(hash_bytes(t, a), b)
}

fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

fn suffix(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    if count <= n {
        return s;
    }
    match s.char_indices().nth(count - n) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

const BOS: &str = "<s>";
const EOS: &str = "</s>";

/// The features of token `i` that do not depend on tags, as hashes.
pub fn static_features(toks: &[Feat], i: usize, out: &mut Vec<u64>) {
    let t = &toks[i];
    let lw = |j: isize| -> &str {
        if j < 0 {
            BOS
        } else {
            toks.get(j as usize).map(|t| t.lower).unwrap_or(EOS)
        }
    };
    let mut sh = [0u8; 12];
    let n = shape(t.word, &mut sh);
    let sh = &sh[..n];
    let mut shp = [0u8; 12];
    let np = if i > 0 {
        shape(toks[i - 1].word, &mut shp)
    } else {
        0
    };
    let shp = &shp[..np];
    let mut shn = [0u8; 12];
    let nn = toks
        .get(i + 1)
        .map(|t| shape(t.word, &mut shn))
        .unwrap_or(0);
    let shn = &shn[..nn];
    let ii = i as isize;
    out.push(h(1, b""));
    if t.special {
        out.push(h(2, b"special"));
        return;
    }
    out.push(h(3, t.lower.as_bytes()));
    out.push(h(4, sh));
    out.push(h(5, prefix(t.lower, 2).as_bytes()));
    out.push(h(6, prefix(t.lower, 3).as_bytes()));
    out.push(h(7, suffix(t.lower, 2).as_bytes()));
    out.push(h(8, suffix(t.lower, 3).as_bytes()));
    out.push(h(9, suffix(t.lower, 4).as_bytes()));
    out.push(h(10, lw(ii - 1).as_bytes()));
    out.push(h(11, lw(ii + 1).as_bytes()));
    out.push(h(12, lw(ii - 2).as_bytes()));
    out.push(h(13, lw(ii + 2).as_bytes()));
    out.push(h(14, shp));
    out.push(h(15, shn));
    out.push(h2(16, sh, if t.initial { b"I" } else { b"-" }));
    out.push(h2(17, lw(ii - 1).as_bytes(), t.lower.as_bytes()));
    out.push(h2(18, t.lower.as_bytes(), lw(ii + 1).as_bytes()));
    out.push(h2(19, shp, h2(0, sh, shn).to_le_bytes().as_slice()));
    let clen = t.word.chars().count().min(8) as u8;
    out.push(h(20, &[clen]));
    for b in 0..class::COUNT {
        if t.class & (1 << b) != 0 {
            out.push(h(100 + b as u64, b""));
            out.push(h2(200 + b as u64, sh, b""));
        }
        if i > 0 && toks[i - 1].class & (1 << b) != 0 {
            out.push(h(300 + b as u64, b""));
        }
        if toks.get(i + 1).is_some_and(|t| t.class & (1 << b) != 0) {
            out.push(h(400 + b as u64, b""));
        }
    }
    let cap = t.word.chars().next().is_some_and(|c| c.is_uppercase());
    if cap && !t.initial && t.class == 0 {
        out.push(h(21, b"unknown-cap"));
    }
}

/// Features that depend on the previous two tags.
#[inline]
fn tag_features(t: &Feat, prev: u8, prev2: u8, out: &mut [u64; 4]) {
    out[0] = h(30, &[prev]);
    out[1] = h(31, &[prev2, prev]);
    out[2] = h2(32, &[prev], t.lower.as_bytes());
    let mut sh = [0u8; 12];
    let n = shape(t.word, &mut sh);
    out[3] = h2(33, &[prev], &sh[..n]);
}

impl Model {
    /// Reads a model file; `None` when the bytes are not one (the extractor then runs on
    /// rules and gazetteers alone).
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        if b.len() < 16 || &b[..8] != MAGIC {
            return None;
        }
        let bits = u32::from_le_bytes(b[8..12].try_into().ok()?);
        let scale = f32::from_le_bytes(b[12..16].try_into().ok()?);
        if !(8..=24).contains(&bits) {
            return None;
        }
        let n = (1usize << bits) * NT;
        let body = &b[16..];
        if body.len() != n * 2 {
            return None;
        }
        let w = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(Model { bits, scale, w })
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(16 + self.w.len() * 2);
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&self.bits.to_le_bytes());
        b.extend_from_slice(&self.scale.to_le_bytes());
        for w in &self.w {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    #[inline]
    fn row(&self, f: u64) -> usize {
        (f as usize & ((1usize << self.bits) - 1)) * NT
    }

    /// Tags a sentence. `feats` is scratch space reused across calls.
    pub fn tag(&self, toks: &[Feat], feats: &mut Vec<u64>, out: &mut Vec<u8>) {
        out.clear();
        let (mut prev, mut prev2) = (0u8, 0u8);
        let mut tf = [0u64; 4];
        for i in 0..toks.len() {
            feats.clear();
            static_features(toks, i, feats);
            if toks[i].special {
                out.push(0);
                prev2 = prev;
                prev = 0;
                continue;
            }
            tag_features(&toks[i], prev, prev2, &mut tf);
            let mut score = [0i32; NT];
            for &f in feats.iter().chain(tf.iter()) {
                let r = self.row(f);
                let w = &self.w[r..r + NT];
                for t in 0..NT {
                    score[t] += w[t] as i32;
                }
            }
            let mut best = 0u8;
            let mut bs = i32::MIN;
            for (t, &s) in score.iter().enumerate() {
                if allowed(prev, t as u8) && s > bs {
                    bs = s;
                    best = t as u8;
                }
            }
            out.push(best);
            prev2 = prev;
            prev = best;
        }
    }
}

/// Training: an averaged perceptron over the same features.
pub struct Trainer {
    bits: u32,
    w: Vec<f32>,
    acc: Vec<f32>,
    step: f32,
}

impl Trainer {
    pub fn new(bits: u32) -> Trainer {
        let n = (1usize << bits) * NT;
        Trainer {
            bits,
            w: vec![0.0; n],
            acc: vec![0.0; n],
            step: 1.0,
        }
    }

    #[inline]
    fn row(&self, f: u64) -> usize {
        (f as usize & ((1usize << self.bits) - 1)) * NT
    }

    /// One pass over a sentence with its gold tags and cached static features (one list per
    /// token). Returns the number of tokens tagged wrongly.
    pub fn learn(&mut self, toks: &[Feat], statics: &[Vec<u64>], gold: &[u8]) -> usize {
        let (mut prev, mut prev2) = (0u8, 0u8);
        let mut tf = [0u64; 4];
        let mut errors = 0;
        for i in 0..toks.len() {
            tag_features(&toks[i], prev, prev2, &mut tf);
            let mut score = [0f32; NT];
            for &f in statics[i].iter().chain(tf.iter()) {
                let r = self.row(f);
                for (t, s) in score.iter_mut().enumerate() {
                    *s += self.w[r + t];
                }
            }
            let mut best = 0u8;
            let mut bs = f32::MIN;
            for (t, &s) in score.iter().enumerate() {
                if allowed(prev, t as u8) && s > bs {
                    bs = s;
                    best = t as u8;
                }
            }
            let g = gold[i];
            if best != g {
                errors += 1;
                for &f in statics[i].iter().chain(tf.iter()) {
                    let r = self.row(f);
                    self.w[r + g as usize] += 1.0;
                    self.acc[r + g as usize] += self.step;
                    self.w[r + best as usize] -= 1.0;
                    self.acc[r + best as usize] -= self.step;
                }
            }
            self.step += 1.0;
            prev2 = prev;
            // Condition on the predicted history, as decoding will.
            prev = best;
        }
        errors
    }

    /// The averaged, quantised model.
    pub fn finish(&self) -> Model {
        let avg: Vec<f32> = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| w - a / self.step)
            .collect();
        let max = avg.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6);
        let scale = max / 32767.0;
        let w = avg
            .iter()
            .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        Model {
            bits: self.bits,
            scale,
            w,
        }
    }
}

/// Spans `(first, last_exclusive, type)` of an IOB2 tag sequence; type 0 PER, 1 ORG, 2 LOC, 3 MISC.
pub fn spans(tags: &[u8]) -> Vec<(usize, usize, u8)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tags.len() {
        let t = tags[i];
        if t != 0 {
            let ty = (t - 1) / 2;
            let mut j = i + 1;
            while j < tags.len() && tags[j] == 2 * ty + 2 {
                j += 1;
            }
            out.push((i, j, ty));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_collapse_runs() {
        let mut b = [0u8; 12];
        let n = shape("Aleppo", &mut b);
        assert_eq!(&b[..n], b"Xxx");
        let n = shape("U.S.", &mut b);
        assert_eq!(&b[..n], b"X.X.");
        let n = shape("1,200", &mut b);
        assert_eq!(&b[..n], b"d,dd");
    }

    #[test]
    fn spans_follow_iob2() {
        // B-PER I-PER O B-LOC B-LOC
        assert_eq!(
            spans(&[1, 2, 0, 5, 5]),
            vec![(0, 2, 0), (3, 4, 2), (4, 5, 2)]
        );
    }

    #[test]
    fn model_round_trips_and_rejects_garbage() {
        let t = Trainer::new(8);
        let m = t.finish();
        let b = m.to_bytes();
        assert!(Model::from_bytes(&b).is_some());
        assert!(Model::from_bytes(&b[..b.len() - 1]).is_none());
        assert!(Model::from_bytes(b"nonsense").is_none());
    }
}
