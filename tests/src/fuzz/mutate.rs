//! Valid changes, damaged so that they still reach Automerge's decoder.
//!
//! An uncompressed change chunk (automerge 0.12, `storage/chunk.rs`) is
//! `magic(85 6f 4a 83) ‖ checksum(4) ‖ type(1 = change) ‖ uleb128(body length) ‖ body`, and the
//! checksum is the first 4 bytes of SHA-256 over `type ‖ uleb128(length) ‖ body`. A mutated
//! body is re-framed with a fresh checksum, or the decoder would refuse it at the door.

use rand::Rng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const CHANGE: u8 = 1;

/// `body` framed as an uncompressed change chunk with a valid checksum.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut typed = vec![CHANGE];
    uleb(&mut typed, body.len() as u64);
    let sum = Sha256::new().chain_update(&typed).chain_update(body).finalize();
    let mut out = Vec::with_capacity(body.len() + 16);
    out.extend(MAGIC);
    out.extend(&sum[..4]);
    out.extend(typed);
    out.extend(body);
    out
}

/// The body of an uncompressed change chunk (`Change::raw_bytes`), if it is one.
pub fn body(chunk: &[u8]) -> Option<&[u8]> {
    if chunk.get(..4)? != MAGIC || *chunk.get(8)? != CHANGE {
        return None;
    }
    let (len, used) = read_uleb(&chunk[9..])?;
    chunk.get(9 + used..9 + used + usize::try_from(len).ok()?)
}

fn uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_uleb(b: &[u8]) -> Option<(u64, usize)> {
    let mut v = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Values that sit on the edges of lengths, counts and column specs.
const INTERESTING: &[u8] = &[0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x10, 0x40];

/// `body` with 1–4 random damages: bit flips, edge values, inserted, removed or duplicated
/// runs, splices from `donors` (other valid bodies), and LEB128-sized length tweaks.
pub fn mutate(rng: &mut StdRng, body: &[u8], donors: &[&[u8]]) -> Vec<u8> {
    let mut b = body.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        if b.is_empty() {
            b.push(rng.random());
            continue;
        }
        let at = rng.random_range(0..b.len());
        match rng.random_range(0..8) {
            0 => b[at] ^= 1 << rng.random_range(0..8),
            1 => b[at] = INTERESTING[rng.random_range(0..INTERESTING.len())],
            2 => b[at] = b[at].wrapping_add(rng.random_range(1..=4)),
            3 => b[at] = b[at].wrapping_sub(rng.random_range(1..=4)),
            4 => {
                let n = rng.random_range(1..=8).min(b.len() - at);
                b.drain(at..at + n);
            }
            5 => {
                let n = rng.random_range(1..=8);
                let ins: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                b.splice(at..at, ins);
            }
            6 => {
                let n = rng.random_range(1..=16).min(b.len() - at);
                let run = b[at..at + n].to_vec();
                b.splice(at..at, run);
            }
            _ => {
                let Some(donor) = donors.get(rng.random_range(0..donors.len().max(1))) else { continue };
                if donor.is_empty() {
                    continue;
                }
                let from = rng.random_range(0..donor.len());
                let n = rng.random_range(1..=32).min(donor.len() - from);
                let cut = rng.random_range(0..=8).min(b.len() - at);
                b.splice(at..at + cut, donor[from..from + n].iter().copied());
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reframed_body_decodes_to_the_same_change() {
        let mut doc = automerge::Automerge::new();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            use automerge::transaction::Transactable;
            tx.put(automerge::ROOT, "k", "v")
        })
        .unwrap();
        let change = doc.get_changes(&[]).into_iter().next().unwrap().clone();
        let raw = change.raw_bytes().to_vec();
        assert_eq!(frame(body(&raw).unwrap()), raw);
        let again = automerge::Change::from_bytes(frame(body(&raw).unwrap())).unwrap();
        assert_eq!(again.hash(), change.hash());
    }
}
