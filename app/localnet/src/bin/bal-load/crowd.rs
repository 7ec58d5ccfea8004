//! The load's participants and their orders: users opened in bulk (funded, subaccount opened
//! and deposited in one transaction each), and open-loop trading at a set rate.
use anchor_lang::solana_program::instruction::Instruction;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use bal::instructions::OrderParams;
use bal::read::margin::MarginType;
use bal::state::PositionDirection::{Long, Short};
use bal_client::actions::{Action, Actor};
use bal_client::instructions::{CollateralAccounts, MarketAccounts, QuoteMint};
use bal_client::pda;
use bal_client::read::margin;
use bal_keeper::snapshot;
use bal_localnet::setup::{funding, opening, LAMPORTS_PER_SOL};
use bal_transport::rpc::RpcChain;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction::Transaction;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Users opened per pipelined send.
const OPEN_CHUNK: usize = 250;

/// A market the load trades: its accounts and the base of one order there. precision: BASE
#[derive(Clone, Copy)]
pub struct Traded {
    pub accounts: MarketAccounts,
    pub size: u64,
}

/// Opens `count` users holding `deposit` quote each (funded by `admin`, the quote mint's
/// authority), one transaction per user.
pub async fn open_users(
    chain: &RpcChain,
    admin: &Keypair,
    quote: &QuoteMint,
    count: usize,
    deposit: u64,
) -> Result<Vec<Keypair>, String> {
    let wallets: Vec<Keypair> = (0..count).map(|_| Keypair::new()).collect();
    for chunk in wallets.chunks(OPEN_CHUNK) {
        let blockhash = chain.latest_blockhash().await.map_err(|e| e.to_string())?;
        let mut transactions = Vec::with_capacity(chunk.len());
        for wallet in chunk {
            let (mut instructions, token_account) = funding(
                &admin.pubkey(),
                quote,
                &wallet.pubkey(),
                LAMPORTS_PER_SOL / 10,
                deposit,
            )?;
            instructions.extend(opening(&wallet.pubkey(), token_account, quote, deposit));
            transactions.push(Transaction::new_signed_with_payer(
                &instructions,
                Some(&admin.pubkey()),
                &[admin, wallet],
                blockhash,
            ));
        }
        let failed: Vec<String> = chain
            .submit(&transactions)
            .await
            .into_iter()
            .filter_map(|outcome| outcome.err().map(|e| e.to_string()))
            .collect();
        if let Some(first) = failed.first() {
            return Err(format!("{} users not opened: {first}", failed.len()));
        }
    }
    Ok(wallets)
}

/// A market order of `wallet`'s subaccount 0 in `market`, signed and paid by `wallet`. Its
/// compute limit carries `nonce`, so the same user's same order twice under one blockhash is
/// two transactions, not one sent twice.
pub fn order(
    wallet: &Keypair,
    market: &Traded,
    others: &[MarketAccounts],
    (long, base): (bool, u64),
    nonce: u32,
    blockhash: Hash,
) -> Transaction {
    let params = OrderParams {
        direction: if long { Long } else { Short },
        base_amount: base,
        limit_price: None,
        reduce_only: false,
    };
    let action = Action::Trade {
        actor: Actor {
            signer: wallet.pubkey(),
            user: pda::user(&wallet.pubkey(), 0),
        },
        params,
    };
    let instruction = action.instruction(&market.accounts, others);
    let limit = ComputeBudgetInstruction::set_compute_unit_limit(300_000 + nonce % 100_000);
    sign(wallet, &[limit, instruction], blockhash)
}

fn sign(wallet: &Keypair, instructions: &[Instruction], blockhash: Hash) -> Transaction {
    Transaction::new_signed_with_payer(instructions, Some(&wallet.pubkey()), &[wallet], blockhash)
}

/// What the load offered and what became of it.
#[derive(Default)]
pub struct Tally {
    pub offered: AtomicU64,
    pub landed: AtomicU64,
    /// Refused by the program (a trader at its limits, an oracle guard).
    pub refused: AtomicU64,
    /// Never confirmed, or the node did not take it.
    pub lost: AtomicU64,
    /// Why the first lost one was.
    pub lost_reason: std::sync::Mutex<Option<String>>,
}

