//! Reading whole price queues fast: the slots of many levels' orders in priority order.
//!
//! A level's queue is a linked list through the order slab, so walking one queue waits
//! on a cache miss per order. Snapshots and full-depth data walk every queue: they walk
//! several at once, each into its own run of the output (a level's `count` gives the run's
//! length), so the misses of one queue overlap those of the others.

use super::Book;
use super::store::NIL;

/// Queues walked side by side.
const LANES: usize = 8;

/// A queue being walked: the next slot, where it goes, and the end of its run.
#[derive(Clone, Copy)]
struct Lane {
    slot: u32,
    at: usize,
    end: usize,
}

const IDLE: Lane = Lane {
    slot: NIL,
    at: 0,
    end: 0,
};

impl Book {
    /// The slots of the orders of `levels`, level by level in the given order and each
    /// level's queue in time priority.
    pub(super) fn queue_slots(&self, levels: &[u32]) -> Vec<u32> {
        let mut starts = Vec::with_capacity(levels.len() + 1);
        let mut total = 0usize;
        for &level in levels {
            starts.push(total);
            total += self.levels[level].count as usize;
        }
        let mut out = vec![NIL; total];
        let mut lanes = [IDLE; LANES];
        let mut next_level = 0;
        loop {
            let mut busy = false;
            for lane in &mut lanes {
                while lane.slot == NIL && next_level < levels.len() {
                    let level = &self.levels[levels[next_level]];
                    let at = starts[next_level];
                    *lane = Lane {
                        slot: level.head,
                        at,
                        end: at + level.count as usize,
                    };
                    next_level += 1;
                    if lane.slot == NIL && lane.at != lane.end {
                        return self.queue_slots_one_by_one(levels);
                    }
                }
                if lane.slot == NIL {
                    continue;
                }
                busy = true;
                if lane.at == lane.end {
                    return self.queue_slots_one_by_one(levels); // longer than its count
                }
                out[lane.at] = lane.slot;
                lane.at += 1;
                lane.slot = self.orders[lane.slot].next;
                if lane.slot == NIL && lane.at != lane.end {
                    return self.queue_slots_one_by_one(levels); // shorter than its count
                }
            }
            if !busy {
                return out;
            }
        }
    }

    /// [`Book::queue_slots`] one queue after the other, trusting the links alone (for a
    /// book whose counts disagree with its queues, which the invariants rule out).
    fn queue_slots_one_by_one(&self, levels: &[u32]) -> Vec<u32> {
        let mut out = Vec::new();
        for &level in levels {
            let mut slot = self.levels[level].head;
            while slot != NIL {
                out.push(slot);
                slot = self.orders[slot].next;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::NIL;
    use super::LANES;
    use crate::{Book, Command, FeeSchedule, FeeTier, Instrument, Side};

    /// 40 levels a side with queues of different lengths, slots reused by cancels so a
    /// queue's slots are out of order in the slab.
    fn book_with_queues() -> Book {
        let mut book = Book::new(Instrument::new(1, "T")).unwrap();
        let fees = FeeSchedule::new(vec![FeeTier {
            maker_rate: 0,
            taker_rate: 0,
        }])
        .unwrap();
        let mut out = Vec::new();
        let mut seq = 0;
        let mut id = 0;
        for round in 0..12i64 {
            for level in 0..40i64 {
                for side in [Side::Buy, Side::Sell] {
                    if (level + round) % 3 == 0 {
                        continue;
                    }
                    let price = match side {
                        Side::Buy => 1_000 - level,
                        Side::Sell => 1_100 + level,
                    };
                    id += 1;
                    seq += 1;
                    let add = Command::limit(1, id, 7, side, price, 1 + round);
                    book.process(&add.with_seq(seq), &fees, &mut out);
                    if id % 5 == 0 {
                        seq += 1;
                        let cancel = Command::cancel(1, id - 3, 7);
                        book.process(&cancel.with_seq(seq), &fees, &mut out);
                    }
                }
            }
        }
        book.validate_invariants().unwrap();
        book
    }

    #[test]
    fn walking_queues_side_by_side_matches_one_by_one() {
        let book = book_with_queues();
        for side in [Side::Buy, Side::Sell] {
            let levels: Vec<u32> = book.live_levels(side).collect();
            assert!(levels.len() > 2 * LANES, "the sample must cycle every lane");
            let fast = book.queue_slots(&levels);
            assert_eq!(fast, book.queue_slots_one_by_one(&levels));
            assert!(!fast.contains(&NIL));
            assert!(fast.len() > 200);
        }
    }

    #[test]
    fn a_count_that_disagrees_with_its_queue_falls_back_to_the_links() {
        let mut book = book_with_queues();
        let levels: Vec<u32> = book.live_levels(Side::Buy).collect();
        let expected = book.queue_slots_one_by_one(&levels);
        let level = levels[LANES + 1];
        let count = book.levels[level].count;
        for wrong in [count + 1, count - 1] {
            book.levels[level].count = wrong;
            assert_eq!(book.queue_slots(&levels), expected);
        }
        book.levels[level].count = count;
    }
}
