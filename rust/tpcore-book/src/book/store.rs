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
    pub(crate) visible: i64,
    pub(crate) head: u32,
    pub(crate) tail: u32,
    pub(crate) count: u32,
}

/// One side's price levels, ordered so the best price is last: removing or adding a level
/// near the touch moves only the few entries above it.
///
/// Keys are the price for bids and the negated price for asks, so both sides sort
/// ascending with the best last.
#[derive(Debug, Clone)]
pub(crate) struct Ladder {
    side: Side,
    keys: Vec<i64>,
    levels: Vec<u32>,
}

impl Ladder {
    pub(crate) fn new(side: Side) -> Self {
        Self {
            side,
            keys: Vec::new(),
            levels: Vec::new(),
        }
    }

    fn key(&self, price: i64) -> i64 {
        match self.side {
            Side::Buy => price,
            Side::Sell => -price,
        }
    }

    /// The best level.
    pub(crate) fn best(&self) -> Option<u32> {
        self.levels.last().copied()
    }

    /// The position of `price`: `Ok` if a level exists, `Err` where it would go.
    pub(crate) fn find(&self, price: i64) -> Result<usize, usize> {
        let key = self.key(price);
        match self.keys.last() {
            None => Err(0),
            Some(&best) if key > best => Err(self.keys.len()),
            Some(&best) if key == best => Ok(self.keys.len() - 1),
            Some(_) => self.keys.binary_search(&key),
        }
    }

    /// The level at a position `find` returned as `Ok`.
    pub(crate) fn level_at_pos(&self, pos: usize) -> u32 {
        self.levels[pos]
    }

    /// The level at `price`, if any.
    pub(crate) fn level_at(&self, price: i64) -> Option<u32> {
        self.find(price).ok().map(|pos| self.levels[pos])
    }

    pub(crate) fn insert(&mut self, pos: usize, price: i64, level: u32) {
        self.keys.insert(pos, self.key(price));
        self.levels.insert(pos, level);
    }

    /// Removes the level at `price`; it must exist.
    pub(crate) fn remove(&mut self, price: i64) {
        if let Ok(pos) = self.find(price) {
            self.keys.remove(pos);
            self.levels.remove(pos);
        }
    }

    /// Levels from the best outwards.
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

    pub(crate) fn is_empty(&self) -> bool {
        self.levels.is_empty()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * size_of::<i64>() + self.levels.capacity() * size_of::<u32>()
    }
}
