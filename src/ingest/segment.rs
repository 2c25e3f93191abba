//! Segmentation: a document's text split into article prose and embedded posts.
//!
//! An embedded post is found by its signature, the line news sites print under a
//! quoted post: `— Display Name (@handle) December 12, 2016`. The recogniser is a
//! handful of patterns over handles and dates, not a list of known accounts:
//!
//! 1. every `(@handle)` and every bare `@handle` is a candidate;
//! 2. to its left, on the same line, a dash (em, en or a spaced hyphen) and a display
//!    name of at most 50 characters (Twitter's limit), or no dash, in which case the
//!    name is what follows the last sentence end;
//! 3. to its right, a date in any of the forms [`super::dates::date_at`] reads, or
//!    the end of the line;
//! 4. a candidate is a signature when the evidence is enough: a dash with a date or at
//!    the line's end, or a date the sentence does not run on after, or a short name
//!    alone on its line. A bare `@handle` always needs a date.
//!
//! Where the post's text begins is decided by evidence, from strongest to weakest
//! (`docs/formats.md` tells the whole story, with the measured effect):
//! an introduction (`…described the scene:`) close above; in a document of blank-line
//! paragraphs, the paragraph; else line by line upwards from the signature, bounded by
//! the previous signature or a blank line, while the lines are short, fit in a post
//! and do not read as the article's own prose (a finished third-person sentence with
//! none of a post's marks). A flattened article (newlines removed by a scraper) is
//! cut at the places where a sentence end runs straight into the next capital
//! (`…Aleppo.There is…`), which is where the newlines were, or else at sentence ends.
//!
//! All offsets here are byte offsets into the document text; the caller converts
//! what it exposes to code points.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::dates::date_at_near;

/// Twitter's longest post, plus slack for a signature-like tail (`- Fatemah #Aleppo`).
const MAX_POST: usize = 300;
/// How far back from a handle the signature's dash and name are looked for (bytes).
const LOOK_BACK: usize = 400;
/// Twitter's longest display name, with slack for emoji and decorations.
const MAX_NAME: usize = 50;
/// A line longer than this is prose unless the previous signature or a paragraph
/// break says otherwise.
const MAX_POST_LINE: usize = 100;
/// A sentence cut from a flattened line reads as the article's narrative only with at
/// least this many words.
const PROSE_WORDS: usize = 8;
/// How far above a signature its post is looked for (bytes): far more than any post,
/// even one of long links (each counts as [`LINK_LEN`] characters).
const WINDOW: usize = 16 << 10;
/// What a link counts for in a post's length (Twitter shortens every link to this).
const LINK_LEN: usize = 23;

static CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\()?@([A-Za-z0-9_]{1,15})(\))?").unwrap_or_else(|e| panic!("{e}"))
});
static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:\bhttps?://|\bwww\.)[^\s<>"\x{2014}\x{2013}]+|\b(?:pic\.twitter\.com|t\.co|bit\.ly)/[A-Za-z0-9_]+"#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
static PAREN_HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\(@[A-Za-z0-9_]{1,15}\)").unwrap_or_else(|e| panic!("{e}")));
static HASHTAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#([\p{L}\p{M}\p{N}_]+)").unwrap_or_else(|e| panic!("{e}")));
static MENTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\w@/.])@([A-Za-z0-9_]{1,15})\b").unwrap_or_else(|e| panic!("{e}"))
});

/// An embedded post.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    /// The post's text as written (newlines kept, surrounding space trimmed).
    pub text: String,
    /// The span of `text` in the document (bytes).
    pub start: usize,
    pub end: usize,
    /// The span of the signature in the document (bytes).
    pub sig_start: usize,
    pub sig_end: usize,
    pub display_name: Option<String>,
    /// The author's handle, without `@`.
    pub handle: String,
    pub date: Option<NaiveDate>,
    /// Hashtags in the text, lower-cased, without `#`, first occurrence order.
    pub hashtags: Vec<String>,
    /// Links in the text, as written.
    pub urls: Vec<String>,
    /// Handles mentioned in the text, without `@`.
    pub mentions: Vec<String>,
}

