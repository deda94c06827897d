//! The W-TinyLFU policy, bounded by cost: new entries enter a small LRU admission window; what
//! overflows the window becomes a candidate for the main space, a segmented LRU (probation,
//! then protected once hit again). When the cache is over its cost, the candidate meets the
//! main space's victim and the one the frequency sketch has seen more often stays. The window's
//! share adapts (hill climbing). Values the policy lets go are handed back to the caller, so
//! that they are released outside any lock (releasing a Python object can run arbitrary code).

use hashbrown::HashTable;

use super::climber::Climber;
use super::expiry::Expiry;
use super::key::{Key, KeyRef};
use super::list::{Deque, Link};
use super::sketch::{Sketch, NO_EPOCH};

/// Initial share of the capacity given to the admission window (W-TinyLFU's 1%).
const INITIAL_WINDOW: f64 = 0.01;
/// Share of the main space reserved for entries hit at least twice. Caffeine uses 0.8; 0.9
/// measured better on all four traces of bench/cache.py (Zipf 1.1 +0.14, Zipf 0.9 +0.14, scan
/// mix +0.3, loop +0.3 points), since the admission filter already keeps probation small.
const PROTECTED_SHARE: f64 = 0.90;
/// Requests per sketch entry in one sample of the hill climber.
const CLIMB_SAMPLE_PER_ENTRY: u64 = 6;
/// Expired entries removed per operation at most, to bound the latency of any one call.
const EXPIRE_BATCH: usize = 16;
/// Largest sketch made up front (entries); a cache bounded by bytes grows it as it fills.
const INITIAL_SKETCH: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    Window,
    Probation,
    Protected,
}

struct Entry<V> {
    key: Key,
    hash: u64,
    value: V,
    cost: u64,
    /// Monotonic deadline in nanoseconds; 0 = never expires.
    deadline: u64,
    queue: Queue,
    /// The sketch epoch in which this key's counters were last seen saturated (`NO_EPOCH`:
    /// never); kept by `Sketch::increment_hit`.
    saturated_in: u32,
}

/// What `insert` stores: the value, its cost, and its deadline (0 = none).
pub struct Item<V> {
    pub value: V,
    pub cost: u64,
    pub deadline: u64,
}

/// `admitted`: writes that left their entry in the cache; `rejected`: candidates (new or from
/// the window) that lost admission to the main space; `evicted`: entries pushed out to make room.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
    pub admitted: u64,
    pub rejected: u64,
    pub evicted: u64,
    pub expired: u64,
}

pub struct Policy<V> {
    table: HashTable<u32>,
    slots: Vec<Option<Entry<V>>>,
    generations: Vec<u32>,
    links: Vec<Link>,
    free: Vec<u32>,
    window: Deque,
    probation: Deque,
    protected: Deque,
    max_cost: u64,
    window_max: u64,
    protected_max: u64,
    sketch: Sketch,
    climber: Climber,
    expiry: Expiry,
    candidates: Vec<u32>,
    due: Vec<(u32, u32, u64)>,
    pub stats: Stats,
}

impl<V> Policy<V> {
    pub fn new(max_cost: u64) -> Self {
        let mut policy = Self {
            table: HashTable::new(),
            slots: Vec::new(),
            generations: Vec::new(),
            links: Vec::new(),
            free: Vec::new(),
            window: Deque::default(),
            probation: Deque::default(),
            protected: Deque::default(),
            max_cost: max_cost.max(1),
            window_max: 1,
            protected_max: 1,
            // Sized for the entries expected while filling (grown later if the cache holds more);
            // each growth restarts the counts, so start near the likely size.
            sketch: Sketch::new(
                usize::try_from(max_cost)
                    .unwrap_or(usize::MAX)
                    .min(INITIAL_SKETCH),
            ),
            climber: Climber::new(INITIAL_WINDOW),
            expiry: Expiry::default(),
            candidates: Vec::new(),
            due: Vec::new(),
            stats: Stats::default(),
        };
        policy.resize_window(INITIAL_WINDOW);
        policy
    }

