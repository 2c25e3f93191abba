//! Part of stage 4: what the shape of a document says about its names.
//!
//! Wire copy is not all prose. It has headlines in capitals, datelines ("LONDON 2024-03-10"),
//! and sports reports with results and standings lines ("Leeds 2 Arsenal 1"), where a town's
//! name is its club. This module reads that structure:
//! - a *shouted* sentence is written in capitals (a headline): the tagger, trained on mixed
//!   case, cannot read it, so its names come from the gazetteer and from the names found
//!   elsewhere in the document;
//! - a *dateline* is a line that starts with a place in capitals followed by a date: that
//!   place is a place;
//! - a document is a *sports report* when it opens with a sports header ("SOCCER -"), has two
//!   or more results or standings lines, or has scores ("2-1") together with words of sport
//!   (`sport` in `data/lexicon.txt`);
//! - in a sports report, the names in results and standings lines are teams, and so is a name
//!   right before or after words such as "beat", "drew with", "lost to" (`team_before`,
//!   `team_after`) or a position in a team ("Leeds striker"); a team named after a town or a
//!   region is an organisation. A country stays a place: national teams are conventionally
//!   annotated as their country;
//! - a sports report's lines say more (session 4, measured on a newswire development set): a
//!   name before a score anywhere in a line is a team ("At Leicester : Leicestershire 350-6 (
//!   ... ) ; Somerset 124-4"), "At Leicester :" a venue, a short line with a `table_heading`
//!   word ("EASTERN DIVISION") a heading that names nothing; names in brackets after a
//!   player are his country or his club; a cricket scoreboard's dismissals and bowling
//!   figures, and scorers with the minute, name players;
//! - a stocks table's line ("BASF 41.60 ( up 0.45 )") names a company in any report.
//!
//! Everything here is evidence for [`super::candidates`]; the words are data.

use super::candidates::Doc;
use super::lexicon::{Lexicon, class};
use super::tokens::{Sentence, TokKind};

/// Token ranges of names.
type Runs = Vec<(usize, usize)>;

/// What the document's structure says, per sentence and as a whole.
pub struct Context {
    /// Per sentence: written in capitals (a headline).
    pub shout: Vec<bool>,
    /// Per sentence: the token range of a dateline's place.
    pub dateline: Vec<Option<(usize, usize)>>,
    /// Per sentence: the token ranges of team names in a results or standings line.
    pub score_runs: Vec<Vec<(usize, usize)>>,
    /// Per sentence: the token ranges of players a sports report's structure names (a
    /// scorer in brackets with the minute, a batsman and his bowler in a cricket
    /// scoreboard, a bowler with his figures).
    pub players: Vec<Vec<(usize, usize)>>,
    /// Per sentence: a table's heading in a sports report ("EASTERN DIVISION", "Group A",
    /// "AMERICAN LEAGUE"), which names no team, place or person.
    pub heading: Vec<bool>,
    /// Per sentence: venues of a sports report's lines ("At Leicester :"), places even when
    /// the town's club plays in the report.
    pub venues: Vec<Vec<(usize, usize)>>,
    /// Per sentence: names in brackets after a player ("Huw Bevan ( Llanelli )", "Pete
    /// Sampras ( U.S. )"): clubs in a team list, countries in tennis, golf or athletics
    /// results; a document writes one or the other, so most of them tell which.
    pub bracketed: Vec<Vec<(usize, usize)>>,
    /// The sport's name heading the report ("SOCCER" of "SOCCER - LEEDS BEAT CHELSEA"),
    /// which is no name.
    pub header: Option<(usize, usize)>,
    /// The document is a sports report.
    pub sports: bool,
}

/// Whether a word is written in capitals (two letters or more, no lowercase letter).
pub fn upper_word(w: &str) -> bool {
    let mut n = 0;
    for c in w.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_alphabetic() {
            n += 1;
        }
    }
    n >= 2
}

fn shouted(doc: &Doc, s: &Sentence) -> bool {
    let (mut upper, mut words) = (0, 0);
    for i in s.first..s.last {
        if doc.toks[i].kind != TokKind::Word {
            continue;
        }
        let w = doc.word(i);
        if w.chars().filter(|c| c.is_alphabetic()).count() < 2 {
            continue;
        }
        words += 1;
        if upper_word(w) {
            upper += 1;
        }
    }
    // Acronyms are capitals too: a headline has at least three words, nearly all in capitals.
    upper >= 3 && upper * 10 >= words * 8
}

