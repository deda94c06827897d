//! An intrusive doubly linked LRU list over slot indices: the window, probation and protected
//! queues are three of these sharing one `links` array, so moving an entry between queues
//! allocates nothing. Head = most recently used, tail = next victim.

pub const NIL: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub prev: u32,
    pub next: u32,
}

impl Default for Link {
    fn default() -> Self {
        Self {
            prev: NIL,
            next: NIL,
        }
    }
}

#[derive(Debug, Default)]
pub struct Deque {
    head: Option<u32>,
    tail: Option<u32>,
    len: usize,
    /// Sum of the costs of the entries in this queue.
    pub cost: u64,
}

impl Deque {
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn tail(&self) -> Option<u32> {
        self.tail
    }

    pub fn push_head(&mut self, links: &mut [Link], index: u32, cost: u64) {
        let i = index as usize;
        links[i] = Link {
            prev: NIL,
            next: self.head.unwrap_or(NIL),
        };
        match self.head {
            Some(old) => links[old as usize].prev = index,
            None => self.tail = Some(index),
        }
        self.head = Some(index);
        self.len += 1;
        self.cost += cost;
    }

    pub fn unlink(&mut self, links: &mut [Link], index: u32, cost: u64) {
        let Link { prev, next } = links[index as usize];
        if prev == NIL {
            self.head = (next != NIL).then_some(next);
        } else {
            links[prev as usize].next = next;
        }
        if next == NIL {
            self.tail = (prev != NIL).then_some(prev);
        } else {
            links[next as usize].prev = prev;
        }
        links[index as usize] = Link::default();
        self.len -= 1;
        self.cost -= cost;
    }

    /// Makes `index`, already in this queue, the most recently used. Every hit does this, so
    /// it is written out rather than as an unlink and a push: an entry that is not the head
    /// has a previous one, and the old head stays in the queue.
    #[inline]
    pub fn move_to_head(&mut self, links: &mut [Link], index: u32) {
        let Some(head) = self.head else { return };
        if head == index {
            return;
        }
        let Link { prev, next } = links[index as usize];
        links[prev as usize].next = next;
        if next == NIL {
            self.tail = Some(prev);
        } else {
            links[next as usize].prev = prev;
        }
        links[index as usize] = Link {
            prev: NIL,
            next: head,
        };
        links[head as usize].prev = index;
        self.head = Some(index);
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Indices from head to tail (for tests).
    #[cfg(test)]
    pub fn iter<'a>(&self, links: &'a [Link]) -> impl Iterator<Item = u32> + 'a {
        let mut at = self.head.unwrap_or(NIL);
        std::iter::from_fn(move || {
            (at != NIL).then(|| {
                let here = at;
                at = links[here as usize].next;
                here
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_move_and_unlink_keep_order_and_cost() {
        let mut links = vec![Link::default(); 4];
        let mut q = Deque::default();
        for i in 0..4 {
            q.push_head(&mut links, i, 10);
        }
        assert_eq!(q.iter(&links).collect::<Vec<_>>(), [3, 2, 1, 0]);
        q.move_to_head(&mut links, 0);
        assert_eq!(
            q.iter(&links).collect::<Vec<_>>(),
            [0, 3, 2, 1],
            "from the tail"
        );
        q.move_to_head(&mut links, 2);
        assert_eq!(
            q.iter(&links).collect::<Vec<_>>(),
            [2, 0, 3, 1],
            "from the middle"
        );
        q.move_to_head(&mut links, 2);
        assert_eq!(
            q.iter(&links).collect::<Vec<_>>(),
            [2, 0, 3, 1],
            "the head stays"
        );
        let backwards: Vec<u32> = std::iter::successors(q.tail(), |&i| {
            let prev = links[i as usize].prev;
            (prev != NIL).then_some(prev)
        })
        .collect();
        assert_eq!(backwards, [1, 3, 0, 2], "prev links agree");
        q.unlink(&mut links, 2, 10);
        assert_eq!(q.iter(&links).collect::<Vec<_>>(), [0, 3, 1]);
        assert_eq!((q.len(), q.cost, q.tail()), (3, 30, Some(1)));
        q.unlink(&mut links, 0, 10);
        q.unlink(&mut links, 1, 10);
        q.unlink(&mut links, 3, 10);
        assert_eq!((q.len(), q.cost, q.tail()), (0, 0, None));
    }
}
