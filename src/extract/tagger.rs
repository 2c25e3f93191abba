//! Stage 3: the statistical tagger, a structured averaged perceptron with Viterbi decoding
//! over hashed features.
//!
//! Each token gets one of nine IOB2 tags (PER, ORG, LOC, MISC). Features are word forms,
//! word shapes, affixes, the words, shapes and suffixes up to two tokens away, the lexicon
//! classes of the token and its neighbours (given name, surname, place, demonym, title,
//! organisation head noun…), the run of capitalised words the token is in (its length, the
//! position in it, its first and last words and their classes, "of" after it), optional
//! groups named in the model file ([`features`]: the prefixes of the word's Brown cluster path,
//! [`super::clusters`], which place words the corpora never showed), and, scored per token,
//! the previous tag alone and with the word and its shape. A sentence is decoded by
//! Viterbi over those first-order transitions (an I- tag only continues its type). Features
//! are never stored as strings: each is a hash of a template number and per-token hashes,
//! reduced to a table of `2^bits` rows of nine weights (the "hashing trick"), so tagging
//! allocates nothing per token once the [`Scratch`] buffers have grown.
//!
//! Only tokens that can be inside a name are scored: capitalised tokens, tokens between
//! capitals ("of" in "Bank of England") and numbers after a capital. The others are O, in
//! training as in decoding (most tokens of news text; this is most of the tagger's speed).
//!
//! A sentence written in capitals (a headline, a dateline: [`shouting`]) is tagged in its
//! usual case ([`usual_case`]: how the rest of the document writes each word, else whether it
//! is a common lowercase word), since its capitals say nothing; the model is trained on
//! upper-cased copies of sentences read the same way. A [`Tagger`] tags a whole document;
//! it may hold a second-pass model that re-tags it knowing the first pass's tags of the same
//! word elsewhere ([`doc_tags`]); the shipped model has none (measured in docs/extraction.md).
//!
//! Why a perceptron and not a CRF: training takes seconds, decoding is one pass, and the
//! structured perceptron with Viterbi optimises the same kind of sequence score a CRF does
//! (docs/extraction.md has the figures). Why written by hand: no maintained crate offers a
//! small, dependency-free sequence perceptron with hashed features.
//!
//! The model file (`data/tagger.bin`) is `DSTAG003`, `bits: u32 LE`, `scale: f32 LE`,
//! `features: u32 LE` (the optional feature groups it was trained with, [`features`]: Brown
//! word clusters, [`super::clusters`]), then `9 * 2^bits` weights as `i16 LE` (weights
//! quantised with `scale`), optionally followed by a second-pass model in the same layout
//! under the magic `DSTAG3ND`. Version 2 files (`DSTAG002` / `DSTAG2ND`, no `features`
//! word) are read as models without optional features, and such a model is written that
//! way. It is trained by `cargo run --release --example train_tagger` from the corpora in
//! `../shared/data/ner/` (a structured perceptron with cost-augmented decoding, see
//! [`Trainer::margin`]).

use super::clusters::Clusters;
use super::lexicon::{class, hash_bytes};

/// The tag set, in model column order.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
pub const NT: usize = TAGS.len();
/// A model without a feature-set word (session 2-3 files: no cluster features).
const MAGIC_V2: &[u8; 8] = b"DSTAG002";
/// The magic of a second-pass model of that version, stored after the first in the same file.
const MAGIC2_V2: &[u8; 8] = b"DSTAG2ND";
/// A model whose header says which optional feature groups ([`features`]) it was trained with.
const MAGIC: &[u8; 8] = b"DSTAG003";
const MAGIC2: &[u8; 8] = b"DSTAG3ND";

/// Optional feature groups, a bit set stored in the model file: a model is tagged with the
/// features it was trained with.
pub mod features {
    /// Brown cluster path prefixes of the word ([`super::super::clusters`]), and whether it
    /// has a cluster at all.
    pub const CLUSTER: u32 = 1;
    /// Cluster prefixes of the words just before and after.
    pub const CLUSTER_NEXT: u32 = 2;
    /// The word's cluster with its shape.
    pub const CLUSTER_SHAPE: u32 = 4;
    /// The word's rarity band (or that it has no cluster) with its shape.
    pub const RARITY: u32 = 8;
    /// Every group that needs the cluster table.
    pub const ANY_CLUSTER: u32 = 15;
}

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
    /// How the same word is written elsewhere in the document ([`doc_case`]).
    pub doc: u8,
    /// Second pass only ([`Tagger`]): the first pass's tag of this token, and how it tagged
    /// the same word elsewhere in the document ([`doc_tags`]).
    pub prior: u8,
    pub doc_tag: u8,
}

/// Fills in [`Feat::prior`] and [`Feat::doc_tag`] from the first pass's tags of a document:
/// the token's own tag, and the type the first pass gave most often to the same (folded)
/// word elsewhere where it is capitalised (1 PER, 2 ORG, 3 LOC, 4 MISC; 5 only ever O; 0
/// not seen). A name is usually the same thing throughout a document, and the second pass
/// learns (from first-pass tags of text the first pass was not trained on) how far to trust
/// that. `counts(i)` says whether token `i` is evidence.
pub fn doc_tags(toks: &mut [Feat], tags: &[u8], counts: impl Fn(usize) -> bool) {
    let ty = |t: u8| if t == 0 { 0 } else { (t as usize - 1) / 2 + 1 };
    let capital = |t: &Feat| !t.special && t.word.chars().next().is_some_and(char::is_uppercase);
    let mut seen: rustc_hash::FxHashMap<&str, [u16; 5]> = Default::default();
    for (i, t) in toks.iter().enumerate() {
        if counts(i) && capital(t) {
            seen.entry(t.lower).or_default()[ty(tags[i])] += 1;
        }
    }
    let bits: Vec<u8> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // Only capitalised words are looked up (the others are rarely names, and this
            // keeps the second pass cheap).
            if !capital(t) {
                return 0;
            }
            let Some(&c) = seen.get(t.lower) else {
                return 0;
            };
            let mut c = c;
            if counts(i) {
                c[ty(tags[i])] -= 1;
            }
            let mut best = 0;
            for k in 1..5 {
                if c[k] > 0 && (best == 0 || c[k] > c[best]) {
                    best = k;
                }
            }
            if best > 0 {
                best as u8
            } else if c[0] > 0 {
                5
            } else {
                0
            }
        })
        .collect();
    for ((t, b), &p) in toks.iter_mut().zip(bits).zip(tags) {
        t.doc_tag = b;
        t.prior = p;
    }
}