/// A document's text, segmented.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Segmented {
    pub posts: Vec<Post>,
    /// Spans (bytes) that are not prose: signatures and links.
    pub skip: Vec<(usize, usize)>,
}

/// A recognised signature.
#[derive(Debug, Clone, PartialEq)]
struct Signature {
    start: usize,
    end: usize,
    name: Option<String>,
    handle: String,
    date: Option<NaiveDate>,
}

/// Segments a document's text. `near` is the document's date, when known: it settles
/// ambiguous numeric dates in signatures.
pub fn segment(text: &str, near: Option<NaiveDate>) -> Segmented {
    let mut out = Segmented::default();
    // Does the document end its paragraphs with blank lines (HTML as dossier renders
    // it, most Markdown)? Then a single newline is a line break inside a paragraph
    // (`<br>`), and a paragraph that ends in a signature is the post, whatever its
    // lines read like.
    let (mut blank, mut full) = (0usize, 0usize);
    for l in text.lines() {
        if l.trim().is_empty() {
            blank += 1;
        } else {
            full += 1;
        }
    }
    let blank_paragraphs = full > 0 && blank * 3 >= full * 2;
    let mut floor = 0;
    let mut search = 0;
    while let Some(m) = CANDIDATE.captures_at(text, search) {
        let whole = m.get(0).map_or(search..search + 1, |g| g.range());
        search = whole.end.max(search + 1);
        let Some(sig) = signature(text, &m, floor, near) else {
            continue;
        };
        let end = trim_end(text, floor, sig.start);
        let start = post_start(text, floor, end, blank_paragraphs);
        let body = &text[start..end];
        out.posts.push(Post {
            text: body.to_string(),
            start,
            end,
            sig_start: sig.start,
            sig_end: sig.end,
            display_name: sig.name,
            handle: sig.handle,
            date: sig.date,
            hashtags: hashtags(body),
            urls: URL.find_iter(body).map(|u| clean_url(u.as_str())).collect(),
            mentions: mentions(body),
        });
        out.skip.push((sig.start, sig.end));
        floor = sig.end;
        search = search.max(sig.end);
    }
    for u in URL.find_iter(text) {
        let len = clean_url(u.as_str()).len();
        out.skip.push((u.start(), u.start() + len));
    }
    out.skip.sort_unstable();
    out
}

