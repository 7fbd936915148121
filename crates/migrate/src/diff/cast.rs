//! How risky a column type change is on PostgreSQL (safe cast, risky cast, no cast).
//!
//! The table mirrors Prisma's Postgres differ, so the same changes get the same warnings and
//! the same drop-and-recreate decisions.

use crate::sql_schema::{Arity, Column, ColumnType, NativeType};
use crate::step::TypeChange;

/// `None` when the type did not change.
pub(crate) fn column_type_change(previous: &Column, next: &Column) -> Option<TypeChange> {
    use TypeChange::*;
    match (&previous.tpe, &next.tpe) {
        (
            ColumnType::Enum {
                namespace: pn,
                name: p,
            },
            ColumnType::Enum {
                namespace: nn,
                name: n,
            },
        ) => {
            return if p == n && pn == nn {
                list_change(previous.arity, next.arity)
            } else {
                Some(NotCastable)
            };
        }
        (ColumnType::Enum { .. }, _) | (_, ColumnType::Enum { .. }) => return Some(NotCastable),
        _ => {}
    }

    let from_list_to_scalar = previous.arity.is_list() && !next.arity.is_list();
    let from_scalar_to_list = !previous.arity.is_list() && next.arity.is_list();
    let next_native = match &next.tpe {
        ColumnType::Native(n) => Some(*n),
        _ => None,
    };
    if from_list_to_scalar {
        match next_native {
            Some(NativeType::Text) | Some(NativeType::VarChar(None)) => return Some(SafeCast),
            Some(NativeType::VarChar(_)) | Some(NativeType::Char(_)) => return Some(RiskyCast),
            _ => return Some(NotCastable),
        }
    }
    if from_scalar_to_list {
        return Some(NotCastable);
    }

    match (&previous.tpe, &next.tpe) {
        (ColumnType::Native(p), ColumnType::Native(n)) => native_type_change(*p, *n),
        (ColumnType::Unsupported(_), ColumnType::Native(_))
        | (ColumnType::Native(_), ColumnType::Unsupported(_)) => Some(RiskyCast),
        // Prisma does not diff unsupported types against each other.
        _ => None,
    }
}

fn list_change(previous: Arity, next: Arity) -> Option<TypeChange> {
    if previous.is_list() != next.is_list() {
        Some(TypeChange::NotCastable)
    } else {
        None
    }
}

