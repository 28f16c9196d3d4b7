//! Raw DEFLATE (RFC 1951) for the links the page writes: LZ77 over hash chains, coded in
//! one block of the fixed Huffman codes. Any inflater reads it (links are read back by
//! `inflate.rs`).
//!
//! Written by hand because miniz_oxide's compressor cost 8,333 bytes of the gzipped wasm
//! (`docs/performance.md`, "Links compressed by hand"), about 2% of the bundle, for the
//! one short text a link holds. Fixed codes save building and sending code tables, and
//! make a link longer than the dynamic codes of miniz_oxide's level 9 would: 11% on the
//! gallery's links, 18% on the conformance programs (zlib's fixed-code strategy).

/// Matches are looked for this far back (DEFLATE's largest distance).
const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// How many earlier places with the same three bytes are tried for each match.
const MAX_CHAIN: usize = 64;
const HASH_BITS: u32 = 15;

/// Length symbols 257..=285: the shortest length each codes, and its extra bits (read
/// back by `inflate.rs`).
pub(super) const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
pub(super) const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance symbols 0..=29.
pub(super) const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
pub(super) const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// `data` compressed as raw DEFLATE.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Bits::default();
    out.put(1, 1); // the last block
    out.put(1, 2); // fixed codes
    let mut head = vec![u32::MAX; 1 << HASH_BITS];
    let mut prev = vec![u32::MAX; WINDOW.min(data.len())];
    let mut i = 0;
    while i < data.len() {
        let (len, dist) = longest_match(data, i, &head, &prev);
        let step = if len >= MIN_MATCH {
            out.length(len);
            out.distance(dist);
            len
        } else {
            out.symbol(u16::from(data[i]));
            1
        };
        for at in i..(i + step).min(data.len().saturating_sub(MIN_MATCH - 1)) {
            let h = hash(&data[at..]);
            prev[at % WINDOW] = head[h];
            head[h] = at as u32;
        }
        i += step;
    }
    out.symbol(256);
    out.finish()
}

fn hash(bytes: &[u8]) -> usize {
    let v = u32::from(bytes[0]) | u32::from(bytes[1]) << 8 | u32::from(bytes[2]) << 16;
    (v.wrapping_mul(0x9e37_79b1) >> (32 - HASH_BITS)) as usize
}

/// The longest earlier copy of the bytes at `i`, as (length, distance); a length under
/// `MIN_MATCH` when there is none.
fn longest_match(data: &[u8], i: usize, head: &[u32], prev: &[u32]) -> (usize, usize) {
    let mut best = (0, 0);
    if i + MIN_MATCH > data.len() {
        return best;
    }
    let limit = MAX_MATCH.min(data.len() - i);
    let mut candidate = head[hash(&data[i..])];
    for _ in 0..MAX_CHAIN {
        let Ok(at) = usize::try_from(candidate) else {
            break;
        };
        // Chains can run past the window (their slots are reused) or into a later place.
        if at >= i || i - at > WINDOW {
            break;
        }
        let len = data[at..]
            .iter()
            .zip(&data[i..i + limit])
            .take_while(|(a, b)| a == b)
            .count();
        if len > best.0 {
            best = (len, i - at);
            if len == limit {
                break;
            }
        }
        candidate = prev[at % WINDOW];
    }
    best
}

/// Bits written from the least significant end, as DEFLATE packs them.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE packs from its most significant bit.
    fn code(&mut self, code: u32, bits: u32) {
        self.put(code.reverse_bits() >> (32 - bits), bits);
    }

    /// A literal/length symbol in the fixed code (RFC 1951, 3.2.6).
    fn symbol(&mut self, s: u16) {
        let s = u32::from(s);
        match s {
            0..=143 => self.code(0x30 + s, 8),
            144..=255 => self.code(0x190 + s - 144, 9),
            256..=279 => self.code(s - 256, 7),
            _ => self.code(0xc0 + s - 280, 8),
        }
    }

    fn length(&mut self, len: usize) {
        let i = LENGTH_BASE
            .iter()
            .rposition(|&b| usize::from(b) <= len)
            .unwrap_or(0);
        self.symbol(257 + i as u16);
        let extra = LENGTH_EXTRA[i];
        self.put((len - usize::from(LENGTH_BASE[i])) as u32, u32::from(extra));
    }

    fn distance(&mut self, dist: usize) {
        let i = DIST_BASE
            .iter()
            .rposition(|&b| usize::from(b) <= dist)
            .unwrap_or(0);
        self.code(i as u32, 5);
        self.put(
            (dist - usize::from(DIST_BASE[i])) as u32,
            u32::from(DIST_EXTRA[i]),
        );
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn inflate(data: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec(data).expect("inflates")
    }

    #[test]
    fn round_trips_edges() {
        let long: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for data in [
            &b""[..],
            b"a",
            b"ab",
            b"abc",
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            &[0u8; 1000],
            &[255u8; 70_000],
            &long,
        ] {
            assert_eq!(inflate(&compress(data)), data);
        }
    }

    /// The gallery's links: shorter than their JSON, and within a fifth of miniz_oxide's
    /// level 9 (the cost of fixed codes on short texts).
    #[test]
    fn compresses_links_nearly_as_well_as_level_9() {
        let (mut json, mut ours, mut best) = (0, 0, 0);
        for example in crate::gallery::EXAMPLES {
            let text = example.scenario().to_json();
            json += text.len();
            ours += compress(text.as_bytes()).len();
            best += miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9).len();
        }
        // Measured: 2,621 bytes of JSON, 1,911 here, 1,727 at level 9.
        assert!(ours * 5 < json * 4, "{ours} of {json}");
        assert!(ours * 5 <= best * 6, "{ours} vs {best}");
    }

    proptest! {
        #[test]
        fn inflates_to_what_it_was(data in prop::collection::vec(any::<u8>(), 0..3000)) {
            prop_assert_eq!(inflate(&compress(&data)), data);
        }

        /// Repetitive text, where matches and long chains are found.
        #[test]
        fn inflates_repetitive_text(parts in prop::collection::vec("[ab]{1,5}|x = [0-9]\n", 0..400)) {
            let text = parts.concat();
            prop_assert_eq!(inflate(&compress(text.as_bytes())), text.as_bytes());
        }
    }
}
