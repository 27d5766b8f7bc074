//! Order ids: live orders by id (O(1) cancel) and a window of recently finished ids, so a
//! duplicate client order id is rejected rather than applied twice.
//!
//! The hash tables are never iterated, so their random seeds cannot reach the output.

use std::collections::VecDeque;

/// Where a live order is: a resting order's slot or a pending stop's slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handle {
    Resting(u32),
    Stop(u32),
}

#[derive(Debug, Clone, Default)]
pub(crate) struct IdIndex {
    live: hashbrown::HashMap<u64, Handle>,
    done: hashbrown::HashSet<u64>,
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
        self.live.contains_key(&id) || (!self.done.is_empty() && self.done.contains(&id))
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
                self.done.remove(&old);
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
        let entry = size_of::<(u64, Handle)>() + 1;
        self.live.capacity() * entry
            + self.done.capacity() * (size_of::<u64>() + 1)
            + self.done_order.capacity() * size_of::<u64>()
    }
}
