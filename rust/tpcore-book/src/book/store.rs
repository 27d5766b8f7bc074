//! The book's storage: a slab of orders, a slab of price levels, and one price ladder per
//! side. Indices are `u32`; [`NIL`] ends a list.

use crate::types::{SelfTrade, Side, TimeInForce};

/// The end of a linked list, or "no extension".
pub(crate) const NIL: u32 = u32::MAX;

/// A vector with a free list: removed slots are reused, so steady-state trading allocates
/// nothing.
#[derive(Debug, Clone)]
pub(crate) struct Slab<T> {
    items: Vec<T>,
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Stores an item and returns its slot.
    pub(crate) fn insert(&mut self, item: T) -> u32 {
        if let Some(slot) = self.free.pop() {
            self.items[slot as usize] = item;
            slot
        } else {
            self.items.push(item);
            u32::try_from(self.items.len() - 1).unwrap_or(NIL)
        }
    }

    /// Frees a slot; its item stays in place until the slot is reused.
    pub(crate) fn remove(&mut self, slot: u32) {
        self.free.push(slot);
    }

    /// Live items.
    pub(crate) fn len(&self) -> usize {
        self.items.len() - self.free.len()
    }

    /// Bytes held, capacity included.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.items.capacity() * size_of::<T>() + self.free.capacity() * size_of::<u32>()
    }
}

impl<T> std::ops::Index<u32> for Slab<T> {
    type Output = T;
    fn index(&self, slot: u32) -> &T {
        &self.items[slot as usize]
    }
}

impl<T> std::ops::IndexMut<u32> for Slab<T> {
    fn index_mut(&mut self, slot: u32) -> &mut T {
        &mut self.items[slot as usize]
    }
}

/// A resting order: a node of its level's FIFO list.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) account: u64,
    /// Visible open quantity (for an iceberg, the displayed slice).
    pub(crate) leaves: i64,
    pub(crate) prev: u32,
    pub(crate) next: u32,
    pub(crate) level: u32,
    /// Slot in the extension slab (iceberg reserve, expiry), or [`NIL`].
    pub(crate) ext: u32,
    pub(crate) tier: u16,
    pub(crate) side: Side,
    pub(crate) stp: SelfTrade,
    pub(crate) flags: u8,
    pub(crate) tif: TimeInForce,
}

/// The rarely used fields of a resting order, kept out of the hot node.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OrderExt {
    /// Iceberg reserve not yet displayed.
    pub(crate) hidden: i64,
    /// Iceberg display quantity; 0 for a plain order.
    pub(crate) display: i64,
    /// Good-till-date expiry; 0 for none.
    pub(crate) expire_at: i64,
}

/// A price level: the FIFO list of its orders and their visible total.
#[derive(Debug, Clone)]
pub(crate) struct Level {
    pub(crate) price: i64,
    /// Wider than a quantity: a level may hold many orders of up to 2^62 each.
    pub(crate) visible: i128,
    pub(crate) head: u32,
    pub(crate) tail: u32,
    pub(crate) count: u32,
}

impl Level {
    /// The visible total as market data shows it, saturating at `i64::MAX`.
    pub(crate) fn shown(&self) -> i64 {
        i64::try_from(self.visible).unwrap_or(i64::MAX)
    }
}

/// One side's price levels, ordered so the best price is last: removing or adding a level
/// near the touch moves only the few entries above it.
///
/// Keys are the price for bids and the negated price for asks, so both sides sort
/// ascending with the best last.
///
/// A level whose last order leaves stays in the ladder as an empty placeholder unless it
/// is the best: no search and no move then, and the next order at its price reuses it
/// without an insert. The best level always has orders. Placeholders are dropped in one
/// pass when they outnumber the live levels (plus [`COMPACT_SLACK`]), so they at most
/// double the ladder.
#[derive(Debug, Clone)]
pub(crate) struct Ladder {
    side: Side,
    keys: Vec<i64>,
    levels: Vec<u32>,
    /// Empty placeholders among `levels`.
    empty: usize,
}

/// Placeholders allowed beyond the number of live levels before the ladder is compacted.
const COMPACT_SLACK: usize = 64;

impl Ladder {
    pub(crate) fn new(side: Side) -> Self {
        Self {
            side,
            keys: Vec::new(),
            levels: Vec::new(),
            empty: 0,
        }
    }

