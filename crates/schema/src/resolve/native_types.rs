//! PostgreSQL native types (`@db.*`): which exist, which scalar each fits, and
//! how many arguments each takes.

use crate::ir::ScalarType;

/// One PostgreSQL native type Prisma knows.
pub(crate) struct NativeTypeSpec {
    pub name: &'static str,
    pub scalar: ScalarType,
    /// Allowed argument counts.
    pub arities: &'static [usize],
}

const fn t(name: &'static str, scalar: ScalarType, arities: &'static [usize]) -> NativeTypeSpec {
    NativeTypeSpec {
        name,
        scalar,
        arities,
    }
}

pub(crate) const POSTGRES_NATIVE_TYPES: &[NativeTypeSpec] = &[
    t("SmallInt", ScalarType::Int, &[0]),
    t("Integer", ScalarType::Int, &[0]),
    t("Oid", ScalarType::Int, &[0]),
    t("BigInt", ScalarType::BigInt, &[0]),
    t("Decimal", ScalarType::Decimal, &[0, 2]),
    t("Money", ScalarType::Decimal, &[0]),
    t("Real", ScalarType::Float, &[0]),
    t("DoublePrecision", ScalarType::Float, &[0]),
    t("Text", ScalarType::String, &[0]),
    t("VarChar", ScalarType::String, &[0, 1]),
    t("Char", ScalarType::String, &[0, 1]),
    t("Bit", ScalarType::String, &[0, 1]),
    t("VarBit", ScalarType::String, &[0, 1]),
    t("Uuid", ScalarType::String, &[0]),
    t("Xml", ScalarType::String, &[0]),
    t("Inet", ScalarType::String, &[0]),
    t("Citext", ScalarType::String, &[0]),
    t("Boolean", ScalarType::Boolean, &[0]),
    t("Timestamp", ScalarType::DateTime, &[0, 1]),
    t("Timestamptz", ScalarType::DateTime, &[0, 1]),
    t("Date", ScalarType::DateTime, &[0]),
    t("Time", ScalarType::DateTime, &[0, 1]),
    t("Timetz", ScalarType::DateTime, &[0, 1]),
    t("Json", ScalarType::Json, &[0]),
    t("JsonB", ScalarType::Json, &[0]),
    t("ByteA", ScalarType::Bytes, &[0]),
];

pub(crate) fn find(name: &str) -> Option<&'static NativeTypeSpec> {
    POSTGRES_NATIVE_TYPES.iter().find(|t| t.name == name)
}

/// Native types a scalar accepts, for hints.
pub(crate) fn names_for(scalar: ScalarType) -> Vec<&'static str> {
    POSTGRES_NATIVE_TYPES
        .iter()
        .filter(|t| t.scalar == scalar)
        .map(|t| t.name)
        .collect()
}

/// Whether the first argument is a time precision (0..=6).
pub(crate) fn has_time_precision(name: &str) -> bool {
    matches!(name, "Timestamp" | "Timestamptz" | "Time" | "Timetz")
}