/// Bits of [`Feat::doc`]: the word is written elsewhere in the document in small letters /
/// with a capital (not counting the first word of a sentence, nor sentences in capitals).
pub const DOC_LOWER: u8 = 1;
pub const DOC_CAP: u8 = 2;

/// Fills in [`Feat::doc`] for the tokens of a document: whether the same (folded) word is
/// written elsewhere in it in small letters or with a capital. A word's case inside a sentence
/// is the best evidence of whether it is a name, and what is known of it elsewhere in the
/// document carries over to a sentence-initial word or a headline in capitals ("Residents" at
/// the start of a sentence, "residents" later). `counts(i)` says whether token `i` is
/// evidence (a word inside a sentence not written in capitals).
pub fn doc_case(toks: &mut [Feat], counts: impl Fn(usize) -> bool) {
    let mut seen: rustc_hash::FxHashMap<&str, (u32, u32)> = Default::default();
    let form = |t: &Feat| -> Option<bool> {
        if t.special || t.initial || !t.word.chars().any(char::is_alphabetic) {
            return None;
        }
        Some(t.word.chars().next().is_some_and(char::is_uppercase))
    };
    for (i, t) in toks.iter().enumerate() {
        if let (true, Some(cap)) = (counts(i), form(t)) {
            let e = seen.entry(t.lower).or_default();
            if cap {
                e.1 += 1;
            } else {
                e.0 += 1;
            }
        }
    }
    let bits: Vec<u8> = toks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let Some(&(mut low, mut cap)) = seen.get(t.lower) else {
                return 0;
            };
            // Elsewhere: the token's own occurrence is not evidence about itself.
            if let (true, Some(c)) = (counts(i), form(t)) {
                if c {
                    cap -= 1;
                } else {
                    low -= 1;
                }
            }
            (if low > 0 { DOC_LOWER } else { 0 }) | (if cap > 0 { DOC_CAP } else { 0 })
        })
        .collect();
    for (t, b) in toks.iter_mut().zip(bits) {
        t.doc = b;
    }
}

/// Whether a sentence is written in capitals (a headline, "SOCCER - LEEDS BEAT CHELSEA", or
/// a dateline, "LONDON 1996-08-30"): at least seven in ten of its words of two letters or
/// more have no small letter, and it is more than one short word ("UN" alone is an acronym).
/// Capitals then say nothing about names, so such a sentence is tagged in its usual case
/// ([`usual_case`]).
pub fn shouting<'a>(words: impl IntoIterator<Item = &'a str>) -> bool {
    let (mut upper, mut all, mut longest) = (0usize, 0usize, 0usize);
    for w in words {
        let letters = w.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2 {
            continue;
        }
        all += 1;
        if !w.chars().any(char::is_lowercase) {
            upper += 1;
            longest = longest.max(letters);
        }
    }
    upper > 0 && upper * 10 >= all * 7 && (all > 1 || longest > 3)
}

/// Whether a word of a [`shouting`] sentence is usually written with a capital: yes when the
/// document writes it so elsewhere, not when it writes it in small letters, nor when it is a
/// common lowercase word of English text (`class::COMMON`: "beat", "the", "says"), nor when
/// it has no letter.
pub fn usually_capitalised(word: &str, class: u32, doc: u8) -> bool {
    if doc & DOC_CAP != 0 {
        return true;
    }
    doc & DOC_LOWER == 0 && class & class::COMMON == 0 && word.chars().any(char::is_alphabetic)
}

/// The words of a [`shouting`] sentence in their usual case ("LEEDS" -> "Leeds", "BEAT" ->
/// "beat"); abbreviations with a period ("U.S.") and one-letter words stay as written. `None`
/// when the sentence is not shouting (it is tagged as written).
pub fn usual_case(toks: &[Feat]) -> Option<Vec<String>> {
    if !shouting(toks.iter().filter(|t| !t.special).map(|t| t.word)) {
        return None;
    }
    Some(
        toks.iter()
            .map(|t| {
                let letters = t.word.chars().filter(|c| c.is_alphabetic()).count();
                if t.special || letters < 2 || t.word.contains('.') {
                    t.word.to_string()
                } else if usually_capitalised(t.word, t.class, t.doc) {
                    let mut out = String::with_capacity(t.word.len());
                    let mut first = true;
                    for c in t.word.chars() {
                        if first && c.is_alphabetic() {
                            out.extend(c.to_uppercase());
                            first = false;
                        } else {
                            out.extend(c.to_lowercase());
                        }
                    }
                    out
                } else {
                    t.word.to_lowercase()
                }
            })
            .collect(),
    )
}

/// A trained model.
#[derive(Clone)]
pub struct Model {
    bits: u32,
    scale: f32,
    /// The optional feature groups it was trained with ([`features`]).
    features: u32,
    /// A second-pass model (its features include the first pass's tags).
    second: bool,
    w: Vec<i16>,
    /// The tag-to-tag transition weights, read once from the table.
    bigram: [[f32; NT]; NT],
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Model {{ bits: {}, scale: {}, features: {}, second: {} }}",
            self.bits, self.scale, self.features, self.second
        )
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

