//! The output buffer and the column table that aligns a group of lines.
//!
//! A [`Table`] collects the rows of one alignment group (the lines of a block
//! between two blank lines): each row is a list of columns plus a free suffix
//! (a trailing comment, or the whole text of a comment line) that does not
//! take part in alignment. Lines the grammar could not place are kept as
//! *interleaved* rows: printed in place, ignored when measuring columns.

/// Spaces per indentation level (`prisma format` with `tabSize: 2`).
const INDENT_WIDTH: usize = 2;

/// Text being written, with the current indentation.
#[derive(Debug, Default)]
pub(super) struct Output {
    text: String,
    indent: usize,
    /// Set when the layout would change what the text means on the next
    /// parse; the caller then keeps the input as it is.
    pub(super) unsafe_to_reorder: bool,
}

impl Output {
    /// Writes `piece`, indenting first when at the start of a line.
    pub(super) fn write(&mut self, piece: &str) {
        if piece.is_empty() {
            return;
        }
        if self.text.is_empty() || self.text.ends_with('\n') {
            self.text
                .extend(std::iter::repeat_n(' ', self.indent * INDENT_WIDTH));
        }
        self.text.push_str(piece);
    }

    pub(super) fn end_line(&mut self) {
        self.text.push('\n');
    }

    pub(super) fn indent(&mut self) {
        self.indent += 1;
    }

    pub(super) fn dedent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
    }

    /// The finished text: every line without trailing whitespace, one final newline.
    pub(super) fn finish(self) -> String {
        let mut out = String::with_capacity(self.text.len() + 1);
        for line in self.text.lines() {
            out.push_str(line.trim_end());
            out.push('\n');
        }
        if out.is_empty() {
            out.push('\n');
        }
        out
    }
}

/// A row: aligned columns plus a free suffix, or (when `interleaved` is set)
/// a line printed as is.
#[derive(Debug, Default)]
struct Row {
    columns: Vec<String>,
    suffix: String,
    interleaved: Option<String>,
}

/// One alignment group.
#[derive(Debug, Default)]
pub(super) struct Table {
    rows: Vec<Row>,
}

impl Table {
    pub(super) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Starts a row with no column yet (also how a blank line is written).
    pub(super) fn start_row(&mut self) {
        self.rows.push(Row::default());
    }

    /// The current column row, started if there is none.
    fn current(&mut self) -> &mut Row {
        if self.rows.last().is_none_or(|row| row.interleaved.is_some()) {
            self.start_row();
        }
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    /// The text of column `index` of the current row, creating the columns
    /// up to it.
    pub(super) fn column(&mut self, index: usize) -> &mut String {
        let columns = &mut self.current().columns;
        if columns.len() <= index {
            columns.resize(index + 1, String::new());
        }
        &mut columns[index]
    }

    /// Appends to the current row's suffix.
    pub(super) fn append_suffix(&mut self, text: &str) {
        self.current().suffix.push_str(text);
    }

    /// A row printed as is, outside the column layout.
    pub(super) fn interleave(&mut self, text: &str) {
        self.rows.push(Row {
            interleaved: Some(text.to_string()),
            ..Row::default()
        });
    }

    /// Writes the rows, columns padded to the widest cell of the group plus
    /// one space, and empties the table.
    pub(super) fn render(&mut self, out: &mut Output) {
        let mut widths: Vec<usize> = Vec::new();
        for row in &mut self.rows {
            while row.columns.last().is_some_and(|c| c.is_empty()) {
                row.columns.pop();
            }
            if widths.len() < row.columns.len() {
                widths.resize(row.columns.len(), 0);
            }
            for (width, column) in widths.iter_mut().zip(row.columns.iter()) {
                *width = (*width).max(display_width(column));
            }
        }
        for row in self.rows.drain(..) {
            if let Some(text) = &row.interleaved {
                out.write(text);
                out.end_line();
                continue;
            }
            let last = row.columns.len().saturating_sub(1);
            for (i, column) in row.columns.iter().enumerate() {
                out.write(column);
                if i < last {
                    let padding = widths[i] - display_width(column) + 1;
                    out.write(&" ".repeat(padding));
                }
            }
            if !row.suffix.is_empty() {
                if !row.columns.is_empty() {
                    out.write(" ");
                }
                out.write(&row.suffix);
            }
            out.end_line();
        }
    }
}

/// Column width in bytes, as Prisma measures it: with non-ASCII names
/// (which Prisma accepts) the columns look uneven, but `prisma format` and
/// `gen format` agree on the same file.
fn display_width(text: &str) -> usize {
    text.len()
}
