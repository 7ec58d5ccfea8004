//! The keeper's configuration: a TOML file, any key of which an environment variable
//! `BAL_KEEPER_<KEY>` (upper case) overrides, e.g. `BAL_KEEPER_RPC_URL`,
//! `BAL_KEEPER_MARKETS=0,1`, `BAL_KEEPER_PRIORITY_FEE_MAX=50000`.
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Everything the binary needs, as the file spells it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub rpc_url: String,
    /// A Solana CLI keypair file (a JSON array of 64 bytes).
    pub keypair_path: PathBuf,
    /// Seconds between rounds.
    #[serde(default = "default_interval")]
    pub interval_seconds: u64,
    /// Where `/health` and `/metrics` are served (keep it on localhost).
    #[serde(default = "default_metrics_address")]
    pub metrics_address: String,
    /// Perp markets to keep; empty means every market found.
    #[serde(default)]
    pub markets: Vec<u16>,
    /// Users per batched transaction before a batch is split further by size or failure.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// The keeper's own BAL subaccount: liquidations take positions into it and fills pay
    /// their reward to it. Without it, the keeper neither liquidates nor fills.
    #[serde(default)]
    pub keeper_sub_account: u16,
    /// Bounds of the priority fee, in micro-lamports per compute unit.
    #[serde(default)]
    pub priority_fee_min: u64,
    #[serde(default = "default_priority_fee_max")]
    pub priority_fee_max: u64,
    /// An LP is settled once its unsettled base reaches this. precision: BASE
    #[serde(default = "default_lp_settle_base")]
    pub lp_settle_base: u64,
    /// A position's P&L is settled once its magnitude reaches this. precision: QUOTE
    #[serde(default = "default_pnl_settle_quote")]
    pub pnl_settle_quote: u64,
    /// The most P&L settles a round sends per market, largest P&L first: the budget of every
    /// keeper sharing the work together (with `shard_by = "users"` each sends its share of
    /// the batches).
    #[serde(default = "default_max_settles")]
    pub max_settles: usize,
    /// Several keepers share the work: `shard_count` of them, this one number `shard_index`.
    #[serde(default = "default_shard_count")]
    pub shard_count: u16,
    #[serde(default)]
    pub shard_index: u16,
    /// How they share it: `"turns"` (each round slot, wall-clock time over the interval, is
    /// one keeper's, `slot mod shard_count`; it does everything in it, so together they send
    /// what one keeper would) or `"users"` (each runs every round: the liquidations, de-risks,
    /// fills and bad debt of the users whose first address byte mod `shard_count` is its own,
    /// the funding and payouts of the markets whose index is, and its share of the settle
    /// batches, which every keeper plans alike from the same accounts: batch `k` of market
    /// `m` is keeper `(k + m + duty) mod shard_count`'s, so a round with one batch to send
    /// sends one, whichever keeper sends it).
    #[serde(default)]
    pub shard_by: ShardBy,
    /// After each liquidation, close what the keeper's subaccount took over against the AMM,
    /// so its collateral is free for the next one. Off, the operator unwinds (or hedges) it.
    #[serde(default = "default_unwind_liquidations")]
    pub unwind_liquidations: bool,
    /// The worst an unwind may average from the oracle, in millionths (the market's own price
    /// band if that is narrower): an unwind the AMM cannot make within it is refused, reported
    /// as a failure and tried again next round.
    #[serde(default = "default_unwind_max_slippage")]
    pub unwind_max_slippage: u32,
}

/// What a round decides with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub markets: Vec<u16>,
    pub shard: Shard,
    pub batch_size: usize,
    pub keeper_sub_account: u16,
    pub priority_fee_min: u64,
    pub priority_fee_max: u64,
    pub thresholds: Thresholds,
    pub unwind_liquidations: bool,
    /// precision: PERCENTAGE (see `Config::unwind_max_slippage`).
    pub unwind_max_slippage: u32,
    /// How long after its start a round should be done, so the next one starts on time:
    /// settles that would not fit before it at the pace the keeper's last settle wave
    /// measured wait for a later round. `None`: no limit (a single round, the tests).
    pub round_deadline: Option<Duration>,
}

/// When a settle is worth a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Thresholds {
    /// precision: BASE
    pub lp_settle_base: u64,
    /// precision: QUOTE
    pub pnl_settle_quote: u64,
    pub max_settles: usize,
}