/// Whether the candidate `m` is a signature, and its extent.
fn signature(
    text: &str,
    m: &regex::Captures,
    floor: usize,
    near: Option<NaiveDate>,
) -> Option<Signature> {
    let whole = m.get(0)?;
    let handle = m.get(2)?.as_str().to_string();
    let paren = m.get(1).is_some();
    if paren != m.get(3).is_some() {
        return None;
    }
    // The handle must end there: `@abcdefghijklmnopq` is no 15-character handle.
    if !paren && text[whole.end()..].starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let at = whole.start();
    if at < floor {
        return None;
    }
    // A bare handle stands after a space, a dash or the line start, never in a word or a URL.
    if !paren {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| !(c.is_whitespace() || is_dash(c))) {
            return None;
        }
    }
    // Look back at most LOOK_BACK bytes: a signature's name is short, and a bound
    // keeps a flattened megabyte line with many handles linear.
    let mut lo = at.saturating_sub(LOOK_BACK).max(floor);
    while !text.is_char_boundary(lo) {
        lo += 1;
    }
    let line_start = text[lo..at].rfind('\n').map_or(lo, |i| lo + i + 1);
    let truncated = line_start == lo && lo > 0 && text.as_bytes()[lo - 1] != b'\n' && lo != floor;
    let prefix = &text[line_start..at];

    // Left: the dash and the display name.
    let dash = find_dash(prefix);
    let (sig_start, name, name_at_line_start) = match dash {
        Some((pos, len)) => {
            let name = prefix[pos + len..].trim();
            (line_start + pos, name, false)
        }
        None => {
            // The name follows the post's last sentence end, link or hashtag.
            let from = [
                last_sentence_end(prefix),
                URL.find_iter(prefix).last().map_or(0, |m| m.end()),
                HASHTAG.find_iter(prefix).last().map_or(0, |m| m.end()),
            ]
            .into_iter()
            .max()
            .unwrap_or(0);
            // Without a dash, the name is only the trailing run of name-like words:
            // in flattened text the post's last words come straight before it
            // (`…up the hill 🙏 Marta Giménez (@m)`).
            // (A name alone on its line keeps every word: `tired commuter (@sue)`.)
            let from = if from > 0 {
                from + name_tail(&prefix[from..])
            } else {
                from
            };
            let name = prefix[from..].trim();
            let lead = prefix.len() - prefix[from..].trim_start().len();
            (
                line_start + lead.min(prefix.len()),
                name,
                from == 0 && !truncated,
            )
        }
    };
    if name.chars().count() > MAX_NAME {
        return None;
    }
    let name = (!name.is_empty()).then(|| name.to_string());
    let sig_start = if name.is_none() && dash.is_none() {
        at
    } else {
        sig_start
    };

    // Right: the date, possibly on the next line (an HTML link rendered as a block).
    let rest = &text[whole.end()..];
    let skipped = skip_space_and_one_newline(rest);
    let (date, sig_end) = match date_at_near(&rest[skipped..], near) {
        Some((d, len)) => (Some(d), whole.end() + skipped + len),
        None => (None, whole.end()),
    };
    let line_rest = rest.split('\n').next().unwrap_or("").trim();
    // A date the sentence goes on after (`(@COPPresidency) on 19 November 2022 that
    // talks…`) is prose; a signature's date ends its line or meets the next sentence.
    let after = &text[sig_end..];
    let sentence_goes_on = date.is_some()
        && after.starts_with([' ', '\t'])
        && after.trim_start().starts_with(|c: char| c.is_lowercase());
    if dash.is_none() && sentence_goes_on {
        return None;
    }

    // Without a date, a signature ends its line: `- Lucy Tran (@lucytran_) - said`
    // is prose naming an account between dashes.
    let accept = if paren {
        (dash.is_some() && (date.is_some() || line_rest.is_empty()))
            || date.is_some()
            || (line_rest.is_empty()
                && name_at_line_start
                && name.as_deref().is_some_and(looks_like_name))
    } else {
        date.is_some() && (dash.is_some() || name.is_none() || name_at_line_start)
    };
    accept.then_some(Signature {
        start: sig_start,
        end: sig_end,
        name,
        handle,
        date,
    })
}

fn is_dash(c: char) -> bool {
    matches!(c, '—' | '–' | '―' | '-')
}

/// The rightmost signature dash in `prefix`: an em, en or horizontal-bar dash
/// anywhere, or a hyphen standing alone (`- ` at the line start or ` - `), so that
/// `Jean-Luc` is no dash. Returns (byte position, byte length).
fn find_dash(prefix: &str) -> Option<(usize, usize)> {
    let mut best = None;
    let mut prev: Option<char> = None;
    let mut it = prefix.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        let next = it.peek().map(|x| x.1);
        let ok = match c {
            '—' | '–' | '―' => true,
            // Followed by a space: `- Name`, also glued to the post in flattened text
            // (`pic.twitter.com/x- Name`), never inside a word (`Jean-Luc`).
            '-' => next.is_none_or(|n| n.is_whitespace()) && prev != Some('-'),
            _ => false,
        };
        if ok {
            best = Some((i, c.len_utf8()));
        }
        prev = Some(c);
    }
    // Scraped text sometimes keeps the HTML entity of the dash.
    for entity in ["&mdash;", "&ndash;", "&#8212;", "&#8211;"] {
        if let Some(i) = prefix.rfind(entity)
            && best.is_none_or(|(b, _)| i > b)
        {
            best = Some((i, entity.len()));
        }
    }
    // A dash too far from the handle belongs to the prose, not to the signature.
    best.filter(|(i, len)| prefix[i + len..].trim().chars().count() <= MAX_NAME)
}