/// Whether token `i` counts as capitalised in a table line: read in its usual case, or
/// written in capitals inside a multi-word place name ("NEW YORK 74 58 .561": "New" is a
/// common word).
fn cap_in_table(doc: &Doc, i: usize) -> bool {
    doc.cap[i] || doc.class[i] & (class::PLACE_B | class::PLACE_I) != 0 && upper_word(doc.word(i))
}

/// A capitalised run from `i` (capitalised words, "&" and "of" between them), its end.
fn cap_run(doc: &Doc, i: usize, end: usize) -> usize {
    let mut j = i;
    while j < end
        && doc.toks[j].kind == TokKind::Word
        && (cap_in_table(doc, j) || (j > i && matches!(doc.lower(j), "&" | "of" | "and")))
    {
        j += 1;
    }
    // Never end on a connector.
    while j > i && !cap_in_table(doc, j - 1) {
        j -= 1;
    }
    j
}

/// Whether every word of `a..b` is a common lowercase word and none is a gazetteer place:
/// "Group 4", "Round 3", "Total 120 45" are labels of a table, not teams ("Reading 4 2 1 1"
/// is a town's club: the gazetteer knows the town).
fn common_label(doc: &Doc, a: usize, b: usize) -> bool {
    let place = class::PLACE_B | class::PLACE_I | class::CITY | class::REGION | class::COUNTRY;
    (a..b).all(|k| {
        doc.class[k] & (class::COMMON | class::NOT_ENTITY) != 0 && doc.class[k] & place == 0
    })
}

fn is_num(doc: &Doc, i: usize) -> bool {
    doc.toks[i].kind == TokKind::Number
}

/// Team names in a results line ("Leeds 2 Arsenal 1", "Leeds 2 ( Smith ) Arsenal 1") or a
/// standings line ("Leeds 30 18 7 5 52 30 61"; a rank may come first).
fn score_line(doc: &Doc, s: &Sentence) -> Vec<(usize, usize)> {
    let mut i = s.first;
    // A rank: "1." or "1".
    if i + 1 < s.last && is_num(doc, i) && cap_in_table(doc, i + 1) {
        i += 1;
    } else if i + 2 < s.last && is_num(doc, i) && doc.lower(i + 1) == "." {
        i += 2;
    }
    if i >= s.last || !cap_in_table(doc, i) {
        return Vec::new();
    }
    let a = i;
    let b = cap_run(doc, a, s.last);
    if b == a || b >= s.last || !is_num(doc, b) || common_label(doc, a, b) {
        return Vec::new();
    }
    // Standings: only numbers (and their punctuation) after the name, at least three
    // ("NEW YORK 74 58 .561 -": won, lost, percentage, games behind).
    let rest = b..s.last;
    let nums = rest.clone().filter(|&k| is_num(doc, k)).count();
    let words = rest
        .clone()
        .filter(|&k| doc.toks[k].kind == TokKind::Word)
        .count();
    if words == 0 && nums >= 3 {
        return vec![(a, b)];
    }
    // Results: name, number, [a bracket of scorers], name, number.
    let mut k = b + 1;
    if k < s.last && doc.lower(k) == "(" {
        while k < s.last && doc.lower(k) != ")" {
            k += 1;
        }
        k += 1;
    }
    if k < s.last && cap_in_table(doc, k) {
        let e = cap_run(doc, k, s.last);
        if e > k && e < s.last && is_num(doc, e) {
            return vec![(a, b), (k, e)];
        }
    }
    Vec::new()
}

/// Whether a number at `k` starts a date: a year ("1996", "1996-08-30") or a day and a month
/// in figures joined by "-", "/" or "." ("30/08/1996", "30.08.96").
fn is_date(doc: &Doc, k: usize, end: usize) -> bool {
    if !is_num(doc, k) {
        return false;
    }
    let w = doc.word(k);
    if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    // ("30.08.96": two dots. A price, "41.60", is no date.)
    w.split('.').count() == 3
        && w.split('.')
            .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
        || k + 4 < end
            && matches!(doc.word(k + 1), "-" | "/")
            && is_num(doc, k + 2)
            && doc.word(k + 3) == doc.word(k + 1)
            && is_num(doc, k + 4)
}

