//! eth-abi's strict decoding checks, run over the data before alloy decodes it.
//!
//! alloy's dynamic decoder is lenient where eth-abi (`decode(..., strict=True)`, its
//! default) is not, and some of what it accepts cannot be checked afterwards (a bool word of
//! 2 decodes to `true`, an address's high bytes are dropped). This walk follows eth-abi's
//! decoder step by step and refuses what it refuses:
//!
//! - every word must be present (no short reads);
//! - `uint<N>`, `address`: the padding above the value is zero; `int<N>`: the padding is
//!   the value's sign extension; `bool`: 0 or 1; `bytes<N>`: zero bytes after the N;
//! - `bytes`/`string`: the zero-padded tail is complete and its padding is zero; `string` is
//!   valid UTF-8;
//! - a pointer (offset) must land after its container's head and inside the data. eth-abi
//!   sizes a tuple's head as one word per element, or the length of a static fixed array, and
//!   this walk sizes it the same way so both accept the same inputs.
//!
//! Like eth-abi, it accepts trailing bytes after the encoding and non-canonical (but
//! in-range) offsets, including offsets shared by several values.

use alloy_dyn_abi::DynSolType;
use alloy_primitives::U256;

/// The data being walked.
struct Walk<'a> {
    data: &'a [u8],
}

type Check<T> = Result<T, String>;

impl Walk<'_> {
    /// The 32-byte word at `pos`.
    fn word(&self, pos: usize) -> Check<&[u8]> {
        pos.checked_add(32)
            .and_then(|end| self.data.get(pos..end))
            .ok_or_else(|| format!("insufficient data: need 32 bytes at offset {pos}"))
    }

    /// The word at `pos` as a length or offset; values beyond `usize` are reported as such.
    fn number(&self, pos: usize) -> Check<Option<usize>> {
        let value = U256::from_be_slice(self.word(pos)?);
        Ok(usize::try_from(value).ok())
    }

    /// Checks a static value at `pos`; returns the position after it.
    fn static_value(&self, ty: &DynSolType, pos: usize) -> Check<usize> {
        match ty {
            DynSolType::Bool => {
                let word = self.word(pos)?;
                if word[..31].iter().any(|&b| b != 0) || word[31] > 1 {
                    return Err(format!("bool at offset {pos} is not 0 or 1"));
                }
                Ok(pos + 32)
            }
            DynSolType::Uint(bits) => self.padding(pos, 32usize.saturating_sub(bits / 8), 0, ty),
            DynSolType::Address => self.padding(pos, 12, 0, ty),
            DynSolType::Int(bits) => {
                let pad = 32usize.saturating_sub(bits / 8);
                let word = self.word(pos)?;
                let fill = if word.get(pad).is_some_and(|b| b & 0x80 != 0) {
                    0xff
                } else {
                    0
                };
                self.padding(pos, pad, fill, ty)
            }
            DynSolType::FixedBytes(size) => {
                let word = self.word(pos)?;
                if word[(*size).min(32)..].iter().any(|&b| b != 0) {
                    return Err(format!("non-zero padding after {ty} at offset {pos}"));
                }
                Ok(pos + 32)
            }
            DynSolType::FixedArray(inner, size) => {
                let mut at = pos;
                for _ in 0..*size {
                    let next = self.static_value(inner, at)?;
                    if next == at {
                        // An element of no words (`()`, `T[0]`): so are all the others.
                        break;
                    }
                    at = next;
                }
                Ok(at)
            }
            DynSolType::Tuple(items) => {
                let mut at = pos;
                for item in items {
                    at = self.static_value(item, at)?;
                }
                Ok(at)
            }
            // Dynamic types never sit inline; `parse_type` refuses `function`.
            _ => Err(format!("unsupported type {ty}")),
        }
    }

    /// Checks that the first `pad` bytes of the word at `pos` all equal `fill`.
    fn padding(&self, pos: usize, pad: usize, fill: u8, ty: &DynSolType) -> Check<usize> {
        let word = self.word(pos)?;
        if word[..pad.min(32)].iter().any(|&b| b != fill) {
            return Err(format!("bad padding of {ty} at offset {pos}"));
        }
        Ok(pos + 32)
    }

    /// Checks a dynamic value whose encoding starts at `pos`.
    fn dynamic_value(&self, ty: &DynSolType, pos: usize) -> Check<()> {
        match ty {
            DynSolType::Bytes | DynSolType::String => {
                let start = pos + 32;
                let len = self
                    .number(pos)?
                    .ok_or_else(|| format!("length at offset {pos} is out of range"))?;
                let padded = len
                    .checked_next_multiple_of(32)
                    .and_then(|p| start.checked_add(p))
                    .filter(|&end| end <= self.data.len())
                    .ok_or_else(|| format!("insufficient data for {len} bytes at offset {pos}"))?;
                let body = &self.data[start..start + len];
                if self.data[start + len..padded].iter().any(|&b| b != 0) {
                    return Err(format!("non-zero padding after {ty} at offset {pos}"));
                }
                if matches!(ty, DynSolType::String) && std::str::from_utf8(body).is_err() {
                    return Err(format!("string at offset {pos} is not valid UTF-8"));
                }
                Ok(())
            }
            DynSolType::Array(inner) => {
                let start = pos + 32;
                let count = self
                    .number(pos)?
                    .filter(|&n| n <= self.data.len().saturating_sub(start) / 32)
                    .ok_or_else(|| format!("array length at offset {pos} exceeds the data"))?;
                self.container(std::iter::repeat_n(&**inner, count), start)
            }
            DynSolType::FixedArray(inner, size) => {
                // Each element has a pointer word in the head: a length the data cannot hold
                // fails here, not after walking the whole length.
                if *size > self.data.len().saturating_sub(pos) / 32 {
                    return Err(format!("insufficient data for {ty} at offset {pos}"));
                }
                self.container(std::iter::repeat_n(&**inner, *size), pos)
            }
            DynSolType::Tuple(items) => self.container(items.iter(), pos),
            _ => Err(format!("unsupported type {ty}")),
        }
    }

    /// Checks a container (tuple or array body) whose head starts at `start`; pointers in
    /// the head are relative to `start`.
    fn container<'t, I>(&self, items: I, start: usize) -> Check<()>
    where
        I: Iterator<Item = &'t DynSolType> + Clone,
    {
        // eth-abi's head size: one word per element, or a static fixed array's length.
        let head_words: usize = items
            .clone()
            .map(|t| match t {
                DynSolType::FixedArray(_, size) if !t.is_dynamic() => *size,
                _ => 1,
            })
            .fold(0usize, usize::saturating_add);
        let end_of_head = head_words
            .checked_mul(32)
            .and_then(|h| start.checked_add(h))
            .unwrap_or(usize::MAX);
        let mut pos = start;
        let mut tails = Vec::new();
        for ty in items {
            if ty.is_dynamic() {
                let target = self
                    .number(pos)?
                    .and_then(|offset| start.checked_add(offset))
                    .filter(|&at| at >= end_of_head && at < self.data.len())
                    .ok_or_else(|| format!("invalid pointer at offset {pos}"))?;
                tails.push((ty, target));
                pos += 32;
            } else {
                pos = self.static_value(ty, pos)?;
            }
        }
        for (ty, target) in tails {
            self.dynamic_value(ty, target)?;
        }
        Ok(())
    }
}

/// Checks `data` as the encoding of the parameter list `types`, by eth-abi's strict rules.
pub(crate) fn check_params(types: &[DynSolType], data: &[u8]) -> Result<(), String> {
    Walk { data }.container(types.iter(), 0)
}
