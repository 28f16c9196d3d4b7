//! Raw DEFLATE decoding (RFC 1951) for the links the page opens: stored, fixed and dynamic
//! Huffman blocks, decoded canonically one bit at a time, as zlib's `contrib/puff` does.
//!
//! Written by hand for the same reason as `deflate.rs`: miniz_oxide's inflater cost 6,115
//! bytes of the gzipped wasm (`docs/performance.md`, "Links compressed by hand"), and a
//! link is a few hundred bytes, so a small decoder's speed does not matter. Its tests
//! check it against miniz_oxide on every kind of stream and on damaged ones.

/// Why a stream did not inflate.
#[derive(Debug, PartialEq, Eq)]
pub enum InflateError {
    /// The data stops before the last block ends.
    Truncated,
    /// The output would pass the limit.
    TooLarge,
    /// The data is not DEFLATE.
    Corrupt,
}

type Result<T> = std::result::Result<T, InflateError>;

use super::deflate::{DIST_BASE, DIST_EXTRA, LENGTH_BASE, LENGTH_EXTRA};

const MAX_BITS: usize = 15;
/// The order code length codes are sent in.
const CODE_LENGTH_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// `data` inflated, refusing output longer than `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let mut s = State {
        data,
        at: 0,
        bits: 0,
        count: 0,
        out: Vec::new(),
        limit,
    };
    loop {
        let last = s.take(1)?;
        match s.take(2)? {
            0 => s.stored()?,
            1 => {
                let mut lengths = [8u8; 288];
                lengths[144..256].fill(9);
                lengths[256..280].fill(7);
                let literals = Huffman::new(&lengths)?;
                let distances = Huffman::new(&[5; 30])?;
                s.codes(&literals, &distances)?;
            }
            2 => s.dynamic()?,
            _ => return Err(InflateError::Corrupt),
        }
        if last == 1 {
            return Ok(s.out);
        }
    }
}

struct State<'a> {
    data: &'a [u8],
    at: usize,
    bits: u32,
    count: u32,
    out: Vec<u8>,
    limit: usize,
}

