//! Counters a round updates, and a small HTTP endpoint on localhost serving `/health` and
//! `/metrics` (Prometheus text format).
use crate::pace::Pace;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Simulated, sent and landed.
    Sent,
    /// Not needed any more (a benign refusal).
    Skipped,
    Failed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Skipped => "skipped",
            Outcome::Failed => "failed",
        }
    }
}

/// Failed transactions in a row (none landing between) at which the keeper reports itself
/// unhealthy: rounds that complete but land nothing protect no one.
pub const FAILURE_STREAK_LIMIT: u64 = 5;

/// The unwind duty's name (`work::Duty::Unwind`).
const UNWIND: &str = "unwind";

#[derive(Default)]
pub struct Metrics {
    transactions: Mutex<BTreeMap<(&'static str, Outcome), u64>>,
    failures: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    backlog: Mutex<BTreeMap<&'static str, u64>>,
    /// Accounts acted on by landed transactions, by duty.
    accounts: Mutex<BTreeMap<&'static str, u64>>,
    rounds: AtomicU64,
    round_errors: AtomicU64,
    users: AtomicU64,
    /// Wall-clock time the last round completed (0 before the first).
    last_round_ts: AtomicI64,
    round_millis: AtomicU64,
    failure_streak: AtomicU64,
    /// Consecutive unwinds that failed: the keeper holds what it took over and cannot shed.
    unwind_failure_streak: AtomicU64,
    payer_lamports: AtomicU64,
    /// What the keeper's waves take: a wave's latency, and what a settle transaction adds.
    pace: Mutex<Pace>,
}

impl Metrics {
    /// Counts a transaction's outcome; a landed one ends a failure streak, a failed one
    /// lengthens it.
    pub fn record(&self, duty: &'static str, outcome: Outcome) {
        let mut map = self.transactions.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((duty, outcome)).or_default() += 1;
        let streaks: &[&AtomicU64] = if duty == UNWIND {
            &[&self.failure_streak, &self.unwind_failure_streak]
        } else {
            &[&self.failure_streak]
        };
        for streak in streaks {
            match outcome {
                Outcome::Sent => streak.store(0, Ordering::Relaxed),
                Outcome::Failed => {
                    streak.fetch_add(1, Ordering::Relaxed);
                }
                Outcome::Skipped => {}
            }
        }
    }

    /// Counts a failure by why it failed: `program` (a BAL refusal), `instruction`,
    /// `transaction` (e.g. the payer's funds), `transport` or `too_large`.
    pub fn record_failure(&self, duty: &'static str, reason: &'static str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((duty, reason)).or_default() += 1;
    }

    /// Counts the accounts a landed transaction of `duty` acted on (a batch's users).
    pub fn record_accounts(&self, duty: &'static str, accounts: u64) {
        let mut map = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(duty).or_default() += accounts;
    }

    /// What a round planned for `duty` and did not land.
    pub fn set_backlog(&self, duty: &'static str, left: u64) {
        let mut map = self.backlog.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(duty, left);
    }

    /// What `duty` left for a later round at the last round's end.
    pub fn backlog(&self, duty: &'static str) -> u64 {
        let map = self.backlog.lock().unwrap_or_else(|e| e.into_inner());
        map.get(duty).copied().unwrap_or(0)
    }

    pub fn set_payer_lamports(&self, lamports: u64) {
        self.payer_lamports.store(lamports, Ordering::Relaxed);
    }

    /// A wave (one pass) took `took`: the latency under every wave.
    pub fn record_wave(&self, took: Duration) {
        self.pace
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record_wave(took);
    }

    /// A settle wave sent `transactions` in `took` (`Pace::record_settle_wave`).
    pub fn record_settle_wave(&self, took: Duration, transactions: usize, cap: Duration) {
        self.pace
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record_settle_wave(took, transactions, cap);
    }

    /// What the keeper's waves have been taking, for the next round's plan.
    pub fn pace(&self) -> Pace {
        *self.pace.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn failure_streak(&self) -> u64 {
        self.failure_streak.load(Ordering::Relaxed)
    }

    pub fn unwind_failure_streak(&self) -> u64 {
        self.unwind_failure_streak.load(Ordering::Relaxed)
    }

    pub fn count(&self, duty: &'static str, outcome: Outcome) -> u64 {
        let map = self.transactions.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(duty, outcome)).copied().unwrap_or(0)
    }