    /// A hash for Rust callers (the Python face uses Python's cached hash instead).
    #[cfg(test)]
    pub fn hash(&self, key: KeyRef<'_>) -> u64 {
        key.hash_with(&std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default())
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn cost_used(&self) -> u64 {
        self.window.cost + self.probation.cost + self.protected.cost
    }

    pub fn max_cost(&self) -> u64 {
        self.max_cost
    }

    pub fn window_share(&self) -> f64 {
        self.climber.window
    }

    /// Whether any entry may carry a deadline (so the caller needs to read the clock at all).
    pub fn needs_clock(&self) -> bool {
        self.expiry.len() > 0
    }

    fn find(&self, key: KeyRef<'_>, hash: u64) -> Option<u32> {
        self.find_by(hash, |stored, _| stored.as_ref() == key)
    }

    /// The entry whose hash is `hash` and for which `matches(key, value)` holds. A caller that
    /// keeps something comparable more cheaply than the key inside its values (the Python face
    /// keeps the key object, compared by identity first, as dict does) passes its own test.
    fn find_by(&self, hash: u64, matches: impl Fn(&Key, &V) -> bool) -> Option<u32> {
        let slots = &self.slots;
        self.table
            .find(hash, |&i| {
                slots[i as usize]
                    .as_ref()
                    .is_some_and(|e| e.hash == hash && matches(&e.key, &e.value))
            })
            .copied()
    }

    fn entry(&self, index: u32) -> &Entry<V> {
        self.slots[index as usize]
            .as_ref()
            .expect("linked slots are occupied")
    }

    fn entry_mut(&mut self, index: u32) -> &mut Entry<V> {
        self.slots[index as usize]
            .as_mut()
            .expect("linked slots are occupied")
    }

    fn is_live(entry: &Entry<V>, now: u64) -> bool {
        entry.deadline == 0 || entry.deadline > now
    }

    /// Looks a key up, counting a hit or a miss.
    #[cfg(test)]
    pub fn get(
        &mut self,
        key: KeyRef<'_>,
        hash: u64,
        now: u64,
        dropped: &mut Vec<V>,
    ) -> Option<&V> {
        self.get_by(hash, |stored, _| stored.as_ref() == key, now, dropped)
    }

    /// `get` with the caller's own key test (see `find_by`).
    pub fn get_by(
        &mut self,
        hash: u64,
        matches: impl Fn(&Key, &V) -> bool,
        now: u64,
        dropped: &mut Vec<V>,
    ) -> Option<&V> {
        let spot = self.sketch.spot(hash);
        self.sketch.prefetch(spot); // a hit increments it: start the load before the lookup
        self.expire(now, dropped);
        let found = match self.find_by(hash, matches) {
            Some(index) if Self::is_live(self.entry(index), now) => Some(index),
            Some(index) => {
                self.stats.expired += 1;
                self.remove_slot(index, dropped);
                None
            }
            None => None,
        };
        self.climber.record(found.is_some());
        self.adapt();
        match found {
            Some(index) => {
                // A request is counted once, as Caffeine does: a hit here, a miss by the write
                // that follows it. (Counting the miss too gave missed keys twice the weight of
                // resident ones and churned the main space on loops.)
                // The entry remembers when its key's counters were full, so that a hot key's
                // hits skip the sketch's cache lines (see `Sketch::increment_hit`).
                let entry = self.slots[index as usize]
                    .as_mut()
                    .expect("linked slots are occupied");
                self.sketch.increment_hit(spot, &mut entry.saturated_in);
                self.stats.hits += 1;
                self.on_access(index);
                Some(&self.entry(index).value)
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// Whether a live entry exists, without counting it as a use.
    pub fn contains(&self, key: KeyRef<'_>, hash: u64, now: u64) -> bool {
        self.find(key, hash)
            .is_some_and(|i| Self::is_live(self.entry(i), now))
    }

    /// Inserts or replaces; returns whether the entry is in the cache afterwards (false when the
    /// admission policy preferred what was already there).
    pub fn insert(
        &mut self,
        key: KeyRef<'_>,
        hash: u64,
        item: Item<V>,
        now: u64,
        dropped: &mut Vec<V>,
    ) -> bool {
        let Item {
            value,
            cost,
            deadline,
        } = item;
        self.expire(now, dropped);
        self.sketch.increment(self.sketch.spot(hash));
        let index = match self.find(key, hash) {
            Some(index) => {
                let entry = self.entry_mut(index);
                let old_cost = std::mem::replace(&mut entry.cost, cost);
                dropped.push(std::mem::replace(&mut entry.value, value));
                entry.deadline = deadline;
                let queue = entry.queue;
                let deque = self.deque(queue);
                deque.cost = deque.cost - old_cost + cost;
                self.on_access(index);
                index
            }
            None => {
                let index = self.allocate(Entry {
                    key: key.to_owned(),
                    hash,
                    value,
                    cost,
                    deadline,
                    queue: Queue::Window,
                    saturated_in: NO_EPOCH,
                });
                let slots = &self.slots;
                self.table.insert_unique(hash, index, |&i| {
                    slots[i as usize]
                        .as_ref()
                        .expect("indexed slots are occupied")
                        .hash
                });
                self.window.push_head(&mut self.links, index, cost);
                self.sketch.ensure_capacity(self.table.len());
                index
            }
        };
        if deadline != 0 {
            self.expiry
                .schedule(deadline, index, self.generations[index as usize]);
        }
        let generation = self.generations[index as usize];
        self.evict(dropped);
        let kept =
            self.generations[index as usize] == generation && self.slots[index as usize].is_some();
        if kept {
            self.stats.admitted += 1;
        }
        kept
    }

    pub fn remove(&mut self, key: KeyRef<'_>, hash: u64, dropped: &mut Vec<V>) -> bool {
        match self.find(key, hash) {
            Some(index) => {
                self.remove_slot(index, dropped);
                true
            }
            None => false,
        }
    }

    pub fn clear(&mut self, dropped: &mut Vec<V>) {
        dropped.extend(self.slots.drain(..).flatten().map(|e| e.value));
        self.table.clear();
        self.generations.clear();
        self.links.clear();
        self.free.clear();
        self.window.clear();
        self.probation.clear();
        self.protected.clear();
        self.expiry.clear();
        self.sketch.clear();
    }

    fn allocate(&mut self, entry: Entry<V>) -> u32 {
        match self.free.pop() {
            Some(index) => {
                self.slots[index as usize] = Some(entry);
                index
            }
            None => {
                self.slots.push(Some(entry));
                self.generations.push(0);
                self.links.push(Link::default());
                u32::try_from(self.slots.len() - 1).expect("fewer than 4 billion entries")
            }
        }
    }

    fn deque(&mut self, queue: Queue) -> &mut Deque {
        match queue {
            Queue::Window => &mut self.window,
            Queue::Probation => &mut self.probation,
            Queue::Protected => &mut self.protected,
        }
    }

    fn remove_slot(&mut self, index: u32, dropped: &mut Vec<V>) {
        let (queue, cost, hash) = {
            let e = self.entry(index);
            (e.queue, e.cost, e.hash)
        };
        let links = &mut self.links;
        match queue {
            Queue::Window => self.window.unlink(links, index, cost),
            Queue::Probation => self.probation.unlink(links, index, cost),
            Queue::Protected => self.protected.unlink(links, index, cost),
        }
        if let Ok(found) = self.table.find_entry(hash, |&i| i == index) {
            found.remove();
        }
        let entry = self.slots[index as usize].take().expect("occupied");
        dropped.push(entry.value);
        self.generations[index as usize] = self.generations[index as usize].wrapping_add(1);
        self.free.push(index);
    }

    #[inline]
    fn on_access(&mut self, index: u32) {
        let (queue, cost) = {
            let e = self.entry(index);
            (e.queue, e.cost)
        };
        match queue {
            Queue::Window => self.window.move_to_head(&mut self.links, index),
            Queue::Protected => self.protected.move_to_head(&mut self.links, index),
            Queue::Probation => {
                self.probation.unlink(&mut self.links, index, cost);
                self.protected.push_head(&mut self.links, index, cost);
                self.entry_mut(index).queue = Queue::Protected;
                self.demote_protected_overflow();
            }
        }
    }

    fn demote_protected_overflow(&mut self) {
        while self.protected.cost > self.protected_max {
            let Some(tail) = self.protected.tail() else {
                break;
            };
            let cost = self.entry(tail).cost;
            self.protected.unlink(&mut self.links, tail, cost);
            self.probation.push_head(&mut self.links, tail, cost);
            self.entry_mut(tail).queue = Queue::Probation;
        }
    }

    /// Brings the cost back under the bound: window overflow becomes candidates, and each
    /// candidate meets the main victim; the less frequent of the two is evicted.
    fn evict(&mut self, dropped: &mut Vec<V>) {
        self.candidates.clear();
        while self.window.cost > self.window_max {
            let Some(tail) = self.window.tail() else {
                break;
            };
            let cost = self.entry(tail).cost;
            self.window.unlink(&mut self.links, tail, cost);
            self.probation.push_head(&mut self.links, tail, cost);
            self.entry_mut(tail).queue = Queue::Probation;
            self.candidates.push(tail);
        }
        self.demote_protected_overflow();
        let mut next_candidate = 0;
        while self.cost_used() > self.max_cost {
            let victim = self
                .probation
                .tail()
                .or(self.protected.tail())
                .or(self.window.tail())
                .expect("a cache over its cost holds entries");
            // Candidates are taken oldest first; one already evicted (or admitted) is skipped.
            let candidate = loop {
                match self.candidates.get(next_candidate) {
                    Some(&c)
                        if self.slots[c as usize].is_some()
                            && self.entry(c).queue == Queue::Probation =>
                    {
                        break Some(c)
                    }
                    Some(_) => next_candidate += 1,
                    None => break None,
                }
            };
            let loser = match candidate {
                Some(c) if c != victim => {
                    next_candidate += 1;
                    let candidate_freq = self.sketch.frequency(self.entry(c).hash);
                    let victim_freq = self.sketch.frequency(self.entry(victim).hash);
                    if candidate_freq > victim_freq {
                        victim
                    } else {
                        c
                    }
                }
                Some(_) => {
                    next_candidate += 1;
                    victim
                }
                None => victim,
            };
            if Some(loser) == candidate && loser != victim {
                self.stats.rejected += 1;
            } else {
                self.stats.evicted += 1;
            }
            self.remove_slot(loser, dropped);
        }
    }

    /// Removes a batch of entries past their deadline. Inlined so that a cache without any
    /// deadline pays one comparison per operation.
    #[inline(always)]
    fn expire(&mut self, now: u64, dropped: &mut Vec<V>) {
        if self.expiry.len() != 0 {
            self.expire_due(now, dropped);
        }
    }

    #[inline(never)]
    fn expire_due(&mut self, now: u64, dropped: &mut Vec<V>) {
        let mut due = std::mem::take(&mut self.due);
        self.expiry.due(now, EXPIRE_BATCH, &mut due);
        for &(index, generation, deadline) in &due {
            let live = self.generations[index as usize] == generation
                && self.slots[index as usize]
                    .as_ref()
                    .is_some_and(|e| e.deadline == deadline);
            if live {
                self.remove_slot(index, dropped);
                self.stats.expired += 1;
            }
        }
        due.clear();
        self.due = due;
    }

    fn adapt(&mut self) {
        // Six requests per entry per climbing sample (Caffeine's is ten): the real traces are
        // short (cpp: 9,047 requests at 120 entries), and a sample as long as the aging period
        // left the window where it started on all but one of them. Samples no longer match the
        // aging period; the loop drift that was seen when they did not is within 0.1 point.
        let sample = CLIMB_SAMPLE_PER_ENTRY * self.sketch.entries();
        if let Some(share) = self.climber.climb(sample) {
            self.resize_window(share);
        }
    }

    fn resize_window(&mut self, share: f64) {
        let max = self.max_cost as f64;
        self.window_max = ((max * share) as u64).max(1);
        let main = self.max_cost.saturating_sub(self.window_max);
        self.protected_max = ((main as f64) * PROTECTED_SHARE) as u64;
    }

    /// Entries of one queue from most to least recently used (for tests).
    #[cfg(test)]
    pub fn keys_in(&self, queue: Queue) -> Vec<Key> {
        let deque = match queue {
            Queue::Window => &self.window,
            Queue::Probation => &self.probation,
            Queue::Protected => &self.protected,
        };
        deque
            .iter(&self.links)
            .map(|i| self.entry(i).key.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(p: &mut Policy<u32>, k: i64, cost: u64) -> bool {
        let key = KeyRef::Int(k);
        let h = p.hash(key);
        let item = Item {
            value: k as u32,
            cost,
            deadline: 0,
        };
        p.insert(key, h, item, 0, &mut Vec::new())
    }

    fn get(p: &mut Policy<u32>, k: i64) -> Option<u32> {
        let key = KeyRef::Int(k);
        let h = p.hash(key);
        p.get(key, h, 0, &mut Vec::new()).copied()
    }

    #[test]
    fn cost_never_exceeds_the_bound() {
        let mut p = Policy::new(100);
        for k in 0..10_000 {
            put(&mut p, k, (k as u64 % 7) + 1);
            assert!(p.cost_used() <= 100);
        }
    }

    #[test]
    fn frequent_keys_survive_a_scan() {
        let mut p = Policy::new(100);
        for _ in 0..20 {
            for k in 0..50 {
                if get(&mut p, k).is_none() {
                    put(&mut p, k, 1);
                }
            }
        }
        for k in 1000..10_000 {
            put(&mut p, k, 1);
        }
        let survivors = (0..50).filter(|k| get(&mut p, *k).is_some()).count();
        assert!(survivors >= 45, "only {survivors} hot keys survived");
    }

    #[test]
    fn a_second_hit_promotes_from_probation_to_protected() {
        let mut p = Policy::new(1000);
        for k in 0..200 {
            put(&mut p, k, 1);
        }
        // Key 0 left the window for probation; a hit promotes it.
        assert!(p.keys_in(Queue::Probation).contains(&Key::Int(0)));
        get(&mut p, 0);
        assert_eq!(p.keys_in(Queue::Protected), [Key::Int(0)]);
    }

    #[test]
    fn window_is_lru_ordered() {
        let mut p = Policy::new(10_000);
        for k in 0..3 {
            put(&mut p, k, 1);
        }
        get(&mut p, 0);
        assert_eq!(
            p.keys_in(Queue::Window),
            [Key::Int(0), Key::Int(2), Key::Int(1)]
        );
    }

    #[test]
    fn a_cold_newcomer_is_rejected_against_a_hot_victim() {
        let mut p = Policy::new(10);
        for _ in 0..10 {
            for k in 0..10 {
                if get(&mut p, k).is_none() {
                    put(&mut p, k, 1);
                }
            }
        }
        for k in 100..200 {
            put(&mut p, k, 1);
        }
        assert!(p.stats.rejected > 90, "cold candidates lose admission");
        let hot = (0..10).filter(|k| p.contains(KeyRef::Int(*k), p.hash(KeyRef::Int(*k)), 0));
        assert!(hot.count() >= 8);
    }

    #[test]
    fn a_large_cold_write_is_refused_and_reported() {
        let mut p = Policy::new(100);
        for _ in 0..10 {
            for k in 0..100 {
                if get(&mut p, k).is_none() {
                    put(&mut p, k, 1);
                }
            }
        }
        assert!(
            !put(&mut p, 1000, 50),
            "a cold entry bigger than the window is not admitted"
        );
        assert!(!p.contains(KeyRef::Int(1000), p.hash(KeyRef::Int(1000)), 0));
        assert!(p.len() >= 98, "the hot entries stay");
    }

    #[test]
    fn replacement_and_removal_keep_cost_exact() {
        let mut p = Policy::new(100);
        put(&mut p, 1, 10);
        put(&mut p, 1, 30);
        assert_eq!(p.cost_used(), 30);
        let h = p.hash(KeyRef::Int(1));
        assert!(p.remove(KeyRef::Int(1), h, &mut Vec::new()));
        assert_eq!((p.cost_used(), p.len()), (0, 0));
    }

    #[test]
    fn deadlines_expire_on_any_operation() {
        let mut p: Policy<u32> = Policy::new(100);
        let key = KeyRef::Int(1);
        let h = p.hash(key);
        p.insert(
            key,
            h,
            Item {
                value: 1,
                cost: 1,
                deadline: 50,
            },
            0,
            &mut Vec::new(),
        );
        assert!(p.contains(key, h, 49));
        assert!(!p.contains(key, h, 50));
        let other = KeyRef::Int(2);
        let h2 = p.hash(other);
        let mut dropped = Vec::new();
        p.get(other, h2, 60, &mut dropped);
        assert_eq!((p.len(), p.stats.expired, dropped), (0, 1, vec![1]));
    }
}