impl Tally {
    fn count(&self, outcomes: &[Result<(), bal_transport::chain::ChainError>]) {
        for outcome in outcomes {
            let counter = match outcome {
                Ok(()) => &self.landed,
                Err(error) if error.custom_code.is_some() => &self.refused,
                Err(error) => {
                    let mut reason = self.lost_reason.lock().unwrap_or_else(|e| e.into_inner());
                    reason.get_or_insert_with(|| error.to_string());
                    &self.lost
                }
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// What a trading run needs.
pub struct Trading {
    pub rpc: String,
    pub wallets: Arc<Vec<Keypair>>,
    pub markets: Vec<Traded>,
    /// Orders offered a second.
    pub rate: f64,
    pub duration: Duration,
    pub tally: Arc<Tally>,
}

/// Offers random orders (a random user, market and side) at `rate` a second for `duration`,
/// each tenth of a second's orders sent together without waiting for the ones before (open
/// loop: a slow node does not slow the offer); returns once every order is settled either way.
pub async fn trade(run: Trading) {
    let chain = Arc::new(RpcChain::new(run.rpc.clone(), Keypair::new()));
    let started = Instant::now();
    let mut blockhash = Hash::default();
    let mut fresh = Instant::now() - Duration::from_secs(60);
    let mut owed = 0.0;
    let mut pending = Vec::new();
    let mut rng = StdRng::from_entropy();
    let mut nonce = 0u32;
    while started.elapsed() < run.duration {
        if fresh.elapsed() > Duration::from_secs(5) {
            if let Ok(latest) = chain.latest_blockhash().await {
                blockhash = latest;
                fresh = Instant::now();
            }
        }
        owed += run.rate / 10.0;
        let mut transactions = Vec::new();
        while owed >= 1.0 {
            owed -= 1.0;
            let wallet = &run.wallets[rng.gen_range(0..run.wallets.len())];
            let market = run.markets[rng.gen_range(0..run.markets.len())];
            let others: Vec<MarketAccounts> = run
                .markets
                .iter()
                .map(|m| m.accounts)
                .filter(|m| m.market_index != market.accounts.market_index)
                .collect();
            let long = rng.gen_bool(0.5);
            nonce = nonce.wrapping_add(1);
            transactions.push(order(
                wallet,
                &market,
                &others,
                (long, market.size),
                nonce,
                blockhash,
            ));
        }
        run.tally
            .offered
            .fetch_add(transactions.len() as u64, Ordering::Relaxed);
        let (chain, tally) = (chain.clone(), run.tally.clone());
        pending.push(tokio::spawn(async move {
            tally.count(&chain.submit(&transactions).await);
        }));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for task in pending {
        let _ = task.await;
    }
}

/// `count` users each holding `deposit` and a long of `market.size` base there, opened now.
pub async fn longs(
    chain: &RpcChain,
    admin: &Keypair,
    quote: &QuoteMint,
    market: &Traded,
    others: &[MarketAccounts],
    deposit: u64,
    count: usize,
) -> Result<Vec<Keypair>, String> {
    let wallets = open_users(chain, admin, quote, count, deposit).await?;
    let blockhash = chain.latest_blockhash().await.map_err(|e| e.to_string())?;
    let orders: Vec<Transaction> = wallets
        .iter()
        .enumerate()
        .map(|(i, w)| order(w, market, others, (true, market.size), i as u32, blockhash))
        .collect();
    for outcome in chain.submit(&orders).await {
        outcome.map_err(|e| format!("a long: {e}"))?;
    }
    Ok(wallets)
}

/// Each of `wallets` withdraws all but two cents of what its initial margin leaves free (its
/// subaccount 0 holding positions in `markets` only): accounts left just above initial margin,
/// which a price move of the margin ratios' difference puts below maintenance.
pub async fn withdraw_to_initial(
    chain: &mut RpcChain,
    quote: &QuoteMint,
    wallets: &[Keypair],
    markets: &[MarketAccounts],
) -> Result<(), String> {
    let snapshot = snapshot::load(chain, &[])
        .await
        .map_err(|e| e.to_string())?;
    let blockhash = chain.latest_blockhash().await.map_err(|e| e.to_string())?;
    let mut withdrawals = Vec::new();
    for wallet in wallets {
        let user = pda::user(&wallet.pubkey(), 0);
        let (_, account) = snapshot
            .users
            .iter()
            .find(|(key, _)| *key == user)
            .ok_or("an opened user is missing")?;
        let priced = snapshot.priced_for(account).ok_or("no oracle price")?;
        let report = margin(account, &snapshot.spot, &priced, MarginType::Withdrawal)
            .ok_or("no margin report")?;
        let free = u64::try_from(report.free_collateral - 20_000).unwrap_or(0);
        if free == 0 {
            continue;
        }
        let collateral = CollateralAccounts {
            signer: wallet.pubkey(),
            user,
            token_account: get_associated_token_address_with_program_id(
                &wallet.pubkey(),
                &quote.mint,
                &quote.token_program,
            ),
            quote: *quote,
        };
        let (market, others) = markets.split_first().ok_or("no market")?;
        let withdraw = Action::Withdraw {
            collateral,
            amount: free,
            borrow: false,
        }
        .instruction(market, others);
        withdrawals.push(sign(wallet, &[withdraw], blockhash));
    }
    for outcome in chain.submit(&withdrawals).await {
        outcome.map_err(|e| format!("a withdrawal to initial margin: {e}"))?;
    }
    Ok(())
}
