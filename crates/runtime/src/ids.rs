//! Client-side id defaults: `uuid()`, `uuid(7)`, `cuid()`, `cuid(2)`, `nanoid()`, `ulid()`.
//! Generated `create` code calls these for fields whose default Prisma computes in the client.
//!
//! Every random bit comes from the operating system's CSPRNG (`getrandom`), read afresh
//! for each id: users put `@default(uuid())` and `nanoid()` on share links, tokens and API
//! keys, so an id must be as hard to guess as Prisma's (which draws from a CSPRNG too).
//! One system call per id costs well under a microsecond, against a database round trip
//! for the insert that needs it; a user-space generator would add fork-safety questions
//! for no gain anyone can feel.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Fills `bytes` from the operating system's CSPRNG: the one source of randomness here.
fn os_random(bytes: &mut [u8]) {
    // Fails only when the kernel has no entropy source at all (no getrandom(2) and no
    // /dev/urandom): an id that is not random must not be handed out instead.
    getrandom::fill(bytes).expect("the operating system's random number generator failed");
    #[cfg(test)]
    tests::OS_BYTES.with(|drawn| drawn.set(drawn.get() + bytes.len()));
}

/// `N` bytes from the operating system's CSPRNG.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    os_random(&mut bytes);
    bytes
}

/// A uniformly random number below `bound` (rejection sampling: no modulo bias).
fn random_below(bound: u128) -> u128 {
    let zone = u128::MAX - (u128::MAX % bound);
    loop {
        let value = u128::from_le_bytes(random_bytes::<16>());
        if value < zone {
            return value % bound;
        }
    }
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

fn base36(mut n: u128, width: usize) -> String {
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
    const BLOCK: u128 = 36 * 36 * 36 * 36;
    let counter = u128::from(COUNTER.fetch_add(1, Ordering::Relaxed)) % BLOCK;
    let fingerprint = u128::from(std::process::id()) % BLOCK;
    let mut id = String::with_capacity(25);
    id.push('c');
    id.push_str(&base36(u128::from(millis()), 8));
    id.push_str(&base36(counter, 4));
    id.push_str(&base36(fingerprint, 4));
    id.push_str(&base36(random_below(BLOCK * BLOCK), 8));
    id
}

/// A CUID2-shaped id (24 characters: a lower-case letter, then 23 base-36 digits):
/// Prisma's `cuid(2)`. Every character is drawn from the CSPRNG (about 123 bits), which
/// is what CUID2's SHA-3 over time, counter and entropy is for: ids nobody can predict
/// or order, of the same shape.
pub fn cuid2() -> String {
    let mut id = String::with_capacity(24);
    id.push(char::from(b'a' + random_below(26) as u8));
    id.push_str(&base36(random_below(36u128.pow(23)), 23));
    id
}

/// A Nano ID of `size` characters from `A-Za-z0-9_-`: Prisma's `nanoid()` (21) and
/// `nanoid(size)`.
pub fn nanoid(size: usize) -> String {
    const ALPHABET: &[u8; 64] = b"useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";
    // 256 is a multiple of 64: masking a random byte is uniform.
    let mut bytes = vec![0u8; size];
    os_random(&mut bytes);
    bytes
        .iter()
        .map(|byte| char::from(ALPHABET[usize::from(byte & 63)]))
        .collect()
}

/// A ULID (26 characters, Crockford base32, time-ordered): Prisma's `ulid()`.
pub fn ulid() -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let random = u128::from_le_bytes(random_bytes::<16>()) & ((1 << 80) - 1);
    let value = u128::from(millis() & 0xffff_ffff_ffff) << 80 | random;
    (0..26)
        .rev()
        .map(|i| char::from(ALPHABET[((value >> (i * 5)) & 31) as usize]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::HashSet;

    thread_local! {
        /// Bytes this thread has drawn from the operating system's CSPRNG.
        pub(super) static OS_BYTES: Cell<usize> = const { Cell::new(0) };
    }

    /// Each format's random part (in bits) comes from the OS CSPRNG, drawn for that id:
    /// no user-space generator stretches a seed into many ids.
    #[test]
    fn every_id_draws_its_randomness_from_the_operating_system() {
        type Maker = fn() -> String;
        // (name, maker, random bits in the format's layout)
        let formats: [(&str, Maker, usize); 6] = [
            ("uuid_v4", uuid_v4, 122),
            ("uuid_v7", uuid_v7, 74),
            ("cuid", cuid, 41),
            ("cuid2", cuid2, 123),
            ("nanoid", || nanoid(21), 126),
            ("ulid", ulid, 80),
        ];
        for (name, make, bits) in formats {
            for _ in 0..100 {
                let before = OS_BYTES.with(Cell::get);
                make();
                let drawn = OS_BYTES.with(Cell::get) - before;
                assert!(
                    drawn * 8 >= bits,
                    "{name} drew {drawn} bytes for {bits} random bits"
                );
            }
        }
    }

    /// Characters of a nanoid are uniform over its 64-letter alphabet (no bias from the
    /// byte-to-letter mapping): each letter's share of 64,000 letters is near 1/64.
    #[test]
    fn nanoid_letters_are_uniform() {
        let mut counts = std::collections::HashMap::<char, usize>::new();
        for _ in 0..1000 {
            for letter in nanoid(64).chars() {
                *counts.entry(letter).or_default() += 1;
            }
        }
        assert_eq!(counts.len(), 64);
        // Expected 1000 each; 6 standard deviations is about 190.
        assert!(
            counts.values().all(|n| (800..=1200).contains(n)),
            "{counts:?}"
        );
    }

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
