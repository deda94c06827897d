//! TTL expiry: a min-heap of deadlines, drained a little on every cache operation, so expired
//! entries free their memory without waiting for a write to their own key (the cachetools
//! TTLCache trap). Heap items carry the slot's generation: a slot reused since is not expired.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Default)]
pub struct Expiry {
    heap: BinaryHeap<Reverse<(u64, u32, u32)>>,
}

impl Expiry {
    pub fn schedule(&mut self, deadline: u64, slot: u32, generation: u32) {
        self.heap.push(Reverse((deadline, slot, generation)));
    }

    /// Pops at most `limit` deadlines that are due at `now`: (slot, generation) pairs that the
    /// caller checks against the live entry before removing it.
    pub fn due(&mut self, now: u64, limit: usize, out: &mut Vec<(u32, u32, u64)>) {
        while out.len() < limit {
            match self.heap.peek() {
                Some(Reverse((deadline, _, _))) if *deadline <= now => {
                    let Reverse((deadline, slot, generation)) = self.heap.pop().expect("peeked");
                    out.push((slot, generation, deadline));
                }
                _ => break,
            }
        }
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yields_due_deadlines_in_order_and_respects_the_limit() {
        let mut e = Expiry::default();
        e.schedule(30, 3, 0);
        e.schedule(10, 1, 0);
        e.schedule(20, 2, 5);
        let mut out = Vec::new();
        e.due(25, 1, &mut out);
        assert_eq!(out, [(1, 0, 10)]);
        out.clear();
        e.due(25, 10, &mut out);
        assert_eq!(out, [(2, 5, 20)]);
        assert_eq!(e.len(), 1);
    }
}
