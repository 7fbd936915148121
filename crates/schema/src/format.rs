//! `gen format`: canonical layout of schema text (being written).
