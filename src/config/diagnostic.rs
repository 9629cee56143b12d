//! Problems found in an experiment file, and how they are shown: the file,
//! line and column, the key path, the offending line with a caret under the
//! problem, and a hint that says how to fix it. Everything shown is made
//! visible first (`format::visible`): a file can hold escape sequences and
//! bidirectional controls, and the caret is placed on the visible line.

use std::fmt;
use std::ops::Range;

use unicode_width::UnicodeWidthStr;

use crate::format::visible;

/// One problem in one experiment file: an error, which stops the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    /// Where in the document, as `workload[0].io_latency`.
    pub key_path: Option<String>,
    /// Byte range in the file's text.
    pub span: Option<Range<usize>>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            key_path: None,
            span: None,
            hint: None,
        }
    }

    pub fn at(mut self, path: impl Into<String>, span: Range<usize>) -> Self {
        self.key_path = Some(path.into()).filter(|p: &String| !p.is_empty());
        self.span = Some(span);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Renders the problem against the file it was found in.
    pub fn render<'a>(&'a self, file: &'a SourceFile) -> DiagnosticText<'a> {
        DiagnosticText { diag: self, file }
    }
}

/// A problem a section's type finds in what the section says, before it
/// has a place: the reader, which knows where each key is written, puts it
/// at `at` in the section's table.
#[derive(Debug)]
pub struct Problem {
    pub at: At,
    pub message: String,
    pub hint: String,
}

impl Problem {
    pub fn new(at: At, message: impl Into<String>, hint: impl Into<String>) -> Problem {
        let (message, hint) = (message.into(), hint.into());
        Problem { at, message, hint }
    }
}

/// Where a [`Problem`] is, in the table of the section it is about.
#[derive(Debug)]
pub enum At {
    /// The table itself.
    Table,
    /// A key: its value, or the table when the file does not write it.
    Key(&'static str),
    /// `key.sub`: its value, else `key`'s, else the table.
    Sub(&'static str, &'static str),
    /// `key.of`, the model of a ratio, shown at `key`'s value.
    Of(&'static str),
    /// Item `.1` of the list at key `.0`.
    Item(&'static str, usize),
    /// Key `.1` of the table `.0` of `where` (the only one when `where`
    /// is a single table).
    Where(usize, String),
}

/// What the file writes in a section's table, for the checks that
/// depend on how a value was written rather than on what it means.
pub trait Written {
    /// Whether the table writes `key`.
    fn has(&self, key: &str) -> bool;
    /// The string at `path` (`x`, `crossover.axis`), if it is one.
    fn text(&self, path: &str) -> Option<String>;
}

/// Names for a help line: the first few, and how many in all.
pub fn some(names: &[&str]) -> String {
    match names.len() {
        0..=20 => names.join(", "),
        n => format!("{}, … ({n} in all)", names[..20].join(", ")),
    }
}

/// An experiment file's name (as the user gave it) and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    /// Where each line starts, so that placing a problem does not read
    /// the file from its start (a file can have thousands of problems).
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The 0-based line a byte offset is on, and where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .max(1)
            - 1;
        (line, self.line_starts.get(line).copied().unwrap_or(0))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = clamp_to_char(&self.text, offset);
        let (line, line_start) = self.line_of(offset);
        let col = self.text[line_start..offset].chars().count() + 1;
        (line + 1, col)
    }

    fn line_text(&self, line: usize) -> &str {
        let start = self
            .line_starts
            .get(line - 1)
            .copied()
            .unwrap_or(self.text.len());
        let rest = &self.text[start..];
        rest.split('\n').next().unwrap_or("").trim_end_matches('\r')
    }
}

fn clamp_to_char(text: &str, mut offset: usize) -> usize {
    offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A diagnostic bound to its file, ready to print.
pub struct DiagnosticText<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
}

/// The most characters of the offending line shown (a window around the
/// problem, `…` where it is cut), and of a message, hint or key path: a
/// file of one long line must not be printed whole.
const MAX_LINE_CHARS: usize = 120;
const MAX_TEXT_CHARS: usize = 1000;
/// How much of the line before the problem a cut line keeps.
const CONTEXT_CHARS: usize = 40;

/// `text` made visible, and cut to `max` characters with `…`.
fn shown(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", visible(&text[..end])),
        None => visible(text).into_owned(),
    }
}

