//! The migration's configuration (TOML). Amounts are in the program's own precisions (PRICE,
//! BASE, MARGIN, PERCENTAGE: see `bal::math::constants`); anything left out takes the value of
//! `bal_client::defaults`. Relative paths are relative to the config file.
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub rpc_url: String,
    /// Pays for everything, deploys (and so is the upgrade authority) and becomes the admin.
    pub keypair_path: PathBuf,
    /// The program's address keypair (only needed to deploy it the first time).
    pub program_keypair_path: PathBuf,
    /// The ELF to deploy.
    pub program_path: PathBuf,
    /// Bytes of room for upgrades beyond the ELF's size in the program-data account.
    #[serde(default)]
    pub program_extra_space: usize,
    #[serde(default)]
    pub exchange: ExchangeConfig,
    pub quote: QuoteConfig,
    #[serde(default)]
    pub oracles: Vec<OracleConfig>,
    #[serde(default)]
    pub markets: Vec<MarketConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeConfig {
    pub lp_cooldown_seconds: Option<i64>,
    /// precision: PERCENTAGE
    pub taker_fee_rate: Option<u32>,
    pub maker_rebate_rate: Option<u32>,
    pub filler_reward_rate: Option<u32>,
    pub liquidator_share_rate: Option<u32>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteConfig {
    /// An existing mint to use as quote (USDC on a public cluster).
    pub mint: Option<String>,
    /// Otherwise: the keypair of a mint to create (written here if the file does not exist),
    /// with the migration's keypair as mint authority.
    pub mint_keypair_path: Option<PathBuf>,
    #[serde(default = "default_decimals")]
    pub decimals: u8,
    /// `token` (SPL Token) or `token-2022`.
    #[serde(default = "default_token_program")]
    pub token_program: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OracleConfig {
    pub id: u16,
    /// Who may publish prices; the migration's keypair when left out.
    pub updater: Option<String>,
    /// A first price to publish (only when the keypair is the updater). precision: PRICE
    pub price: Option<i64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfig {
    pub index: u16,
    pub name: String,
    /// A program oracle of `oracles`...
    pub oracle_id: Option<u16>,
    /// ...or a Pyth pull-oracle price account and its feed id (hex).
    pub pyth_price_account: Option<String>,
    pub pyth_feed_id: Option<String>,
    /// The AMM's depth. precision: BASE
    pub sqrt_k: Option<u128>,
    /// precision: MARGIN (1,000 = 10%, 10x)
    pub initial_margin_ratio: Option<u32>,
    pub maintenance_margin_ratio: Option<u32>,
    /// Opens the market for trading once created (the default).
    #[serde(default = "default_true")]
    pub activate: bool,
}

fn default_decimals() -> u8 {
    6
}
fn default_token_program() -> String {
    "token".into()
}
fn default_true() -> bool {
    true
}

impl Config {
    /// Reads `path`, resolving the paths inside it against the file's folder.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut config: Config =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        resolve(&mut config.keypair_path);
        resolve(&mut config.program_keypair_path);
        resolve(&mut config.program_path);
        if let Some(p) = config.quote.mint_keypair_path.as_mut() {
            resolve(p);
        }
        Ok(config)
    }
}
