//! The quoted list of a model's columns (`"id", "email", ...`), rendered once per model and
//! copied after: every find, create and update that reads whole records lists them, and
//! quoting each name every time was a measurable part of rendering such a statement.
//!
//! Only a model's own `ModelMeta::columns` slice is remembered, by its address and length:
//! it is static data, so the same address and length always hold the same columns (a
//! list built at run time, like a `select`, is rendered as before).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::RwLock;

use crate::model::{Column, ModelMeta};

/// The address and length of a `ModelMeta::columns` slice.
type Key = (usize, usize);

/// Hashes the key's two words with one multiply each (the default SipHash costs more than
/// the lookup saves on such keys).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

static LISTS: RwLock<HashMap<Key, Box<str>, BuildHasherDefault<WordHasher>>> =
    RwLock::new(HashMap::with_hasher(BuildHasherDefault::new()));

/// Appends `columns` as a quoted, comma-separated list, from the remembered text when
/// `columns` is exactly `model.columns`.
pub(super) fn push_column_list(model: &ModelMeta, columns: &[&Column], out: &mut String) {
    if !std::ptr::eq(columns, model.columns) {
        render(columns, out);
        return;
    }
    let key = (model.columns.as_ptr() as usize, model.columns.len());
    if let Ok(lists) = LISTS.read()
        && let Some(list) = lists.get(&key)
    {
        out.push_str(list);
        return;
    }
    let mut list = String::new();
    render(columns, &mut list);
    out.push_str(&list);
    if let Ok(mut lists) = LISTS.write() {
        lists.entry(key).or_insert_with(|| list.into_boxed_str());
    }
}

/// `"a", "b", ...`.
pub(super) fn render(columns: &[&Column], out: &mut String) {
    for (i, column) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        super::quote_ident(column.name, out);
    }
}
