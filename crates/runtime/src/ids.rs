//! Client-side id defaults: `uuid()`, `uuid(7)`, `cuid()`, `cuid(2)`, `nanoid()`, `ulid()`.
//! Generated `create` code calls these for fields whose default Prisma computes in the client.
//!
//! Randomness comes from a per-thread wyrand generator seeded from the OS-seeded hasher
//! keys, the time and the thread: unique and unpredictable enough for ids, not for secrets.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    RandomState::new().hash_one((
        SystemTime::now(),
        std::thread::current().id(),
        std::process::id(),
    ))
}

/// The next 64 random bits (wyrand).
fn next_u64() -> u64 {
    STATE.with(|state| {
        let s = state.get().wrapping_add(0xa076_1d64_78bd_642f);
        state.set(s);
        let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    })
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    for chunk in bytes.chunks_mut(8) {
        let random = next_u64().to_le_bytes();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
    bytes
}

fn millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn hyphenated(bytes: &[u8; 16]) -> String {
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        text.push(char::from(b"0123456789abcdef"[usize::from(byte & 0xf)]));
    }
    text
}

/// A random (version 4) UUID, hyphenated lower-case: Prisma's `uuid()`.
pub fn uuid_v4() -> String {
    let mut bytes = random_bytes::<16>();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    hyphenated(&bytes)
}

/// A time-ordered (version 7) UUID: Prisma's `uuid(7)`.
pub fn uuid_v7() -> String {
    let mut bytes = random_bytes::<16>();
    bytes[..6].copy_from_slice(&millis().to_be_bytes()[2..]);
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    hyphenated(&bytes)
}

fn base36(mut n: u64, width: usize) -> String {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        *slot = digits[(n % 36) as usize];
        n /= 36;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A CUID (version 1 layout, 25 characters, starting with `c`): Prisma's `cuid()`.
pub fn cuid() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    const BLOCK: u64 = 36 * 36 * 36 * 36;
    let counter = u64::from(COUNTER.fetch_add(1, Ordering::Relaxed)) % BLOCK;
    let fingerprint = u64::from(std::process::id()) % BLOCK;
    let mut id = String::with_capacity(25);
    id.push('c');
    id.push_str(&base36(millis(), 8));
    id.push_str(&base36(counter, 4));
    id.push_str(&base36(fingerprint, 4));
    id.push_str(&base36(next_u64() % BLOCK, 4));
    id.push_str(&base36(next_u64() % BLOCK, 4));
    id
}

/// A CUID2-shaped id (24 characters: a lower-case letter, then base 36): Prisma's
/// `cuid(2)`. Random bits mixed with the time and a process counter; not CUID2's SHA-3
/// hash, which only matters for guessing resistance, not for the id's shape or uniqueness.
pub fn cuid2() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let counter = u64::from(COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut id = String::with_capacity(24);
    id.push(char::from(b'a' + (next_u64() % 26) as u8));
    // 23 base-36 digits: 12 from time-and-counter-mixed random bits, 11 purely random.
    id.push_str(&base36(
        (next_u64() ^ millis().rotate_left(17) ^ counter) % 36u64.pow(12),
        12,
    ));
    id.push_str(&base36(next_u64() % 36u64.pow(11), 11));
    id
}

/// A Nano ID of `size` characters from `A-Za-z0-9_-`: Prisma's `nanoid()` (21) and
/// `nanoid(size)`.
pub fn nanoid(size: usize) -> String {
    const ALPHABET: &[u8; 64] = b"useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
    (0..size)
        .map(|_| char::from(ALPHABET[(next_u64() & 63) as usize]))
        .collect()
}

/// A ULID (26 characters, Crockford base32, time-ordered): Prisma's `ulid()`.
pub fn ulid() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random = u128::from(next_u64()) << 16 | u128::from(next_u64() & 0xffff);
    let value = u128::from(millis() & 0xffff_ffff_ffff) << 80 | random;
    (0..26)
        .rev()
        .map(|i| char::from(ALPHABET[((value >> (i * 5)) & 31) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_have_their_formats_and_do_not_repeat() {
        type Maker = fn() -> String;
        let checks: [(&str, Maker, usize); 6] = [
            ("uuid_v4", uuid_v4, 36),
            ("uuid_v7", uuid_v7, 36),
            ("cuid", cuid, 25),
            ("cuid2", cuid2, 24),
            ("nanoid", || nanoid(21), 21),
            ("ulid", ulid, 26),
        ];
        for (name, make, len) in checks {
            let ids: HashSet<String> = (0..2000).map(|_| make()).collect();
            assert_eq!(ids.len(), 2000, "{name} repeated");
            assert!(ids.iter().all(|id| id.len() == len), "{name} length");
        }
        assert_eq!(&uuid_v4()[14..15], "4");
        assert_eq!(&uuid_v7()[14..15], "7");
        assert!(cuid().starts_with('c'));
        assert!(cuid2().starts_with(|c: char| c.is_ascii_lowercase()));
    }
}
