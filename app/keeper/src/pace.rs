//! How long the keeper's transactions take on its node, so a round sends only the settles that
//! fit before its deadline. A wave costs a latency (one confirmation, whatever it holds) plus a
//! cost per transaction (the node simulating and executing it): on a busy node the second
//! dominates, on a public cluster the first. Both are learned from the waves the keeper sends:
//! the latency as a floor under every wave's time, the cost per transaction from the settle
//! waves' time above that floor.
use std::time::Duration;

/// A wave time's weight in the latency floor when it lies above it: the floor creeps up to a
/// node that got slower, and drops at once to a faster wave.
const FLOOR_RISE: u32 = 8;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pace {
    /// What a wave costs however few transactions it holds; `None` before the first wave.
    latency: Option<Duration>,
    /// What each settle-wave transaction adds to it; `None` before the first settle wave.
    per_transaction: Option<Duration>,
}

impl Pace {
    /// A wave (one pass: its simulations, sends and confirmations) took `took`.
    pub fn record_wave(&mut self, took: Duration) {
        self.latency = Some(match self.latency {
            Some(floor) if took > floor => floor + (took - floor) / FLOOR_RISE,
            _ => took,
        });
    }

    /// A settle wave, every pass of it, sent `transactions` in `took`, no more than `cap`
    /// counted (an unconfirmed transaction waits out a long timeout, which says only that
    /// nothing more fits). Averaged with the estimate before, so one slow wave does not halve
    /// the next.
    pub fn record_settle_wave(&mut self, took: Duration, transactions: usize, cap: Duration) {
        let Ok(count) = u32::try_from(transactions) else {
            return;
        };
        if count == 0 {
            return;
        }
        let above_latency = took
            .min(cap)
            .saturating_sub(self.latency.unwrap_or_default());
        let sample = above_latency / count;
        self.per_transaction = Some(match self.per_transaction {
            Some(before) => (before + sample) / 2,
            None => sample,
        });
    }

    /// The latency floor and the cost per transaction, once both were measured.
    pub fn estimate(&self) -> Option<(Duration, Duration)> {
        Some((self.latency?, self.per_transaction?))
    }
}

/// How many settle transactions a wave that also carries `before` other transactions can hold
/// and still end within `left`: none unless a wave's latency fits, then at least one (so the
/// pace is measured again), then as many as the cost per transaction allows. No limit before
/// the pace was measured.
pub fn settle_room(left: Duration, pace: &Pace, before: usize) -> usize {
    let Some((latency, per_transaction)) = pace.estimate() else {
        return usize::MAX;
    };
    if left <= latency {
        return 0;
    }
    let spare = left - latency;
    // Rounded down: a transaction that would only partly fit is left for a later round.
    let fit = match per_transaction.as_nanos() {
        0 => return usize::MAX,
        nanos => usize::try_from(spare.as_nanos() / nanos).unwrap_or(usize::MAX),
    };
    fit.saturating_sub(before).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn measured(latency: Duration, per_transaction: Duration) -> Pace {
        let mut pace = Pace::default();
        pace.record_wave(latency);
        pace.record_settle_wave(latency + per_transaction * 4, 4, Duration::MAX);
        pace
    }

    #[test]
    fn the_latency_is_a_floor_that_drops_at_once_and_creeps_up() {
        let mut pace = Pace::default();
        pace.record_wave(800 * MS);
        pace.record_wave(300 * MS);
        pace.record_settle_wave(300 * MS, 1, Duration::MAX);
        assert_eq!(pace.estimate(), Some((300 * MS, Duration::ZERO)));
        pace.record_wave(1_100 * MS);
        assert_eq!(pace.estimate().map(|e| e.0), Some(400 * MS));
    }

    #[test]
    fn the_cost_per_transaction_is_what_a_wave_takes_above_the_latency() {
        let pace = measured(300 * MS, 200 * MS);
        assert_eq!(pace.estimate(), Some((300 * MS, 200 * MS)));
        let mut slower = pace;
        slower.record_settle_wave(300 * MS + 4 * 400 * MS, 4, Duration::MAX);
        assert_eq!(slower.estimate(), Some((300 * MS, 300 * MS)), "averaged");
        let mut stuck = pace;
        stuck.record_settle_wave(Duration::from_secs(20), 1, 1_600 * MS);
        assert_eq!(
            stuck.estimate(),
            Some((300 * MS, 750 * MS)),
            "a 20 s timeout counts as the cap, 1.6 s"
        );
    }

    #[test]
    fn the_room_is_what_fits_after_the_latency_and_the_other_transactions() {
        let pace = measured(300 * MS, 200 * MS);
        assert_eq!(settle_room(1_300 * MS, &pace, 0), 5);
        assert_eq!(settle_room(1_300 * MS, &pace, 2), 3);
        // The other transactions take the room: one settle still goes, to measure the pace.
        assert_eq!(settle_room(1_300 * MS, &pace, 9), 1);
        assert_eq!(settle_room(400 * MS, &pace, 0), 1);
        // Not even a wave's latency left: nothing.
        assert_eq!(settle_room(300 * MS, &pace, 0), 0);
        assert_eq!(settle_room(Duration::ZERO, &pace, 0), 0);
    }

    #[test]
    fn no_limit_before_the_pace_is_measured_or_when_transactions_cost_nothing() {
        assert_eq!(settle_room(MS, &Pace::default(), 0), usize::MAX);
        let mut latency_only = Pace::default();
        latency_only.record_wave(300 * MS);
        assert_eq!(settle_room(MS, &latency_only, 0), usize::MAX);
        let free = measured(300 * MS, Duration::ZERO);
        assert_eq!(settle_room(301 * MS, &free, 3), usize::MAX);
    }
}