/// The byte offset just after the last sentence end in `s` (0 when none): a
/// terminator followed by a space, or glued to a capital letter.
fn last_sentence_end(s: &str) -> usize {
    let mut last = 0;
    let mut prev: Option<char> = None;
    for (i, c) in s.char_indices() {
        if let Some(p) = prev
            && is_terminator(p)
            && (c.is_whitespace() || c.is_uppercase())
        {
            last = i;
        }
        prev = Some(c);
    }
    if prev.is_some_and(is_terminator) {
        last = s.len();
    }
    last
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '"' | '”' | '»' | ':' | ';')
}

/// Where the display name starts in `s`, the text between a signature's last sentence
/// end and its `(@handle)` when there is no dash: the trailing run of words that can
/// be part of a name (capitalised, uncased scripts such as Arabic or Han, digits,
/// parenthesised parts, initials). A lower-case word belongs to the post; so does
/// a symbol (emoji) that would start the name.
fn name_tail(s: &str) -> usize {
    let mut start = s.len();
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut i = 0;
    for w in s.split_whitespace() {
        let at = s[i..].find(w).map_or(i, |k| i + k);
        words.push((at, w));
        i = at + w.len();
    }
    for &(at, w) in words.iter().rev() {
        let first = w
            .trim_start_matches(['(', '[', '"', '\'', '“'])
            .chars()
            .next();
        // (A lower-case particle, `Ursula von der Leyen`, cannot be told from the
        // post's `thank you all`: run into a post, such a name keeps its last part.)
        match first {
            Some(c) if c.is_lowercase() => break,
            Some(c) if c.is_alphabetic() || c.is_ascii_digit() || !c.is_ascii() => start = at,
            _ => break,
        }
    }
    // A name does not start with a symbol: `🙏 Marta` leaves the emoji to the post.
    for &(at, w) in &words {
        if at < start {
            continue;
        }
        if w.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '(')
        {
            start = at;
            break;
        }
        start = at + w.len();
    }
    start.min(s.len())
}

/// A display name standing alone on its line, without a dash or a date: short, a
/// few words, no sentence punctuation, every word name-like (`A post shared by
/// Restoration Team (@restorationteam)` under an Instagram embed is no signature).
fn looks_like_name(name: &str) -> bool {
    name.split_whitespace().count() <= 6 && !name.chars().any(is_terminator) && name_tail(name) == 0
}

fn skip_space_and_one_newline(s: &str) -> usize {
    let mut newline = false;
    for (i, c) in s.char_indices() {
        if c == '\n' {
            if newline {
                return i;
            }
            newline = true;
        } else if !c.is_whitespace() {
            return i;
        }
    }
    s.len()
}

/// `end` moved left over whitespace, not below `floor`.
fn trim_end(text: &str, floor: usize, end: usize) -> usize {
    let t = text[floor..end].trim_end();
    // A Markdown quotation's marker before the signature (`> — Name (@h)`) is not
    // the post's.
    let t = match t.strip_suffix('>') {
        Some(rest) if rest.is_empty() || rest.ends_with('\n') => rest.trim_end(),
        _ => t,
    };
    floor + t.len()
}

/// `start` moved past a Markdown quotation marker (`> `) at the start of a line.
fn skip_quote_marker(text: &str, start: usize, end: usize) -> usize {
    let at_line_start = start == 0 || text[..start].ends_with('\n');
    match text[start..end].strip_prefix('>') {
        Some(rest) if at_line_start => end - rest.trim_start().len(),
        _ => start,
    }
}

/// A post's length as Twitter counts it: characters, every link as [`LINK_LEN`].
fn post_len(s: &str) -> usize {
    let mut n = s.chars().count();
    for u in URL.find_iter(s) {
        n = n - u.as_str().chars().count() + LINK_LEN;
    }
    n
}

/// Where the post ending at `end` begins (see the module docs for the evidence).
fn post_start(text: &str, floor: usize, end: usize, blank_paragraphs: bool) -> usize {
    let start = post_start_line(text, floor, end, blank_paragraphs);
    skip_quote_marker(text, start, end)
}