fn native_type_change(previous: NativeType, next: NativeType) -> Option<TypeChange> {
    use NativeType::*;
    use TypeChange::*;

    if previous == next {
        return None;
    }
    let next_is_char = matches!(next, Char(_));
    let change = match previous {
        Inet => match next {
            Citext | Text | VarChar(_) => SafeCast,
            _ => NotCastable,
        },
        Money => match next {
            Citext | Text | VarChar(_) => SafeCast,
            _ => RiskyCast,
        },
        Citext => match next {
            Text | VarChar(_) => SafeCast,
            _ => RiskyCast,
        },
        Oid => match next {
            Text | VarChar(_) | BigInt | Integer => SafeCast,
            _ => NotCastable,
        },
        SmallInt => integer_to(next, 3, 4, next_is_char, &[Integer, BigInt]),
        Integer => match next {
            SmallInt => RiskyCast,
            _ => integer_to(next, 10, 11, next_is_char, &[BigInt]),
        },
        BigInt => match next {
            SmallInt | Integer => RiskyCast,
            _ => integer_to(next, 19, 20, next_is_char, &[]),
        },
        Decimal(old) => match next {
            SmallInt => decimal_to_int(old, 2),
            Integer => decimal_to_int(old, 9),
            BigInt => decimal_to_int(old, 18),
            Decimal(new) => match (old, new) {
                (Some(_), None) => SafeCast,
                (None, Some(_)) => RiskyCast,
                (Some((po, so)), Some((pn, sn)))
                    if po.saturating_sub(so) > pn.saturating_sub(sn) || so > sn =>
                {
                    RiskyCast
                }
                _ => SafeCast,
            },
            Real | DoublePrecision => RiskyCast,
            VarChar(len) | Char(len) => match (len, old) {
                (Some(len), Some((p, 0))) if p + 1 > len => RiskyCast,
                (Some(len), Some((p, s))) if s > 0 && p + 2 > len => RiskyCast,
                (Some(len), None) if len < 131073 => RiskyCast,
                (None, _) if next_is_char => RiskyCast,
                _ => SafeCast,
            },
            Text => SafeCast,
            _ => NotCastable,
        },
        Real => match next {
            SmallInt | Integer | BigInt | Decimal(_) => RiskyCast,
            DoublePrecision => SafeCast,
            VarChar(len) | Char(len) => string_fits(len, 47, next_is_char),
            Text => SafeCast,
            _ => NotCastable,
        },
        DoublePrecision => match next {
            SmallInt | Integer | BigInt | Decimal(_) | Real => RiskyCast,
            VarChar(len) | Char(len) => string_fits(len, 317, next_is_char),
            Text => SafeCast,
            _ => NotCastable,
        },
        VarChar(old) => match next {
            Text => SafeCast,
            VarChar(new) | Char(new) => match (old, new) {
                (None, None) if next_is_char => RiskyCast,
                (None, Some(_)) => RiskyCast,
                (Some(1), None) => SafeCast,
                (Some(_), None) if next_is_char => RiskyCast,
                (Some(o), Some(n)) if o > n => RiskyCast,
                _ => SafeCast,
            },
            _ => NotCastable,
        },
        Char(old) => match next {
            Text => SafeCast,
            VarChar(new) | Char(new) => match (old, new) {
                (None, _) => SafeCast,
                (Some(1), None) => SafeCast,
                (Some(_), None) if next_is_char => RiskyCast,
                (Some(o), Some(n)) if o > n => RiskyCast,
                _ => SafeCast,
            },
            _ => NotCastable,
        },
        Text => match next {
            VarChar(None) | Citext => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        ByteA => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(Some(n)) | Char(Some(n)) if n > 2 => RiskyCast,
            _ => NotCastable,
        },
        Timestamp(a) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(n)) | VarChar(Some(n)) if n > 22 => SafeCast,
            Timestamp(None) => return None,
            Timestamp(Some(b)) if a.is_none() || a == Some(b) => return None,
            Timestamp(_) | Timestamptz(_) | Date | Time(_) | Timetz(_) => SafeCast,
            _ => NotCastable,
        },
        Timestamptz(a) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(n)) | VarChar(Some(n)) if n > 27 => SafeCast,
            Timestamptz(None) => return None,
            Timestamptz(Some(b)) if a.is_none() || a == Some(b) => return None,
            Timestamp(_) | Timestamptz(_) | Date | Time(_) | Timetz(_) => SafeCast,
            _ => NotCastable,
        },
        Date => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(n)) | VarChar(Some(n)) if n > 27 => SafeCast,
            Timestamp(_) | Timestamptz(_) => SafeCast,
            _ => NotCastable,
        },
        Time(a) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(n)) | VarChar(Some(n)) if n > 13 => SafeCast,
            Time(None) => return None,
            Time(Some(b)) if a.is_none() || a == Some(b) => return None,
            Timetz(_) => SafeCast,
            _ => NotCastable,
        },
        Timetz(a) => match next {
            Text | VarChar(None) => SafeCast,
            Char(Some(n)) | VarChar(Some(n)) if n > 18 => SafeCast,
            Timetz(None) => return None,
            Timetz(Some(b)) if a.is_none() || a == Some(b) => return None,
            Time(_) => SafeCast,
            _ => NotCastable,
        },
        Boolean => match next {
            Text | VarChar(_) => SafeCast,
            Char(Some(n)) if n > 4 => SafeCast,
            Char(Some(n)) if n > 3 => RiskyCast,
            _ => NotCastable,
        },
        Bit(None) => match next {
            Text | VarChar(_) | Char(_) | VarBit(_) => SafeCast,
            _ => NotCastable,
        },
        Bit(Some(len)) => match next {
            Text | VarChar(None) | VarBit(None) => SafeCast,
            VarChar(Some(n)) | VarBit(Some(n)) | Char(Some(n)) if n >= len => SafeCast,
            _ => NotCastable,
        },
        VarBit(None) => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) | Bit(_) => RiskyCast,
            _ => NotCastable,
        },
        VarBit(Some(len)) => match next {
            Text | VarChar(None) | VarBit(None) => SafeCast,
            VarBit(Some(n)) if n > len => SafeCast,
            VarChar(Some(n)) | Char(Some(n)) if n >= len => SafeCast,
            Bit(Some(n)) if n <= len => RiskyCast,
            Bit(None) | Char(_) | VarChar(_) => RiskyCast,
            _ => NotCastable,
        },
        Uuid => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(Some(n)) | Char(Some(n)) if n > 31 => SafeCast,
            _ => NotCastable,
        },
        Xml => match next {
            Text | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        Json => match next {
            Text | JsonB | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
        JsonB => match next {
            Text | Json | VarChar(None) => SafeCast,
            VarChar(_) | Char(_) => RiskyCast,
            _ => NotCastable,
        },
    };
    Some(change)
}

/// Integer → something: `digits` is how many digits the type holds, `chars` how many
/// characters its text form needs; `wider` lists integer types it widens into safely.
fn integer_to(
    next: NativeType,
    digits: u32,
    chars: u32,
    next_is_char: bool,
    wider: &[NativeType],
) -> TypeChange {
    use NativeType::*;
    use TypeChange::*;
    if wider.contains(&next) {
        return SafeCast;
    }
    match next {
        Decimal(Some((p, s))) if p.saturating_sub(s) < digits => RiskyCast,
        Decimal(_) | Real | DoublePrecision | Text => SafeCast,
        VarChar(len) | Char(len) => match len {
            Some(len) if len < chars => RiskyCast,
            None if next_is_char => RiskyCast,
            _ => SafeCast,
        },
        _ => NotCastable,
    }
}

fn decimal_to_int(old: Option<(u32, u32)>, max_precision: u32) -> TypeChange {
    match old {
        None => TypeChange::RiskyCast,
        Some((_, s)) if s > 0 => TypeChange::RiskyCast,
        Some((p, _)) if p > max_precision => TypeChange::RiskyCast,
        _ => TypeChange::SafeCast,
    }
}

fn string_fits(len: Option<u32>, needed: u32, next_is_char: bool) -> TypeChange {
    match len {
        Some(len) if len < needed => TypeChange::RiskyCast,
        None if next_is_char => TypeChange::RiskyCast,
        _ => TypeChange::SafeCast,
    }
}