/// Per-token hashes computed once per sentence; features combine them by mixing, so no
/// string is hashed twice.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pre {
    lower: u64,
    shape: u64,
    p2: u64,
    p3: u64,
    s2: u64,
    s3: u64,
    s4: u64,
    len: u64,
    /// Starts with a capital letter.
    cap: bool,
    /// The Brown cluster path ([`Clusters`]), or [`NO_CLUSTER`].
    cl: u64,
    /// The rarity band of the cluster table (0-3), 4 without a cluster.
    band: u8,
}

/// [`Pre::cl`] of a word without a cluster (paths fit in 32 bits).
const NO_CLUSTER: u64 = 1 << 40;

const BOS: u64 = 0x1234_5678_9abc_def1;
const EOS: u64 = 0x0fed_cba9_8765_4321;

/// Mixes a template number with one or two values into a feature hash.
#[inline]
fn mix(t: u64, a: u64, b: u64) -> u64 {
    let mut x = t
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(a)
        .rotate_left(23)
        .wrapping_mul(0xff51_afd7_ed55_8ccd)
        ^ b;
    x ^= x >> 29;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 32)
}

/// The per-token hashes of a sentence, for a model with the optional feature groups `fs`
/// ([`features`]; the cluster table is read only when they need it).
pub fn precompute(toks: &[Feat], fs: u32, out: &mut Vec<Pre>) {
    precompute_where(toks, fs, out, |_| true, |_| true);
}

/// [`precompute`] for the tokens `need` selects (the others get zeros and must not be read);
/// the cluster is looked up only for those `cluster` also selects (the others read as
/// having none).
fn precompute_where(
    toks: &[Feat],
    fs: u32,
    out: &mut Vec<Pre>,
    need: impl Fn(usize) -> bool,
    cluster: impl Fn(usize) -> bool,
) {
    out.clear();
    let table = (fs & features::ANY_CLUSTER != 0).then(Clusters::shipped);
    for (i, t) in toks.iter().enumerate() {
        if !need(i) {
            out.push(Pre::default());
            continue;
        }
        let mut sh = [0u8; 12];
        let n = shape(t.word, &mut sh);
        let l = t.lower;
        let cluster = match table {
            Some(c) if !t.special && cluster(i) => c.lookup(t.word, l),
            _ => None,
        };
        out.push(Pre {
            lower: h(3, l.as_bytes()),
            shape: h(4, &sh[..n]),
            p2: h(5, prefix(l, 2).as_bytes()),
            p3: h(6, prefix(l, 3).as_bytes()),
            s2: h(7, suffix(l, 2).as_bytes()),
            s3: h(8, suffix(l, 3).as_bytes()),
            s4: h(9, suffix(l, 4).as_bytes()),
            len: t.word.chars().count().min(8) as u64,
            cap: !t.special && t.word.chars().next().is_some_and(char::is_uppercase),
            cl: cluster.map_or(NO_CLUSTER, |c| u64::from(c.path)),
            band: cluster.map_or(4, |c| c.band),
        });
    }
}

/// The features of token `i` that do not depend on tags, as hashes, with the optional groups
/// `fs` ([`features`]); `second`: with those of the second pass (the first pass's tags, see
/// [`doc_tags`]).
pub fn static_features(
    toks: &[Feat],
    pre: &[Pre],
    i: usize,
    second: bool,
    fs: u32,
    out: &mut Vec<u64>,
) {
    let t = &toks[i];
    if second {
        let pp = if i > 0 { toks[i - 1].prior } else { 9 };
        let pn = toks.get(i + 1).map_or(9, |t| t.prior);
        out.push(mix(80, t.prior as u64, 0));
        out.push(mix(81, t.doc_tag as u64, 0));
        out.push(mix(82, t.doc_tag as u64, t.prior as u64));
        out.push(mix(83, pp as u64, pn as u64));
    }
    let p = &pre[i];
    let lw = |j: isize| -> u64 {
        if j < 0 {
            BOS
        } else {
            pre.get(j as usize).map(|p| p.lower).unwrap_or(EOS)
        }
    };
    let shp = if i > 0 { pre[i - 1].shape } else { BOS };
    let shn = pre.get(i + 1).map(|p| p.shape).unwrap_or(EOS);
    let ii = i as isize;
    out.push(mix(1, 0, 0));
    if t.special {
        out.push(mix(2, 0, 0));
        return;
    }
    out.push(p.lower);
    out.push(p.shape);
    out.push(p.p2);
    out.push(p.p3);
    out.push(p.s2);
    out.push(p.s3);
    out.push(p.s4);
    out.push(mix(10, lw(ii - 1), 0));
    out.push(mix(11, lw(ii + 1), 0));
    out.push(mix(12, lw(ii - 2), 0));
    out.push(mix(13, lw(ii + 2), 0));
    out.push(mix(14, shp, 0));
    out.push(mix(15, shn, 0));
    out.push(mix(16, p.shape, t.initial as u64));
    out.push(mix(17, lw(ii - 1), p.lower));
    out.push(mix(18, p.lower, lw(ii + 1)));
    out.push(mix(19, shp, mix(0, p.shape, shn)));
    out.push(mix(20, p.len, 0));
    let mut bits = t.class & ((1 << class::COUNT) - 1);
    while bits != 0 {
        let b = bits.trailing_zeros() as u64;
        bits &= bits - 1;
        out.push(mix(100 + b, 0, 0));
        out.push(mix(200 + b, p.shape, 0));
    }
    if i > 0 {
        let mut bits = toks[i - 1].class & ((1 << class::COUNT) - 1);
        while bits != 0 {
            let b = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            out.push(mix(300 + b, 0, 0));
        }
    }
    if let Some(n) = toks.get(i + 1) {
        let mut bits = n.class & ((1 << class::COUNT) - 1);
        while bits != 0 {
            let b = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            out.push(mix(400 + b, 0, 0));
        }
    }
    let cap = t.word.chars().next().is_some_and(|c| c.is_uppercase());
    if cap && !t.initial && t.class & ((1 << class::COUNT) - 1) == 0 {
        out.push(mix(21, 0, 0));
    }
    let bits_of = |j: usize| {
        toks.get(j)
            .map_or(0, |t| t.class & ((1 << class::COUNT) - 1))
    };
    // The word classes two tokens away ("Minister of Foreign Affairs Sergei").
    for (base, j) in [(500u64, i.wrapping_sub(2)), (600, i + 2)] {
        let mut bits = bits_of(j);
        while bits != 0 {
            let b = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            out.push(mix(base + b, 0, 0));
        }
    }
    if p.cap {
        // The run of capitalised words this one is in: its length, the position in it, and
        // its first and last words and their classes (an organisation ends in "Council",
        // "Inc." or "FC"; a person starts with a given name).
        let mut a = i;
        while a > 0 && pre[a - 1].cap {
            a -= 1;
        }
        let mut b = i + 1;
        while b < pre.len() && pre[b].cap {
            b += 1;
        }
        let pos = if b - a == 1 {
            3
        } else if i == a {
            0
        } else if i + 1 == b {
            2
        } else {
            1
        };
        out.push(mix(40, (b - a).min(4) as u64, pos));
        out.push(mix(41, pre[b - 1].lower, pos));
        out.push(mix(42, pre[a].lower, pos));
        let mut bits = bits_of(b - 1);
        while bits != 0 {
            let c = bits.trailing_zeros() as u64;
            bits &= bits - 1;
            out.push(mix(700 + c, pos, 0));
        }
        // "Bank of England", "University of Lagos": the run continues over "of".
        let of = h(3, b"of");
        if b + 1 < pre.len() && pre[b].lower == of && pre[b + 1].cap {
            out.push(mix(43, pos, 0));
        }
        if a >= 2 && pre[a - 1].lower == of && pre[a - 2].cap {
            out.push(mix(44, pos, 0));
        }
    }
    // Neighbours' suffixes, the word at the sentence start, word and shape pairs.
    let sp = if i > 0 { pre[i - 1].s3 } else { BOS };
    let sn = pre.get(i + 1).map_or(EOS, |p| p.s3);
    out.push(mix(50, sp, 0));
    out.push(mix(51, sn, 0));
    out.push(mix(52, p.lower, t.initial as u64));
    out.push(mix(53, lw(ii - 1), p.shape));
    out.push(mix(54, p.lower, shn));
    out.push(mix(55, p.shape, p.len));
    // A word usually written in small letters ("The", "Will" at the start of a sentence).
    if t.class & class::COMMON != 0 {
        out.push(mix(56, p.shape, t.initial as u64));
    }
    if fs & features::ANY_CLUSTER != 0 {
        cluster_features(pre, i, fs, out);
    }
}

