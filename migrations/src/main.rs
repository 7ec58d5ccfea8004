//! `bal-migrate <config.toml>`: deploys BAL and initializes what the config describes, against
//! the config's `rpc_url` (or `BAL_MIGRATE_RPC_URL`). Safe to rerun: existing accounts are
//! left as they are.
use bal_migrations::config::Config;
use bal_migrations::{run, Step};
use bal_transport::keypair::read_keypair;
use bal_transport::rpc::RpcChain;
use std::path::PathBuf;
use std::process::ExitCode;

async fn migrate() -> Result<(), String> {
    let path: PathBuf = std::env::args()
        .nth(1)
        .ok_or("usage: bal-migrate <config.toml>")?
        .into();
    let mut config = Config::load(&path)?;
    if let Ok(url) = std::env::var("BAL_MIGRATE_RPC_URL") {
        config.rpc_url = url;
    }
    let keypair = read_keypair(&config.keypair_path)?;
    let mut chain = RpcChain::new(config.rpc_url.clone(), keypair);
    for step in run(&mut chain, &config).await? {
        let (status, what) = match step {
            Step::Done(what) => ("done", what),
            Step::Exists(what) => ("exists", what),
        };
        println!("{}", serde_json::json!({ "step": what, "status": status }));
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match migrate().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", serde_json::json!({ "error": error }));
            ExitCode::FAILURE
        }
    }
}
