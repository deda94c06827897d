//! The frequency sketch of TinyLFU: a count-min sketch of 4-bit counters (16 per u64 word,
//! four probes per key) behind a doorkeeper (a Bloom filter that absorbs the first occurrence
//! of each key, so one-hit wonders never reach the counters). Every `sample_size` additions all
//! counters are halved and the doorkeeper is cleared: old popularity fades (aging).
//!
//! Memory layout, for speed (every cache hit increments): as in Caffeine 3, a key's four
//! counters all lie in one 64-byte block (one cache line, one miss instead of four), each in a
//! different pair of its words; its two doorkeeper bits lie in one word.

/// Additions between two halvings, per expected entry. Caffeine uses 10; with the doorkeeper
/// absorbing one occurrence per key per period, longer periods measured better on the synthetic
/// traces (30 against 10: Zipf +0.5 to +1.5 points; 60 against 30: +0.1 to +0.5). On the real
/// traces (bench/traces/) 10 lost up to 6 points on cs and multi1; 20 helped cpp by 0.3 point
/// but cost Zipf 1.1 0.4 and loop 1.4 points in full runs, so 60 stays.
const SAMPLE_PER_ENTRY: u64 = 60;
/// Counter words (16 counters each) per expected entry. Four instead of Caffeine's one: fewer
/// collisions lifted Zipf 1.1 by 0.2 points on three seeds (more showed no further gain); the
/// memory is 32 bytes per entry, under 3% of the cost bound for 1 KiB sessions.
const COUNTER_WORDS_PER_ENTRY: usize = 4;
/// What a key remembers before its counters were ever seen saturated (see `increment_hit`);
/// the sketch's epoch never takes this value.
pub const NO_EPOCH: u32 = u32::MAX;
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
const WORDS_PER_BLOCK: usize = 8;
const BLOCK_SEED: u64 = 0xc3a5_c85c_97cb_3127;
const COUNTER_SEED: u64 = 0xb492_b66f_be98_f273;
const DOOR_SEED: u64 = 0x9ae1_6a3b_2f90_404f;

/// One cache line of counters.
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct Block([u64; WORDS_PER_BLOCK]);

pub struct Sketch {
    blocks: Vec<Block>,
    /// One word per entry the sketch is sized for (a power of two), so its length is that size.
    doorkeeper: Vec<u64>,
    additions: u64,
    /// Additions between two halvings (kept, not recomputed: every hit checks it).
    sample_size: u64,
    /// Counts the halvings (and resets) so far; see `increment_hit`.
    epoch: u32,
}

/// Where one key's counts live: its block, its doorkeeper bits, and the bits that pick its four
/// counters in the block. Found once per cache operation, so that the prefetch at the start of
/// a lookup and the increment at its end hash the key once. Valid until the sketch is resized.
#[derive(Clone, Copy)]
pub struct Spot {
    block: usize,
    door_word: usize,
    door_mask: u64,
    counter_bits: u64,
}

impl Spot {
    /// For each of the four counters, the word in the block and the bit offset of the nibble.
    /// Counter i lives in word 2i or 2i+1, so the four never share a word.
    fn counters(self) -> [(usize, u32); 4] {
        [0usize, 1, 2, 3].map(|i| {
            let bits = (self.counter_bits >> (i * 8)) as usize;
            (2 * i + (bits & 1), ((bits >> 1) & 0xf) as u32 * 4)
        })
    }
}

impl Sketch {
    /// A sketch sized for about `entries` distinct hot keys.
    pub fn new(entries: usize) -> Self {
        let entries = entries.max(64).next_power_of_two();
        Self {
            blocks: vec![Block::default(); entries * COUNTER_WORDS_PER_ENTRY / WORDS_PER_BLOCK],
            doorkeeper: vec![0; entries],
            additions: 0,
            sample_size: SAMPLE_PER_ENTRY * entries as u64,
            epoch: 0,
        }
    }

    /// Keys the sketch was sized for (a power of two).
    pub fn entries(&self) -> u64 {
        self.doorkeeper.len() as u64
    }

    /// Additions between two halvings.
    #[cfg(test)]
    pub fn sample_size(&self) -> u64 {
        self.sample_size
    }

