//! Order ids: live orders by id (O(1) cancel) and a window of recently finished ids, so a
//! duplicate client order id is rejected rather than applied twice.
//!
//! The hash tables are never iterated, so their random seeds cannot reach the output.

use std::collections::VecDeque;
use std::hash::BuildHasher;

use hashbrown::{DefaultHashBuilder, HashTable};

/// Where a live order is: a resting order's slot or a pending stop's slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handle {
    Resting(u32),
    Stop(u32),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    live: hashbrown::HashMap<u64, Handle>,
    done: IdSet,
    /// Finished ids, oldest first; the window's eviction order.
    done_order: VecDeque<u64>,
    window: usize,
}

impl IdIndex {
    pub(crate) fn new(window: usize) -> Self {
        Self {
            window,
            ..Self::default()
        }
    }

    /// Whether the id is live or finished within the window.
    pub(crate) fn is_known(&self, id: u64) -> bool {
        self.live.contains_key(&id) || (!self.done.is_empty() && self.done.contains(id))
    }

    pub(crate) fn get(&self, id: u64) -> Option<Handle> {
        self.live.get(&id).copied()
    }

    pub(crate) fn set_live(&mut self, id: u64, handle: Handle) {
        self.live.insert(id, handle);
    }

    /// Forgets a live id without recording it as finished (it is about to be re-entered).
    pub(crate) fn unset_live(&mut self, id: u64) {
        self.live.remove(&id);
    }

    /// Records an id as finished: no longer live, remembered within the window.
    pub(crate) fn finish(&mut self, id: u64) {
        self.live.remove(&id);
        self.remember(id);
    }

    /// Adds an id to the finished window, evicting the oldest beyond it.
    pub(crate) fn remember(&mut self, id: u64) {
        if self.window == 0 {
            return;
        }
        if self.done.insert(id) {
            self.done_order.push_back(id);
            if self.done_order.len() > self.window
                && let Some(old) = self.done_order.pop_front()
            {
                self.done.remove(old);
            }
        }
    }

    /// Finished ids in the window, oldest first.
    pub(crate) fn recent(&self) -> impl Iterator<Item = u64> + '_ {
        self.done_order.iter().copied()
    }

    pub(crate) fn live_len(&self) -> usize {
        self.live.len()
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.live.allocation_size()
            + self.done.heap_bytes()
            + self.done_order.capacity() * size_of::<u64>()
    }
}

/// The finished ids, by block of 64 consecutive ids (`id >> 6`): a block holding one id
/// keeps it as a plain id in `sparse`, a block holding more keeps a bit mask in `dense`.
///
/// Clients mostly number their orders in sequence. Then a window's ids share blocks, the
/// masks take about a bit per id, and the ids finishing together and those leaving the
/// window together fall in the same few blocks, which stay in cache; a plain hash set
/// would fetch one cold line per id. Ids numbered at random each have a block of their
/// own and live in `sparse`, which is a plain set of 8-byte ids. Exact either way.
///
/// Both tables hash the block number, so a lookup finds an id's block in either with one
/// probe each. They are kept at most half full: entries come and go with the window, and
/// below that load hashbrown's removals leave empty slots rather than tombstones, which
/// would lengthen probes until a rehash.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSet {
    /// Blocks with two or more ids: (block, mask of ids).
    dense: HashTable<(u64, u64)>,
    /// Ids alone in their block.
    sparse: HashTable<u64>,
    hasher: DefaultHashBuilder,
}

fn bit(id: u64) -> u64 {
    1 << (id & 63)
}

impl IdSet {
    fn hash(&self, block: u64) -> u64 {
        self.hasher.hash_one(block)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.dense.is_empty() && self.sparse.is_empty()
    }

    pub(crate) fn contains(&self, id: u64) -> bool {
        let (block, hash) = (id >> 6, self.hash(id >> 6));
        if !self.dense.is_empty()
            && let Some(&(_, mask)) = self.dense.find(hash, |e| e.0 == block)
        {
            return mask & bit(id) != 0;
        }
        self.sparse.find(hash, |&other| other == id).is_some()
    }

