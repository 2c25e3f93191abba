//! A small lexer for the shell: it decides when a statement is complete, splits a
//! script into statements and meta-commands, and feeds highlighting and completion.
//!
//! It knows only what it must to find the statement ends: string literals (`'…'`,
//! `"…"` with backslash escapes), back-quoted names (`` `…` `` with doubled
//! back-quotes), comments (`// …` and `/* … */`) and the `;` that ends a statement.
//! It is deliberately not the query parser: a shell must judge a half-typed, possibly
//! wrong statement without failing (the idea of sqlite3's `sqlite3_complete`).

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokKind {
    /// A name or keyword (letters, digits, `_`).
    Word,
    /// A number literal (`12`, `1.5`, `1e3`, `0x1F`).
    Number,
    /// A string literal; `closed` is false when the text ends inside it.
    Str { closed: bool },
    /// A back-quoted name.
    Quoted { closed: bool },
    /// A comment; `closed` is false for an unterminated `/* …`.
    Comment { closed: bool },
    /// Spaces, tabs and line breaks.
    Space,
    /// Any other character (punctuation, operators, `;`).
    Punct(char),
}

/// A token: its kind and byte range in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub kind: TokKind,
    pub start: usize,
    pub end: usize,
}

/// The tokens of `text` that carry meaning: spaces and comments left out. The
/// lexical guesses of the shell (bound variables, labels, names a query used)
/// read these.
pub fn significant(text: &str) -> Vec<Tok> {
    tokens(text)
        .into_iter()
        .filter(|t| !matches!(t.kind, TokKind::Space | TokKind::Comment { .. }))
        .collect()
}

/// The name a word or a closed back-quoted token of `text` spells
/// (`` `full name` `` -> `full name`, a doubled back-quote -> one).
pub fn name_of(text: &str, t: &Tok) -> Option<String> {
    let s = &text[t.start..t.end];
    match t.kind {
        TokKind::Word => Some(s.to_string()),
        TokKind::Quoted { closed: true } => Some(s[1..s.len() - 1].replace("``", "`")),
        _ => None,
    }
}

/// Splits `text` into tokens. Never fails: every byte belongs to one token.
pub fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = match c {
            '\'' | '"' => {
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        chars.next();
                    } else if d == c {
                        closed = true;
                        break;
                    }
                }
                TokKind::Str { closed }
            }
            '`' => {
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '`' {
                        // A doubled back-quote is an escaped one.
                        if chars.peek().is_some_and(|&(_, e)| e == '`') {
                            chars.next();
                        } else {
                            closed = true;
                            break;
                        }
                    }
                }
                TokKind::Quoted { closed }
            }
            '/' if chars.peek().is_some_and(|&(_, d)| d == '/') => {
                while chars.peek().is_some_and(|&(_, d)| d != '\n') {
                    chars.next();
                }
                TokKind::Comment { closed: true }
            }
            '/' if chars.peek().is_some_and(|&(_, d)| d == '*') => {
                chars.next();
                let mut closed = false;
                let mut star = false;
                for (_, d) in chars.by_ref() {
                    if star && d == '/' {
                        closed = true;
                        break;
                    }
                    star = d == '*';
                }
                TokKind::Comment { closed }
            }
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|&(_, d)| d.is_whitespace()) {
                    chars.next();
                }
                TokKind::Space
            }
            c if c.is_ascii_digit() => {
                while let Some(&(i, d)) = chars.peek() {
                    let exp_sign = (d == '-' || d == '+')
                        && text[start..i].ends_with(['e', 'E'])
                        && !text[start..i].starts_with("0x");
                    // `1..3` is a range, not a float: stop before a second dot.
                    let dot = d == '.' && text[i + 1..].starts_with(|e: char| e.is_ascii_digit());
                    if d.is_alphanumeric() || d == '_' || dot || exp_sign {
                        chars.next();
                    } else {
                        break;
                    }
                }
                TokKind::Number
            }
            c if c.is_alphabetic() || c == '_' => {
                while chars
                    .peek()
                    .is_some_and(|&(_, d)| d.is_alphanumeric() || d == '_')
                {
                    chars.next();
                }
                TokKind::Word
            }
            c => TokKind::Punct(c),
        };
        let end = chars.peek().map_or(text.len(), |&(i, _)| i);
        out.push(Tok { kind, start, end });
    }
    out
}

/// What a piece of a script is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceKind {
    /// A query statement.
    Statement,
    /// A `:command` line.
    Meta,
}

/// One statement or meta-command of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub kind: PieceKind,
    /// The text, without the ending `;` and without surrounding space.
    pub text: &'a str,
    /// Byte offset of `text` in the script.
    pub start: usize,
    /// For a statement: whether a `;` ended it (else the script ended first).
    /// A meta-command is always complete.
    pub complete: bool,
}