/// The offending line as shown: `(line, lead, width)`, where `lead` is
/// the display width before the caret and `width` the caret's. The line
/// is made visible, and a long one is cut to a window around `span`
/// (byte offsets in `line`).
fn window(line: &str, span: Range<usize>) -> (String, usize, usize) {
    let width = |s: &str| UnicodeWidthStr::width(s);
    // Each character as shown, with its byte offset in the line.
    let pieces: Vec<(usize, std::borrow::Cow<'_, str>)> = line
        .char_indices()
        .map(|(i, c)| (i, visible(&line[i..i + c.len_utf8()])))
        .collect();
    let total: usize = pieces.iter().map(|(_, p)| p.chars().count()).sum();
    let first = pieces.partition_point(|(i, _)| *i < span.start);
    let last = pieces.partition_point(|(i, _)| *i < span.end).max(first);
    let (from, cut_before) = if total <= MAX_LINE_CHARS {
        (0, false)
    } else {
        // Back from the problem by at most CONTEXT_CHARS characters shown.
        let mut from = first;
        let mut back = 0;
        while from > 0 && back + pieces[from - 1].1.chars().count() <= CONTEXT_CHARS {
            from -= 1;
            back += pieces[from].1.chars().count();
        }
        (from, from > 0)
    };
    let mut text = String::new();
    let mut count = 0;
    let mut lead = 0;
    let mut caret = 0;
    if cut_before {
        text.push('…');
        count += 1;
        lead += 1;
    }
    let budget = if total <= MAX_LINE_CHARS {
        usize::MAX
    } else {
        MAX_LINE_CHARS - 1
    };
    for (k, (_, piece)) in pieces.iter().enumerate().skip(from) {
        let n = piece.chars().count();
        if count + n > budget {
            text.push('…');
            break;
        }
        text.push_str(piece);
        count += n;
        if k < first {
            lead += width(piece);
        } else if k < last {
            caret += width(piece);
        }
    }
    (text, lead, caret.max(1))
}

impl fmt::Display for DiagnosticText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.diag;
        let path = visible(&self.file.path);
        writeln!(f, "error: {}", shown(&d.message, MAX_TEXT_CHARS))?;
        let key = d.key_path.as_deref().map(|k| shown(k, MAX_LINE_CHARS));
        let Some(span) = &d.span else {
            write!(f, "  --> {path}")?;
            if let Some(key) = &key {
                write!(f, ", at {key}")?;
            }
            writeln!(f)?;
            if let Some(hint) = &d.hint {
                writeln!(f, "   = help: {}", shown(hint, MAX_TEXT_CHARS))?;
            }
            return Ok(());
        };
        let (line, col) = self.file.line_col(span.start);
        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        write!(f, "{pad}--> {path}:{line}:{col}")?;
        if let Some(key) = &key {
            write!(f, ", at {key}")?;
        }
        writeln!(f)?;
        let start = clamp_to_char(&self.file.text, span.start);
        let (_, line_start) = self.file.line_of(start);
        let end = clamp_to_char(&self.file.text, span.end.max(span.start));
        let (text, lead, caret) = window(
            self.file.line_text(line),
            start - line_start..end - line_start,
        );
        writeln!(f, "{pad} |")?;
        writeln!(f, "{line} | {text}")?;
        writeln!(f, "{pad} | {}{}", " ".repeat(lead), "^".repeat(caret))?;
        if let Some(hint) = &d.hint {
            writeln!(f, "{pad} = help: {}", shown(hint, MAX_TEXT_CHARS))?;
        }
        Ok(())
    }
}

