//! `bal-localnet`: brings the local exchange to life on a running local node. It deploys and
//! initializes BAL through the migrations (`migrations/localnet.toml`), funds two LPs (who add
//! liquidity to every market), four traders, the keeper's wallet and a demo wallet for the web
//! page, writes the keeper's config, serves the page, then moves the oracles every second (on
//! their own task) and lets the traders trade every tick until Ctrl-C.
//!
//! Options: `--rpc URL` (http://127.0.0.1:8899), `--migrations FILE`
//! (migrations/localnet.toml), `--web DIR` (app/web/dist), `--listen ADDR` (127.0.0.1:8080),
//! `--state DIR` (target/localnet: the keeper's keypair and config, and `ready` once set up),
//! `--tick-seconds N` (2), `--market live|quiet` (live; quiet sets up and serves but neither
//! moves the oracles nor trades, for `bal-load`, which drives the market itself).
use bal_client::instructions::MarketAccounts;
use bal_client::pda;
use bal_localnet::market::{publish_prices, LiveMarket, Market};
use bal_localnet::node::{airdrop, base_worth, keypair_file, quote_mint, wait_for_node};
use bal_localnet::setup::{add_liquidity, fund, participant, DOLLAR, LAMPORTS_PER_SOL};
use bal_localnet::web;
use bal_migrations::config::Config;
use bal_migrations::Step;
use bal_transport::keypair::write_new_keypair;
use bal_transport::log;
use bal_transport::rpc::RpcChain;
use serde_json::json;
use solana_keypair::Keypair;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_signer::Signer;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

struct Args {
    rpc: String,
    migrations: PathBuf,
    web: PathBuf,
    listen: String,
    state: PathBuf,
    tick: u64,
    /// Whether this process moves the oracles and trades.
    live: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rpc: "http://127.0.0.1:8899".into(),
        migrations: "migrations/localnet.toml".into(),
        web: "app/web/dist".into(),
        listen: "127.0.0.1:8080".into(),
        state: "target/localnet".into(),
        tick: 2,
        live: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--rpc" => args.rpc = value,
            "--migrations" => args.migrations = value.into(),
            "--web" => args.web = value.into(),
            "--listen" => args.listen = value,
            "--state" => args.state = value.into(),
            "--tick-seconds" => {
                args.tick = value.parse().map_err(|_| "--tick-seconds: a number")?
            }
            "--market" => {
                args.live = match value.as_str() {
                    "live" => true,
                    "quiet" => false,
                    _ => return Err("--market: live or quiet".into()),
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(args)
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let client = RpcClient::new(args.rpc.clone());
    wait_for_node(&client).await?;
    let mut config = Config::load(&args.migrations)?;
    config.rpc_url = args.rpc.clone();
    let admin = keypair_file(&config.keypair_path)?;
    airdrop(&client, &admin, 100_000).await?;
    let mut chain = RpcChain::new(args.rpc.clone(), admin.insecure_clone());
    for step in bal_migrations::run(&mut chain, &config).await? {
        let (status, what) = match step {
            Step::Done(what) => ("done", what),
            Step::Exists(what) => ("exists", what),
        };
        log::event(
            "info",
            "migration",
            json!({ "step": what, "status": status }),
        );
    }

    let quote = quote_mint(&config)?;
    let markets: Vec<LiveMarket> = config
        .markets
        .iter()
        .filter_map(|m| {
            let oracle = config.oracles.iter().find(|o| Some(o.id) == m.oracle_id)?;
            let centre = oracle.price?;
            Some(LiveMarket {
                accounts: MarketAccounts {
                    market_index: m.index,
                    oracle: pda::program_oracle(oracle.id),
                },
                centre,
                // About $100 a tick for a following trader, in whole hundredths of a base.
                size: base_worth(100, centre).max(20_000_000) / 10_000_000 * 10_000_000,
            })
        })
        .collect();

    // Two LPs with a share of every market's liquidity.
    let mut positions: Vec<MarketAccounts> = Vec::new();
    let lps = [
        participant(&mut chain, &quote, 200_000 * DOLLAR).await?,
        participant(&mut chain, &quote, 200_000 * DOLLAR).await?,
    ];
    for market in &markets {
        // $50,000 of liquidity each, in whole thousandths of a share (the markets' step).
        let shares = base_worth(50_000, market.centre) / 1_000_000 * 1_000_000;
        for lp in &lps {
            add_liquidity(&mut chain, lp, &market.accounts, &positions, shares).await?;
        }
        positions.push(market.accounts);
    }
    let mut traders = Vec::new();
    for _ in 0..4 {
        traders.push(participant(&mut chain, &quote, 20_000 * DOLLAR).await?);
    }
    let keeper = participant(&mut chain, &quote, 5_000 * DOLLAR).await?;
    let demo = Keypair::new();
    fund(
        &mut chain,
        &quote,
        &demo.pubkey(),
        100 * LAMPORTS_PER_SOL,
        100_000 * DOLLAR,
    )
    .await?;

    std::fs::create_dir_all(&args.state).map_err(|e| e.to_string())?;
    let state = std::fs::canonicalize(&args.state).map_err(|e| e.to_string())?;
    let keeper_keypair = state.join("keeper.json");
    let _ = std::fs::remove_file(&keeper_keypair);
    write_new_keypair(&keeper_keypair, &keeper.wallet)?;
    let keeper_config = format!(
        "rpc_url = \"{}\"\nkeypair_path = \"{}\"\ninterval_seconds = 2\nmetrics_address = \"127.0.0.1:9464\"\n",
        args.rpc,
        keeper_keypair.display()
    );
    std::fs::write(args.state.join("keeper.toml"), keeper_config).map_err(|e| e.to_string())?;

    let ws = args.rpc.replacen("http", "ws", 1).replace(":8899", ":8900");
    let site = web::Site {
        root: args.web.clone(),
        config: json!({
            "rpcUrl": args.rpc,
            "wsUrl": ws,
            "cluster": "localnet",
            "programId": bal::ID.to_string(),
            "quoteMint": quote.mint.to_string(),
            "markets": markets.iter().map(|m| m.accounts.market_index).collect::<Vec<_>>(),
            "localWallet": true,
        })
        .to_string(),
        local_wallet: json!(demo.to_bytes().to_vec()).to_string(),
    };
    let listener =
        std::net::TcpListener::bind(&args.listen).map_err(|e| format!("{}: {e}", args.listen))?;
    site.serve(listener);
    std::fs::write(args.state.join("ready"), "").map_err(|e| e.to_string())?;
    log::event(
        "info",
        "local exchange ready",
        json!({ "rpc": args.rpc, "web": format!("http://{}/", args.listen),
                "demo_wallet": demo.pubkey().to_string(),
                "keeper_config": args.state.join("keeper.toml") }),
    );

    if !args.live {
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        return Ok(());
    }
    let started = std::time::Instant::now();
    let oracles = markets.iter().map(|m| (m.accounts, m.centre)).collect();
    let oracle_chain = RpcChain::new(args.rpc.clone(), admin.insecure_clone());
    tokio::spawn(publish_prices(
        oracle_chain,
        oracles,
        started,
        Duration::from_secs(1),
        Default::default(),
    ));
    let last = markets.iter().map(|m| m.centre).collect();
    let mut market = Market {
        markets,
        traders,
        started,
        last,
    };
    loop {
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(args.tick)) => market.tick(&mut chain).await,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::event("error", "local exchange failed", json!({ "error": error }));
            ExitCode::FAILURE
        }
    }
}