    /// Adds an id; false if it was there already.
    pub(crate) fn insert(&mut self, id: u64) -> bool {
        let (block, hash) = (id >> 6, self.hash(id >> 6));
        if let Some(entry) = self.dense.find_mut(hash, |e| e.0 == block) {
            let had = entry.1 & bit(id) != 0;
            entry.1 |= bit(id);
            return !had;
        }
        match self.sparse.find_entry(hash, |&other| other >> 6 == block) {
            Ok(alone) if *alone.get() == id => false,
            Ok(alone) => {
                // The block's second id: both move to a mask.
                let (other, _) = alone.remove();
                let hasher = &self.hasher;
                self.dense
                    .insert_unique(hash, (block, bit(other) | bit(id)), |e| {
                        hasher.hash_one(e.0)
                    });
                Self::keep_roomy(&mut self.dense, |e| hasher.hash_one(e.0));
                true
            }
            Err(_) => {
                let hasher = &self.hasher;
                self.sparse
                    .insert_unique(hash, id, |&other| hasher.hash_one(other >> 6));
                Self::keep_roomy(&mut self.sparse, |&other| hasher.hash_one(other >> 6));
                true
            }
        }
    }

    /// Removes an id if it is there.
    pub(crate) fn remove(&mut self, id: u64) {
        let (block, hash) = (id >> 6, self.hash(id >> 6));
        if let Ok(mut entry) = self.dense.find_entry(hash, |e| e.0 == block) {
            let mask = entry.get().1 & !bit(id);
            if mask.count_ones() > 1 {
                entry.get_mut().1 = mask;
                return;
            }
            entry.remove();
            if mask != 0 {
                // One id left: it goes back to being alone.
                let last = block << 6 | u64::from(mask.trailing_zeros());
                let hasher = &self.hasher;
                self.sparse
                    .insert_unique(hash, last, |&other| hasher.hash_one(other >> 6));
                Self::keep_roomy(&mut self.sparse, |&other| hasher.hash_one(other >> 6));
            }
            return;
        }
        if let Ok(alone) = self.sparse.find_entry(hash, |&other| other == id) {
            alone.remove();
        }
    }

    /// Keeps a table at most half full.
    fn keep_roomy<T>(table: &mut HashTable<T>, hasher: impl Fn(&T) -> u64) {
        let len = table.len();
        if table.capacity() < 2 * len {
            table.reserve(len, hasher);
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.dense.allocation_size() + self.sparse.allocation_size()
    }
}

#[cfg(test)]
mod tests {
    use super::{IdIndex, IdSet};
    use proptest::prelude::*;
    use std::collections::{BTreeSet, VecDeque};

    proptest! {
        /// The set agrees with a plain set, for ids close together (shared blocks, moving
        /// between the two tables) and far apart.
        #[test]
        fn id_set_matches_a_hash_set(
            ops in prop::collection::vec((0u8..3, prop_oneof![0u64..300, any::<u64>()]), 0..600),
        ) {
            let mut ours = IdSet::default();
            let mut model = BTreeSet::new();
            for (op, id) in ops {
                match op {
                    0 => prop_assert_eq!(ours.insert(id), model.insert(id)),
                    1 => {
                        ours.remove(id);
                        model.remove(&id);
                    }
                    _ => prop_assert_eq!(ours.contains(id), model.contains(&id)),
                }
                prop_assert_eq!(ours.is_empty(), model.is_empty());
            }
        }

        /// The window answers exactly as a plain list of the last `window` distinct
        /// finished ids would.
        #[test]
        fn window_matches_a_plain_list(
            window in 0usize..40,
            ops in prop::collection::vec((any::<bool>(), 0u64..150), 0..600),
        ) {
            let mut index = IdIndex::new(window);
            let mut model: VecDeque<u64> = VecDeque::new();
            for (finish, id) in ops {
                if finish {
                    index.remember(id);
                    if window > 0 && !model.contains(&id) {
                        model.push_back(id);
                        if model.len() > window {
                            model.pop_front();
                        }
                    }
                } else {
                    prop_assert_eq!(index.is_known(id), model.contains(&id));
                }
                prop_assert!(index.recent().eq(model.iter().copied()));
            }
        }
    }
}