/// A prefix of `k` branches of a cluster path ([`NO_CLUSTER`] stays itself).
#[inline]
fn cl_prefix(cl: u64, k: u32) -> u64 {
    if cl == NO_CLUSTER {
        cl
    } else {
        cl & ((1 << k) - 1)
    }
}

/// The cluster features of token `i` ([`features`]): what a large unlabelled text says of
/// words the training corpora never showed (a club's or a firm's name shares its cluster with
/// other clubs and firms).
fn cluster_features(pre: &[Pre], i: usize, fs: u32, out: &mut Vec<u64>) {
    let p = &pre[i];
    if fs & features::CLUSTER != 0 {
        if p.cl == NO_CLUSTER {
            out.push(mix(60, 0, 0));
        } else {
            // Coarse to fine: a few big classes, then the cluster itself (the data's
            // paths are at most 18 long). Other sets of lengths measured the same.
            for (k, len) in [4u32, 6, 10, 32].into_iter().enumerate() {
                out.push(mix(61 + k as u64, cl_prefix(p.cl, len), 0));
            }
        }
    }
    let cl_at = |j: isize| -> u64 {
        if j < 0 {
            BOS
        } else {
            pre.get(j as usize).map_or(EOS, |p| p.cl)
        }
    };
    if fs & features::CLUSTER_NEXT != 0 {
        let (a, b) = (cl_at(i as isize - 1), cl_at(i as isize + 1));
        out.push(mix(70, cl_prefix(a, 6), 0));
        out.push(mix(71, cl_prefix(b, 6), 0));
        out.push(mix(72, a, 0));
        out.push(mix(73, b, 0));
    }
    if fs & features::CLUSTER_SHAPE != 0 {
        out.push(mix(76, p.cl, p.shape));
    }
    if fs & features::RARITY != 0 {
        out.push(mix(77, p.band as u64, p.shape));
    }
}

/// Features conjoining the previous tag with the token (the transition is scored per token,
/// so a capitalised word after a person's first name leans to I-PER).
#[inline]
fn trans_features(p: &Pre, prev: u8) -> [u64; 2] {
    [mix(32, prev as u64, p.lower), mix(33, prev as u64, p.shape)]
}

/// The plain tag-to-tag transition feature (the same for every token).
#[inline]
fn bigram_feature(prev: u8) -> u64 {
    mix(30, prev as u64, 0)
}

/// Which tokens the tagger scores: names are written with capitals, so a token that is not
/// capitalised nor between capitals (nor a number after one), or a handle / hashtag / URL, is
/// O without scoring (most tokens of news text; this is most of the tagger's speed). Training
/// uses the same mask, so the model never learns to rely on scoring such tokens.
pub fn active(toks: &[Feat], out: &mut Vec<bool>) {
    // First the capitals, then in place whether each token is scored: a capitalised token,
    // a token with a capital within two tokens on both sides ("Bank of England", "Ursula von
    // der Leyen"), or a number within two tokens after one ("Apollo 11").
    out.clear();
    out.extend(
        toks.iter()
            .map(|t| !t.special && t.word.chars().any(char::is_uppercase)),
    );
    let (mut c2, mut c1) = (false, false);
    for i in 0..out.len() {
        let c0 = out[i];
        let t = &toks[i];
        let before = c1 || c2;
        let after =
            out.get(i + 1).copied().unwrap_or(false) || out.get(i + 2).copied().unwrap_or(false);
        out[i] = !t.special
            && (c0 || before && (after || t.word.starts_with(|c: char| c.is_ascii_digit())));
        (c2, c1) = (c1, c0);
    }
}