impl State<'_> {
    /// The next `n` bits (up to 13), least significant first.
    fn take(&mut self, n: u32) -> Result<u32> {
        while self.count < n {
            let &byte = self.data.get(self.at).ok_or(InflateError::Truncated)?;
            self.at += 1;
            self.bits |= u32::from(byte) << self.count;
            self.count += 8;
        }
        let v = self.bits & ((1 << n) - 1);
        self.bits >>= n;
        self.count -= n;
        Ok(v)
    }

    fn push(&mut self, byte: u8) -> Result<()> {
        if self.out.len() >= self.limit {
            return Err(InflateError::TooLarge);
        }
        self.out.push(byte);
        Ok(())
    }

    fn stored(&mut self) -> Result<()> {
        // A stored block starts at a byte: the rest of this one is dropped.
        self.bits = 0;
        self.count = 0;
        let header = self
            .data
            .get(self.at..self.at + 4)
            .ok_or(InflateError::Truncated)?;
        let len = u16::from_le_bytes([header[0], header[1]]);
        if len != !u16::from_le_bytes([header[2], header[3]]) {
            return Err(InflateError::Corrupt);
        }
        self.at += 4;
        let bytes = self
            .data
            .get(self.at..self.at + usize::from(len))
            .ok_or(InflateError::Truncated)?;
        if self.out.len() + bytes.len() > self.limit {
            return Err(InflateError::TooLarge);
        }
        self.out.extend_from_slice(bytes);
        self.at += usize::from(len);
        Ok(())
    }

    fn decode(&mut self, h: &Huffman) -> Result<u16> {
        // Canonical codes: the codes of each length follow those of the shorter ones.
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..=MAX_BITS {
            code |= self.take(1)? as i32;
            let count = i32::from(h.count[len]);
            if code - count < first {
                return Ok(h.symbols[(index + code - first) as usize]);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(InflateError::Corrupt)
    }

    fn codes(&mut self, literals: &Huffman, distances: &Huffman) -> Result<()> {
        loop {
            let symbol = self.decode(literals)?;
            match symbol {
                0..=255 => self.push(symbol as u8)?,
                256 => return Ok(()),
                _ => {
                    let i = usize::from(symbol - 257);
                    let (&base, &extra) = LENGTH_BASE
                        .get(i)
                        .zip(LENGTH_EXTRA.get(i))
                        .ok_or(InflateError::Corrupt)?;
                    let len = usize::from(base) + self.take(u32::from(extra))? as usize;
                    let d = usize::from(self.decode(distances)?);
                    let (&base, &extra) = DIST_BASE
                        .get(d)
                        .zip(DIST_EXTRA.get(d))
                        .ok_or(InflateError::Corrupt)?;
                    let dist = usize::from(base) + self.take(u32::from(extra))? as usize;
                    if dist > self.out.len() {
                        return Err(InflateError::Corrupt);
                    }
                    for _ in 0..len {
                        self.push(self.out[self.out.len() - dist])?;
                    }
                }
            }
        }
    }

    fn dynamic(&mut self) -> Result<()> {
        let literal_count = self.take(5)? as usize + 257;
        let distance_count = self.take(5)? as usize + 1;
        let code_count = self.take(4)? as usize + 4;
        if literal_count > 286 || distance_count > 30 {
            return Err(InflateError::Corrupt);
        }
        let mut code_lengths = [0u8; 19];
        for &i in &CODE_LENGTH_ORDER[..code_count] {
            code_lengths[i] = self.take(3)? as u8;
        }
        let length_code = Huffman::new(&code_lengths)?;
        let mut lengths = [0u8; 286 + 30];
        let total = literal_count + distance_count;
        let mut i = 0;
        while i < total {
            let symbol = self.decode(&length_code)?;
            let (value, repeat) = match symbol {
                0..=15 => (symbol as u8, 1),
                16 => {
                    let &previous = i
                        .checked_sub(1)
                        .and_then(|p| lengths.get(p))
                        .ok_or(InflateError::Corrupt)?;
                    (previous, 3 + self.take(2)? as usize)
                }
                17 => (0, 3 + self.take(3)? as usize),
                _ => (0, 11 + self.take(7)? as usize),
            };
            if i + repeat > total {
                return Err(InflateError::Corrupt);
            }
            lengths[i..i + repeat].fill(value);
            i += repeat;
        }
        if lengths[256] == 0 {
            return Err(InflateError::Corrupt);
        }
        let literals = Huffman::new(&lengths[..literal_count])?;
        let distances = Huffman::new(&lengths[literal_count..total])?;
        self.codes(&literals, &distances)
    }
}

/// A canonical Huffman code: how many codes each length has, and the symbols in code order.
struct Huffman {
    count: [u16; MAX_BITS + 1],
    symbols: Vec<u16>,
}

impl Huffman {
    /// The code for `lengths` (0: a symbol not coded). An over-subscribed set of lengths
    /// is refused; an incomplete one is kept (its missing codes fail when read).
    fn new(lengths: &[u8]) -> Result<Huffman> {
        let mut count = [0u16; MAX_BITS + 1];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        let mut left = 1i32;
        for &c in &count[1..] {
            left = (left << 1) - i32::from(c);
            if left < 0 {
                return Err(InflateError::Corrupt);
            }
        }
        let mut offsets = [0u16; MAX_BITS + 1];
        for len in 1..MAX_BITS {
            offsets[len + 1] = offsets[len] + count[len];
        }
        let mut symbols = vec![0; lengths.len()];
        for (symbol, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbols[usize::from(offsets[usize::from(l)])] = symbol as u16;
                offsets[usize::from(l)] += 1;
            }
        }
        count[0] = 0;
        Ok(Huffman { count, symbols })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(data: &[u8]) -> Option<Vec<u8>> {
        miniz_oxide::inflate::decompress_to_vec(data).ok()
    }

    #[test]
    fn reads_every_kind_of_block() {
        let text: Vec<u8> = b"x = [1, 2, 3]\ny = x\nprint(y is x)\n".repeat(40);
        for level in 0..=10 {
            let stream = miniz_oxide::deflate::compress_to_vec(&text, level);
            assert_eq!(
                decompress(&stream, usize::MAX),
                Ok(text.clone()),
                "level {level}"
            );
        }
        assert_eq!(
            decompress(&super::super::deflate::compress(&text), usize::MAX),
            Ok(text)
        );
        assert_eq!(decompress(&[0x03, 0x00], 10), Ok(Vec::new()));
    }

    #[test]
    fn says_what_is_wrong() {
        let stream = miniz_oxide::deflate::compress_to_vec(&[b'a'; 1000], 9);
        assert_eq!(
            decompress(&stream[..stream.len() - 1], usize::MAX),
            Err(InflateError::Truncated)
        );
        assert_eq!(decompress(&stream, 999), Err(InflateError::TooLarge));
        assert_eq!(decompress(&[], usize::MAX), Err(InflateError::Truncated));
        assert_eq!(decompress(&[0xff], usize::MAX), Err(InflateError::Corrupt));
        // A stored block whose length and its complement disagree.
        assert_eq!(
            decompress(&[0x01, 5, 0, 5, 0], usize::MAX),
            Err(InflateError::Corrupt)
        );
    }

    proptest! {
        #[test]
        fn agrees_with_miniz_on_its_streams(
            data in prop::collection::vec(any::<u8>(), 0..2000),
            repeats in 1usize..20,
            level in 0u8..=10,
        ) {
            let data = data.repeat(repeats);
            let stream = miniz_oxide::deflate::compress_to_vec(&data, level);
            prop_assert_eq!(decompress(&stream, usize::MAX), Ok(data));
        }

        /// Damaged streams: never a panic, and never bytes other than miniz_oxide's.
        #[test]
        fn damaged_streams_fail_or_agree(
            data in prop::collection::vec(0u8..4, 1..400),
            at in any::<prop::sample::Index>(),
            byte in any::<u8>(),
            level in 1u8..=9,
        ) {
            let mut stream = miniz_oxide::deflate::compress_to_vec(&data, level);
            let i = at.index(stream.len());
            stream[i] = byte;
            if let Ok(out) = decompress(&stream, 1 << 20) {
                if let Some(expected) = reference(&stream) {
                    prop_assert_eq!(out, expected);
                }
            }
        }

        #[test]
        fn random_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = decompress(&data, 1 << 16);
        }
    }
}
