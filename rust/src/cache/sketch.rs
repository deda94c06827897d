//! The frequency sketch of TinyLFU: a count-min sketch of 4-bit counters (16 per u64 word,
//! four probes per key) behind a doorkeeper (a Bloom filter that absorbs the first occurrence
//! of each key, so one-hit wonders never reach the counters). Every `sample_size` additions all
//! counters are halved and the doorkeeper is cleared: old popularity fades (aging).

/// Additions between two halvings, per word of the table (a word per expected entry). Caffeine
/// uses 10 per entry; with the doorkeeper absorbing one occurrence per key per period, a longer
/// period measured better on every trace in bench/cache.py (zipf +0.5 to +1.5 points, loop
/// unchanged), at the price of adapting more slowly when popularity shifts.
const SAMPLE_PER_WORD: u64 = 30;
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
const SEEDS: [u64; 4] = [
    0xc3a5_c85c_97cb_3127,
    0xb492_b66f_be98_f273,
    0x9ae1_6a3b_2f90_404f,
    0xcbf2_9ce4_8422_2325,
];

pub struct Sketch {
    table: Vec<u64>,
    doorkeeper: Vec<u64>,
    sample_size: u64,
    additions: u64,
}

impl Sketch {
    /// A sketch sized for about `entries` distinct hot keys.
    pub fn new(entries: usize) -> Self {
        let words = entries.max(64).next_power_of_two();
        Self {
            table: vec![0; words],
            doorkeeper: vec![0; words],
            sample_size: SAMPLE_PER_WORD * words as u64,
            additions: 0,
        }
    }

    /// Additions between two halvings.
    pub fn sample_size(&self) -> u64 {
        self.sample_size
    }

    fn spread(hash: u64, i: usize) -> u64 {
        let h = (hash ^ SEEDS[i]).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^ (h >> 29)
    }

    fn probe(&self, hash: u64, i: usize) -> (usize, u32) {
        let h = Self::spread(hash, i);
        let word = (h as usize) & (self.table.len() - 1);
        let nibble = ((h >> 60) as u32) * 4; // which of the 16 counters in the word
        (word, nibble)
    }

    fn door_bits(&self, hash: u64) -> [(usize, u64); 2] {
        let bits = self.doorkeeper.len() * 64;
        [0, 1].map(|i| {
            let bit = (Self::spread(hash, i + 2) >> 7) as usize & (bits - 1);
            (bit / 64, 1u64 << (bit % 64))
        })
    }

    fn door_contains(&self, hash: u64) -> bool {
        self.door_bits(hash)
            .iter()
            .all(|(w, m)| self.doorkeeper[*w] & m != 0)
    }

    /// Records one occurrence of `hash`.
    pub fn increment(&mut self, hash: u64) {
        let door = self.door_bits(hash);
        let seen = door.iter().all(|(w, m)| self.doorkeeper[*w] & m != 0);
        if !seen {
            for (w, m) in door {
                self.doorkeeper[w] |= m;
            }
        } else {
            // Conservative update: raise only the counters at the current minimum. The estimate
            // (the minimum) grows the same; counters shared with hotter keys stop inflating, so
            // cold keys are overestimated less (Estan & Varghese).
            let probes = [0, 1, 2, 3].map(|i| self.probe(hash, i));
            let current = probes.map(|(word, shift)| (self.table[word] >> shift) & 0xf);
            let min = current.iter().copied().min().unwrap_or(0);
            if min < 15 {
                for ((word, shift), value) in probes.into_iter().zip(current) {
                    if value == min {
                        self.table[word] += 1 << shift;
                    }
                }
            }
        }
        self.additions += 1;
        if self.additions >= self.sample_size {
            self.age();
        }
    }

    /// The estimated frequency of `hash` (0..=16).
    pub fn frequency(&self, hash: u64) -> u32 {
        let counted = (0..4)
            .map(|i| {
                let (word, shift) = self.probe(hash, i);
                ((self.table[word] >> shift) & 0xf) as u32
            })
            .min()
            .unwrap_or(0);
        counted + u32::from(self.door_contains(hash))
    }

    /// Halves every counter and forgets the doorkeeper.
    pub fn age(&mut self) {
        for word in &mut self.table {
            *word = (*word >> 1) & RESET_MASK;
        }
        self.doorkeeper.fill(0);
        self.additions /= 2;
    }

    /// Grows the sketch when the cache holds more entries than it was sized for. Counters restart,
    /// as in Caffeine: a resize happens only while the cache is filling.
    pub fn ensure_capacity(&mut self, entries: usize) {
        if entries > self.table.len() {
            *self = Self::new(entries);
        }
    }

    pub fn clear(&mut self) {
        self.table.fill(0);
        self.doorkeeper.fill(0);
        self.additions = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doorkeeper_absorbs_the_first_occurrence() {
        let mut s = Sketch::new(1024);
        assert_eq!(s.frequency(42), 0);
        s.increment(42);
        assert_eq!(s.frequency(42), 1, "doorkeeper only");
        s.increment(42);
        s.increment(42);
        assert_eq!(s.frequency(42), 3);
    }

    #[test]
    fn counters_saturate_at_fifteen() {
        let mut s = Sketch::new(1024);
        for _ in 0..100 {
            s.increment(7);
        }
        assert_eq!(s.frequency(7), 16);
    }

    #[test]
    fn hot_keys_outrank_cold_ones() {
        let mut s = Sketch::new(4096);
        for round in 0..10u64 {
            for key in 0..1000u64 {
                if key < 10 || round == 0 {
                    s.increment(key);
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
            s.increment(5);
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
            s.increment(1);
        }
        for k in 1000..(1000 + s.sample_size) {
            s.increment(k);
        }
        assert!(s.frequency(1) < 15);
    }
}