/// Reused buffers for tagging (nothing is allocated per sentence once they have grown).
#[derive(Debug, Default)]
pub struct Scratch {
    pre: Vec<Pre>,
    feats: Vec<u64>,
    active: Vec<bool>,
    em: Vec<[f32; NT]>,
    tr: Vec<[[f32; NT]; NT]>,
    back: Vec<[u8; NT]>,
}

/// Viterbi over one run of scored tokens: `em[i][t]` is the score of tag `t` at token `i`,
/// `tr[i][p][t]` the score of moving from `p` to `t` into token `i`. The run starts after an
/// O (or the sentence start) and may end in any tag. Writes the best path to `out`.
fn viterbi(em: &[[f32; NT]], tr: &[[[f32; NT]; NT]], back: &mut Vec<[u8; NT]>, out: &mut [u8]) {
    let n = em.len();
    if n == 0 {
        return;
    }
    back.clear();
    back.resize(n, [0; NT]);
    let mut delta = [f32::NEG_INFINITY; NT];
    for t in 0..NT {
        if allowed(0, t as u8) {
            delta[t] = em[0][t] + tr[0][0][t];
        }
    }
    for i in 1..n {
        let mut next = [f32::NEG_INFINITY; NT];
        for t in 0..NT {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            // O and B- tags may follow any tag; an I- tag only its B- or itself (the IOB2
            // constraint of [`allowed`], unrolled: this loop is the decoder's inner loop).
            let from = if t == 0 || t % 2 == 1 { 0 } else { t - 1 };
            let to = if t == 0 || t % 2 == 1 { NT } else { t + 1 };
            for p in from..to {
                let s = delta[p] + tr[i][p][t];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            next[t] = best + em[i][t];
            back[i][t] = arg;
        }
        delta = next;
    }
    let mut t = 0u8;
    let mut best = f32::NEG_INFINITY;
    for (k, &d) in delta.iter().enumerate() {
        if d > best {
            best = d;
            t = k as u8;
        }
    }
    for i in (0..n).rev() {
        out[i] = t;
        t = back[i][t as usize];
    }
}

/// Runs of consecutive active tokens, as `(start, end_exclusive)`.
fn runs(active: &[bool]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < active.len() && !active[i] {
            i += 1;
        }
        if i >= active.len() {
            return None;
        }
        let a = i;
        while i < active.len() && active[i] {
            i += 1;
        }
        Some((a, i))
    })
}

impl Model {
    /// Reads one model from the start of `b`: the model and the bytes it took; `None` when
    /// the bytes are not one.
    fn parse(b: &[u8]) -> Option<(Model, usize)> {
        let (second, v3) = match b.get(..8)? {
            m if m == MAGIC => (false, true),
            m if m == MAGIC2 => (true, true),
            m if m == MAGIC_V2 => (false, false),
            m if m == MAGIC2_V2 => (true, false),
            _ => return None,
        };
        let bits = u32::from_le_bytes(b.get(8..12)?.try_into().ok()?);
        let scale = f32::from_le_bytes(b.get(12..16)?.try_into().ok()?);
        let (fs, head) = if v3 {
            (u32::from_le_bytes(b.get(16..20)?.try_into().ok()?), 20)
        } else {
            (0, 16)
        };
        if !(8..=24).contains(&bits) || fs & !features::ANY_CLUSTER != 0 {
            return None;
        }
        let n = (1usize << bits) * NT;
        let body = b.get(head..head + n * 2)?;
        let w = body
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some((Model::build(bits, scale, fs, second, w), head + n * 2))
    }

    /// Reads a model file holding exactly one model; `None` when the bytes are not one.
    pub fn from_bytes(b: &[u8]) -> Option<Model> {
        match Model::parse(b)? {
            (m, n) if n == b.len() => Some(m),
            _ => None,
        }
    }

    /// A model from its weights (the transition table is read from them once).
    fn build(bits: u32, scale: f32, fs: u32, second: bool, w: Vec<i16>) -> Model {
        if fs & features::ANY_CLUSTER != 0 {
            // Parse the cluster table now, while the extractor is built, not in the first
            // document.
            Clusters::shipped();
        }
        let mut m = Model {
            bits,
            scale,
            features: fs,
            second,
            w,
            bigram: [[0.0; NT]; NT],
        };
        m.bigram = std::array::from_fn(|p| {
            let r = m.row(bigram_feature(p as u8));
            std::array::from_fn(|t| m.w[r + t] as f32)
        });
        m
    }