fn post_start_line(text: &str, floor: usize, end: usize, blank_paragraphs: bool) -> usize {
    if end <= floor {
        return end;
    }
    let region = &text[floor..end];
    // A paragraph break (a blank line) bounds the post.
    // (`end` is trimmed, so there is text after any break found.)
    let blank_line = region.rmatch_indices('\n').find(|(i, _)| {
        region[i + 1..]
            .split('\n')
            .next()
            .is_some_and(|l| l.trim().is_empty())
    });
    let para = skip_space(text, blank_line.map_or(floor, |(i, _)| floor + i + 1), end);
    // Bounded: the previous signature or a paragraph break (not the document start)
    // closes a stretch short enough to be one post, so every line of it belongs.
    let bounded = para > 0 && post_len(&text[para..end]) <= MAX_POST;
    // Line by line upwards (lines, or virtual lines in a flattened paragraph).
    // The walk never goes further up than a post's length, so only the end of a long
    // stretch is cut into units (a flattened article can be one line of megabytes).
    let mut from = para.max(end.saturating_sub(WINDOW));
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let units = units(text, from, end);
    let Some(mut start) = units.last().map(|u| u.start) else {
        return para;
    };
    let mut total = post_len(&text[start..end]);
    // An introduction close above (`Volunteers described the scene:`) says that all
    // below it is the quote, whatever its lines read like — unless a line in between
    // is itself a quotation in quotation marks, which is the article quoting speech.
    let mut below = total;
    for u in units.iter().rev().skip(1) {
        let unit = text[u.start..u.end].trim();
        if unit.is_empty() || unit.starts_with(['"', '“']) {
            break;
        }
        if unit.ends_with(':') {
            return skip_space(text, u.end, end);
        }
        below += post_len(unit);
        if below > MAX_POST {
            break;
        }
    }
    // In a document of blank-line paragraphs, the paragraph is the post.
    if blank_paragraphs && bounded && blank_line.is_some() {
        return para;
    }
    for u in units.iter().rev().skip(1) {
        let (s, e) = (u.start, u.end);
        let unit = text[s..e].trim();
        // A line ending in `:` introduces the quote: it is the article's.
        if unit.is_empty() || unit.ends_with(':') {
            break;
        }
        let len = post_len(unit);
        if (!bounded && len > MAX_POST_LINE) || total + len > MAX_POST {
            break;
        }
        // A Markdown heading (`## On the islands`) is the article's.
        if unit.starts_with('#') && unit.trim_start_matches('#').starts_with(' ') {
            break;
        }
        // A line that reads as the article's own prose ends the walk, bounded or
        // not: a short narrative line between two quoted posts ("Her opponent was
        // gracious in defeat.") is no part of the second.
        // Where only a sentence end separates it from the post, a sentence must also
        // be long, as narrative sentences are: a post's own short ones ("Never.")
        // stay in the post.
        if reads_as_prose(unit) && (!u.weak || unit.split_whitespace().count() >= PROSE_WORDS) {
            break;
        }
        total += len;
        start = s;
    }
    skip_space(text, start, end)
}

/// English first- and second-person pronouns: the closed word class that marks a
/// post's voice (`we did it`, `thank you`) against a news article's third person.
/// Grammar, not a gazetteer: these are all of them.
const PERSONAL: [&str; 20] = [
    "i", "i'm", "i've", "i'll", "i'd", "me", "my", "mine", "we", "we're", "we've", "we'll", "us",
    "our", "ours", "you", "you're", "you've", "your", "yours",
];

