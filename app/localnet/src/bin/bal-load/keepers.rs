//! The keeper bots the load runs: started, killed and restarted as processes, and read through
//! their `/metrics` endpoint.
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One running keeper.
pub struct Keeper {
    child: Child,
    /// Its metrics endpoint, `host:port`.
    pub metrics: String,
}

/// A keeper's config: `keypair`, its metrics address, and its shard of the work (count,
/// index, and `users` or `turns`).
pub struct KeeperConfig<'a> {
    pub rpc: &'a str,
    pub keypair: &'a Path,
    pub metrics: &'a str,
    pub shard: (u16, u16, &'a str),
}

/// Writes `config` to `path` (the keeper's TOML).
pub fn write_config(path: &Path, config: &KeeperConfig) -> Result<(), String> {
    let body = format!(
        "rpc_url = \"{}\"\nkeypair_path = \"{}\"\ninterval_seconds = 2\nmetrics_address = \"{}\"\n\
         shard_count = {}\nshard_index = {}\nshard_by = \"{}\"\n",
        config.rpc,
        config.keypair.display(),
        config.metrics,
        config.shard.0,
        config.shard.1,
        config.shard.2
    );
    std::fs::write(path, body).map_err(|e| format!("{}: {e}", path.display()))
}

impl Keeper {
    /// Starts `binary` with `config` (whose metrics are at `metrics`), its output to `log`.
    pub fn start(
        binary: &Path,
        config: &Path,
        metrics: &str,
        log: PathBuf,
    ) -> Result<Self, String> {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        // Skips and their reasons logged too, for reading a slow liquidation afterwards.
        let child = Command::new(binary)
            .env("BAL_KEEPER_LOG", "debug")
            .arg("--config")
            .arg(config)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{}: {e}", binary.display()))?;
        Ok(Keeper {
            child,
            metrics: metrics.to_string(),
        })
    }

    /// Kills it at once (SIGKILL: no chance to finish a round).
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn read(&self) -> Result<Metrics, String> {
        Metrics::scrape(&self.metrics)
    }

    /// Waits until a round has completed, up to `limit`; how long that took.
    pub async fn first_round(&self, limit: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if self
                .read()
                .is_ok_and(|m| m.value("bal_keeper_rounds") >= 1.0)
            {
                return Ok(started.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("no round completed within {} s", limit.as_secs()))
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keeper's metrics: every sample by its name and labels, as the endpoint prints them.
pub struct Metrics(BTreeMap<String, f64>);

impl Metrics {
    /// GET `/metrics` from `address` on the loopback, tried three times (the endpoint serves
    /// one request at a time).
    pub fn scrape(address: &str) -> Result<Metrics, String> {
        let mut last = String::new();
        for _ in 0..3 {
            match Self::get(address) {
                Ok(body) => return Ok(Self::parse(&body)),
                Err(error) => last = error,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(last)
    }

    fn get(address: &str) -> Result<String, String> {
        let mut stream = TcpStream::connect(address).map_err(|e| format!("{address}: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .map_err(|e| e.to_string())?;
        // One write: the endpoint answers after the request line and closes.
        let request = format!("GET /metrics HTTP/1.0\r\nHost: {address}\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        let mut body = String::new();
        stream
            .read_to_string(&mut body)
            .map_err(|e| e.to_string())?;
        Ok(body)
    }

    fn parse(body: &str) -> Metrics {
        Metrics(
            body.lines()
                .filter(|line| !line.starts_with('#'))
                .filter_map(|line| {
                    let (name, value) = line.rsplit_once(' ')?;
                    Some((name.to_string(), value.parse().ok()?))
                })
                .collect(),
        )
    }

    /// One sample, by its name with labels (0 when absent).
    pub fn value(&self, name: &str) -> f64 {
        self.0.get(name).copied().unwrap_or(0.0)
    }

    /// Transactions the keeper landed, every duty together.
    pub fn sent(&self) -> f64 {
        self.sum("bal_keeper_transactions{", "outcome=\"sent\"")
    }

    /// Accounts the keeper's landed transactions acted on, every duty together.
    pub fn accounts(&self) -> f64 {
        self.sum("bal_keeper_accounts{", "")
    }

    /// The samples of the metric starting `prefix` whose labels contain `label`, added up.
    fn sum(&self, prefix: &str, label: &str) -> f64 {
        self.0
            .iter()
            .filter(|(name, _)| name.starts_with(prefix) && name.contains(label))
            .map(|(_, value)| value)
            .sum()
    }
}