    /// The model's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(20 + self.w.len() * 2);
        // A model without optional features is written as version 2, which every reader of
        // that version takes.
        let v3 = self.features != 0;
        b.extend_from_slice(match (self.second, v3) {
            (false, true) => MAGIC,
            (true, true) => MAGIC2,
            (false, false) => MAGIC_V2,
            (true, false) => MAGIC2_V2,
        });
        b.extend_from_slice(&self.bits.to_le_bytes());
        b.extend_from_slice(&self.scale.to_le_bytes());
        if v3 {
            b.extend_from_slice(&self.features.to_le_bytes());
        }
        for w in &self.w {
            b.extend_from_slice(&w.to_le_bytes());
        }
        b
    }

    #[inline]
    fn row(&self, f: u64) -> usize {
        (f as usize & ((1usize << self.bits) - 1)) * NT
    }

    #[inline]
    fn add_row(&self, f: u64, score: &mut [i32; NT]) {
        let r = self.row(f);
        let w = &self.w[r..r + NT];
        for t in 0..NT {
            score[t] += w[t] as i32;
        }
    }

    /// Tags a sentence (IOB2 tag indexes into `out`); a sentence in capitals is tagged in its
    /// usual case ([`usual_case`]; only such sentences allocate).
    pub fn tag(&self, toks: &[Feat], sc: &mut Scratch, out: &mut Vec<u8>) {
        match usual_case(toks) {
            None => self.tag_as_written(toks, sc, out),
            Some(words) => {
                let recased: Vec<Feat> = toks
                    .iter()
                    .zip(&words)
                    .map(|(t, w)| Feat { word: w, ..*t })
                    .collect();
                self.tag_as_written(&recased, sc, out)
            }
        }
    }

    fn tag_as_written(&self, toks: &[Feat], sc: &mut Scratch, out: &mut Vec<u8>) {
        out.clear();
        out.resize(toks.len(), 0);
        active(toks, &mut sc.active);
        let act = &sc.active;
        // Features of a scored token read hashes up to two tokens away, and clusters of its
        // own (a hash-map probe each) or, with `CLUSTER_NEXT`, also of the tokens beside it.
        let near =
            |i: usize, d: usize| (i.saturating_sub(d)..(i + d + 1).min(act.len())).any(|j| act[j]);
        let cl_reach = usize::from(self.features & features::CLUSTER_NEXT != 0);
        precompute_where(
            toks,
            self.features,
            &mut sc.pre,
            |i| near(i, 2),
            |i| near(i, cl_reach),
        );
        for (a, b) in runs(&sc.active) {
            sc.em.clear();
            sc.tr.clear();
            for i in a..b {
                sc.feats.clear();
                static_features(toks, &sc.pre, i, self.second, self.features, &mut sc.feats);
                let mut score = [0i32; NT];
                for &f in &sc.feats {
                    self.add_row(f, &mut score);
                }
                sc.em.push(score.map(|s| s as f32));
                let mut tr = self.bigram;
                for (p, row) in tr.iter_mut().enumerate() {
                    let mut s = [0i32; NT];
                    for f in trans_features(&sc.pre[i], p as u8) {
                        self.add_row(f, &mut s);
                    }
                    for t in 0..NT {
                        row[t] += s[t] as f32;
                    }
                }
                sc.tr.push(tr);
            }
            viterbi(&sc.em, &sc.tr, &mut sc.back, &mut out[a..b]);
        }
    }
}

/// The tagger of a document: a first model tags each sentence alone; a second model, when
/// there is one, tags them again knowing the first pass's tags of the whole document
/// ([`doc_tags`]). The model file is the first model's bytes followed by the second's.
#[derive(Debug, Clone)]
pub struct Tagger {
    pub first: Model,
    pub second: Option<Model>,
}

impl Tagger {
    /// Reads a model file; `None` when the bytes are not one (the extractor then runs on
    /// rules and gazetteers alone).
    pub fn from_bytes(b: &[u8]) -> Option<Tagger> {
        let (first, n) = Model::parse(b)?;
        if first.second {
            return None;
        }
        if n == b.len() {
            return Some(Tagger {
                first,
                second: None,
            });
        }
        match Model::parse(&b[n..])? {
            (second, m) if second.second && n + m == b.len() => Some(Tagger {
                first,
                second: Some(second),
            }),
            _ => None,
        }
    }

    /// The model file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = self.first.to_bytes();
        if let Some(s) = &self.second {
            b.extend(s.to_bytes());
        }
        b
    }

    /// Tags the sentences `sents` (token ranges into `toks`, the tokens of one document);
    /// IOB2 tag indexes go to `out` (one per token; tokens outside the sentences are left
    /// alone). Fills in the second-pass fields of `toks`.
    pub fn tag_document(
        &self,
        toks: &mut [Feat],
        sents: &[(usize, usize)],
        sc: &mut Scratch,
        out: &mut [u8],
    ) {
        let mut tags = Vec::new();
        for &(a, b) in sents {
            self.first.tag(&toks[a..b], sc, &mut tags);
            out[a..b].copy_from_slice(&tags);
        }
        let Some(second) = &self.second else {
            return;
        };
        let mut inside = vec![false; toks.len()];
        for &(a, b) in sents {
            inside[a..b].fill(true);
        }
        doc_tags(toks, out, |i| inside[i]);
        for &(a, b) in sents {
            second.tag(&toks[a..b], sc, &mut tags);
            out[a..b].copy_from_slice(&tags);
        }
    }
}

/// Training: a structured perceptron (Viterbi decoding, averaged weights) over the same
/// features.
pub struct Trainer {
    bits: u32,
    second: bool,
    /// Cost-augmented decoding: while learning, every wrong tag of a scored token gets this
    /// much more score, so an update happens until the gold path wins by a margin.
    pub margin: f32,
    /// The optional feature groups ([`features`]) the static features were computed with
    /// (written into the model's header).
    pub features: u32,
    w: Vec<f32>,
    acc: Vec<f32>,
    step: f32,
    em: Vec<[f32; NT]>,
    tr: Vec<[[f32; NT]; NT]>,
    back: Vec<[u8; NT]>,
}

impl Trainer {
    /// A trainer for a first-pass model, or (`second`) a second-pass one.
    pub fn new(bits: u32, second: bool) -> Trainer {
        let n = (1usize << bits) * NT;
        Trainer {
            bits,
            second,
            margin: 0.0,
            features: 0,
            w: vec![0.0; n],
            acc: vec![0.0; n],
            step: 1.0,
            em: Vec::new(),
            tr: Vec::new(),
            back: Vec::new(),
        }
    }

    #[inline]
    fn row(&self, f: u64) -> usize {
        (f as usize & ((1usize << self.bits) - 1)) * NT
    }

    #[inline]
    fn update(&mut self, f: u64, t: u8, d: f32) {
        let r = self.row(f) + t as usize;
        self.w[r] += d;
        self.acc[r] += d * self.step;
    }