/// Whether a line (or sentence) reads as a news article's narrative: it ends a
/// sentence with a full stop (possibly inside a closing quote), carries none of a
/// post's marks, does not shout, and speaks of others — no first- or second-person
/// pronoun outside quotation marks. An exclamation or a question is a post's voice.
fn reads_as_prose(unit: &str) -> bool {
    // Cheapest tests first: this runs on every line the walk upwards meets.
    let core = unit.trim_end_matches(['"', '”', '’', '\'', ')', ']']);
    if !(core.ends_with('.') || core.ends_with('…')) {
        return false;
    }
    // A sentence starts with a capital (or a digit, or a quotation); a line starting in
    // lower case continues the one above it, as a post's broken lines do.
    if unit.starts_with(|c: char| c.is_lowercase()) {
        return false;
    }
    let mut quoted = false;
    let mut word = String::new();
    let mut personal = false;
    // Words outside quotation marks, lower-cased, `’` read as `'`.
    for c in unit.chars().chain(std::iter::once(' ')) {
        match c {
            '"' | '“' | '”' => quoted = !quoted,
            _ if quoted => {}
            _ if c.is_alphanumeric() || c == '\'' || c == '’' => {
                word.extend(c.to_lowercase().map(|l| if l == '’' { '\'' } else { l }));
            }
            _ => {
                personal |= PERSONAL.contains(&word.as_str());
                word.clear();
            }
        }
        if personal {
            return false;
        }
    }
    !has_post_marks(unit)
}

/// Whether a line carries what posts carry and prose seldom does: a hashtag, an
/// @mention, a link or an emoji.
fn has_post_marks(line: &str) -> bool {
    // `(@handle)` is how an article names an account, not a post's mention.
    let line = &if line.contains("(@") {
        PAREN_HANDLE.replace_all(line, "")
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    HASHTAG.is_match(line)
        || MENTION.is_match(line)
        || URL.is_match(line)
        || line
            .chars()
            .any(|c| matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF))
        || shouts(line)
}

/// Two or more words and every letter a capital (`FIFTY ONE YEARS.`): news prose
/// never writes a sentence so.
fn shouts(line: &str) -> bool {
    let words = line
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    words >= 2
        && line
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| !c.is_lowercase())
}

fn skip_space(text: &str, from: usize, end: usize) -> usize {
    end - text[from..end].trim_start().len()
}

/// A stretch of text the walk upwards takes or leaves whole: a line, or a sentence of
/// a line that is no post by itself.
#[derive(Debug, Clone, Copy)]
struct Unit {
    start: usize,
    end: usize,
    /// The boundary after it is only a sentence end followed by a space: weak
    /// evidence of where a post starts, so a stricter prose test applies.
    weak: bool,
}

/// The lines of `text[from..end]`, cut further where a line is too long to be a post:
/// where its sentences run into each other (glued: `end.Next`, where a scraper removed
/// a newline), and at every sentence end when the line is not a post line by itself
/// (it does not start a line of the document, or it is longer than any post).
fn units(text: &str, from: usize, end: usize) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut line_start = from;
    for line in text[from..end].split('\n') {
        let line_end = line_start + line.len();
        let len = post_len(line);
        // A line of its own: the document has a newline before it.
        let own_line = text[..line_start].ends_with('\n');
        let mut breaks: Vec<(usize, bool)> = Vec::new();
        if len > MAX_POST_LINE {
            breaks = sentence_breaks(line, true)
                .into_iter()
                .map(|b| (b, false))
                .collect();
            if breaks.is_empty() && (!own_line || len > MAX_POST) {
                breaks.extend(sentence_breaks(line, false).into_iter().map(|b| (b, true)));
                breaks.sort_unstable();
                breaks.dedup_by_key(|b| b.0);
            }
        }
        let mut s = line_start;
        for (b, weak) in breaks {
            out.push(Unit {
                start: s,
                end: line_start + b,
                weak,
            });
            s = line_start + b;
        }
        out.push(Unit {
            start: s,
            end: line_end,
            weak: false,
        });
        line_start = line_end + 1;
    }
    out
}

/// Byte offsets in `line` where a new sentence starts: after a terminator followed
/// directly by a capital (`glued`), or by whitespace and then a capital. (No table of
/// the line's characters: terminators are few, their neighbours are read in place.)
fn sentence_breaks(line: &str, glued: bool) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, t) in line.match_indices(['.', '!', '?', '…']) {
        let after = &line[i + t.len()..];
        if glued {
            let prev = line[..i].chars().next_back();
            if after.starts_with(char::is_uppercase)
                // `U.S.Army` is no sentence break: the character before is a capital.
                // (`…to 1.1%.Growth` is one.)
                && prev.is_some_and(|p| !p.is_uppercase() && !p.is_whitespace())
            {
                out.push(i + t.len());
            }
        } else {
            let rest = after.trim_start();
            if rest.len() < after.len()
                && rest.starts_with(|n: char| n.is_uppercase() || !n.is_ascii())
            {
                out.push(line.len() - rest.len());
            }
        }
    }
    out
}

