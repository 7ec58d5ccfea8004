//! What both binaries need from the node and the migrations' files.
use bal::math::constants::BASE_PRECISION;
use bal_client::instructions::QuoteMint;
use bal_migrations::config::Config;
use bal_transport::keypair::{read_keypair, write_new_keypair};
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_signer::Signer;
use std::path::Path;
use std::time::Duration;

use crate::setup::{DOLLAR, LAMPORTS_PER_SOL};

/// Base worth `dollars` at `price` (PRICE precision). precision: BASE
pub fn base_worth(dollars: u64, price: i64) -> u64 {
    let base = u128::from(dollars) * u128::from(DOLLAR) * BASE_PRECISION / price.max(1) as u128;
    u64::try_from(base).unwrap_or(u64::MAX)
}

/// Waits up to a minute for the node to answer.
pub async fn wait_for_node(client: &RpcClient) -> Result<(), String> {
    for _ in 0..120 {
        if client.get_health().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(format!("no node answers at {}", client.url()))
}

/// The keypair at `path`, created when the file does not exist yet.
pub fn keypair_file(path: &Path) -> Result<Keypair, String> {
    if !path.exists() {
        write_new_keypair(path, &Keypair::new())?;
    }
    read_keypair(path)
}

pub async fn airdrop(
    client: &RpcClient,
    to: &solana_keypair::Keypair,
    sol: u64,
) -> Result<(), String> {
    client
        .request_airdrop(&to.pubkey(), sol * LAMPORTS_PER_SOL)
        .await
        .map_err(|e| format!("airdrop: {e}"))?;
    for _ in 0..120 {
        if client.get_balance(&to.pubkey()).await.unwrap_or(0) > 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Err("the airdrop never landed".into())
}

/// The quote mint `config` names: its address, or the address of its keypair file.
pub fn quote_mint(config: &Config) -> Result<QuoteMint, String> {
    let mint = match (&config.quote.mint, &config.quote.mint_keypair_path) {
        (Some(mint), _) => mint.parse().map_err(|_| "invalid quote mint")?,
        (None, Some(path)) => read_keypair(path)?.pubkey(),
        (None, None) => return Err("the config names no quote mint".into()),
    };
    Ok(QuoteMint {
        mint,
        token_program: anchor_spl::token::spl_token::ID,
    })
}