    /// One pass over a sentence with its gold tags, cached static features (one list per
    /// token) and the active mask (see [`active`]). Returns the number of tokens tagged
    /// wrongly.
    pub fn learn(&mut self, pre: &[Pre], statics: &[Vec<u64>], act: &[bool], gold: &[u8]) -> usize {
        let n = pre.len();
        // The gold path as the decoder can produce it: inactive tokens are O, and an I- tag
        // after an O starts its span.
        let mut g: Vec<u8> = (0..n).map(|i| if act[i] { gold[i] } else { 0 }).collect();
        for i in 0..n {
            let prev = if i > 0 { g[i - 1] } else { 0 };
            if !allowed(prev, g[i]) {
                g[i] -= 1;
            }
        }
        let mut pred = vec![0u8; n];
        for (a, b) in runs(act) {
            self.em.clear();
            self.tr.clear();
            for i in a..b {
                let mut score = [0f32; NT];
                for &f in &statics[i] {
                    let r = self.row(f);
                    for (t, s) in score.iter_mut().enumerate() {
                        *s += self.w[r + t];
                    }
                }
                if self.margin != 0.0 {
                    for (t, s) in score.iter_mut().enumerate() {
                        if t as u8 != g[i] {
                            *s += self.margin;
                        }
                    }
                }
                self.em.push(score);
                let mut tr = [[0f32; NT]; NT];
                for (p, row) in tr.iter_mut().enumerate() {
                    let fs = trans_features(&pre[i], p as u8);
                    for f in fs.into_iter().chain([bigram_feature(p as u8)]) {
                        let r = self.row(f);
                        for (t, s) in row.iter_mut().enumerate() {
                            *s += self.w[r + t];
                        }
                    }
                }
                self.tr.push(tr);
            }
            let (em, tr, mut back) = (
                std::mem::take(&mut self.em),
                std::mem::take(&mut self.tr),
                std::mem::take(&mut self.back),
            );
            viterbi(&em, &tr, &mut back, &mut pred[a..b]);
            (self.em, self.tr, self.back) = (em, tr, back);
        }
        let mut errors = 0;
        for i in 0..n {
            if !act[i] {
                continue;
            }
            let gp = if i > 0 { g[i - 1] } else { 0 };
            let pp = if i > 0 { pred[i - 1] } else { 0 };
            let (gt, pt) = (g[i], pred[i]);
            if gt != pt {
                errors += 1;
                for &f in &statics[i] {
                    self.update(f, gt, 1.0);
                    self.update(f, pt, -1.0);
                }
            }
            if gt != pt || gp != pp {
                for f in trans_features(&pre[i], gp)
                    .into_iter()
                    .chain([bigram_feature(gp)])
                {
                    self.update(f, gt, 1.0);
                }
                for f in trans_features(&pre[i], pp)
                    .into_iter()
                    .chain([bigram_feature(pp)])
                {
                    self.update(f, pt, -1.0);
                }
            }
        }
        self.step += 1.0;
        errors
    }

    /// The averaged, quantised model.
    pub fn finish(&self) -> Model {
        Model::quantised(self.bits, self.features, self.second, &self.averaged())
    }

    /// The averaged weights (several runs' can be averaged again before quantising).
    pub fn averaged(&self) -> Vec<f32> {
        self.w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| w - a / self.step)
            .collect()
    }
}

impl Model {
    /// A model from float weights (`2^bits * NT` of them), quantised to `i16`.
    pub fn quantised(bits: u32, fs: u32, second: bool, avg: &[f32]) -> Model {
        let max = avg.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-6);
        let scale = max / 32767.0;
        let w = avg
            .iter()
            .map(|w| (w / scale).round().clamp(-32767.0, 32767.0) as i16)
            .collect();
        Model::build(bits, scale, fs, second, w)
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
    fn viterbi_prefers_the_best_legal_path() {
        // Emissions alone would say O, I-PER (an I- tag after O is illegal); a transition
        // into I-PER from B-PER makes "B-PER I-PER" the best legal path.
        let mut em = [[0f32; NT]; 2];
        em[0][0] = 1.0;
        em[0][1] = 0.5;
        em[1][2] = 3.0;
        let mut tr = [[[0f32; NT]; NT]; 2];
        tr[1][1][2] = 1.0;
        let mut out = [9u8; 2];
        viterbi(&em, &tr, &mut Vec::new(), &mut out);
        assert_eq!(out, [1, 2], "B-PER I-PER expected");
        // Without the bonus still B-PER I-PER: 0.5 + 3.0 beats O followed by anything legal
        // (1.0 + 0.0), though O alone scores best at the first token.
        tr[1][1][2] = 0.0;
        viterbi(&em, &tr, &mut Vec::new(), &mut out);
        assert_eq!(out, [1, 2]);
        // And when I-PER is worth little, the legal path is O O.
        em[1][2] = 0.2;
        viterbi(&em, &tr, &mut Vec::new(), &mut out);
        assert_eq!(out, [0, 0]);
    }

    #[test]
    fn only_tokens_near_capitals_are_scored() {
        let words = [
            "the", "Bank", "of", "England", "said", "on", "2", "May", "1", "x",
        ];
        let toks: Vec<Feat> = words
            .iter()
            .map(|w| Feat {
                word: w,
                lower: w,
                class: 0,
                initial: false,
                special: false,
                doc: 0,
                prior: 0,
                doc_tag: 0,
            })
            .collect();
        let mut act = Vec::new();
        active(&toks, &mut act);
        assert_eq!(
            act,
            [
                false, true, true, true, false, true, false, true, true, false
            ],
            "capitals, tokens with a capital within two on both sides (\"of\", \"on\") and a \
             number just after a capital are scored"
        );
        let runs: Vec<(usize, usize)> = runs(&act).collect();
        assert_eq!(runs, [(1, 4), (5, 6), (7, 9)]);
    }