/// How several keepers divide the work.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ShardBy {
    /// By users and markets, every round.
    #[default]
    Users,
    /// By round slots, everything in each.
    Turns,
}

/// This keeper's part of the work when several share it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub count: u16,
    pub index: u16,
    pub by: ShardBy,
}

impl Shard {
    /// Whether the user at `address` is this keeper's.
    pub fn has_user(&self, address: &[u8; 32]) -> bool {
        self.by == ShardBy::Turns || u16::from(address[0]) % self.count == self.index
    }

    /// Whether market `index`'s own duties (funding, settlement payouts) are this keeper's.
    pub fn has_market(&self, market_index: u16) -> bool {
        self.by == ShardBy::Turns || market_index % self.count == self.index
    }

    /// Whether batch `batch` of a market's settle duty is this keeper's: keepers splitting
    /// the users deal the batches out in turn, starting one further along for each market and
    /// duty (`offset`), so full batches stay full and a lone batch goes out once.
    pub fn has_batch(&self, batch: usize, offset: usize) -> bool {
        let count = usize::from(self.count);
        self.by == ShardBy::Turns || (batch + offset) % count == usize::from(self.index)
    }

    /// How long after `now_millis` (wall clock) this keeper's next round begins: the start of
    /// the next round slot (`interval_millis` long) that is its own, every slot unless the
    /// keepers take turns.
    pub fn until_next_round(&self, now_millis: u64, interval_millis: u64) -> u64 {
        let mut slot = now_millis / interval_millis + 1;
        if self.by == ShardBy::Turns {
            let count = u64::from(self.count);
            slot += (u64::from(self.index) + count - slot % count) % count;
        }
        slot * interval_millis - now_millis
    }
}

/// Four fifths of the interval: the rest is the margin for the pace's error and the round's
/// last reads.
fn round_deadline(interval_seconds: u64) -> Duration {
    Duration::from_millis(interval_seconds.saturating_mul(800))
}

fn default_interval() -> u64 {
    10
}
fn default_metrics_address() -> String {
    "127.0.0.1:9464".into()
}
fn default_batch_size() -> usize {
    20
}
fn default_priority_fee_max() -> u64 {
    100_000
}
/// 0.01 base.
fn default_lp_settle_base() -> u64 {
    10_000_000
}
/// $1.
fn default_pnl_settle_quote() -> u64 {
    1_000_000
}
fn default_unwind_liquidations() -> bool {
    true
}
/// 2%.
fn default_unwind_max_slippage() -> u32 {
    20_000
}
fn default_max_settles() -> usize {
    40
}
fn default_shard_count() -> u16 {
    1
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            markets: Vec::new(),
            shard: Shard {
                count: 1,
                index: 0,
                by: ShardBy::Users,
            },
            batch_size: default_batch_size(),
            keeper_sub_account: 0,
            priority_fee_min: 0,
            priority_fee_max: default_priority_fee_max(),
            thresholds: Thresholds {
                lp_settle_base: default_lp_settle_base(),
                pnl_settle_quote: default_pnl_settle_quote(),
                max_settles: default_max_settles(),
            },
            unwind_liquidations: default_unwind_liquidations(),
            unwind_max_slippage: default_unwind_max_slippage(),
            round_deadline: None,
        }
    }
}

impl Config {
    /// The settings, or why the configuration cannot run: every value is taken as written or
    /// refused, never rewritten.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let refuse = |why: &str| Err(ConfigError::Parse(why.to_string()));
        if self.batch_size == 0 {
            return refuse("batch_size must be at least 1");
        }
        if self.interval_seconds == 0 {
            return refuse("interval_seconds must be at least 1");
        }
        if self.priority_fee_min > self.priority_fee_max {
            return refuse("priority_fee_min is above priority_fee_max");
        }
        if self.max_settles == 0 {
            return refuse("max_settles must be at least 1");
        }
        if self.shard_count == 0 || self.shard_index >= self.shard_count {
            return refuse("shard_index must be below shard_count (at least 1)");
        }
        if self.unwind_max_slippage == 0 || self.unwind_max_slippage >= 1_000_000 {
            return refuse("unwind_max_slippage must be between 1 and 999,999 millionths");
        }
        let shard = Shard {
            count: self.shard_count,
            index: self.shard_index,
            by: self.shard_by,
        };
        Ok(Settings {
            markets: self.markets.clone(),
            shard,
            batch_size: self.batch_size,
            keeper_sub_account: self.keeper_sub_account,
            priority_fee_min: self.priority_fee_min,
            priority_fee_max: self.priority_fee_max,
            thresholds: Thresholds {
                lp_settle_base: self.lp_settle_base,
                pnl_settle_quote: self.pnl_settle_quote,
                max_settles: self.max_settles,
            },
            unwind_liquidations: self.unwind_liquidations,
            unwind_max_slippage: self.unwind_max_slippage,
            round_deadline: Some(round_deadline(self.interval_seconds)),
        })
    }
}