/// A dateline: a line that starts with a place in capitals, maybe ", Country", then a date
/// ("LONDON 2024-03-10", "MILAN, Italy 2024-05-16", "PARIS, May 16").
fn dateline(lx: &Lexicon, doc: &Doc, s: &Sentence) -> Option<(usize, usize)> {
    if !doc.toks[s.first].newline_before {
        return None;
    }
    let a = s.first;
    let mut b = a;
    while b < s.last && doc.toks[b].kind == TokKind::Word && upper_word(doc.word(b)) {
        b += 1;
    }
    if b == a || b - a > 3 {
        return None;
    }
    let mut k = b;
    if k < s.last && doc.lower(k) == "," {
        k += 1;
        while k < s.last && doc.toks[k].kind == TokKind::Word && doc.cap[k] {
            k += 1;
        }
    }
    // A date: "1996-08-30", "30/08/1996", a year, or a month and a day ("LONDON 2 Leeds
    // 1" is a results line, not a dateline).
    let date = s.last - s.first <= 14
        && k < s.last
        && (is_date(doc, k, s.last)
            || doc.class[k] & class::MONTH != 0 && k + 1 < s.last && is_num(doc, k + 1));
    // "WASHINGTON (Reuters) - ...", "LONDON - ...": a place the gazetteer knows, then the
    // agency or a dash ("SOCCER - ..." is a header, not a place).
    let agency = k < s.last
        && matches!(doc.word(k), "(" | "-" | "–" | "—")
        && (a..b).all(|i| doc.class[i] & class::SPORT == 0)
        && (b - a == 1 && doc.class[a] & (class::COUNTRY | class::REGION | class::CITY) != 0
            || !lx
                .lookup_place(&super::lexicon::fold(doc.span_text(a, b)))
                .is_empty());
    (date || agency).then_some((a, b))
}

/// Reads the structure of a document.
pub fn context(lx: &Lexicon, doc: &Doc) -> Context {
    let shout: Vec<bool> = doc.sents.iter().map(|s| shouted(doc, s)).collect();
    let dateline: Vec<Option<(usize, usize)>> =
        doc.sents.iter().map(|s| dateline(lx, doc, s)).collect();
    let mut score_runs: Vec<Vec<(usize, usize)>> =
        doc.sents.iter().map(|s| score_line(doc, s)).collect();
    // ("LONDON 1996-08-30" has three numbers after a name, but it is the dateline.)
    for (runs, d) in score_runs.iter_mut().zip(&dateline) {
        if d.is_some() {
            runs.clear();
        }
    }
    let lines = score_runs.iter().filter(|r| !r.is_empty()).count();
    // "SOCCER - ...", "RUGBY UNION - ..." as a header (in the first sentences: a dateline
    // may come first).
    let header = doc.sents.iter().take(3).find_map(|s| {
        if s.last - s.first <= 2 {
            return None;
        }
        // ("MOTOR RACING -")
        let k = (s.first + 1..(s.first + 4).min(s.last)).find(|&k| doc.lower(k) == "-")?;
        ((s.first..k).all(|j| upper_word(doc.word(j)))
            && (s.first..k).any(|j| doc.class[j] & class::SPORT != 0))
        .then_some((s.first, k))
    });
    let mut scores = 0;
    let mut words = 0;
    for i in 0..doc.toks.len() {
        if doc.class[i] & class::SPORT != 0 {
            words += 1;
        }
        // "2-1": two small numbers joined by a hyphen (not in a date, "1996-08-30").
        if i + 2 < doc.toks.len()
            && is_num(doc, i)
            && (i == 0 || doc.word(i - 1) != "-")
            && (i + 3 >= doc.toks.len() || doc.word(i + 3) != "-")
            && doc.word(i + 1) == "-"
            && is_num(doc, i + 2)
            && doc.word(i).len() <= 2
            && doc.word(i + 2).len() <= 2
        {
            scores += 1;
        }
    }
    let sports = header.is_some() || lines >= 2 || (scores >= 2 && words >= 3);
    let mut players: Vec<Runs> = doc
        .sents
        .iter()
        .map(|s| {
            if sports {
                players(lx, doc, s)
            } else {
                Vec::new()
            }
        })
        .collect();
    let heading: Vec<bool> = doc
        .sents
        .iter()
        .map(|s| sports && heading(lx, doc, s))
        .collect();
    let mut venues = vec![Vec::new(); doc.sents.len()];
    let mut bracketed = vec![Vec::new(); doc.sents.len()];
    for (si, s) in doc.sents.iter().enumerate() {
        if sports && !heading[si] {
            let (runs, venue, br, pl) = team_runs(lx, doc, s);
            bracketed[si] = br;
            for p in pl {
                if !players[si].iter().any(|&(x, y)| x < p.1 && p.0 < y) {
                    players[si].push(p);
                }
            }
            for r in runs {
                if !score_runs[si].iter().any(|&(x, y)| x < r.1 && r.0 < y) {
                    score_runs[si].push(r);
                }
            }
            venues[si] = venue;
        }
        // A price line of a stocks table ("BASF 41.60 ( up 0.45 )"), in any report.
        if let Some(r) = price_line(lx, doc, s)
            && score_runs[si].is_empty()
        {
            score_runs[si].push(r);
        }
    }
    Context {
        shout,
        dateline,
        score_runs,
        players,
        heading,
        venues,
        bracketed,
        header,
        sports,
    }
}

