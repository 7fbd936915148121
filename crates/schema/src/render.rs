//! Diagnostics → text, like rustc: `error[E0010]: message`, `--> file:line:col`,
//! the source line with a caret under the span, labels, and a `help:` line.
//!
//! Built on codespan-reporting. Colour is the caller's choice (the CLI turns it
//! off when stdout is not a terminal); the plain form is what snapshots hold.

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, Config, termcolor};

use crate::diagnostics::{Diagnostic, Severity};
use crate::source::SourceFiles;

/// Renders diagnostics in the given order. With `color`, ANSI escapes are used.
pub fn render(files: &SourceFiles, diagnostics: &[&Diagnostic], color: bool) -> String {
    let mut simple = SimpleFiles::new();
    for (_, f) in files.iter() {
        simple.add(f.name.clone(), f.text.as_str());
    }
    let config = Config::default();
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    for d in diagnostics {
        let cs = to_codespan(d);
        // Rendering only fails on a span outside its file, which resolution never produces.
        let _ = term::emit_to_write_style(&mut buffer, &config, &simple, &cs);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

fn to_codespan(d: &Diagnostic) -> CsDiagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
    };
    let mut labels = vec![CsLabel::primary(d.span.file.0 as usize, d.span.range())];
    for l in &d.labels {
        labels.push(
            CsLabel::secondary(l.span.file.0 as usize, l.span.range())
                .with_message(l.message.clone()),
        );
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    CsDiagnostic::new(severity)
        .with_code(d.code.id)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// One line per diagnostic: `file:line:col: error[E0010]: message` (for tools and tests).
pub fn render_short(files: &SourceFiles, diagnostics: &[&Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let f = files.get(d.span.file);
        let (line, col) = f.line_col(d.span.start as usize);
        let kind = if d.is_error() { "error" } else { "warning" };
        out.push_str(&format!(
            "{}:{line}:{col}: {kind}[{}]: {}\n",
            f.name, d.code.id, d.message
        ));
    }
    out
}
