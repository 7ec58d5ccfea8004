//! `bal-load`'s options (see `main.rs`).
use std::path::PathBuf;

pub struct Args {
    pub rpc: String,
    pub migrations: PathBuf,
    pub state: PathBuf,
    pub keeper: PathBuf,
    pub node_pid: Option<u32>,
    pub users: usize,
    pub positions: usize,
    pub rates: Vec<f64>,
    pub step_seconds: u64,
    pub share_seconds: u64,
    pub share_rate: f64,
    pub soak_minutes: u64,
    pub soak_rate: f64,
}

pub fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rpc: "http://127.0.0.1:8899".into(),
        migrations: "migrations/localnet.toml".into(),
        state: "target/load".into(),
        keeper: "target/debug/bal-keeper".into(),
        node_pid: None,
        users: 3_000,
        positions: 500,
        rates: vec![5.0, 15.0, 30.0],
        step_seconds: 90,
        share_seconds: 40,
        share_rate: 15.0,
        soak_minutes: 0,
        soak_rate: 30.0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = |what: &str| -> Result<u64, String> {
            value.parse().map_err(|_| format!("{what}: a number"))
        };
        match flag.as_str() {
            "--rpc" => args.rpc = value.clone(),
            "--migrations" => args.migrations = value.clone().into(),
            "--state" => args.state = value.clone().into(),
            "--keeper" => args.keeper = value.clone().into(),
            "--node-pid" => args.node_pid = Some(number("--node-pid")? as u32),
            "--users" => args.users = number("--users")? as usize,
            "--positions" => args.positions = number("--positions")? as usize,
            "--step-seconds" => args.step_seconds = number("--step-seconds")?.max(30),
            "--share-seconds" => args.share_seconds = number("--share-seconds")?,
            "--share-rate" => args.share_rate = number("--share-rate")? as f64,
            "--soak-minutes" => args.soak_minutes = number("--soak-minutes")?,
            "--soak-rate" => args.soak_rate = number("--soak-rate")? as f64,
            "--rates" => {
                args.rates = value
                    .split(',')
                    .map(|r| r.parse().map_err(|_| "--rates: numbers".to_string()))
                    .collect::<Result<_, _>>()?
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.positions > args.users {
        return Err("--positions: at most --users".into());
    }
    Ok(args)
}