    fn key(&self, price: i64) -> i64 {
        match self.side {
            Side::Buy => price,
            Side::Sell => -price,
        }
    }

    /// The best level (never a placeholder).
    #[inline]
    pub(crate) fn best(&self) -> Option<u32> {
        self.levels.last().copied()
    }

    /// The position of `price`: `Ok` if a level (maybe a placeholder) exists, `Err` where
    /// it would go.
    ///
    /// Keys are distinct integers, so at most `best - key - 1` of them lie strictly between
    /// `key` and the best: the position is within that distance of the top. The search
    /// first tries the spot where `key` sits when every price up to the best has a level
    /// (the usual case near the touch, where placeholders fill the gaps), then searches
    /// only that range, so a price near the touch costs a few comparisons however long
    /// the ladder.
    pub(crate) fn find(&self, price: i64) -> Result<usize, usize> {
        let key = self.key(price);
        let Some(&best) = self.keys.last() else {
            return Err(0);
        };
        let top = self.keys.len() - 1;
        if key >= best {
            return if key == best { Ok(top) } else { Err(top + 1) };
        }
        let distance = usize::try_from(best.abs_diff(key)).unwrap_or(usize::MAX);
        let low = top.saturating_sub(distance);
        if self.keys[low] == key {
            return Ok(low);
        }
        match self.keys[low..top].binary_search(&key) {
            Ok(i) => Ok(low + i),
            Err(i) => Err(low + i),
        }
    }

    /// The level at a position `find` returned as `Ok`.
    pub(crate) fn level_at_pos(&self, pos: usize) -> u32 {
        self.levels[pos]
    }

    /// The level at `price`, if any (maybe a placeholder).
    pub(crate) fn level_at(&self, price: i64) -> Option<u32> {
        self.find(price).ok().map(|pos| self.levels[pos])
    }

    pub(crate) fn insert(&mut self, pos: usize, price: i64, level: u32) {
        self.keys.insert(pos, self.key(price));
        self.levels.insert(pos, level);
    }

    /// A placeholder is taken back into use by an order arriving at its price.
    pub(crate) fn reuse_placeholder(&mut self) {
        self.empty -= 1;
    }

    /// A level whose last order just left. The best level leaves the ladder, with every
    /// placeholder that this uncovers, and its slot is freed; a level further in stays as
    /// a placeholder.
    pub(crate) fn release(&mut self, level: u32, slab: &mut Slab<Level>) {
        if self.levels.last() != Some(&level) {
            self.empty += 1;
            if 2 * self.empty > self.levels.len() + COMPACT_SLACK {
                self.compact(slab);
            }
            return;
        }
        self.keys.pop();
        self.levels.pop();
        slab.remove(level);
        while let Some(&top) = self.levels.last()
            && slab[top].count == 0
        {
            self.keys.pop();
            self.levels.pop();
            slab.remove(top);
            self.empty -= 1;
        }
    }

    /// Drops every placeholder and frees its slot.
    fn compact(&mut self, slab: &mut Slab<Level>) {
        let mut kept = 0;
        for i in 0..self.levels.len() {
            let level = self.levels[i];
            if slab[level].count == 0 {
                slab.remove(level);
            } else {
                self.keys[kept] = self.keys[i];
                self.levels[kept] = level;
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.levels.truncate(kept);
        self.empty = 0;
    }

    /// Levels from the best outwards, placeholders included.
    pub(crate) fn best_first(&self) -> impl Iterator<Item = u32> + '_ {
        self.levels.iter().rev().copied()
    }

    /// Keys in ascending order (for invariant checks).
    pub(crate) fn keys_and_levels(&self) -> impl Iterator<Item = (i64, u32)> + '_ {
        self.keys.iter().copied().zip(self.levels.iter().copied())
    }

    /// Whether `price` is the key of `key` on this side (for invariant checks).
    pub(crate) fn key_matches(&self, key: i64, price: i64) -> bool {
        self.key(price) == key
    }

    /// The number of placeholders (for invariant checks).
    pub(crate) fn placeholders(&self) -> usize {
        self.empty
    }

    /// Whether the side has no live level (the best is never a placeholder).
    pub(crate) fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * size_of::<i64>() + self.levels.capacity() * size_of::<u32>()
    }
}