/// Every problem found in one file.
#[derive(Debug)]
pub struct Diagnostics {
    pub file: SourceFile,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn error_count(&self) -> usize {
        self.items.len()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", d.render(&self.file))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::new("exp.toml", text)
    }

    #[test]
    fn line_and_column_count_characters() {
        let f = file("a = 1\nname = \"동시성\"\nb = 2\n");
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(6), (2, 1));
        let b = f.text.find("b =").unwrap_or(0);
        assert_eq!(f.line_col(b), (3, 1));
        let after = f.text.find("\"\n").unwrap_or(0);
        assert_eq!(f.line_col(after), (2, 12));
    }

    #[test]
    fn renders_caret_under_the_span() {
        let f = file("[experiment]\nrepetitons = 5\n");
        let start = f.text.find("repetitons").unwrap_or(0);
        let d = Diagnostic::error("unknown key `repetitons`")
            .at("experiment.repetitons", start..start + 10)
            .hint("did you mean `repetitions`?");
        let text = d.render(&f).to_string();
        assert_eq!(
            text,
            "error: unknown key `repetitons`\n \
             --> exp.toml:2:1, at experiment.repetitons\n  |\n\
             2 | repetitons = 5\n  | ^^^^^^^^^^\n  = help: did you mean `repetitions`?\n"
        );
    }

    /// Issue 8: a file's escape sequences and U+202E reached the terminal
    /// through the offending line; they are shown, and the caret still
    /// points at the problem.
    #[test]
    fn hidden_characters_are_shown_and_the_caret_follows() {
        let f = file("name = \"a\u{202e}b\" x\n");
        let start = f.text.find('x').unwrap_or(0);
        let d = Diagnostic::error("bad \u{1b}[31m").at("", start..start + 1);
        let text = d.render(&f).to_string();
        assert_eq!(
            text,
            format!(
                "error: bad \\u{{1b}}[31m\n --> exp.toml:1:14\n  |\n\
             1 | name = \"a\\u{{202e}}b\" x\n  | {}^\n",
                " ".repeat(20)
            )
        );
    }

    /// Issue 22: a line of 200 MB of NUL bytes was printed whole as the
    /// offending line; a long line is cut to a window around the problem.
    #[test]
    fn a_long_line_is_shown_as_a_window_around_the_problem() {
        let f = file(&format!("name = \"{}\" x = 1\n", "\0".repeat(100_000)));
        let start = f.text.find('x').unwrap_or(0);
        let d = Diagnostic::error("bad").at("", start..start + 1);
        let text = d.render(&f).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], format!("1 | …{}\" x = 1", "\\u{0}".repeat(7)));
        assert_eq!(lines[4], format!("  | {}^", " ".repeat(1 + 35 + 2)));
        assert!(text.len() < 400, "{} bytes", text.len());
        // The problem far from the start of a long line, and the line
        // long after it: cut on both sides.
        let f = file(&format!("{}y{}\n", "a".repeat(500), "b".repeat(500)));
        let start = f.text.find('y').unwrap_or(0);
        let d = Diagnostic::error("bad").at("", start..start + 1);
        let text = d.render(&f).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[3],
            format!("1 | …{}y{}…", "a".repeat(40), "b".repeat(77))
        );
        assert_eq!(lines[4], format!("  | {}^", " ".repeat(41)));
    }

    #[test]
    fn caret_accounts_for_wide_characters() {
        let f = file("name = \"동시\" x\n");
        let start = f.text.find('x').unwrap_or(0);
        let d = Diagnostic::error("bad").at("", start..start + 1);
        let text = d.render(&f).to_string();
        let caret_line = text.lines().nth(4).unwrap_or("");
        assert_eq!(caret_line, format!("  | {}^", " ".repeat(14)));
    }
}
