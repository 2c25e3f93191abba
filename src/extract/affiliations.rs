//! Stage 7: affiliations stated in the text (a person speaks for, works for or belongs to an
//! organisation), which become MEMBER_OF.
//!
//! Patterns over a person mention P and an organisation mention O in one sentence, where
//! ROLE is a word of the `role` lexicon section ("spokesman", "foreign minister", "head"):
//! - `O['s] [modifiers] ROLE P`: "the UN's human rights chief Zeid", "Apple CEO Tim Cook";
//! - `P, [a|an|the] [modifiers] ROLE (of|for|at) [the] O`: "Jane Roe, a spokeswoman for X";
//! - `P, [the] O['s] [modifiers] ROLE`: "Jane Roe, the ministry's spokeswoman";
//! - `P of O`, `P (O)`: "John Doe of Amnesty International".
//!
//! Modifiers are at most three lowercase words; nothing capitalised may stand between.

use super::candidates::{Cand, Doc};
use super::lexicon::{Lexicon, class};
use super::{Affiliation, Entity, EntityKind};

fn is_role(lx: &Lexicon, doc: &Doc, i: usize) -> bool {
    doc.class[i] & class::ROLE != 0
        || lx
            .phrases
            .get(doc.lower(i))
            .is_some_and(|b| b & class::ROLE != 0)
}

/// Tokens `a..b` are `['s] [mods] ROLE` (or `ROLE` among up to three lowercase words).
fn role_run(lx: &Lexicon, doc: &Doc, mut a: usize, b: usize) -> bool {
    if a < b && doc.lower(a) == "'s" {
        a += 1;
    }
    if a >= b || b - a > 4 {
        return false;
    }
    let mut role = false;
    for i in a..b {
        if is_role(lx, doc, i) {
            role = true;
        } else if doc.cap[i] || doc.toks[i].kind != super::tokens::TokKind::Word {
            return false;
        }
    }
    role
}

/// A ROLE within four lowercase words after token `a` ("the ministry's spokeswoman").
fn role_follows(lx: &Lexicon, doc: &Doc, a: usize, end: usize) -> bool {
    for i in a..(a + 5).min(end) {
        if is_role(lx, doc, i) {
            return true;
        }
        if doc.lower(i) != "'s" && (doc.cap[i] || doc.toks[i].kind != super::tokens::TokKind::Word)
        {
            return false;
        }
    }
    false
}

/// Finds the stated affiliations of a document.
pub fn affiliations(
    lx: &Lexicon,
    doc: &Doc,
    cands: &[Cand],
    cand_entity: &[usize],
    entities: &[Entity],
) -> Vec<Affiliation> {
    let mut out: Vec<Affiliation> = Vec::new();
    for (pi, p) in cands.iter().enumerate() {
        let pe = cand_entity[pi];
        if entities[pe].kind != EntityKind::Person {
            continue;
        }
        for (oi, o) in cands.iter().enumerate() {
            let oe = cand_entity[oi];
            if o.sent != p.sent || entities[oe].kind != EntityKind::Organisation || oe == pe {
                continue;
            }
            let found = if o.last <= p.first {
                // O ['s] mods ROLE P
                p.first - o.last <= 5 && role_run(lx, doc, o.last, p.first)
            } else if p.last <= o.first && o.first - p.last <= 8 {
                let between: Vec<&str> = (p.last..o.first).map(|i| doc.lower(i)).collect();
                let n = between.len();
                let of_for =
                    n >= 1 && matches!(between[n - 1], "of" | "for" | "at" | "with" | "the") && {
                        let end = if between[n - 1] == "the" && n >= 2 {
                            n - 2
                        } else {
                            n - 1
                        };
                        matches!(between.get(end), Some(&"of" | &"for" | &"at" | &"with"))
                            && between.first() == Some(&",")
                            && (p.last + 1..p.last + end).any(|i| is_role(lx, doc, i))
                            && (p.last + 1..p.last + end).all(|i| !doc.cap[i])
                    };
                let of = between == ["of"] || between == ["("];
                let after = (between == [","] || between == [",", "the"])
                    && role_follows(lx, doc, o.last, doc.sents[o.sent].last);
                of_for || of || after
            } else {
                false
            };
            if found && !out.iter().any(|a| a.person == pe && a.organisation == oe) {
                let s = &doc.sents[p.sent];
                out.push(Affiliation {
                    person: pe,
                    organisation: oe,
                    start: doc.toks[s.first].cstart,
                    end: doc.toks[s.last - 1].cend,
                });
            }
        }
    }
    out
}
