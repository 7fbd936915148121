//! Reading attribute arguments: positional and named, with typed coercions.
//!
//! Each attribute declares which argument an unnamed first value stands for
//! (`@relation("Name")` is `name:`, `@@index([a])` is `fields:`). Arguments
//! nobody asked for are reported when the reader is finished, so a typo in
//! an argument name is never silently ignored.

use crate::ast::{Attribute, Expression};
use crate::diagnostics::{Diagnostic, Diagnostics, codes};

pub(crate) struct ArgReader<'a> {
    pub attr: &'a Attribute,
    /// `@` or `@@`: with the attribute's name, how it is written in messages.
    prefix: &'static str,
    used: UsedArguments,
    default_name: Option<&'static str>,
}

/// Which arguments were taken. Attributes almost never have more than a
/// handful of arguments, so a bit set covers them without allocating; the
/// vector is only for the rare longer list.
enum UsedArguments {
    Few(u64),
    Many(Vec<bool>),
}

impl UsedArguments {
    fn new(len: usize) -> Self {
        if len <= 64 {
            UsedArguments::Few(0)
        } else {
            UsedArguments::Many(vec![false; len])
        }
    }

    fn get(&self, i: usize) -> bool {
        match self {
            UsedArguments::Few(bits) => bits & (1 << i) != 0,
            UsedArguments::Many(v) => v[i],
        }
    }

    fn set(&mut self, i: usize) {
        match self {
            UsedArguments::Few(bits) => *bits |= 1 << i,
            UsedArguments::Many(v) => v[i] = true,
        }
    }
}

impl<'a> ArgReader<'a> {
    pub fn new(
        attr: &'a Attribute,
        prefix: &'static str,
        default_name: Option<&'static str>,
        diags: &mut Diagnostics,
    ) -> Self {
        // The display name (`@@index`) is only formatted when a message needs
        // it: building it for every attribute was a large share of resolving.
        let display = || format!("{prefix}{}", attr.name.name);
        for empty in &attr.arguments.empty {
            diags.error_with_help(
                codes::ATTRIBUTE_ARGUMENT,
                empty.span,
                format!("argument `{}` of `{}` has no value", empty.name, display()),
                "write a value after the colon, or remove the argument",
            );
        }
        // Duplicate named arguments.
        let items = &attr.arguments.items;
        for (i, a) in items.iter().enumerate() {
            let Some(n) = &a.name else { continue };
            if items[..i]
                .iter()
                .any(|b| b.name.as_ref().is_some_and(|m| m.name == n.name))
            {
                diags.error(
                    codes::ATTRIBUTE_ARGUMENT,
                    n.span,
                    format!("argument `{}` is given twice in `{}`", n.name, display()),
                );
            }
        }
        ArgReader {
            attr,
            prefix,
            used: UsedArguments::new(items.len()),
            default_name,
        }
    }

    /// The argument called `name`, or the first unnamed one if `name` is this
    /// attribute's default argument.
    pub fn take(&mut self, name: &str) -> Option<&'a Expression> {
        let items = &self.attr.arguments.items;
        if items.is_empty() {
            return None;
        }
        if let Some(i) = items
            .iter()
            .position(|a| a.name.as_ref().is_some_and(|n| same_name(&n.name, name)))
        {
            self.used.set(i);
            return Some(&items[i].value);
        }
        if self.default_name.is_some_and(|d| same_name(d, name)) {
            if let Some(i) = items
                .iter()
                .enumerate()
                .position(|(i, a)| a.name.is_none() && !self.used.get(i))
            {
                self.used.set(i);
                return Some(&items[i].value);
            }
        }
        None
    }

    /// Reports every argument that was not taken.
    pub fn finish(self, diags: &mut Diagnostics) {
        for (i, a) in self.attr.arguments.items.iter().enumerate() {
            if self.used.get(i) {
                continue;
            }
            match &a.name {
                Some(n) => diags.error(
                    codes::ATTRIBUTE_ARGUMENT,
                    n.span,
                    format!(
                        "`{}{}` has no argument called `{}`",
                        self.prefix, self.attr.name.name, n.name
                    ),
                ),
                None => diags.error(
                    codes::ATTRIBUTE_ARGUMENT,
                    a.span,
                    format!(
                        "`{}{}` takes no further unnamed argument here",
                        self.prefix, self.attr.name.name
                    ),
                ),
            }
        }
    }
}

/// String equality for argument names, compared inline: they are a few
/// bytes long, and every attribute asks for several of them.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}

pub(crate) fn type_error(expected: &str, got: &Expression) -> Diagnostic {
    Diagnostic::error(
        codes::ATTRIBUTE_ARGUMENT,
        got.span(),
        format!(
            "expected {expected}, found {} value `{}`",
            got.describe(),
            short(got)
        ),
    )
}

/// A short rendering of an expression for messages.
pub(crate) fn short(e: &Expression) -> String {
    match e {
        Expression::String(s, _) => format!("\"{s}\""),
        Expression::Numeric(s, _) | Expression::Constant(s, _) => s.as_str().to_owned(),
        Expression::Function(n, _, _) => format!("{n}(...)"),
        Expression::Array(..) => "[...]".into(),
    }
}

pub(crate) fn as_string(e: &Expression, diags: &mut Diagnostics) -> Option<String> {
    match e {
        Expression::String(s, _) => Some(s.clone()),
        other => {
            diags.push(type_error("a string", other));
            None
        }
    }
}

pub(crate) fn as_constant<'e>(e: &'e Expression, diags: &mut Diagnostics) -> Option<&'e str> {
    match e {
        Expression::Constant(s, _) => Some(s),
        other => {
            diags.push(type_error("a constant", other));
            None
        }
    }
}

pub(crate) fn as_bool(e: &Expression, diags: &mut Diagnostics) -> Option<bool> {
    match e {
        Expression::Constant(s, _) if s == "true" => Some(true),
        Expression::Constant(s, _) if s == "false" => Some(false),
        other => {
            diags.push(type_error("a boolean (`true` or `false`)", other));
            None
        }
    }
}

pub(crate) fn as_u32(e: &Expression, diags: &mut Diagnostics) -> Option<u32> {
    match e {
        Expression::Numeric(s, _) => match s.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                diags.error(
                    codes::ATTRIBUTE_ARGUMENT,
                    e.span(),
                    format!("expected a nonnegative integer, found `{s}`"),
                );
                None
            }
        },
        other => {
            diags.push(type_error("a number", other));
            None
        }
    }
}

/// An array, or a single value treated as a one-element array (as Prisma allows).
pub(crate) fn as_array(e: &Expression) -> &[Expression] {
    match e {
        Expression::Array(items, _) => items,
        other => std::slice::from_ref(other),
    }
}