fn hashtags(body: &str) -> Vec<String> {
    let masked = mask_urls(body);
    let mut out: Vec<String> = Vec::new();
    for c in HASHTAG.captures_iter(&masked) {
        let Some(tag) = c.get(1) else { continue };
        if !tag.as_str().chars().any(char::is_alphabetic) {
            continue;
        }
        let tag = tag.as_str().to_lowercase();
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    out
}

fn mentions(body: &str) -> Vec<String> {
    let masked = mask_urls(body);
    let mut out: Vec<String> = Vec::new();
    for c in MENTION.captures_iter(&masked) {
        if let Some(h) = c.get(1)
            && !out.iter().any(|x| x.eq_ignore_ascii_case(h.as_str()))
        {
            out.push(h.as_str().to_string());
        }
    }
    out
}

/// `s` with every link replaced by spaces (same length, so offsets hold).
fn mask_urls(s: &str) -> String {
    URL.replace_all(s, |c: &regex::Captures| " ".repeat(c[0].len()))
        .into_owned()
}

/// A link without the sentence punctuation that follows it.
fn clean_url(u: &str) -> String {
    u.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '\'', '"', '”', '’'])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Post {
        let s = segment(text, None);
        assert_eq!(s.posts.len(), 1, "posts in {text:?}: {:?}", s.posts);
        s.posts[0].clone()
    }

    #[test]
    fn classic_signature() {
        let p = one(
            "The final was played in front of a record crowd of more than eighty thousand people at the national stadium on Sunday.\nGoal!! #WorldCup\n— FIFA Media (@FIFAMedia) June 3, 2018\nMore prose.",
        );
        assert_eq!(p.text, "Goal!! #WorldCup");
        assert_eq!(p.handle, "FIFAMedia");
        assert_eq!(p.display_name.as_deref(), Some("FIFA Media"));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2018, 6, 3));
        assert_eq!(p.hashtags, vec!["worldcup"]);
    }

    #[test]
    fn hyphen_no_dash_and_no_name() {
        let p = one("Shares up 4%\n- Jane Roe (@janeroe) 12 March 2021");
        assert_eq!(p.display_name.as_deref(), Some("Jane Roe"));
        let p = one("Shares up 4%\nJane Roe (@janeroe) 2021-03-12");
        assert_eq!(p.display_name.as_deref(), Some("Jane Roe"));
        assert_eq!(p.text, "Shares up 4%");
        let p = one("Shares up 4%\n&mdash; Jane Roe (@janeroe) March 12, 2021");
        assert_eq!(p.display_name.as_deref(), Some("Jane Roe"));
        let p = one("Shares up 4%\n— @janeroe March 12, 2021");
        assert_eq!(p.display_name, None);
        assert_eq!(p.handle, "janeroe");
    }

    #[test]
    fn run_in_signature_and_flattened_text() {
        let t = "The board met on Monday and the chairman spoke at length about the plans for the coming year, which include a new plant in the north and a second one abroad.We did it! Record year for the team. — Acme Corp (@acme) Jan 5, 2020The shares rose.";
        let p = one(t);
        assert_eq!(p.text, "We did it! Record year for the team.");
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2020, 1, 5));
    }

    #[test]
    fn prose_handles_are_not_signatures() {
        let s = segment(
            "The minister (@minister) said so on Monday. Write to @press for details.",
            None,
        );
        assert!(s.posts.is_empty(), "{:?}", s.posts);
        let s = segment(
            "See https://medium.com/@writer/post-1 December 1, 2020",
            None,
        );
        assert!(s.posts.is_empty(), "{:?}", s.posts);
    }

    #[test]
    fn glued_hashtags_links_and_mentions() {
        let p = one(
            "Hear me!#SaveThem#Now thanks @ally pic.twitter.com/AbC123 https://t.co/x1Y\n— A (@a_b) May 1, 2019",
        );
        assert_eq!(p.hashtags, vec!["savethem", "now"]);
        assert_eq!(p.urls, vec!["pic.twitter.com/AbC123", "https://t.co/x1Y"]);
        assert_eq!(p.mentions, vec!["ally"]);
    }

    /// Issue 4: the post's start was one line too early after short prose lines
    /// (the previous signature or a paragraph break took every line in between).
    #[test]
    fn short_prose_lines_stay_out_of_the_post() {
        let t = "Her opponent was gracious in defeat.\nShe played well. Congrats 👏\n— Elena (@elena) 12 Dec 2023\nMilne was asked about her next opponent.\nShould be fun!\n— Kate Milne (@katemilne_) 12 Dec 2023\n";
        let s = segment(t, None);
        let texts: Vec<&str> = s.posts.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["She played well. Congrats 👏", "Should be fun!"]
        );
        // A post's own voice (first person) and its broken lines stay in it.
        let t = "— A (@a) 1 May 2020\nThanks all who stand for us.\nBut it's almost over\n— B (@b) 1 May 2020\n";
        assert_eq!(
            segment(t, None).posts[1].text,
            "Thanks all who stand for us.\nBut it's almost over"
        );
        let t = "Families waiting on rooftops\nsince Wednesday.\nNo food left. #help\n— B (@b) 1 May 2020\n";
        assert_eq!(
            one(t).text,
            "Families waiting on rooftops\nsince Wednesday.\nNo food left. #help"
        );
    }

    #[test]
    fn prose_naming_accounts_is_no_signature() {
        for t in [
            "Cole's campaign chief - Lucy Tran (@lucytran_) - said the candidate would speak.",
            "The president had posted on his account (@COPPresidency) on 19 November 2022 that talks were close.",
        ] {
            let s = segment(t, None);
            assert!(s.posts.is_empty(), "{t:?}: {:?}", s.posts);
        }
    }

    #[test]
    fn no_dash_names_with_particles() {
        // Alone on its line, a name keeps every word.
        let p = one("The summit closed.\nUrsula von der Leyen (@vonderleyen) Dec 1, 2019\n");
        assert_eq!(p.display_name.as_deref(), Some("Ursula von der Leyen"));
        let p = one(
            "The trains were late again.\nfourth strike this year\ntired commuter (@commuter_sue) Oct 2, 2023\n",
        );
        assert_eq!(p.display_name.as_deref(), Some("tired commuter"));
    }

    #[test]
    fn flattened_no_dash_name_leaves_the_posts_last_words() {
        let t = "Residents described a sky turned orange in the middle of the day. It's 2pm and it looks like sunset. Praying for everyone up the hill 🙏 Marta Giménez (@martagimenez_) Aug 3, 2021 Officials said no deaths had been reported.";
        let p = one(t);
        assert_eq!(p.display_name.as_deref(), Some("Marta Giménez"));
        assert_eq!(
            p.text,
            "It's 2pm and it looks like sunset. Praying for everyone up the hill 🙏"
        );
    }

    proptest::proptest! {
        /// Any text segments without panicking, and every span holds what it claims.
        #[test]
        fn spans_hold_their_text(parts in proptest::collection::vec(proptest::sample::select(vec![
            "— ", "- ", "Name ", "هادي ", "😀", "(@", "@", "h_1", ")", " December 12, 2016", "12/13/2016",
            "\n", "\n\n", ". ", ".The", "#tag", "https://t.co/x", "é", "prose words here ", ":",
        ]), 0..60)) {
            let text: String = parts.concat();
            let seg = segment(&text, None);
            for p in &seg.posts {
                proptest::prop_assert_eq!(text.get(p.start..p.end), Some(p.text.as_str()));
                proptest::prop_assert!(text.get(p.sig_start..p.sig_end).is_some_and(|s| s.contains(&p.handle)));
                proptest::prop_assert!(p.end <= p.sig_start);
            }
            for &(a, b) in &seg.skip {
                proptest::prop_assert!(text.get(a..b).is_some());
            }
        }
    }
}
