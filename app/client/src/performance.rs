//! LP performance from a market's on-chain history alone: the return of one share's strategy
//! over the last 7 or 30 days, as a share of the capital it needed at the start.
use bal::math::constants::PERCENTAGE_PRECISION;
use bal::state::LpHistory;

/// Return over the last `days` days (precision: PERCENTAGE, 1e6 = 100%): the change in one
/// share's value from the newest sample back to the newest sample at least `days` older,
/// divided by the capital it needed then. `None` without enough history.
pub fn lp_return(history: &LpHistory, days: i64) -> Option<i64> {
    let newest = history.latest()?;
    let start = history
        .newest_first()
        .find(|sample| sample.day <= newest.day - days)?;
    if start.capital == 0 {
        return None;
    }
    let gain = (newest.value - start.value) as i128;
    i64::try_from(gain * PERCENTAGE_PRECISION as i128 / start.capital as i128).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bal::state::LpSample;

    fn history(values: &[(i64, i64)]) -> LpHistory {
        let mut history = LpHistory::default();
        for (day, value) in values {
            history.push(LpSample {
                day: *day,
                value: *value,
                capital: 1_000_000,
                padding: 0,
            });
        }
        history
    }

    #[test]
    fn returns_over_seven_and_thirty_days() {
        let samples: Vec<(i64, i64)> = (0..40).map(|day| (100 + day, day * 1_000)).collect();
        let history = history(&samples);
        // Newest day 139 (value 39,000); seven days back, day 132 (32,000): +7,000 on 1,000,000.
        assert_eq!(lp_return(&history, 7), Some(7_000));
        assert_eq!(lp_return(&history, 30), Some(30_000));
        // The buffer keeps 32 days: no 40-day return.
        assert_eq!(lp_return(&history, 40), None);
    }
}