/// Teams in a line of a sports report, venues and names in brackets after a player:
/// - a capitalised run followed by a score, at the start of the line (after a rank) or
///   after ":", ";", ")" or another score, outside brackets ("At Leicester : Leicestershire
///   350-6 declared ( ... ) ; Somerset 124-4", "Jean Alesi ( France ) Benetton 1:52.063");
///   a person's full name or a country among them is left to [`super::candidates`];
/// - a name in brackets after a player: his club ("Huw Bevan ( Llanelli )", "( Cardiff ,
///   captain )") or his country ("Ato Boldon ( Trinidad )"), as the document's other
///   brackets tell ([`Context::bracketed`]);
/// - the venue of "At Leicester :" at the start of a line.
fn team_runs(lx: &Lexicon, doc: &Doc, s: &Sentence) -> (Runs, Runs, Runs, Runs) {
    let (mut teams, mut venues, mut bracketed) = (Vec::new(), Vec::new(), Vec::new());
    let mut players = Vec::new();
    let mut depth = 0usize;
    let mut k = s.first;
    while k < s.last {
        let w = doc.word(k);
        if w == "(" {
            // "Huw Bevan ( Llanelli )": a club after a player's name.
            if depth == 0 && k > s.first && doc.cap[k - 1] && doc.toks[k - 1].kind == TokKind::Word
            {
                let e = cap_run(doc, k + 1, s.last);
                // ("Silver Tarn ( Gary Hind )": a jockey after his horse.)
                let person = e > k + 2 && doc.class[k + 1] & class::GIVEN != 0;
                if e > k + 1 && e < s.last && matches!(doc.word(e), ")" | ",") && !person {
                    bracketed.push((k + 1, e));
                    // The name before the bracket is the player's ("Olumide Bakare (
                    // Nigeria )", "Huw Bevan ( Llanelli )").
                    // (Not a club's or a body's name: "Ajax ( Netherlands )", "Leeds United (
                    // England )".)
                    let a = name_run_back(doc, s.first, k);
                    let org_word =
                        class::ORG_HEAD | class::TEAM_SUFFIX | class::LEGAL | class::ORG_SUFFIX;
                    let key = super::lexicon::org_key((a..k).map(|i| doc.lower(i)));
                    let listed = lx.orgs.contains(&key) || lx.team_forms.contains(&key);
                    if a < k
                        && doc.class[a..k].iter().all(|c| c & class::SPORT == 0)
                        && doc.class[k - 1] & org_word == 0
                        && !listed
                    {
                        players.push((a, k));
                    }
                }
            }
            depth += 1;
            k += 1;
            continue;
        }
        if w == ")" {
            depth = depth.saturating_sub(1);
            k += 1;
            continue;
        }
        let starts = k == s.first
            || matches!(doc.word(k - 1), ":" | ";" | ")")
            || is_num(doc, k - 1) && (k - 1 == s.first || doc.word(k - 2) == ".");
        if depth > 0 || !starts || doc.toks[k].kind != TokKind::Word || !cap_in_table(doc, k) {
            k += 1;
            continue;
        }
        let e = cap_run(doc, k, s.last);
        if e > k && e < s.last && is_num(doc, e) && !common_label(doc, k, e) {
            teams.push((k, e));
        } else if k == s.first && e == k + 1 && doc.lower(k) == "at" && k + 1 < s.last {
            // "At Leicester :": the venue of the line.
            let v = cap_run(doc, k + 1, s.last);
            if v > k + 1 && v < s.last && doc.word(v) == ":" {
                venues.push((k + 1, v));
            }
        }
        k = e.max(k + 1);
    }
    (teams, venues, bracketed, players)
}

