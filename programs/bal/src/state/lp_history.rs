//! A market's daily record of one LP share's value, from which LP returns are read.
use anchor_lang::prelude::*;

/// Daily samples kept for LP performance: 32 days, enough for 7- and 30-day returns.
pub const LP_HISTORY_LEN: usize = 32;

/// One day's sample of one share's strategy. precision: QUOTE per 1.0 share (1e9 share units)
#[zero_copy]
#[derive(Default, Debug, PartialEq, Eq)]
pub struct LpSample {
    /// Unix day (seconds / 86,400) the sample was taken.
    pub day: i64,
    /// Cumulative quote plus base marked at the oracle, less funding paid, of one share held
    /// since the market opened.
    /// precision: QUOTE per 1.0 share (BASE_PRECISION shares)
    pub value: i64,
    /// Initial margin one share's open orders need at that day's price.
    /// precision: QUOTE per 1.0 share (BASE_PRECISION shares)
    pub capital: u64,
    pub padding: u64,
}

/// A ring buffer of `LpSample`s; any instruction that reads the market's oracle after a day
/// boundary records one, so returns come from chain data alone.
#[zero_copy]
#[derive(Debug, PartialEq, Eq)]
pub struct LpHistory {
    pub samples: [LpSample; LP_HISTORY_LEN],
    /// Slot of the newest sample.
    pub head: u8,
    /// Samples recorded, up to `LP_HISTORY_LEN`.
    /// count of samples
    pub count: u8,
    pub padding: [u8; 6],
}

impl Default for LpHistory {
    fn default() -> Self {
        LpHistory {
            samples: [LpSample::default(); LP_HISTORY_LEN],
            head: 0,
            count: 0,
            padding: [0; 6],
        }
    }
}

impl LpHistory {
    /// The newest sample, if any.
    pub fn latest(&self) -> Option<&LpSample> {
        (self.count > 0).then(|| &self.samples[self.head as usize])
    }

    /// Samples from newest to oldest.
    pub fn newest_first(&self) -> impl Iterator<Item = &LpSample> {
        let head = self.head as usize;
        (0..self.count as usize)
            .map(move |i| &self.samples[(head + LP_HISTORY_LEN - i) % LP_HISTORY_LEN])
    }

    pub fn push(&mut self, sample: LpSample) {
        if self.count > 0 {
            self.head = ((self.head as usize + 1) % LP_HISTORY_LEN) as u8;
        }
        self.samples[self.head as usize] = sample;
        self.count = (self.count as usize + 1).min(LP_HISTORY_LEN) as u8;
    }
}
