//! PostgreSQL index rules: which operator classes exist, which index method
//! each belongs to, and which field types each accepts.

use crate::ir::{Arity, FieldType, IndexAlgorithm, ScalarType};

/// What an operator class needs of its field.
#[derive(Clone, Copy)]
pub(crate) enum Needs {
    /// A native type from the list must be declared (the field's scalar default does not count).
    Native(&'static [&'static str]),
    /// One of these native types, or none (the scalar's default type matches).
    NativeOrDefault(ScalarType, &'static [&'static str]),
    /// Any list field.
    List,
    /// A String field (not a list) with a text-like type.
    Text,
    /// A Json field stored as JSONB.
    Jsonb,
}

pub(crate) struct OpClass {
    pub name: &'static str,
    pub algorithm: IndexAlgorithm,
    pub needs: Needs,
}

const fn op(name: &'static str, algorithm: IndexAlgorithm, needs: Needs) -> OpClass {
    OpClass {
        name,
        algorithm,
        needs,
    }
}

use IndexAlgorithm::{Brin, Gin, Gist, SpGist};
use Needs::*;
use ScalarType as S;

/// Operator classes that also take a field of the scalar type without a native type.
const BYTEA: Needs = NativeOrDefault(S::Bytes, &["ByteA"]);
const FLOAT8: Needs = NativeOrDefault(S::Float, &["DoublePrecision"]);
const INT4: Needs = NativeOrDefault(S::Int, &["Integer"]);
const INT8: Needs = NativeOrDefault(S::BigInt, &["BigInt"]);
const NUMERIC: Needs = NativeOrDefault(S::Decimal, &["Decimal"]);
const TEXT: Needs = NativeOrDefault(S::String, &["Text", "VarChar"]);
const TIMESTAMP: Needs = NativeOrDefault(S::DateTime, &["Timestamp"]);

pub(crate) const OPERATOR_CLASSES: &[OpClass] = &[
    op("InetOps", Gist, Native(&["Inet"])),
    op("JsonbOps", Gin, Jsonb),
    op("JsonbPathOps", Gin, Jsonb),
    op("ArrayOps", Gin, List),
    op("TextOps", SpGist, Text),
    op("BitMinMaxOps", Brin, Native(&["Bit"])),
    op("VarBitMinMaxOps", Brin, Native(&["VarBit"])),
    op("BpcharBloomOps", Brin, Native(&["Char"])),
    op("BpcharMinMaxOps", Brin, Native(&["Char"])),
    op("ByteaBloomOps", Brin, BYTEA),
    op("ByteaMinMaxOps", Brin, BYTEA),
    op("DateBloomOps", Brin, Native(&["Date"])),
    op("DateMinMaxOps", Brin, Native(&["Date"])),
    op("DateMinMaxMultiOps", Brin, Native(&["Date"])),
    op("Float4BloomOps", Brin, Native(&["Real"])),
    op("Float4MinMaxOps", Brin, Native(&["Real"])),
    op("Float4MinMaxMultiOps", Brin, Native(&["Real"])),
    op("Float8BloomOps", Brin, FLOAT8),
    op("Float8MinMaxOps", Brin, FLOAT8),
    op("Float8MinMaxMultiOps", Brin, FLOAT8),
    op("InetInclusionOps", Brin, Native(&["Inet"])),
    op("InetBloomOps", Brin, Native(&["Inet"])),
    op("InetMinMaxOps", Brin, Native(&["Inet"])),
    op("InetMinMaxMultiOps", Brin, Native(&["Inet"])),
    op("Int2BloomOps", Brin, Native(&["SmallInt"])),
    op("Int2MinMaxOps", Brin, Native(&["SmallInt"])),
    op("Int2MinMaxMultiOps", Brin, Native(&["SmallInt"])),
    op("Int4BloomOps", Brin, INT4),
    op("Int4MinMaxOps", Brin, INT4),
    op("Int4MinMaxMultiOps", Brin, INT4),
    op("Int8BloomOps", Brin, INT8),
    op("Int8MinMaxOps", Brin, INT8),
    op("Int8MinMaxMultiOps", Brin, INT8),
    op("NumericBloomOps", Brin, NUMERIC),
    op("NumericMinMaxOps", Brin, NUMERIC),
    op("NumericMinMaxMultiOps", Brin, NUMERIC),
    op("OidBloomOps", Brin, Native(&["Oid"])),
    op("OidMinMaxOps", Brin, Native(&["Oid"])),
    op("OidMinMaxMultiOps", Brin, Native(&["Oid"])),
    op("TextBloomOps", Brin, TEXT),
    op("TextMinMaxOps", Brin, TEXT),
    op("TimestampBloomOps", Brin, TIMESTAMP),
    op("TimestampMinMaxOps", Brin, TIMESTAMP),
    op("TimestampMinMaxMultiOps", Brin, TIMESTAMP),
    op("TimestampTzBloomOps", Brin, Native(&["Timestamptz"])),
    op("TimestampTzMinMaxOps", Brin, Native(&["Timestamptz"])),
    op("TimestampTzMinMaxMultiOps", Brin, Native(&["Timestamptz"])),
    op("TimeBloomOps", Brin, Native(&["Time"])),
    op("TimeMinMaxOps", Brin, Native(&["Time"])),
    op("TimeMinMaxMultiOps", Brin, Native(&["Time"])),
    op("TimeTzBloomOps", Brin, Native(&["Timetz"])),
    op("TimeTzMinMaxOps", Brin, Native(&["Timetz"])),
    op("TimeTzMinMaxMultiOps", Brin, Native(&["Timetz"])),
    op("UuidBloomOps", Brin, Native(&["Uuid"])),
    op("UuidMinMaxOps", Brin, Native(&["Uuid"])),
    op("UuidMinMaxMultiOps", Brin, Native(&["Uuid"])),
];

pub(crate) fn find(name: &str) -> Option<&'static OpClass> {
    OPERATOR_CLASSES.iter().find(|o| o.name == name)
}

/// Whether an index method without an explicit operator class can index this field.
pub(crate) fn default_ops_support(
    algorithm: IndexAlgorithm,
    field_type: &FieldType,
    arity: Arity,
    native: Option<&str>,
) -> bool {
    if matches!(field_type, FieldType::Unsupported(_)) {
        return true;
    }
    match algorithm {
        IndexAlgorithm::BTree | IndexAlgorithm::Hash => true,
        Gin => {
            arity == Arity::List
                || matches!(field_type, FieldType::Scalar(ScalarType::Json))
                    && native != Some("Json")
        }
        SpGist => {
            arity != Arity::List
                && (matches!(field_type, FieldType::Scalar(ScalarType::String))
                    && matches!(
                        native,
                        None | Some("Text") | Some("VarChar") | Some("Char") | Some("Inet")
                    ))
        }
        Gist => native == Some("Inet"),
        Brin => {
            arity != Arity::List
                && !matches!(
                    field_type,
                    FieldType::Scalar(ScalarType::Json | ScalarType::Boolean) | FieldType::Enum(_)
                )
        }
    }
}