/// A line of a stocks table: a capitalised name, a price and a bracket with a move ("BASF
/// 41.60 ( up 0.45 )", "Siemens 79.60 ( unchanged )"; `price_move` in `data/lexicon.txt`).
fn price_line(lx: &Lexicon, doc: &Doc, s: &Sentence) -> Option<(usize, usize)> {
    let a = s.first;
    if !doc.toks[a].newline_before || !cap_in_table(doc, a) {
        return None;
    }
    let moves = lx.sections.get("price_move")?;
    let b = cap_run(doc, a, s.last);
    (b > a
        && b + 3 < s.last + 1
        && b + 2 < s.last
        && is_num(doc, b)
        && doc.word(b + 1) == "("
        && moves.contains(doc.lower(b + 2)))
    .then_some((a, b))
}

/// A table's heading: a line of at most four words, each written with a capital, a number or a
/// number word, with a `table_heading` word ("EASTERN DIVISION", "Division one", "Group A").
fn heading(lx: &Lexicon, doc: &Doc, s: &Sentence) -> bool {
    let Some(words) = lx.sections.get("table_heading") else {
        return false;
    };
    if s.last - s.first > 4 || !doc.toks[s.first].newline_before {
        return false;
    }
    let mut found = false;
    for i in s.first..s.last {
        let w = doc.word(i);
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        let ok = match doc.toks[i].kind {
            TokKind::Number => true,
            TokKind::Word => capital || doc.class[i] & class::NUMBER != 0,
            _ => w == ":",
        };
        if !ok {
            return false;
        }
        found |= words.contains(doc.lower(i));
    }
    found
}

/// A run of capitalised words (a player's name, "M. Atherton", "Wasim Akram") from `i`, at
/// most four, its end.
fn name_run(doc: &Doc, i: usize, end: usize) -> usize {
    let mut j = i;
    while j < end && j < i + 4 && doc.toks[j].kind == TokKind::Word && doc.cap[j] {
        j += 1;
    }
    j
}

/// The same run ending at `j` (exclusive), its start; name particles inside it count
/// ("Pieter van Rensburg").
fn name_run_back(doc: &Doc, first: usize, j: usize) -> usize {
    let mut i = j;
    while i > first
        && i + 5 > j
        && doc.toks[i - 1].kind == TokKind::Word
        && (doc.cap[i - 1]
            || i < j && i - 1 > first && super::candidates::particle(doc.lower(i - 1)))
    {
        i -= 1;
    }
    // Never start on a particle.
    while i < j && !doc.cap[i] {
        i += 1;
    }
    i
}

/// Players a sports report's structure names in one line:
/// - a cricket scoreboard: the batsman before his dismissal and the fielder and bowler after
///   it ("M. Atherton c Inzamam-ul-Haq b Mushtaq Ahmed 31"; `player_before`,
///   `player_after` in `data/lexicon.txt`);
/// - a bowler with his figures ("Wasim Akram 25-8-61-1");
/// - a scorer in brackets with the minute ("Leeds 2 ( Yeboah 12 , 67 ) Chelsea 1").
fn players(lx: &Lexicon, doc: &Doc, s: &Sentence) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let (Some(before), Some(after)) = (
        lx.sections.get("player_before"),
        lx.sections.get("player_after"),
    ) else {
        return out;
    };
    let push = |a: usize, b: usize, out: &mut Vec<(usize, usize)>| {
        if a < b && !out.iter().any(|&(x, y)| x < b && a < y) {
            out.push((a, b));
        }
    };
    let mut bracket = false;
    for k in s.first..s.last {
        let w = doc.lower(k);
        match w {
            "(" => bracket = true,
            ")" => bracket = false,
            _ => {}
        }
        if doc.toks[k].kind == TokKind::Word && !doc.cap[k] {
            if before.contains(w) && k + 1 < s.last {
                let e = name_run(doc, k + 1, s.last);
                push(k + 1, e, &mut out);
            }
            // One or two words ("c", "lbw", "not out", "run out").
            let two = k + 1 < s.last
                && lx.cue_words.contains(w)
                && lx.cue_words.contains(doc.lower(k + 1))
                && {
                    let mut p = String::with_capacity(w.len() + 8);
                    p.push_str(w);
                    p.push(' ');
                    p.push_str(doc.lower(k + 1));
                    after.contains(&p)
                };
            if after.contains(w) || two {
                let a = name_run_back(doc, s.first, k);
                push(a, k, &mut out);
            }
            continue;
        }
        if !doc.cap[k] || doc.toks[k].kind != TokKind::Word || k > s.first && doc.cap[k - 1] {
            continue;
        }
        let e = name_run(doc, k, s.last);
        if e >= s.last || !is_num(doc, e) {
            continue;
        }
        // Bowling figures: overs, maidens, runs, wickets.
        let figures = e + 6 < s.last
            && (0..4).all(|n| is_num(doc, e + 2 * n))
            && (0..3).all(|n| doc.word(e + 2 * n + 1) == "-");
        // A scorer and the minute, in brackets ("( Yeboah 12 , 67 )").
        let minute = bracket
            && doc.word(e).len() <= 3
            && !doc.word(e).contains(['.', ','])
            && !common_label(doc, k, e);
        if figures || minute {
            push(k, e, &mut out);
        }
    }
    out
}

