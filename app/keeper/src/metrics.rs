//! Counters a round updates, and a small HTTP endpoint on localhost serving `/health` and
//! `/metrics` (Prometheus text format).
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

#[derive(Default)]
pub struct Metrics {
    transactions: Mutex<BTreeMap<(&'static str, Outcome), u64>>,
    rounds: AtomicU64,
    round_errors: AtomicU64,
    users: AtomicU64,
    /// Chain time of the last completed round (0 before the first).
    last_round_ts: AtomicI64,
}

impl Metrics {
    pub fn record(&self, duty: &'static str, outcome: Outcome) {
        let mut map = self.transactions.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry((duty, outcome)).or_default() += 1;
    }

    pub fn count(&self, duty: &'static str, outcome: Outcome) -> u64 {
        let map = self.transactions.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(duty, outcome)).copied().unwrap_or(0)
    }

    pub fn set_users(&self, users: u64) {
        self.users.store(users, Ordering::Relaxed);
    }

    pub fn round_finished(&self, chain_time: i64) {
        self.rounds.fetch_add(1, Ordering::Relaxed);
        self.last_round_ts.store(chain_time, Ordering::Relaxed);
    }

    pub fn round_failed(&self) {
        self.round_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::Relaxed)
    }

    /// Healthy once a round completed within `max_age` seconds of `now` (chain time).
    pub fn healthy(&self, now: i64, max_age: i64) -> bool {
        let last = self.last_round_ts.load(Ordering::Relaxed);
        self.rounds() > 0 && now.saturating_sub(last) <= max_age
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
        ];
        for (name, kind, value) in gauges {
            out.push_str(&format!("# TYPE {name} {kind}\n{name} {value}\n"));
        }
        out
    }
}

/// Serves `/health` (200 when a round completed within `max_age` seconds of the wall clock,
/// else 503) and `/metrics` on `listener`, one request at a time, on its own thread.
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
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        metrics.round_finished(now);
        assert!(get(address, "/health").starts_with("HTTP/1.1 200"));
        let body = get(address, "/metrics");
        assert!(body.contains("bal_keeper_transactions{duty=\"settle_pnl\",outcome=\"sent\"} 2"));
        assert!(body.contains("bal_keeper_transactions{duty=\"liquidate\",outcome=\"skipped\"} 1"));
        assert!(body.contains("bal_keeper_rounds 1"));
        assert!(get(address, "/nope").starts_with("HTTP/1.1 404"));
    }
}
