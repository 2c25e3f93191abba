//! Stage 6: events, from trigger words with their arguments.
//!
//! A trigger (`event.<kind>` in `data/lexicon.txt`: "killed", "shelling", "offensive",
//! "arrested", …) opens an event in its sentence. Its arguments come from the sentence:
//! - count: a number (digits or a number word) followed within three words by a noun
//!   for people (`victim`: "82 civilians were shot", "killed 12 people"), never a year or a
//!   percentage;
//! - places: the place mentions of the sentence, else the last place mentioned in the three
//!   sentences before (news text names the place once and then reports what happened there);
//! - involved: people and organisations of the sentence, with a role: `source` when they are
//!   the subject of a reporting verb ("the UN said"), `agent` before the trigger or after a
//!   passive "by", `target` after it;
//! - date: a date written in the sentence ("December 13, 2016", "13 December", "on Monday",
//!   "yesterday", read against the document's date), else the date of the post the sentence
//!   is in (the signature line that follows it), else the document's date.
//!
//! Mentions of the same event in one document become one event: the same kind and either
//! the same sentence, a shared place or a shared agent.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::candidates::{Cand, Doc};
use super::lexicon::{Lexicon, class};
use super::tokens::TokKind;
use super::{Account, Entity, EntityKind, Event};

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_of(w: &str) -> Option<u32> {
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full.iter())
        .position(|(a, f)| w == *a || w == *f || (w == "sept" && *a == "sep"))
        .map(|p| p as u32 + 1)
}

fn number(w: &str) -> Option<i64> {
    let digits: String = w.chars().filter(|c| *c != ',').collect();
    digits.parse().ok()
}

/// A date written in tokens `a..b` of the document, read against `base` for missing years and
/// relative words.
pub fn date_in(doc: &Doc, a: usize, b: usize, base: Option<NaiveDate>) -> Option<NaiveDate> {
    let year_of = |i: usize| -> Option<i32> {
        if i < b && doc.toks[i].kind == TokKind::Number {
            let y = number(doc.lower(i))?;
            (1900..=2100).contains(&y).then_some(y as i32)
        } else {
            None
        }
    };
    let day_of = |i: usize| -> Option<u32> {
        if i < b && doc.toks[i].kind == TokKind::Number {
            let d = number(doc.lower(i))?;
            (1..=31).contains(&d).then_some(d as u32)
        } else {
            None
        }
    };
    for i in a..b {
        let w = doc.lower(i);
        if let Some(m) = month_of(w).filter(|_| doc.cap[i]) {
            // "December 13, 2016" / "December 13"
            if let Some(d) = day_of(i + 1) {
                let j = if i + 2 < b && doc.lower(i + 2) == "," {
                    i + 3
                } else {
                    i + 2
                };
                let y = year_of(j).or(base.map(|d| d.year()));
                if let Some(y) = y
                    && let Some(dt) = NaiveDate::from_ymd_opt(y, m, d)
                {
                    return Some(dt);
                }
            }
            // "13 December 2016"
            if i > a
                && let Some(d) = day_of(i - 1)
            {
                let y = year_of(i + 1).or(base.map(|d| d.year()));
                if let Some(y) = y
                    && let Some(dt) = NaiveDate::from_ymd_opt(y, m, d)
                {
                    return Some(dt);
                }
            }
        }
        // "2016-12-13"
        if doc.toks[i].kind == TokKind::Number
            && i + 4 < b
            && doc.lower(i + 1) == "-"
            && doc.lower(i + 3) == "-"
            && let (Some(y), Some(m), Some(d)) = (
                year_of(i),
                number(doc.lower(i + 2)),
                number(doc.lower(i + 4)),
            )
            && let Some(dt) = NaiveDate::from_ymd_opt(y, m as u32, d as u32)
        {
            return Some(dt);
        }
        if let Some(base) = base {
            match w {
                "yesterday" => return base.checked_sub_signed(Duration::days(1)),
                "today" => return Some(base),
                _ => {}
            }
            if let Some(wd) = weekday(w)
                && doc.cap[i]
            {
                let mut d = base;
                for _ in 0..7 {
                    if d.weekday() == wd {
                        return Some(d);
                    }
                    d = d.checked_sub_signed(Duration::days(1))?;
                }
            }
        }
    }
    None
}

