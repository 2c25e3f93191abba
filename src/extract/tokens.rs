//! Stage 1 and 2: tokens and sentences.
//!
//! The tokeniser walks the text once, keeping byte offsets (for slicing) and code-point
//! offsets (what [`super::Mention`] reports) side by side, so no offset is ever converted
//! later and no string is sliced inside a character. Its conventions follow the training
//! corpora of the tagger (Penn-Treebank-like): a possessive `'s` is its own token, a
//! hyphenated word is one token, an abbreviation keeps its period (`U.S.`, `Mr.`, `E.`).
//! Handles, hashtags and URLs are single tokens of their own kind: they are never tagged.
//!
//! Sentences end at `.`, `!`, `?` before a capital, quote or the end, at every line break
//! (articles and posts put paragraphs and posts on lines of their own) and around skipped
//! spans (signature lines).

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    Word,
    Number,
    Punct,
    Handle,
    Hashtag,
    Url,
}

/// One token. `start`/`end` are byte offsets, `cstart`/`cend` code-point offsets.
#[derive(Debug, Clone, Copy)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub cstart: usize,
    pub cend: usize,
    pub kind: TokKind,
    /// Inside a span the caller asked to skip.
    pub skip: bool,
    /// The first word of its sentence.
    pub initial: bool,
    /// A line break precedes this token.
    pub newline_before: bool,
}

/// A sentence as a range of token indexes.
#[derive(Debug, Clone, Copy)]
pub struct Sentence {
    pub first: usize,
    pub last: usize, // exclusive
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Combining marks (Arabic harakat, Latin accents in NFD, ZWJ/ZWNJ) stay inside words.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05BD | 0x0610..=0x061A | 0x064B..=0x065F
        | 0x0670 | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
        | 0x0900..=0x0903 | 0x093A..=0x094F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x200C | 0x200D
        | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Abbreviations that keep their period (lowercase, without the period).
fn keeps_period(word: &str) -> bool {
    let n = word.chars().count();
    if n == 1 {
        return word.chars().all(|c| c.is_uppercase());
    }
    matches!(
        word,
        "Mr" | "Mrs"
            | "Ms"
            | "Dr"
            | "Prof"
            | "St"
            | "Gen"
            | "Col"
            | "Lt"
            | "Sgt"
            | "Capt"
            | "Gov"
            | "Sen"
            | "Rep"
            | "Rev"
            | "Jr"
            | "Sr"
            | "Inc"
            | "Corp"
            | "Co"
            | "Ltd"
            | "Jan"
            | "Feb"
            | "Aug"
            | "Sept"
            | "Sep"
            | "Oct"
            | "Nov"
            | "Dec"
            | "vs"
            | "No"
    )
}

/// Splits `text` into tokens. `skip` spans are code-point ranges.
pub fn tokenize(text: &str, skip: &[(usize, usize)], out: &mut Vec<Token>) {
    out.clear();
    let b = text.as_bytes();
    let mut chars = text.char_indices().peekable();
    let mut cpos = 0usize; // code points consumed so far
    let mut newline = true;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            if c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}' {
                newline = true;
            }
            chars.next();
            cpos += 1;
            continue;
        }
        let start = i;
        let cstart = cpos;
        let kind;
        let rest = &text[i..];
        if rest.starts_with("http://")
            || rest.starts_with("https://")
            || rest.starts_with("www.")
            || rest.starts_with("pic.twitter.com/")
        {
            kind = TokKind::Url;
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                chars.next();
                cpos += 1;
            }
        } else if (c == '@' || c == '#')
            && rest[1..]
                .chars()
                .next()
                .is_some_and(|n| is_word_char(n) || n == '_')
        {
            kind = if c == '@' {
                TokKind::Handle
            } else {
                TokKind::Hashtag
            };
            chars.next();
            cpos += 1;
            while let Some(&(j, c)) = chars.peek() {
                let ok = is_word_char(c)
                    || c == '_'
                    || (c == '.'
                        && kind == TokKind::Handle
                        && text[j + 1..].chars().next().is_some_and(is_word_char));
                if !ok {
                    break;
                }
                chars.next();
                cpos += 1;
            }
        } else if c.is_ascii_digit()
            // ".561" (a winning percentage in a standings table) after a space is a number,
            // not a full stop.
            || c == '.'
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
                && (i == 0 || b[i - 1].is_ascii_whitespace())
        {
            kind = TokKind::Number;
            chars.next();
            cpos += 1;
            while let Some(&(j, c)) = chars.peek() {
                let ok = c.is_ascii_digit()
                    || ((c == ',' || c == '.') && b.get(j + 1).is_some_and(|d| d.is_ascii_digit()));
                if !ok {
                    break;
                }
                chars.next();
                cpos += 1;
            }
        } else if is_word_char(c) {
            kind = TokKind::Word;
            chars.next();
            cpos += 1;
            while let Some(&(j, c)) = chars.peek() {
                if is_word_char(c) {
                    chars.next();
                    cpos += 1;
                    continue;
                }
                let next = text[j + c.len_utf8()..].chars().next();
                if c == '-' && next.is_some_and(is_word_char) {
                    chars.next();
                    cpos += 1;
                    continue;
                }
                if is_apostrophe(c) && next.is_some_and(|n| n.is_alphabetic()) {
                    // "Aleppo's" and "it's" split before the apostrophe; "O'Brien" does not.
                    let after = &text[j + c.len_utf8()..];
                    let len = after
                        .find(|c: char| !is_word_char(c))
                        .unwrap_or(after.len());
                    let tail = &after[..len];
                    if ["s", "re", "ve", "ll", "d", "m", "t"]
                        .iter()
                        .any(|x| tail.eq_ignore_ascii_case(x))
                    {
                        break;
                    }
                    chars.next();
                    cpos += 1;
                    continue;
                }
                if c == '.' {
                    let word = &text[start..j];
                    // "U.S." / "E." / "Mr.": the period belongs to the abbreviation.
                    let dotted = word.len() >= 2
                        && word.as_bytes()[word.len() - 2] == b'.'
                        && word.chars().last().is_some_and(|c| c.is_alphabetic());
                    if keeps_period(word) || dotted {
                        chars.next();
                        cpos += 1;
                        if next.is_some_and(|n| n.is_alphabetic() && n.is_uppercase())
                            && word.chars().count() == 1
                        {
                            // "U.S": keep going for the next letter.
                            continue;
                        }
                    }
                    break;
                }
                break;
            }
        } else if is_apostrophe(c)
            && text[i + c.len_utf8()..]
                .chars()
                .next()
                .is_some_and(|n| n.is_alphabetic())
        {
            // The "'s" of a possessive, split off above.
            kind = TokKind::Word;
            chars.next();
            cpos += 1;
            while let Some(&(_, c)) = chars.peek() {
                if !is_word_char(c) {
                    break;
                }
                chars.next();
                cpos += 1;
            }
        } else {
            kind = TokKind::Punct;
            chars.next();
            cpos += 1;
        }
        let end = chars.peek().map(|&(j, _)| j).unwrap_or(text.len());
        let skip_tok = skip.iter().any(|&(s, e)| cstart < e && cpos > s);
        out.push(Token {
            start,
            end,
            cstart,
            cend: cpos,
            kind,
            skip: skip_tok,
            initial: false,
            newline_before: newline,
        });
        newline = false;
    }
}