    fn feat<'a>(word: &'a str, lower: &'a str, class: u32) -> Feat<'a> {
        Feat {
            word,
            lower,
            class,
            initial: false,
            special: false,
            doc: 0,
            prior: 0,
            doc_tag: 0,
        }
    }

    #[test]
    fn cluster_features_place_unseen_words_with_known_ones() {
        // Two clubs of one Brown cluster share every cluster feature, so what the model
        // learnt of one carries over to the other; a word without a cluster gets one
        // "no cluster" feature instead of the prefixes.
        let feats_of = |word: &str, fs: u32| {
            let lower = word.to_lowercase();
            let toks = [feat("at", "at", 0), feat(word, &lower, 0)];
            let mut pre = Vec::new();
            precompute(&toks, fs, &mut pre);
            let mut out = Vec::new();
            static_features(&toks, &pre, 1, false, fs, &mut out);
            out
        };
        let (plain, chelsea) = (
            feats_of("Chelsea", 0),
            feats_of("Chelsea", features::CLUSTER),
        );
        assert_eq!(chelsea.len(), plain.len() + 4, "four prefixes of the path");
        let arsenal = feats_of("Arsenal", features::CLUSTER);
        assert_eq!(
            chelsea[plain.len()..],
            arsenal[plain.len()..],
            "one cluster, the same cluster features"
        );
        let unknown = feats_of("Qzxvbrt", features::CLUSTER);
        assert_eq!(
            unknown.len(),
            plain.len() + 1,
            "only the 'no cluster' feature"
        );
        assert_ne!(unknown[plain.len()], chelsea[plain.len()]);
    }

    #[test]
    fn shouting_sentences_are_read_in_their_usual_case() {
        assert!(shouting(["SOCCER", "-", "LEEDS", "BEAT", "CHELSEA", "."]));
        assert!(shouting(["LONDON", "1996-08-30"]), "a dateline");
        assert!(
            !shouting(["NATO", "said", "on", "Monday"]),
            "an acronym in a sentence"
        );
        assert!(!shouting(["UN"]), "one short word is an acronym");
        let common = class::COMMON;
        let toks = [
            feat("LEEDS", "leeds", class::CITY),
            feat("BEAT", "beat", common),
            feat("U.S.", "u.s.", 0),
            feat("RIVALS", "rivals", common),
        ];
        let words = usual_case(&toks).expect("a shouting sentence");
        assert_eq!(words, ["Leeds", "beat", "U.S.", "rivals"]);
        // The document's own usage wins over the common-word list.
        let mut toks = toks;
        toks[3].doc = DOC_CAP;
        toks[0].doc = DOC_LOWER;
        let words = usual_case(&toks).expect("a shouting sentence");
        assert_eq!(words, ["leeds", "beat", "U.S.", "Rivals"]);
        let quiet = [feat("Leeds", "leeds", 0), feat("beat", "beat", common)];
        assert!(
            usual_case(&quiet).is_none(),
            "a normal sentence is tagged as written"
        );
    }

    #[test]
    fn document_case_and_tags_count_other_occurrences_only() {
        let mut toks = [
            feat("Residents", "residents", 0),
            feat("said", "said", 0),
            feat("residents", "residents", 0),
            feat("Jordan", "jordan", 0),
            feat("Jordan", "jordan", 0),
            feat("Jordan", "jordan", 0),
        ];
        toks[0].initial = true;
        doc_case(&mut toks, |_| true);
        assert_eq!(toks[0].doc, DOC_LOWER, "written lowercase later");
        assert_eq!(toks[2].doc, 0, "its own occurrence is not evidence");
        assert_eq!(toks[3].doc, DOC_CAP);
        // First-pass tags: Jordan twice a place, once a person.
        let tags = [0, 0, 0, 5, 5, 1];
        doc_tags(&mut toks, &tags, |_| true);
        assert_eq!(
            toks[3].doc_tag, 1,
            "elsewhere once LOC, once PER: a tie goes to PER"
        );
        assert_eq!(toks[5].doc_tag, 3, "elsewhere twice LOC");
        assert_eq!(toks[5].prior, 1, "its own first-pass tag");
        assert_eq!(toks[0].doc_tag, 0, "seen capitalised nowhere else");
        assert_eq!(toks[2].doc_tag, 0, "lowercase words are not looked up");
    }

    #[test]
    fn model_round_trips_and_rejects_garbage() {
        let t = Trainer::new(8, false);
        let m = t.finish();
        let b = m.to_bytes();
        assert!(Model::from_bytes(&b).is_some());
        assert!(Model::from_bytes(&b[..b.len() - 1]).is_none());
        assert!(Model::from_bytes(b"nonsense").is_none());
        let one = Tagger::from_bytes(&b).expect("one model is a tagger");
        assert!(one.second.is_none());
        let mut two = b.clone();
        two.extend(Trainer::new(8, true).finish().to_bytes());
        let t = Tagger::from_bytes(&two).expect("two models are a tagger");
        assert!(t.second.is_some(), "the second pass must load");
        assert_eq!(t.to_bytes(), two, "a tagger writes back what it read");
        assert!(Tagger::from_bytes(&two[..two.len() - 2]).is_none());
        // A model with cluster features says so in its header, and reads back with them.
        let mut t = Trainer::new(8, false);
        t.features = features::CLUSTER;
        let v3 = t.finish().to_bytes();
        assert_eq!(&v3[..8], MAGIC);
        let m = Model::from_bytes(&v3).expect("a version 3 model reads back");
        assert_eq!(m.features, features::CLUSTER);
        assert_eq!(m.to_bytes(), v3);
        let mut bad = v3.clone();
        bad[16..20].copy_from_slice(&(1u32 << 30).to_le_bytes());
        assert!(
            Model::from_bytes(&bad).is_none(),
            "unknown feature groups are refused"
        );
        let mut twice = b.clone();
        twice.extend(&b);
        assert!(
            Tagger::from_bytes(&twice).is_none(),
            "a second first-pass model is not a second pass"
        );
    }
}