fn weekday(w: &str) -> Option<Weekday> {
    Some(match w {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// Finds the events of a document.
#[allow(clippy::too_many_arguments)]
pub fn events(
    lx: &Lexicon,
    doc: &Doc,
    cands: &[Cand],
    cand_entity: &[usize],
    entities: &[Entity],
    date: Option<NaiveDate>,
    accounts: &[Account],
) -> Vec<Event> {
    // Post dates: the signature's date, for the line just before each signature.
    let mut post_dates: Vec<(usize, usize, NaiveDate)> = Vec::new(); // (cstart, cend) of post line
    for a in accounts {
        let toks: Vec<usize> = (0..doc.toks.len())
            .filter(|&i| doc.toks[i].cstart >= a.start && doc.toks[i].cend <= a.end)
            .collect();
        let (Some(&f), Some(&l)) = (toks.first(), toks.last()) else {
            continue;
        };
        let Some(d) = date_in(doc, f, l + 1, date) else {
            continue;
        };
        // The post is the lines before the signature, back to the previous signature or
        // until they would be longer than a post (280 characters) or a line is.
        let mut s = f;
        while s > 0 && !doc.toks[s].newline_before {
            s -= 1;
        }
        let sig_start = doc.toks[s].cstart;
        let mut p = s;
        while p > 0 {
            let mut q = p - 1;
            while q > 0 && !doc.toks[q].newline_before {
                q -= 1;
            }
            if doc.toks[q].skip || sig_start - doc.toks[q].cstart > 300 {
                break;
            }
            p = q;
        }
        if p < s {
            post_dates.push((doc.toks[p].cstart, sig_start, d));
        }
    }
    let mut raw: Vec<(Event, usize, Vec<usize>)> = Vec::new(); // event, sentence, agents
    let mut last_places: Vec<(usize, usize)> = Vec::new(); // (sentence, entity)
    // Candidates come sorted by position, so a sentence's candidates are one range (found by
    // walking forward, not by scanning all candidates for every sentence).
    let mut next = 0;
    let mut in_sent: Vec<usize> = Vec::new();
    let mut places: Vec<usize> = Vec::new();
    for (si, s) in doc.sents.iter().enumerate() {
        in_sent.clear();
        while next < cands.len() && cands[next].sent < si {
            next += 1;
        }
        let mut c = next;
        while c < cands.len() && cands[c].sent == si {
            in_sent.push(c);
            c += 1;
        }
        if doc.toks[s.first].skip {
            continue;
        }
        places.clear();
        for &c in &in_sent {
            let e = cand_entity[c];
            if entities[e].kind == EntityKind::Place && !places.contains(&e) {
                places.push(e);
            }
        }
        let mut i = s.first;
        while i < s.last {
            let covered = in_sent
                .iter()
                .any(|&c| cands[c].first <= i && i < cands[c].last);
            let w = doc.lower(i);
            let mut kind = None;
            let mut tlen = 1;
            if !covered && doc.toks[i].kind == TokKind::Word && doc.class[i] & class::TRIGGER != 0 {
                if i + 1 < s.last {
                    let two = format!("{w} {}", doc.lower(i + 1));
                    if let Some(k) = lx.triggers.get(&two) {
                        kind = Some(k.clone());
                        tlen = 2;
                    }
                }
                if kind.is_none() {
                    kind = lx.triggers.get(w).cloned();
                    tlen = 1;
                }
            }
            let Some(kind) = kind else {
                i += 1;
                continue;
            };
            // "fearful of being killed", "if forces advance": not a report of an event.
            if (i.saturating_sub(6).max(s.first)..i)
                .any(|j| doc.class[j] & class::HYPOTHETICAL != 0)
            {
                i += tlen;
                continue;
            }
            let count = count_near(lx, doc, s.first, s.last, i);
            let mut ev_places = places.clone();
            if ev_places.is_empty()
                && let Some(&(_, e)) = last_places.iter().rev().find(|(ps, _)| si - ps <= 3)
            {
                ev_places.push(e);
            }
            let mut involved: Vec<(usize, String)> = Vec::new();
            let mut agents = Vec::new();
            for &c in &in_sent {
                let e = cand_entity[c];
                if entities[e].kind == EntityKind::Place {
                    continue;
                }
                let cd = &cands[c];
                // "the UN's human rights office said": a reporting verb after the mention and a
                // few lowercase words makes it the source.
                let mut said_after = false;
                for j in cd.last..(cd.last + 6).min(s.last) {
                    if doc.class[j] & class::SAID != 0 {
                        said_after = true;
                        break;
                    }
                    if doc.cap[j] || (doc.toks[j].kind != TokKind::Word) {
                        break;
                    }
                }
                let by_before = cd.first > s.first && doc.lower(cd.first - 1) == "by";
                let role = if said_after {
                    "source"
                } else if cd.last <= i || by_before {
                    "agent"
                } else {
                    "target"
                };
                if role == "agent" {
                    agents.push(e);
                }
                if !involved.iter().any(|(x, r)| *x == e && r == role) {
                    involved.push((e, role.to_string()));
                }
            }
            let stated = date_in(doc, s.first, s.last, date);
            let cstart = doc.toks[s.first].cstart;
            let post = post_dates
                .iter()
                .find(|(a, b, _)| *a <= cstart && cstart < *b)
                .map(|p| p.2);
            let ev = Event {
                kind,
                date: stated.or(post).or(date),
                date_stated: stated.is_some(),
                summary: doc.span_text(s.first, s.last).trim().to_string(),
                start: cstart,
                end: doc.toks[s.last - 1].cend,
                count,
                places: ev_places,
                involved,
            };
            raw.push((ev, si, agents));
            i += tlen;
        }
        for &p in &places {
            last_places.push((si, p));
        }
    }
    merge(raw)
}

/// "82 civilians were shot": the number before a people noun, near the trigger.
fn count_near(lx: &Lexicon, doc: &Doc, a: usize, b: usize, trig: usize) -> Option<i64> {
    let lo = trig.saturating_sub(12).max(a);
    let hi = (trig + 6).min(b);
    let mut best: Option<(usize, i64)> = None;
    for i in lo..hi {
        // Another trigger between the number and this one owns the number.
        let (x, y) = if i < trig {
            (i + 1, trig)
        } else {
            (trig + 1, i)
        };
        if (x..y).any(|j| doc.class[j] & class::TRIGGER != 0) {
            continue;
        }
        let w = doc.lower(i);
        let n = if doc.toks[i].kind == TokKind::Number {
            number(w)
        } else {
            lx.numbers.get(w).copied()
        };
        let Some(n) = n else { continue };
        if i + 1 < b && matches!(doc.lower(i + 1), "%" | "percent" | "per") {
            continue;
        }
        let people = (i + 1..(i + 4).min(b)).any(|j| doc.class[j] & class::VICTIM != 0);
        if !people {
            continue;
        }
        let dist = i.abs_diff(trig);
        if best.is_none_or(|(d, _)| dist < d) {
            best = Some((dist, n));
        }
    }
    best.map(|b| b.1)
}

fn merge(raw: Vec<(Event, usize, Vec<usize>)>) -> Vec<Event> {
    let mut out: Vec<(Event, Vec<usize>, Vec<usize>)> = Vec::new(); // event, sentences, agents
    for (ev, si, agents) in raw {
        let same = out.iter().position(|(e, sents, ags)| {
            e.kind == ev.kind
                && (sents.contains(&si)
                    || e.places.iter().any(|p| ev.places.contains(p))
                    || ags.iter().any(|a| agents.contains(a)))
        });
        match same {
            Some(k) => {
                let (e, sents, ags) = &mut out[k];
                for p in ev.places {
                    if !e.places.contains(&p) {
                        e.places.push(p);
                    }
                }
                for inv in ev.involved {
                    if !e.involved.contains(&inv) {
                        e.involved.push(inv);
                    }
                }
                e.count = match (e.count, ev.count) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    (a, b) => a.or(b),
                };
                if !e.date_stated && ev.date_stated {
                    e.date = ev.date;
                    e.date_stated = true;
                }
                sents.push(si);
                ags.extend(agents);
            }
            None => out.push((ev, vec![si], agents)),
        }
    }
    out.into_iter().map(|(e, _, _)| e).collect()
}