#[derive(Debug)]
pub enum ConfigError {
    Read(PathBuf, std::io::Error),
    Parse(String),
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Read(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            ConfigError::Parse(e) => write!(f, "invalid configuration: {e}"),
        }
    }
}

const ENV_PREFIX: &str = "BAL_KEEPER_";
/// `BAL_KEEPER_*` variables that are not configuration keys.
const NOT_KEYS: &[&str] = &["CONFIG", "LOG"];

/// An environment value as TOML: `true`/`false`, a number, a comma-separated list of numbers,
/// or a string.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(flag) = raw.parse::<bool>() {
        return toml::Value::Boolean(flag);
    }
    if let Ok(n) = raw.parse::<i64>() {
        return toml::Value::Integer(n);
    }
    let list: Option<Vec<toml::Value>> = raw
        .split(',')
        .map(|part| part.trim().parse::<i64>().ok().map(toml::Value::Integer))
        .collect();
    match list {
        Some(items) if raw.contains(',') => toml::Value::Array(items),
        _ => toml::Value::String(raw.to_string()),
    }
}

impl Config {
    /// Reads `file` (if any), then applies every `BAL_KEEPER_*` variable of `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some(path) => std::fs::read_to_string(path)
                .map_err(|e| ConfigError::Read(path.to_path_buf(), e))?
                .parse::<toml::Table>()
                .map_err(|e| ConfigError::Parse(e.to_string()))?,
            None => toml::Table::new(),
        };
        for (name, raw) in env {
            let Some(key) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            // The file's path and the log level are the binary's, not configuration keys.
            if NOT_KEYS.contains(&key) {
                continue;
            }
            let mut value = env_value(&raw);
            // A single market is still a list.
            if key == "MARKETS" {
                if let toml::Value::Integer(_) = value {
                    value = toml::Value::Array(vec![value]);
                }
            }
            table.insert(key.to_ascii_lowercase(), value);
        }
        table
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Parse(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = std::env::temp_dir().join(format!("bal-keeper-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("keeper.toml");
        std::fs::write(
            &path,
            "rpc_url = \"http://file\"\nkeypair_path = \"k.json\"\nmarkets = [0]\nlp_settle_base = 5\n",
        )
        .unwrap();
        let config = Config::load(
            Some(&path),
            env(&[
                ("BAL_KEEPER_RPC_URL", "http://env"),
                ("BAL_KEEPER_MARKETS", "1,2"),
                ("BAL_KEEPER_PRIORITY_FEE_MAX", "7"),
                ("OTHER", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(config.rpc_url, "http://env");
        let settings = config.settings().unwrap();
        assert_eq!(settings.markets, vec![1, 2]);
        assert_eq!(settings.priority_fee_max, 7);
        assert_eq!(settings.thresholds.lp_settle_base, 5);
        assert_eq!(config.keypair_path, PathBuf::from("k.json"));
        assert_eq!(config.interval_seconds, default_interval());
        // Rounds aim to be done in four fifths of the interval.
        assert_eq!(
            settings.round_deadline,
            Some(Duration::from_secs(default_interval() * 4 / 5))
        );
    }

    #[test]
    fn a_single_market_from_the_environment_is_a_list() {
        let config = Config::load(
            None,
            env(&[
                ("BAL_KEEPER_RPC_URL", "http://x"),
                ("BAL_KEEPER_KEYPAIR_PATH", "k.json"),
                ("BAL_KEEPER_MARKETS", "3"),
            ]),
        )
        .unwrap();
        assert_eq!(config.markets, vec![3]);
    }

    #[test]
    fn unknown_or_missing_keys_are_refused() {
        assert!(Config::load(None, env(&[("BAL_KEEPER_RPC_URL", "http://x")])).is_err());
        let typo = env(&[
            ("BAL_KEEPER_RPC_URL", "http://x"),
            ("BAL_KEEPER_KEYPAIR_PATH", "k.json"),
            ("BAL_KEEPER_INTERVAL_SECOND", "5"),
        ]);
        assert!(Config::load(None, typo).is_err());
    }

    fn base(extra: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut pairs = vec![
            ("BAL_KEEPER_RPC_URL", "http://x"),
            ("BAL_KEEPER_KEYPAIR_PATH", "k.json"),
        ];
        pairs.extend_from_slice(extra);
        Config::load(None, env(&pairs))
    }

    #[test]
    fn the_log_level_is_not_a_key() {
        let config = base(&[("BAL_KEEPER_LOG", "debug"), ("BAL_KEEPER_CONFIG", "x.toml")]);
        assert!(config.is_ok(), "{:?}", config.err().map(|e| e.to_string()));
    }

    #[test]
    fn impossible_values_are_refused_not_rewritten() {
        for bad in [
            ("BAL_KEEPER_BATCH_SIZE", "0"),
            ("BAL_KEEPER_INTERVAL_SECONDS", "0"),
            ("BAL_KEEPER_MAX_SETTLES", "0"),
            ("BAL_KEEPER_SHARD_COUNT", "0"),
            ("BAL_KEEPER_SHARD_INDEX", "1"),
        ] {
            let config = base(&[bad]).unwrap();
            assert!(config.settings().is_err(), "{bad:?} accepted");
        }
        let fees = base(&[
            ("BAL_KEEPER_PRIORITY_FEE_MIN", "10"),
            ("BAL_KEEPER_PRIORITY_FEE_MAX", "5"),
        ])
        .unwrap();
        assert!(fees.settings().is_err());
        let sharded = base(&[
            ("BAL_KEEPER_SHARD_COUNT", "2"),
            ("BAL_KEEPER_SHARD_INDEX", "1"),
        ])
        .unwrap()
        .settings()
        .unwrap();
        assert!(sharded.shard.has_user(&[1; 32]) && !sharded.shard.has_user(&[2; 32]));
        assert!(sharded.shard.has_market(3) && !sharded.shard.has_market(0));
        assert!(base(&[("BAL_KEEPER_SHARD_BY", "rounds")]).is_err());
    }

    /// Keepers splitting the users deal out the settle batches: each gets every other one,
    /// starting one further along per offset; keepers taking turns send every batch.
    #[test]
    fn keepers_sharing_users_deal_out_the_batches() {
        let shard = |by, index| {
            base(&[
                ("BAL_KEEPER_SHARD_COUNT", "2"),
                ("BAL_KEEPER_SHARD_INDEX", index),
                ("BAL_KEEPER_SHARD_BY", by),
            ])
            .unwrap()
            .settings()
            .unwrap()
            .shard
        };
        let (first, second) = (shard("users", "0"), shard("users", "1"));
        for batch in 0..4 {
            for offset in 0..3 {
                assert_ne!(
                    first.has_batch(batch, offset),
                    second.has_batch(batch, offset),
                    "batch {batch} offset {offset} is exactly one keeper's"
                );
            }
        }
        assert!(first.has_batch(0, 0) && second.has_batch(0, 1));
        assert!((0..4).all(|batch| shard("turns", "1").has_batch(batch, 0)));
        assert!(
            Settings::default().shard.has_batch(3, 1),
            "alone: every batch"
        );
    }

    /// Alone (or sharing by users) a keeper starts a round at every slot boundary; taking
    /// turns, only at its own slots, so two keepers alternate and never start together.
    #[test]
    fn keepers_taking_turns_start_their_rounds_in_alternate_slots() {
        let turns = |index| {
            base(&[
                ("BAL_KEEPER_SHARD_COUNT", "2"),
                ("BAL_KEEPER_SHARD_INDEX", index),
                ("BAL_KEEPER_SHARD_BY", "turns"),
            ])
            .unwrap()
            .settings()
            .unwrap()
            .shard
        };
        let (first, second) = (turns("0"), turns("1"));
        assert!(
            first.has_user(&[1; 32]) && first.has_market(1),
            "all the work"
        );
        let alone = Settings::default().shard;
        // 2 s slots; now is 0.5 s into slot 5.
        assert_eq!(alone.until_next_round(10_500, 2_000), 1_500);
        assert_eq!(second.until_next_round(10_500, 2_000), 3_500, "slot 7");
        assert_eq!(first.until_next_round(10_500, 2_000), 1_500, "slot 6");
        assert_eq!(first.until_next_round(12_000, 2_000), 4_000, "slot 8");
    }
}