/// Splits tokens into sentences and marks sentence-initial words.
pub fn sentences(text: &str, toks: &mut [Token], out: &mut Vec<Sentence>) {
    out.clear();
    let mut first = 0;
    let n = toks.len();
    let mut i = 0;
    while i < n {
        let t = toks[i];
        let boundary_before = i > first
            && (t.newline_before || t.skip != toks[i - 1].skip || {
                let p = &text[toks[i - 1].start..toks[i - 1].end];
                matches!(p, "." | "!" | "?" | "…")
                    && (t.kind != TokKind::Word || starts_upper(&text[t.start..t.end]))
                    || (matches!(p, "\"" | "”" | "'" | "’")
                        && i >= 2
                        && matches!(&text[toks[i - 2].start..toks[i - 2].end], "." | "!" | "?")
                        && starts_upper(&text[t.start..t.end]))
            });
        if boundary_before {
            out.push(Sentence { first, last: i });
            first = i;
        }
        i += 1;
    }
    if first < n {
        out.push(Sentence { first, last: n });
    }
    for s in out.iter() {
        for t in &mut toks[s.first..s.last] {
            if t.kind == TokKind::Word || t.kind == TokKind::Number {
                t.initial = true;
                break;
            }
            if t.kind != TokKind::Punct {
                break;
            }
        }
    }
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        tokenize(text, &[], &mut v);
        v.iter().map(|t| text[t.start..t.end].to_string()).collect()
    }

    #[test]
    fn splits_possessives_keeps_abbreviations() {
        assert_eq!(
            toks("Aleppo's U.S. Mr. Smith E. Aleppo rebel-held O'Brien"),
            vec![
                "Aleppo",
                "'s",
                "U.S.",
                "Mr.",
                "Smith",
                "E.",
                "Aleppo",
                "rebel-held",
                "O'Brien"
            ]
        );
    }

    #[test]
    fn handles_hashtags_urls_numbers() {
        assert_eq!(
            toks("#SaveAleppo@x https://t.co/a 1,200 98% @Mr.Alhamdo"),
            vec![
                "#SaveAleppo",
                "@x",
                "https://t.co/a",
                "1,200",
                "98",
                "%",
                "@Mr.Alhamdo"
            ]
        );
    }

    #[test]
    fn code_point_offsets_survive_arabic_and_emoji() {
        let text = "هادي 😀 Hadi";
        let mut v = Vec::new();
        tokenize(text, &[], &mut v);
        let last = v.last().map(|t| (t.cstart, t.cend));
        assert_eq!(last, Some((7, 11)), "tokens: {v:?}");
        assert_eq!(v.len(), 3);
    }

    #[test]
    fn sentences_split_on_periods_and_lines() {
        let text = "He left. She stayed\nThen rain. mr. x";
        let mut v = Vec::new();
        tokenize(text, &[], &mut v);
        let mut s = Vec::new();
        sentences(text, &mut v, &mut s);
        assert_eq!(s.len(), 3, "{s:?}");
    }
}
