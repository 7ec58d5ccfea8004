//! The migrations against the in-process runtime: a fresh exchange comes up from a config, a
//! second run changes nothing, and an ELF deploys through the upgradeable loader.
use bal::state::{MarketStatus, PerpMarket, ProgramOracle, SpotMarket, State};
use bal_client::pda;
use bal_migrations::config::{Config, ExchangeConfig, MarketConfig, OracleConfig, QuoteConfig};
use bal_migrations::{deploy, run, Step};
use bal_tests::errors::snapshot;
use bal_tests::keeper_chain::InProcessChain;
use bal_tests::TestEnv;
use bal_transport::keypair::read_keypair;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::PathBuf;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn market(index: u16, name: &str, oracle_id: u16, sqrt_k: Option<u128>) -> MarketConfig {
    MarketConfig {
        index,
        name: name.into(),
        oracle_id: Some(oracle_id),
        pyth_price_account: None,
        pyth_feed_id: None,
        sqrt_k,
        initial_margin_ratio: None,
        maintenance_margin_ratio: Some(400),
        activate: true,
    }
}

/// The local exchange's shape, with the quote mint's keypair in a fresh folder.
fn config(folder: &std::path::Path) -> Config {
    Config {
        rpc_url: "in-process".into(),
        keypair_path: folder.join("unused-admin.json"),
        program_keypair_path: repo("programs/bal/bal-keypair.json"),
        program_path: repo("target/deploy/bal.so"),
        program_extra_space: 0,
        exchange: ExchangeConfig {
            lp_cooldown_seconds: Some(600),
            ..ExchangeConfig::default()
        },
        quote: QuoteConfig {
            mint: None,
            mint_keypair_path: Some(folder.join("quote-mint.json")),
            decimals: 6,
            token_program: "token".into(),
        },
        oracles: vec![OracleConfig {
            id: 0,
            updater: None,
            price: Some(100_000_000),
        }],
        markets: vec![
            market(0, "SOL-PERP", 0, None),
            market(1, "ETH-PERP", 0, Some(40_000_000_000)),
        ],
    }
}

fn temp_folder(name: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("bal-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&folder);
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

#[tokio::test]
async fn a_config_brings_up_the_exchange_and_a_rerun_changes_nothing() {
    let mut env = TestEnv::start().await;
    let admin = env.upgrade_authority.insecure_clone();
    let folder = temp_folder("migrations");
    let config = config(&folder);
    let mut chain = InProcessChain::new(&mut env, admin.insecure_clone(), Vec::new());
    let steps = run(&mut chain, &config).await.expect("migrations");
    let done: Vec<&str> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Done(what) => Some(what.as_str()),
            Step::Exists(_) => None,
        })
        .collect();
    assert_eq!(
        done,
        [
            "state",
            "quote mint",
            "quote spot market",
            "oracle 0",
            "oracle 0 first price",
            "market 0 (SOL-PERP)",
            "market 0 (SOL-PERP) active",
            "market 1 (ETH-PERP)",
            "market 1 (ETH-PERP) active",
        ]
    );
    assert_eq!(
        steps[0],
        Step::Exists(format!("program {}", bal::ID)),
        "preloaded"
    );

    let state: State = env.account(pda::state()).await;
    assert_eq!(state.admin, admin.pubkey());
    assert_eq!(state.lp_cooldown_seconds, 600);
    let mint = read_keypair(&folder.join("quote-mint.json"))
        .unwrap()
        .pubkey();
    let spot: SpotMarket = env.load(pda::spot_market(0)).await;
    assert_eq!(spot.mint, mint);
    let oracle: ProgramOracle = env.load(pda::program_oracle(0)).await;
    assert_eq!(oracle.price, 100_000_000);
    let eth: PerpMarket = env.load(pda::perp_market(1)).await;
    assert_eq!(eth.status().unwrap(), MarketStatus::Active);
    assert_eq!(eth.amm.sqrt_k.get(), 40_000_000_000);
    assert_eq!(eth.margin_ratio_maintenance, 400);
    assert_eq!(&eth.name[..8], b"ETH-PERP");

    let watched = [
        pda::state(),
        mint,
        pda::spot_market(0),
        pda::program_oracle(0),
        pda::perp_market(0),
        pda::perp_market(1),
    ];
    let before = snapshot(&mut env, &watched).await;
    let mut chain = InProcessChain::new(&mut env, admin.insecure_clone(), Vec::new());
    let again = run(&mut chain, &config).await.expect("rerun");
    assert!(
        again.iter().all(|s| matches!(s, Step::Exists(_))),
        "{again:?}"
    );
    assert_eq!(snapshot(&mut env, &watched).await, before);
    std::fs::remove_dir_all(&folder).unwrap();
}

#[tokio::test]
async fn a_program_deploys_through_the_upgradeable_loader() {
    let mut env = TestEnv::start().await;
    let payer = env.funded_wallet().await;
    let program = Keypair::new();
    let elf_path = repo("target/deploy/bal_vault.so");
    let elf = std::fs::read(&elf_path).unwrap();
    let mut chain = InProcessChain::new(&mut env, payer.insecure_clone(), Vec::new());
    let step = deploy::deploy(&mut chain, &program, &elf_path, 0)
        .await
        .expect("deploy");
    assert_eq!(step, Step::Done(format!("program {}", program.pubkey())));

    let account = env.raw_account(program.pubkey()).await.expect("program");
    assert_eq!(
        account.owner,
        anchor_lang::solana_program::bpf_loader_upgradeable::ID
    );
    assert!(account.executable);
    let program_data =
        anchor_lang::solana_program::bpf_loader_upgradeable::get_program_data_address(
            &program.pubkey(),
        );
    let data = env
        .raw_account(program_data)
        .await
        .expect("program data")
        .data;
    // 45 bytes of ProgramData metadata (slot, upgrade authority), then the ELF.
    assert_eq!(&data[45..45 + elf.len()], elf.as_slice());
    assert_eq!(
        &data[13..45],
        payer.pubkey().as_ref(),
        "the payer may upgrade"
    );

    let mut chain = InProcessChain::new(&mut env, payer.insecure_clone(), Vec::new());
    let again = deploy::deploy(&mut chain, &program, &elf_path, 0)
        .await
        .expect("rerun");
    assert!(matches!(again, Step::Exists(_)));
}