    pub fn set_users(&self, users: u64) {
        self.users.store(users, Ordering::Relaxed);
    }

    /// A round completed at wall-clock time `now` after `millis`.
    pub fn round_finished(&self, now: i64, millis: u64) {
        self.rounds.fetch_add(1, Ordering::Relaxed);
        self.last_round_ts.store(now, Ordering::Relaxed);
        self.round_millis.store(millis, Ordering::Relaxed);
    }

    pub fn round_failed(&self) {
        self.round_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::Relaxed)
    }

    /// Healthy once a round completed within `max_age` seconds of `now` (wall clock), the
    /// last `FAILURE_STREAK_LIMIT` transactions did not all fail, and neither did the last
    /// `FAILURE_STREAK_LIMIT` unwinds (other duties landing do not hide a book it cannot shed).
    pub fn healthy(&self, now: i64, max_age: i64) -> bool {
        let last = self.last_round_ts.load(Ordering::Relaxed);
        self.rounds() > 0
            && now.saturating_sub(last) <= max_age
            && self.failure_streak() < FAILURE_STREAK_LIMIT
            && self.unwind_failure_streak() < FAILURE_STREAK_LIMIT
    }

    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP bal_keeper_transactions Keeper transactions by duty and outcome.\n\
             # TYPE bal_keeper_transactions counter\n",
        );
        let map = self.transactions.lock().unwrap_or_else(|e| e.into_inner());
        for ((duty, outcome), count) in map.iter() {
            out.push_str(&format!(
                "bal_keeper_transactions{{duty=\"{duty}\",outcome=\"{}\"}} {count}\n",
                outcome.name()
            ));
        }
        drop(map);
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str(
            "# HELP bal_keeper_failures Failed keeper transactions by duty and reason.\n\
             # TYPE bal_keeper_failures counter\n",
        );
        for ((duty, reason), count) in failures.iter() {
            out.push_str(&format!(
                "bal_keeper_failures{{duty=\"{duty}\",reason=\"{reason}\"}} {count}\n"
            ));
        }
        drop(failures);
        render_by_duty(
            &mut out,
            ("bal_keeper_backlog", "gauge"),
            "What was due in the last round and did not land (failed or left for later), by duty.",
            &self.backlog,
        );
        render_by_duty(
            &mut out,
            ("bal_keeper_accounts", "counter"),
            "Accounts acted on by landed keeper transactions, by duty.",
            &self.accounts,
        );
        let pace = self.pace().estimate();
        let gauges = [
            ("bal_keeper_rounds", "counter", self.rounds() as i64),
            (
                "bal_keeper_round_errors",
                "counter",
                self.round_errors.load(Ordering::Relaxed) as i64,
            ),
            (
                "bal_keeper_users",
                "gauge",
                self.users.load(Ordering::Relaxed) as i64,
            ),
            (
                "bal_keeper_last_round_timestamp",
                "gauge",
                self.last_round_ts.load(Ordering::Relaxed),
            ),
            (
                "bal_keeper_round_duration_milliseconds",
                "gauge",
                self.round_millis.load(Ordering::Relaxed) as i64,
            ),
            (
                "bal_keeper_failure_streak",
                "gauge",
                self.failure_streak() as i64,
            ),
            (
                "bal_keeper_unwind_failure_streak",
                "gauge",
                self.unwind_failure_streak() as i64,
            ),
            (
                "bal_keeper_payer_lamports",
                "gauge",
                self.payer_lamports.load(Ordering::Relaxed) as i64,
            ),
            (
                "bal_keeper_wave_latency_microseconds",
                "gauge",
                pace.map_or(0, |(latency, _)| latency.as_micros() as i64),
            ),
            (
                "bal_keeper_settle_transaction_microseconds",
                "gauge",
                pace.map_or(0, |(_, per_transaction)| per_transaction.as_micros() as i64),
            ),
        ];
        for (name, kind, value) in gauges {
            out.push_str(&format!("# TYPE {name} {kind}\n{name} {value}\n"));
        }
        out
    }
}

/// Appends the metric `name` of `kind`, one sample per duty in `map`.
fn render_by_duty(
    out: &mut String,
    (name, kind): (&str, &str),
    help: &str,
    map: &Mutex<BTreeMap<&'static str, u64>>,
) {
    out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
    let map = map.lock().unwrap_or_else(|e| e.into_inner());
    for (duty, value) in map.iter() {
        out.push_str(&format!("{name}{{duty=\"{duty}\"}} {value}\n"));
    }
}