/// Whether the name at tokens `a..b` stands where a team does in sports text: right after
/// "beat", "drew with", "lost to"…, right before "beat", "drew"… or a position in a team
/// ("Leeds striker", "Leeds 's striker").
pub fn team_cue(lx: &Lexicon, doc: &Doc, s: &Sentence, a: usize, b: usize) -> bool {
    if cue_around(lx, doc, s, a, b, &lx.team_before, &lx.team_after) {
        return true;
    }
    // "Leeds striker", "Leeds 's Danish striker", "Leeds fans".
    let mut k = b;
    if k < s.last && doc.lower(k) == "'s" {
        k += 1;
    }
    for j in k..(k + 3).min(s.last) {
        if doc.class[j] & class::SPORT_ROLE != 0 {
            return true;
        }
        if doc.toks[j].kind != TokKind::Word {
            break;
        }
    }
    false
}

/// Whether the name at tokens `a..b` stands where only an organisation does, in any text:
/// "shares of X", "X's chief executive" (`org_before`, `org_after`).
pub fn org_cue(lx: &Lexicon, doc: &Doc, s: &Sentence, a: usize, b: usize) -> bool {
    cue_around(lx, doc, s, a, b, &lx.org_before, &lx.org_after)
}

/// Whether one to three words right before `a` are in `before`, or right after `b` in
/// `after`.
fn cue_around(
    lx: &Lexicon,
    doc: &Doc,
    s: &Sentence,
    a: usize,
    b: usize,
    before: &rustc_hash::FxHashSet<String>,
    after: &rustc_hash::FxHashSet<String>,
) -> bool {
    let mut buf = String::new();
    let mut phrase = |x: usize, y: usize, set: &rustc_hash::FxHashSet<String>| -> bool {
        if !(x..y).all(|k| lx.cue_words.contains(doc.lower(k))) {
            return false;
        }
        buf.clear();
        for k in x..y {
            if k > x {
                buf.push(' ');
            }
            buf.push_str(doc.lower(k));
        }
        set.contains(buf.as_str())
    };
    for n in 1..=3 {
        if a >= s.first + n && phrase(a - n, a, before) {
            return true;
        }
        if b + n <= s.last && phrase(b, b + n, after) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use crate::extract::{EntityKind, Extractor, Input};

    fn kinds(text: &str) -> Vec<(String, EntityKind)> {
        let x = Extractor::new();
        let out = x.extract(&Input {
            text,
            ..Default::default()
        });
        out.mentions.into_iter().map(|m| (m.text, m.kind)).collect()
    }

    #[test]
    fn results_lines_make_towns_teams_but_countries_stay_places() {
        let m = kinds(
            "Results on Saturday:\nHalifax 2 Rotherham 1\nWalsall 0 Grimsby 0\nBrazil 3 Chile 1\n\
             Zorvak 2 Quilby 1\nStandings:\nQuilby 30 18 7 5 52 30 61\n\
             Halifax lost to Zorvak Town at home, and Mexico City hosted the cup final.\n",
        );
        assert!(
            m.contains(&("Zorvak Town".to_string(), EntityKind::Organisation)),
            "a club by its suffix: {m:?}"
        );
        assert!(
            m.contains(&("Mexico City".to_string(), EntityKind::Place)),
            "a gazetteer city is no club: {m:?}"
        );
        // (Zorvak and Quilby are known to no list: the lines alone make them teams.)
        for team in [
            "Halifax",
            "Rotherham",
            "Walsall",
            "Grimsby",
            "Zorvak",
            "Quilby",
        ] {
            assert!(
                m.contains(&(team.to_string(), EntityKind::Organisation)),
                "{team} is a team: {m:?}"
            );
        }
        assert!(
            m.contains(&("Brazil".to_string(), EntityKind::Place)),
            "a national team is its country: {m:?}"
        );
    }

    #[test]
    fn a_listed_club_before_its_country_in_brackets_is_no_player() {
        let m = kinds(
            "SOCCER - CUP RESULTS\nLONDON 2024-01-05\nJuventus ( Italy ) 3 Quilby Rovers ( \
             England ) 0\nOlumide Bakare ( Nigeria ) scored twice .\n",
        );
        assert!(
            m.contains(&("Juventus".to_string(), EntityKind::Organisation)),
            "a listed club: {m:?}"
        );
        assert!(
            m.contains(&("Olumide Bakare".to_string(), EntityKind::Person)),
            "a player before his country: {m:?}"
        );
        assert!(
            m.contains(&("Italy".to_string(), EntityKind::Place)),
            "{m:?}"
        );
    }

    #[test]
    fn a_dateline_stays_the_town_in_a_report_on_its_club() {
        let m = kinds(
            "SOCCER - HALIFAX HOLD ON\nHALIFAX 2024-01-05\nHalifax beat Walsall 2-1 on \
             Saturday.\nWalsall drew with Grimsby 1-1 last week.\n",
        );
        assert!(
            m.contains(&("HALIFAX".to_string(), EntityKind::Place)),
            "the dateline is the town: {m:?}"
        );
        assert!(
            m.contains(&("Halifax".to_string(), EntityKind::Organisation)),
            "the club: {m:?}"
        );
    }

    #[test]
    fn headline_and_dateline_places_are_found() {
        let m = kinds(
            "STORMS CUT POWER ACROSS NORWAY AS INTERPOL WARNS\nBERGEN 2024-01-05\nWinds closed \
             roads on Friday.\n",
        );
        assert!(
            m.contains(&("NORWAY".to_string(), EntityKind::Place)),
            "headline country: {m:?}"
        );
        assert!(
            m.contains(&("BERGEN".to_string(), EntityKind::Place)),
            "dateline place: {m:?}"
        );
        let m2 = kinds("OSLO (Reuters) - Storms closed roads in Norway on Friday.\n");
        assert!(
            m2.contains(&("OSLO".to_string(), EntityKind::Place)),
            "a dateline before the agency: {m2:?}"
        );
        assert!(
            m.contains(&("INTERPOL".to_string(), EntityKind::Organisation)),
            "a listed organisation in a headline: {m:?}"
        );
        assert!(
            !m.iter()
                .any(|(t, _)| t.contains("STORMS") || t.contains("POWER")),
            "headline words are not names: {m:?}"
        );
    }

    fn has(m: &[(String, EntityKind)], text: &str, kind: EntityKind) -> bool {
        m.contains(&(text.to_string(), kind))
    }

    #[test]
    fn standings_in_capitals_under_headings_are_teams() {
        let m = kinds(
            "BASEBALL - STANDINGS AFTER THURSDAY 'S GAMES .\nNEW YORK 1996-08-30\n\
             Standings after games played on Thursday :\nEASTERN DIVISION\nW L PCT GB\n\
             NEW YORK 74 58 .561 -\nQUILBY 70 63 .526 4 1/2\nCENTRAL DIVISION\n\
             ZORVAK 80 53 .602 -\n",
        );
        for team in ["QUILBY", "ZORVAK"] {
            assert!(has(&m, team, EntityKind::Organisation), "{team}: {m:?}");
        }
        assert!(
            m.iter()
                .filter(|(t, _)| t == "NEW YORK")
                .any(|(_, k)| *k == EntityKind::Organisation),
            "the standings line's NEW YORK is a team: {m:?}"
        );
        assert!(
            !m.iter().any(|(t, _)| t.contains("DIVISION")),
            "a table heading names nothing: {m:?}"
        );
    }

    #[test]
    fn a_cricket_scoreboard_names_players_teams_and_venues() {
        let m = kinds(
            "CRICKET - COUNTY SCORES .\nLONDON 1996-08-30\nScores on the first day :\n\
             At Quilby : Zorvakshire 350-6 declared ( V. Hemsworth 129 , P. Rowlandson 66 ) ; \
             Quilbyshire 124-4 ( M. Tregarth 51 ) .\nZorvakshire first innings\n\
             K. Ollenby c Tregarth b Dunmore 31\nA. Stennard lbw b Dunmore 44\n\
             J. Crabbe not out 106\nBowling : Dunmore 25-8-61-2 , Pashley 20-3-83-1\n",
        );
        for p in [
            "V. Hemsworth",
            "P. Rowlandson",
            "M. Tregarth",
            "K. Ollenby",
            "Tregarth",
            "A. Stennard",
            "J. Crabbe",
            "Pashley",
        ] {
            assert!(has(&m, p, EntityKind::Person), "{p} is a player: {m:?}");
        }
        assert!(has(&m, "Zorvakshire", EntityKind::Organisation), "{m:?}");
        assert!(has(&m, "Quilbyshire", EntityKind::Organisation), "{m:?}");
        assert!(has(&m, "Quilby", EntityKind::Place), "the venue: {m:?}");
    }

    #[test]
    fn scorers_clubs_and_countries_in_brackets() {
        let m = kinds(
            "SOCCER - RESULTS .\nLONDON 1996-08-30\nHalifax 2 ( Quarrie 12 , Brennock 67 ) \
             Walsall 1 ( Tisdall 45 )\nGrimsby 0 Rotherham 0\nTeam : 15 - Huw Quarrie ( \
             Zorvak ) , 14 - Ian Brennock ( Wales )\n",
        );
        for p in ["Quarrie", "Brennock", "Tisdall"] {
            assert!(has(&m, p, EntityKind::Person), "{p} scored: {m:?}");
        }
        assert!(has(&m, "Zorvak", EntityKind::Organisation), "a club: {m:?}");
        assert!(has(&m, "Wales", EntityKind::Place), "a nation: {m:?}");
        let t = kinds(
            "TENNIS - RESULTS AT THE QUILBY OPEN .\nNEW YORK 1996-08-28\n\
             Peter Quorvath ( U.S. ) beat Adrian Zelinski ( Romania ) 6-3 6-2 6-2\n\
             Results at the Quilby Open tennis championships on Wednesday :\n",
        );
        assert!(has(&t, "Peter Quorvath", EntityKind::Person), "{t:?}");
        assert!(has(&t, "U.S.", EntityKind::Place), "{t:?}");
        assert!(
            !t.iter()
                .any(|(x, _)| x.contains("Quilby") || x.contains("QUILBY")),
            "an event's name is no place: {t:?}"
        );
    }

    #[test]
    fn stock_table_lines_name_companies() {
        let m = kinds(
            "GERMAN STOCKS CLOSE HIGHER .\nFRANKFURT 1996-08-30\nLeading shares closed \
             higher on Friday .\nZorvanit 41.60 ( up 0.45 )\nQuilbermann 79.60 ( unchanged )\n",
        );
        for c in ["Zorvanit", "Quilbermann"] {
            assert!(has(&m, c, EntityKind::Organisation), "{c}: {m:?}");
        }
    }

    #[test]
    fn a_town_is_the_venue_and_its_club_is_the_team() {
        let m = kinds(
            "RUGBY LEAGUE - RESULTS .\nLONDON 1996-08-30\nHalifax 6 Walsall 30\n\
             Grimsby 12 Halifax 8\nWalsall won 30-6 at Halifax on Sunday .\n",
        );
        assert!(
            has(&m, "Halifax", EntityKind::Organisation),
            "the club: {m:?}"
        );
        assert!(has(&m, "Halifax", EntityKind::Place), "the venue: {m:?}");
    }

    #[test]
    fn a_headline_takes_the_bodys_longer_names() {
        let m = kinds(
            "BANK OF QUILBIA CUTS RATE AS ZORVAK FOODS GAINS .\nMADRID 1996-08-30\n\
             The Bank of Quilbia cut its key rate on Tuesday .\nZorvak Foods Plc rose 5 \
             pence .\n",
        );
        assert!(
            has(&m, "BANK OF QUILBIA", EntityKind::Organisation),
            "the body's name, not a place inside it: {m:?}"
        );
        assert!(
            has(&m, "ZORVAK FOODS", EntityKind::Organisation),
            "a company without its legal form: {m:?}"
        );
        let d = kinds("FLOODS HIT TOWN .\nQUILB AM SEE , Austria 1996-09-06\nRain fell .\n");
        assert!(
            has(&d, "QUILB AM SEE", EntityKind::Place),
            "a dateline's place is taken whole: {d:?}"
        );
    }
}