    fn spread(hash: u64, seed: u64) -> u64 {
        let h = (hash ^ seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }

    /// Where the counts of `hash` live.
    #[inline]
    pub fn spot(&self, hash: u64) -> Spot {
        let door = Self::spread(hash, DOOR_SEED);
        Spot {
            block: Self::spread(hash, BLOCK_SEED) as usize & (self.blocks.len() - 1),
            door_word: (door >> 12) as usize & (self.doorkeeper.len() - 1),
            door_mask: (1u64 << (door & 63)) | (1u64 << ((door >> 6) & 63)),
            counter_bits: Self::spread(hash, COUNTER_SEED),
        }
    }

    /// Starts loading the two cache lines that `increment(spot)` will touch, so that their
    /// misses overlap the table lookup that comes first instead of following it. A hint only.
    #[inline]
    pub fn prefetch(&self, spot: Spot) {
        prefetch_line(&self.doorkeeper[spot.door_word]);
        prefetch_line(&self.blocks[spot.block]);
    }

    /// Records one occurrence of the key at `spot`.
    #[inline]
    pub fn increment(&mut self, spot: Spot) {
        self.record(spot);
    }

    /// `increment` for a key that remembers, in `saturated_in`, the epoch in which its counters
    /// were last seen saturated (`NO_EPOCH` at first). In that same epoch, the key's doorkeeper
    /// bits are set and its four counters at 15, and neither can change before the next
    /// halving (bits are only ever set, counters stop at 15): an occurrence changes nothing but
    /// the count of additions that times the halvings. That is all this records then, without
    /// reading the key's two cache lines; under memory pressure those reads were most of a
    /// hit's time (see ARCHITECTURE.md). The sketch ends up word for word as `increment` leaves
    /// it.
    #[inline]
    pub fn increment_hit(&mut self, spot: Spot, saturated_in: &mut u32) {
        let epoch = self.epoch;
        if *saturated_in == epoch {
            self.count_addition();
        } else if self.record(spot) {
            *saturated_in = epoch;
        }
    }

    /// Records one occurrence; returns whether the key was saturated (doorkeeper bits set, four
    /// counters at 15) and still is, i.e. this occurrence did not end the epoch.
    #[inline]
    fn record(&mut self, spot: Spot) -> bool {
        let door = &mut self.doorkeeper[spot.door_word];
        let saturated = if *door & spot.door_mask != spot.door_mask {
            *door |= spot.door_mask;
            false
        } else {
            self.count(spot)
        };
        self.count_addition() && saturated
    }

    /// Never reaches `NO_EPOCH` (it wraps to 0 first), so callers can use that for "none".
    fn advance_epoch(&mut self) {
        self.epoch = (self.epoch + 1) % NO_EPOCH;
    }

    /// Returns false when this addition halved the counters.
    #[inline]
    fn count_addition(&mut self) -> bool {
        self.additions += 1;
        if self.additions >= self.sample_size {
            self.age();
            return false;
        }
        true
    }

    /// Conservative update: raises only the counters at the current minimum. The estimate (the
    /// minimum) grows the same; counters shared with hotter keys stop inflating, so cold keys
    /// are overestimated less (Estan & Varghese).
    ///
    /// Returns whether the counters were already saturated.
    #[inline]
    fn count(&mut self, spot: Spot) -> bool {
        let words = &mut self.blocks[spot.block].0;
        let counters = spot.counters();
        let current = counters.map(|(w, shift)| (words[w] >> shift) & 0xf);
        let min = current[0].min(current[1]).min(current[2].min(current[3]));
        if min == 15 {
            return true;
        }
        for ((w, shift), value) in counters.into_iter().zip(current) {
            if value == min {
                words[w] += 1 << shift;
            }
        }
        false
    }

    /// The estimated frequency of `hash` (0..=16).
    pub fn frequency(&self, hash: u64) -> u32 {
        let spot = self.spot(hash);
        let words = &self.blocks[spot.block].0;
        let counted = spot
            .counters()
            .iter()
            .map(|&(w, shift)| ((words[w] >> shift) & 0xf) as u32)
            .min()
            .unwrap_or(0);
        let door = self.doorkeeper[spot.door_word] & spot.door_mask == spot.door_mask;
        counted + u32::from(door)
    }

    /// Halves every counter and forgets the doorkeeper.
    #[cold]
    #[inline(never)]
    pub fn age(&mut self) {
        for word in self.blocks.iter_mut().flat_map(|b| b.0.iter_mut()) {
            *word = (*word >> 1) & RESET_MASK;
        }
        self.doorkeeper.fill(0);
        self.additions /= 2;
        self.advance_epoch();
    }

    /// Grows the sketch when the cache holds more entries than it was sized for. Counters restart,
    /// as in Caffeine: a resize happens only while the cache is filling.
    pub fn ensure_capacity(&mut self, entries: usize) {
        if entries > self.doorkeeper.len() {
            let epoch = self.epoch;
            *self = Self::new(entries);
            self.epoch = epoch;
            self.advance_epoch();
        }
    }

    pub fn clear(&mut self) {
        self.blocks.fill(Block::default());
        self.doorkeeper.fill(0);
        self.additions = 0;
        self.advance_epoch();
    }
}

#[inline(always)]
fn prefetch_line<T>(line: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults, even for an invalid address, and this
    // one is a valid reference.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>((line as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = line;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(s: &mut Sketch, hash: u64) {
        let spot = s.spot(hash);
        s.increment(spot);
    }