/// Serves `/health` (200 when a round completed within `max_age` seconds of the wall clock
/// and transactions are not failing in a row, else 503) and `/metrics` on `listener`, one request at a time, on its own thread.
pub fn serve(metrics: Arc<Metrics>, listener: TcpListener, max_age: i64) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            // A client that sends garbage or hangs up only loses its own response.
            let _ = respond(&metrics, stream, max_age);
        }
    });
}

fn respond(metrics: &Metrics, mut stream: TcpStream, max_age: i64) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let mut request_line = String::new();
    BufReader::new(&stream).read_line(&mut request_line)?;
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (status, body) = match path {
        "/health" if metrics.healthy(now, max_age) => ("200 OK", "ok\n".to_string()),
        "/health" if metrics.failure_streak() >= FAILURE_STREAK_LIMIT => (
            "503 Service Unavailable",
            format!(
                "{} transactions failed in a row\n",
                metrics.failure_streak()
            ),
        ),
        "/health" if metrics.unwind_failure_streak() >= FAILURE_STREAK_LIMIT => (
            "503 Service Unavailable",
            format!(
                "{} unwinds failed in a row: the keeper holds what it cannot close\n",
                metrics.unwind_failure_streak()
            ),
        ),
        "/health" => ("503 Service Unavailable", "no recent round\n".to_string()),
        "/metrics" => ("200 OK", metrics.render()),
        _ => ("404 Not Found", "not found\n".to_string()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(address: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(address).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    #[test]
    fn health_turns_ok_after_a_round_and_metrics_count_outcomes() {
        let metrics = Arc::new(Metrics::default());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        serve(metrics.clone(), listener, 60);
        assert!(get(address, "/health").starts_with("HTTP/1.1 503"));

        metrics.record("settle_pnl", Outcome::Sent);
        metrics.record("settle_pnl", Outcome::Sent);
        metrics.record("liquidate", Outcome::Skipped);
        metrics.record_accounts("settle_pnl", 12);
        metrics.record_accounts("settle_pnl", 3);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        metrics.round_finished(now, 1_250);
        assert!(get(address, "/health").starts_with("HTTP/1.1 200"));
        let body = get(address, "/metrics");
        assert!(body.contains("bal_keeper_transactions{duty=\"settle_pnl\",outcome=\"sent\"} 2"));
        assert!(body.contains("bal_keeper_transactions{duty=\"liquidate\",outcome=\"skipped\"} 1"));
        assert!(body.contains("bal_keeper_accounts{duty=\"settle_pnl\"} 15"));
        assert!(body.contains("bal_keeper_rounds 1"));
        assert!(body.contains("bal_keeper_round_duration_milliseconds 1250"));
        assert!(get(address, "/nope").starts_with("HTTP/1.1 404"));

        // Rounds that complete but land nothing: unhealthy after a streak of failures, healthy
        // again once one lands.
        for _ in 0..FAILURE_STREAK_LIMIT {
            metrics.record("settle_pnl", Outcome::Failed);
            metrics.record_failure("settle_pnl", "transaction");
        }
        metrics.round_finished(now, 10);
        let health = get(address, "/health");
        assert!(
            health.starts_with("HTTP/1.1 503") && health.contains("failed in a row"),
            "{health}"
        );
        assert!(get(address, "/metrics")
            .contains("bal_keeper_failures{duty=\"settle_pnl\",reason=\"transaction\"} 5"));
        metrics.record("settle_pnl", Outcome::Sent);
        assert!(get(address, "/health").starts_with("HTTP/1.1 200"));

        // Unwinds that keep failing while everything else lands: unhealthy all the same.
        for _ in 0..FAILURE_STREAK_LIMIT {
            metrics.record("unwind", Outcome::Failed);
            metrics.record("settle_pnl", Outcome::Sent);
        }
        let health = get(address, "/health");
        assert!(
            health.starts_with("HTTP/1.1 503") && health.contains("unwinds failed in a row"),
            "{health}"
        );
        assert!(get(address, "/metrics").contains("bal_keeper_unwind_failure_streak 5"));
        metrics.record("unwind", Outcome::Sent);
        assert!(get(address, "/health").starts_with("HTTP/1.1 200"));
    }
}