/// Splits a script into statements (ended by `;` outside strings and comments) and
/// meta-commands (a line whose first non-space character, at the start of a
/// statement, is `:`). Empty statements (`;;`, comments only) are dropped.
pub fn split(text: &str) -> Vec<Piece<'_>> {
    let toks = tokens(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // Skip space and comments before a piece.
        let t = toks[i];
        match t.kind {
            TokKind::Space | TokKind::Comment { .. } | TokKind::Punct(';') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        if t.kind == TokKind::Punct(':') {
            // A meta-command runs to the end of its line.
            let end = text[t.start..]
                .find('\n')
                .map_or(text.len(), |n| t.start + n);
            let raw = &text[t.start..end];
            let body = raw.trim_end();
            let body = body.strip_suffix(';').unwrap_or(body).trim_end();
            out.push(Piece {
                kind: PieceKind::Meta,
                text: body,
                start: t.start,
                complete: true,
            });
            while i < toks.len() && toks[i].start < end {
                i += 1;
            }
            continue;
        }
        let start = t.start;
        let mut end = text.len();
        let mut complete = false;
        while i < toks.len() {
            if toks[i].kind == TokKind::Punct(';') {
                end = toks[i].start;
                complete = true;
                i += 1;
                break;
            }
            i += 1;
        }
        let body = text[start..end].trim_end();
        if has_code(body) || !complete {
            out.push(Piece {
                kind: PieceKind::Statement,
                text: body,
                start,
                complete,
            });
        }
    }
    out
}

/// The 1-based line of byte `offset` in `text` (for `FILE:LINE` in errors).
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Whether `text` holds anything besides space and comments.
fn has_code(text: &str) -> bool {
    tokens(text)
        .iter()
        .any(|t| !matches!(t.kind, TokKind::Space | TokKind::Comment { .. }))
}

/// Whether the text typed so far is ready to run: every statement in it is ended by
/// `;`, no string, name or comment is left open, and meta-commands (which end at the
/// line's end) need nothing more. Text holding only space and comments is complete
/// (there is nothing to wait for) unless a block comment is still open.
pub fn is_complete(text: &str) -> bool {
    let open = tokens(text).last().is_some_and(|t| {
        matches!(
            t.kind,
            TokKind::Str { closed: false }
                | TokKind::Quoted { closed: false }
                | TokKind::Comment { closed: false }
        )
    });
    !open && split(text).iter().all(|p| p.complete)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statement_is_complete_only_with_its_semicolon() {
        assert!(!is_complete("MATCH (n) RETURN n"));
        assert!(is_complete("MATCH (n) RETURN n;"));
        assert!(is_complete("MATCH (n)\nRETURN n;  "));
        assert!(!is_complete("MATCH (n)\nRETURN n"));
    }

    #[test]
    fn semicolons_in_strings_names_and_comments_do_not_count() {
        assert!(!is_complete("RETURN ';'"));
        assert!(!is_complete("RETURN \";\""));
        assert!(!is_complete("RETURN `a;b`"));
        assert!(!is_complete("RETURN 1 // ;"));
        assert!(!is_complete("RETURN 1 /* ; */"));
        assert!(is_complete("RETURN ';';"));
        assert!(is_complete("RETURN 'it\\'s;';"));
        assert!(is_complete("RETURN `a``;b`;"));
    }

    #[test]
    fn open_strings_and_comments_are_incomplete() {
        assert!(!is_complete("RETURN 'abc;"));
        assert!(!is_complete("RETURN \"abc;"));
        assert!(!is_complete("RETURN 1; /* still"));
        assert!(!is_complete("RETURN `x;"));
    }

    #[test]
    fn meta_commands_and_empty_input_are_complete() {
        assert!(is_complete(""));
        assert!(is_complete("   \n"));
        assert!(is_complete("// just a comment"));
        assert!(is_complete(":schema"));
        assert!(is_complete("  :format csv"));
        assert!(is_complete("RETURN 1; :timing off"));
        assert!(!is_complete(":timing off\nRETURN 1"));
    }

    #[test]
    fn split_separates_statements_and_meta_commands() {
        let s = "// a script\n:param x => 1\nMATCH (n)\nRETURN n;\n\nRETURN ';' AS s;;\n:format csv;\nRETURN 2";
        let pieces: Vec<(PieceKind, &str, bool)> = split(s)
            .iter()
            .map(|p| (p.kind, p.text, p.complete))
            .collect();
        assert_eq!(
            pieces,
            vec![
                (PieceKind::Meta, ":param x => 1", true),
                (PieceKind::Statement, "MATCH (n)\nRETURN n", true),
                (PieceKind::Statement, "RETURN ';' AS s", true),
                (PieceKind::Meta, ":format csv", true),
                (PieceKind::Statement, "RETURN 2", false),
            ]
        );
        // Offsets point into the script, so errors can name the line.
        let p = &split(s)[1];
        assert_eq!(&s[p.start..p.start + p.text.len()], p.text);
    }

    #[test]
    fn a_colon_inside_a_statement_is_not_a_meta_command() {
        let p = split("MATCH (n\n:Person) RETURN n;");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, PieceKind::Statement);
    }

    #[test]
    fn tokens_cover_the_text_and_respect_characters() {
        let s = "MATCH (n:Person {name: 'لينا 😀'}) RETURN n.age >= 1.5e3, 1..3 /* c */";
        let toks = tokens(s);
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.start, at, "tokens must be contiguous");
            assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
            at = t.end;
        }
        assert_eq!(at, s.len());
        let texts: Vec<&str> = toks
            .iter()
            .filter(|t| t.kind == TokKind::Number)
            .map(|t| &s[t.start..t.end])
            .collect();
        assert_eq!(texts, vec!["1.5e3", "1", "3"]);
    }
}
