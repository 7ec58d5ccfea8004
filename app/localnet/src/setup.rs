//! Who is on the local exchange: wallets funded by the admin (SOL and freshly minted quote in
//! their associated token accounts), with a BAL subaccount and a deposit where they trade.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use anchor_spl::token_2022::spl_token_2022;
use bal::state::PriceBounds;
use bal_client::instructions::{self as ix, CollateralAccounts, MarketAccounts, QuoteMint};
use bal_client::pda;
use bal_transport::chain::Chain;
use bal_transport::rpc::RpcChain;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub const LAMPORTS_PER_SOL: u64 = 1_000_000_000;
/// One quote token. precision: QUOTE
pub const DOLLAR: u64 = 1_000_000;

/// A funded wallet with subaccount 0.
pub struct Participant {
    pub wallet: Keypair,
    pub user: Pubkey,
}

/// What gives `wallet` SOL and `tokens` quote in its associated token account, paid by
/// `admin` (the quote mint's authority), and that account.
pub fn funding(
    admin: &Pubkey,
    quote: &QuoteMint,
    wallet: &Pubkey,
    lamports: u64,
    tokens: u64,
) -> Result<(Vec<Instruction>, Pubkey), String> {
    let account =
        get_associated_token_address_with_program_id(wallet, &quote.mint, &quote.token_program);
    let mint = spl_token_2022::instruction::mint_to(
        &quote.token_program,
        &quote.mint,
        &account,
        admin,
        &[],
        tokens,
    )
    .map_err(|e| e.to_string())?;
    let instructions = vec![
        system_instruction::transfer(admin, wallet, lamports),
        create_associated_token_account_idempotent(
            admin,
            wallet,
            &quote.mint,
            &quote.token_program,
        ),
        mint,
    ];
    Ok((instructions, account))
}

/// Gives `wallet` SOL and `tokens` quote in its associated token account; returns that account.
pub async fn fund(
    chain: &mut RpcChain,
    quote: &QuoteMint,
    wallet: &Pubkey,
    lamports: u64,
    tokens: u64,
) -> Result<Pubkey, String> {
    let (instructions, account) = funding(&chain.signer(), quote, wallet, lamports, tokens)?;
    chain
        .send(&instructions, &[])
        .await
        .map_err(|e| format!("funding {wallet}: {e}"))?;
    Ok(account)
}

/// What opens `wallet`'s subaccount 0 and deposits `deposit` quote from `token_account`.
pub fn opening(
    wallet: &Pubkey,
    token_account: Pubkey,
    quote: &QuoteMint,
    deposit: u64,
) -> [Instruction; 2] {
    let collateral = CollateralAccounts {
        signer: *wallet,
        user: pda::user(wallet, 0),
        token_account,
        quote: *quote,
    };
    [
        ix::initialize_user(*wallet, 0, [0; 32]),
        ix::deposit(&collateral, deposit),
    ]
}

/// A new wallet with subaccount 0 holding `deposit` quote (and as much again spare).
pub async fn participant(
    chain: &mut RpcChain,
    quote: &QuoteMint,
    deposit: u64,
) -> Result<Participant, String> {
    let wallet = Keypair::new();
    let token_account = fund(
        chain,
        quote,
        &wallet.pubkey(),
        LAMPORTS_PER_SOL,
        2 * deposit,
    )
    .await?;
    let instructions = opening(&wallet.pubkey(), token_account, quote, deposit);
    let who = Participant {
        user: pda::user(&wallet.pubkey(), 0),
        wallet,
    };
    chain
        .send(&instructions, &[&who.wallet])
        .await
        .map_err(|e| format!("opening {}: {e}", who.wallet.pubkey()))?;
    Ok(who)
}

/// `lp` adds `shares` of liquidity in `market`; `others` are its positions' other markets.
pub async fn add_liquidity(
    chain: &mut RpcChain,
    lp: &Participant,
    market: &MarketAccounts,
    others: &[MarketAccounts],
    shares: u64,
) -> Result<(), String> {
    // The market's own band is bound enough for the exchange's opening liquidity.
    let instruction = ix::add_liquidity(
        lp.wallet.pubkey(),
        lp.user,
        market,
        others,
        shares,
        PriceBounds::UNBOUNDED,
    );
    chain
        .send(&[instruction], &[&lp.wallet])
        .await
        .map_err(|e| format!("adding liquidity: {e}"))
}
