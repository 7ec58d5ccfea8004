//! `bal-keeper [--config keeper.toml] [--once]`: runs keeper rounds against an RPC node until
//! Ctrl-C (or one round with `--once`). The configuration file may also be named by
//! `BAL_KEEPER_CONFIG`; every key can be overridden by `BAL_KEEPER_<KEY>` (see `config.rs`).
use bal_keeper::config::Config;
use bal_keeper::metrics::{serve, Metrics};
use bal_keeper::run_round;
use bal_transport::chain::Chain;
use bal_transport::keypair::read_keypair;
use bal_transport::log;
use bal_transport::rpc::RpcChain;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

struct Args {
    config: Option<PathBuf>,
    once: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: std::env::var_os("BAL_KEEPER_CONFIG").map(PathBuf::from),
        once: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--config" => args.config = Some(it.next().ok_or("--config needs a path")?.into()),
            "--once" => args.once = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let config =
        Config::load(args.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    let keypair = read_keypair(&config.keypair_path)?;
    let settings = config.settings().map_err(|e| e.to_string())?;
    let mut chain = RpcChain::new(config.rpc_url.clone(), keypair);
    check_markets(&mut chain, &settings.markets).await?;
    let metrics = Arc::new(Metrics::default());
    let listener = std::net::TcpListener::bind(&config.metrics_address)
        .map_err(|e| format!("metrics address {}: {e}", config.metrics_address))?;
    let interval = config.interval_seconds;
    // Healthy while rounds keep completing: three missed intervals is unhealthy.
    serve(metrics.clone(), listener, 3 * interval as i64 + 30);
    log::event(
        "info",
        "keeper started",
        json!({ "rpc": config.rpc_url, "signer": chain.signer().to_string(),
                "metrics": config.metrics_address, "markets": settings.markets }),
    );
    loop {
        let failed = match run_round(&mut chain, &settings, &metrics).await {
            Ok(report) => report.failures > 0,
            Err(error) => {
                metrics.round_failed();
                log::event(
                    "error",
                    "round failed",
                    json!({ "error": error.to_string() }),
                );
                true
            }
        };
        if args.once {
            // One round, and its verdict as the exit code.
            return if failed {
                Err("the round failed or a transaction in it did".into())
            } else {
                Ok(())
            };
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let wait = settings.shard.until_next_round(now, interval * 1_000);
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_millis(wait)) => {}
            _ = tokio::signal::ctrl_c() => {
                log::event("info", "keeper stopped", json!({}));
                return Ok(());
            }
        }
    }
}

/// Refuses to start on a configured market that does not exist (a keeper that would run
/// healthy doing nothing), and reports an unreachable node as such.
async fn check_markets(chain: &mut RpcChain, markets: &[u16]) -> Result<(), String> {
    for index in markets {
        let found = chain
            .account(bal_client::pda::perp_market(*index))
            .await
            .map_err(|e| format!("cannot reach the node: {e}"))?;
        if found.is_none() {
            return Err(format!("perp market {index} does not exist"));
        }
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            log::event("error", "keeper cannot run", json!({ "error": error }));
            ExitCode::FAILURE
        }
    }
}