    #[test]
    fn doorkeeper_absorbs_the_first_occurrence() {
        let mut s = Sketch::new(1024);
        assert_eq!(s.frequency(42), 0);
        add(&mut s, 42);
        assert_eq!(s.frequency(42), 1, "doorkeeper only");
        add(&mut s, 42);
        add(&mut s, 42);
        assert_eq!(s.frequency(42), 3);
    }

    #[test]
    fn a_keys_counters_share_one_block_and_never_a_word() {
        let s = Sketch::new(1 << 16);
        for hash in 0..10_000u64 {
            let spot = s.spot(hash);
            let probes = spot.counters();
            assert!(spot.block < s.blocks.len());
            let mut words: Vec<usize> = probes.iter().map(|p| p.0).collect();
            words.dedup();
            assert_eq!(words.len(), 4, "four distinct words for {hash}");
            assert!(probes
                .iter()
                .all(|&(w, shift)| w < WORDS_PER_BLOCK && shift <= 60));
        }
    }

    #[test]
    fn a_hit_shortcut_leaves_the_same_sketch_as_plain_increments() {
        // Over a skewed stream long enough for several halvings, `increment_hit` (each key
        // keeping its own memory, as cache entries do) and `increment` must agree word for
        // word at every step.
        let mut every = Sketch::new(64);
        let mut hits = Sketch::new(64);
        let mut saturated_in = std::collections::HashMap::new();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut shortcuts = 0;
        for step in 0..4 * every.sample_size() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let key = (state % 1000) * (state % 7) / 6; // small keys are hot
            add(&mut every, key);
            let memory = saturated_in.entry(key).or_insert(NO_EPOCH);
            shortcuts += u32::from(*memory == hits.epoch);
            hits.increment_hit(hits.spot(key), memory);
            assert_eq!(every.additions, hits.additions, "step {step}");
            assert_eq!(every.epoch, hits.epoch, "step {step}");
            assert_eq!(every.doorkeeper, hits.doorkeeper, "step {step}");
            assert!(
                every
                    .blocks
                    .iter()
                    .zip(&hits.blocks)
                    .all(|(a, b)| a.0 == b.0),
                "step {step}"
            );
        }
        assert!(every.epoch >= 3, "the stream crossed several halvings");
        assert!(
            shortcuts > 1000,
            "the shortcut was taken ({shortcuts} times)"
        );
    }

    #[test]
    fn saturation_is_remembered_once_counters_are_full_and_forgotten_at_a_halving() {
        let mut s = Sketch::new(64);
        let spot = s.spot(9);
        let mut memory = NO_EPOCH;
        // The first occurrence only sets the doorkeeper; fifteen more fill the counters, and
        // the one after those finds them full.
        for _ in 0..16 {
            s.increment_hit(spot, &mut memory);
            assert_eq!(memory, NO_EPOCH);
        }
        s.increment_hit(spot, &mut memory);
        assert_eq!(memory, s.epoch);
        s.age();
        assert_ne!(memory, s.epoch, "a halving ends the epoch");
        s.increment_hit(spot, &mut memory);
        assert_ne!(memory, s.epoch, "halved: no longer saturated");
    }

    #[test]
    fn counters_saturate_at_fifteen() {
        let mut s = Sketch::new(1024);
        for _ in 0..100 {
            add(&mut s, 7);
        }
        assert_eq!(s.frequency(7), 16);
    }

    #[test]
    fn hot_keys_outrank_cold_ones() {
        let mut s = Sketch::new(4096);
        for round in 0..10u64 {
            for key in 0..1000u64 {
                if key < 10 || round == 0 {
                    add(&mut s, key);
                }
            }
        }
        let hot: u32 = (0..10).map(|k| s.frequency(k)).min().unwrap();
        let cold_max: u32 = (500..1000).map(|k| s.frequency(k)).max().unwrap();
        assert!(hot > cold_max, "hot {hot} cold {cold_max}");
    }

    #[test]
    fn aging_halves_counts() {
        let mut s = Sketch::new(1024);
        for _ in 0..9 {
            add(&mut s, 5);
        }
        let before = s.frequency(5);
        s.age();
        assert_eq!(
            s.frequency(5),
            (before - 1) / 2,
            "halved and the doorkeeper cleared"
        );
    }

    #[test]
    fn sample_size_triggers_aging() {
        let mut s = Sketch::new(64);
        for _ in 0..20 {
            add(&mut s, 1);
        }
        for k in 1000..(1000 + s.sample_size()) {
            add(&mut s, k);
        }
        assert!(s.frequency(1) < 15);
    }
}
