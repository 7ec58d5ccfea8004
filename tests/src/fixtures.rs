//! Ready-made exchange states that tests and the benchmark build on.
use crate::env::TxSuccess;
use crate::{TestEnv, TxFailure};
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token::spl_token;
use bal::state::PriceBounds;
// Token-2022's builders accept both token programs; classic SPL Token's accept only itself.
use anchor_spl::token_2022::spl_token_2022::instruction as token_instruction;
use bal::instructions::{OrderParams, UpdatePerpMarketParams};
use bal::math::constants::BASE_PRECISION;
use bal::state::PositionDirection;
use bal::state::RestingOrderParams;
use bal::state::{MarketStatus, ProgramOracle};
use bal_client::instructions::{
    self, CollateralAccounts, MakerOrderRef, MarketAccounts, QuoteMint,
};
use bal_client::pda;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

pub use bal_client::defaults::{
    default_interest_curve, default_oracle_guards, default_params, default_perp_market,
};

/// Oracle price the fixtures start at: $100. precision: PRICE
pub const START_PRICE: i64 = 100_000_000;

/// An exchange with state, the quote market and (from `with_perp_market`) a perp market.
pub struct Exchange {
    pub admin: Keypair,
    pub quote: QuoteMint,
    pub mint_authority: Keypair,
    pub oracle_updater: Keypair,
    /// Program oracle 0.
    pub oracle: Pubkey,
}

/// A wallet with a funded subaccount 0 and a quote token account.
pub struct Trader {
    pub wallet: Keypair,
    pub user: Pubkey,
    pub token_account: Pubkey,
}

impl Trader {
    pub fn collateral(&self, exchange: &Exchange) -> CollateralAccounts {
        CollateralAccounts {
            signer: self.wallet.pubkey(),
            user: self.user,
            token_account: self.token_account,
            quote: exchange.quote,
        }
    }
}

/// Initializes the global state with `default_params`, signed by the upgrade authority.
pub async fn initialize_state(env: &mut TestEnv) -> Keypair {
    let admin = env.upgrade_authority.insecure_clone();
    env.send(
        "initialize",
        &[instructions::initialize(admin.pubkey(), default_params())],
        &[&admin],
    )
    .await
    .expect("initialize");
    admin
}

/// Creates a 6-decimal mint owned by `token_program` (SPL Token or Token-2022).
pub async fn create_mint(
    env: &mut TestEnv,
    token_program: Pubkey,
    decimals: u8,
) -> (Pubkey, Keypair) {
    let payer = env.funded_wallet().await;
    let mint = Keypair::new();
    let authority = Keypair::new();
    let space = 82;
    let rent = env.rent_exempt(space).await;
    let create = system_instruction::create_account(
        &payer.pubkey(),
        &mint.pubkey(),
        rent,
        space as u64,
        &token_program,
    );
    let init = token_instruction::initialize_mint2(
        &token_program,
        &mint.pubkey(),
        &authority.pubkey(),
        None,
        decimals,
    )
    .expect("initialize_mint2");
    env.send_setup(&[create, init], &[&payer, &mint]).await;
    (mint.pubkey(), authority)
}

/// A token account of `quote` owned by `owner`, holding `amount` freshly minted tokens.
pub async fn create_token_account(
    env: &mut TestEnv,
    exchange: &Exchange,
    owner: &Keypair,
    amount: u64,
) -> Pubkey {
    let account = Keypair::new();
    let space = 165;
    let rent = env.rent_exempt(space).await;
    let program = exchange.quote.token_program;
    let create = system_instruction::create_account(
        &owner.pubkey(),
        &account.pubkey(),
        rent,
        space as u64,
        &program,
    );
    let init = token_instruction::initialize_account3(
        &program,
        &account.pubkey(),
        &exchange.quote.mint,
        &owner.pubkey(),
    )
    .expect("initialize_account3");
    let mut ixs = vec![create, init];
    let mut signers = vec![owner, &account];
    if amount > 0 {
        signers.push(&exchange.mint_authority);
        ixs.push(
            token_instruction::mint_to(
                &program,
                &exchange.quote.mint,
                &account.pubkey(),
                &exchange.mint_authority.pubkey(),
                &[],
                amount,
            )
            .expect("mint_to"),
        );
    }
    env.send_setup(&ixs, &signers).await;
    account.pubkey()
}

/// State, a quote market on `token_program` and program oracle 0 at `START_PRICE`.
pub async fn setup_exchange_with(env: &mut TestEnv, token_program: Pubkey) -> Exchange {
    let admin = initialize_state(env).await;
    let (mint, mint_authority) = create_mint(env, token_program, 6).await;
    let quote = QuoteMint {
        mint,
        token_program,
    };
    env.send(
        "initialize_spot_market",
        &[instructions::initialize_spot_market(
            admin.pubkey(),
            quote,
            default_interest_curve(),
        )],
        &[&admin],
    )
    .await
    .expect("initialize_spot_market");
    let oracle_updater = env.funded_wallet().await;
    env.send(
        "initialize_program_oracle",
        &[instructions::initialize_program_oracle(
            admin.pubkey(),
            0,
            oracle_updater.pubkey(),
        )],
        &[&admin],
    )
    .await
    .expect("initialize_program_oracle");
    let exchange = Exchange {
        admin,
        quote,
        mint_authority,
        oracle_updater,
        oracle: pda::program_oracle(0),
    };
    set_oracle_price(env, &exchange, START_PRICE).await;
    exchange
}

/// `setup_exchange_with` on classic SPL Token.
pub async fn setup_exchange(env: &mut TestEnv) -> Exchange {
    setup_exchange_with(env, spl_token::ID).await
}

/// `setup_exchange` plus perp market 0 from `default_perp_market`.
pub async fn setup_exchange_with_market(env: &mut TestEnv) -> Exchange {
    let exchange = setup_exchange(env).await;
    env.send(
        "initialize_perp_market",
        &[instructions::initialize_perp_market(
            exchange.admin.pubkey(),
            exchange.oracle,
            0,
            default_perp_market(),
        )],
        &[&exchange.admin],
    )
    .await
    .expect("initialize_perp_market");
    exchange
}

/// Publishes `price` (confidence 0.01%) on program oracle 0.
pub async fn set_oracle_price(env: &mut TestEnv, exchange: &Exchange, price: i64) {
    let confidence = price.unsigned_abs() / 10_000;
    env.send(
        "update_program_oracle",
        &[instructions::update_program_oracle(
            exchange.oracle_updater.pubkey(),
            exchange.oracle,
            price,
            confidence,
        )],
        &[&exchange.oracle_updater],
    )
    .await
    .expect("update_program_oracle");
}

/// A new wallet with subaccount 0 holding a deposit of `deposit` quote tokens and `spare` more
/// in its token account.
pub async fn new_trader(
    env: &mut TestEnv,
    exchange: &Exchange,
    deposit: u64,
    spare: u64,
) -> Trader {
    let wallet = env.funded_wallet().await;
    let token_account = create_token_account(env, exchange, &wallet, deposit + spare).await;
    env.send(
        "initialize_user",
        &[instructions::initialize_user(wallet.pubkey(), 0, [0; 32])],
        &[&wallet],
    )
    .await
    .expect("initialize_user");
    let trader = Trader {
        user: pda::user(&wallet.pubkey(), 0),
        wallet,
        token_account,
    };
    if deposit > 0 {
        env.send(
            "deposit",
            &[instructions::deposit(&trader.collateral(exchange), deposit)],
            &[&trader.wallet],
        )
        .await
        .expect("deposit");
    }
    trader
}

/// Subaccount `id` of `owner`'s wallet, holding a deposit of `deposit` from its token account
/// (which must hold it: `new_trader`'s `spare`).
pub async fn subaccount(
    env: &mut TestEnv,
    exchange: &Exchange,
    owner: &Trader,
    id: u16,
    deposit: u64,
) -> Trader {
    let sub = Trader {
        wallet: owner.wallet.insecure_clone(),
        user: pda::user(&owner.wallet.pubkey(), id),
        token_account: owner.token_account,
    };
    env.send(
        "initialize_user",
        &[instructions::initialize_user(
            owner.wallet.pubkey(),
            id,
            [0; 32],
        )],
        &[&owner.wallet],
    )
    .await
    .expect("initialize_user");
    env.send(
        "deposit",
        &[instructions::deposit(&sub.collateral(exchange), deposit)],
        &[&owner.wallet],
    )
    .await
    .expect("deposit");
    sub
}

/// Perp market 0 on program oracle 0.
pub fn market(exchange: &Exchange) -> MarketAccounts {
    MarketAccounts {
        market_index: 0,
        oracle: exchange.oracle,
    }
}

/// `setup_exchange_with_market` with the market active for trading.
pub async fn setup_trading(env: &mut TestEnv) -> Exchange {
    let exchange = setup_exchange_with_market(env).await;
    let activate = UpdatePerpMarketParams {
        status: Some(MarketStatus::Active),
        ..Default::default()
    };
    env.send(
        "update_perp_market",
        &[instructions::update_perp_market(
            exchange.admin.pubkey(),
            0,
            activate,
        )],
        &[&exchange.admin],
    )
    .await
    .expect("activate market");
    exchange
}

/// The next second (and slot), program oracle 0 republished at the price it holds: what a
/// test does next happens after, not in the same second as, what it did before. Judgments
/// taken against the start of a second (a curve moved earlier in it, the gains a pool can
/// pay) see a new one.
pub async fn next_second(env: &mut TestEnv, exchange: &Exchange) {
    env.advance(1, 1).await;
    let oracle: ProgramOracle = env.load(exchange.oracle).await;
    set_oracle_price(env, exchange, oracle.price).await;
}

/// A market or limit order for `base` (BASE precision) in market 0.
pub fn order(direction: PositionDirection, base: u64) -> OrderParams {
    OrderParams {
        direction,
        base_amount: base,
        limit_price: None,
        reduce_only: false,
    }
}

/// Sends `params` for `trader` in market 0 (no other positions).
pub async fn trade(
    env: &mut TestEnv,
    exchange: &Exchange,
    trader: &Trader,
    params: OrderParams,
) -> Result<TxSuccess, TxFailure> {
    trade_in(env, trader, &market(exchange), &[], params).await
}

/// `trader` places `params` in `traded`, naming `others`, its other markets (`trade` for market 0
/// alone).
pub async fn trade_in(
    env: &mut TestEnv,
    trader: &Trader,
    traded: &MarketAccounts,
    others: &[MarketAccounts],
    params: OrderParams,
) -> Result<TxSuccess, TxFailure> {
    env.send(
        "place_perp_order",
        &[instructions::place_perp_order(
            trader.wallet.pubkey(),
            trader.user,
            traded,
            others,
            params,
        )],
        &[&trader.wallet],
    )
    .await
}

/// Adds `shares` (BASE precision) of liquidity for `lp` in market 0 (no other positions).
pub async fn add_liquidity(
    env: &mut TestEnv,
    exchange: &Exchange,
    lp: &Trader,
    shares: u64,
) -> Result<TxSuccess, TxFailure> {
    env.send(
        "add_liquidity",
        &[instructions::add_liquidity(
            lp.wallet.pubkey(),
            lp.user,
            &market(exchange),
            &[],
            shares,
            PriceBounds::UNBOUNDED,
        )],
        &[&lp.wallet],
    )
    .await
}

/// Settles `lp`'s entitlement in market 0, signed by `lp` (anyone could).
pub async fn settle_lp(env: &mut TestEnv, lp: &Trader) {
    env.send(
        "settle_lp",
        &[instructions::settle_lp(lp.wallet.pubkey(), lp.user, 0)],
        &[&lp.wallet],
    )
    .await
    .expect("settle_lp");
}

/// The admin updates market 0.
pub async fn update_market(
    env: &mut TestEnv,
    exchange: &Exchange,
    params: UpdatePerpMarketParams,
) -> Result<TxSuccess, TxFailure> {
    env.send(
        "update_perp_market",
        &[instructions::update_perp_market(
            exchange.admin.pubkey(),
            0,
            params,
        )],
        &[&exchange.admin],
    )
    .await
}

/// The admin repegs market 0 to its oracle.
pub async fn repeg(env: &mut TestEnv, exchange: &Exchange) -> Result<TxSuccess, TxFailure> {
    env.send(
        "repeg_amm",
        &[instructions::repeg_amm(
            exchange.admin.pubkey(),
            0,
            exchange.oracle,
        )],
        &[&exchange.admin],
    )
    .await
}

/// A resting order for `base` at `price` in market 0: a maker (post-only) or a taker order.
pub fn resting(
    direction: PositionDirection,
    base: u64,
    price: u64,
    post_only: bool,
) -> RestingOrderParams {
    RestingOrderParams {
        direction,
        base_amount: base,
        price,
        post_only,
        reduce_only: false,
        expiry_ts: 0,
    }
}

/// Rests `params` for `trader` in market 0 (no other positions); returns the order id.
pub async fn place_order(
    env: &mut TestEnv,
    exchange: &Exchange,
    trader: &Trader,
    params: RestingOrderParams,
) -> Result<u32, TxFailure> {
    let success = env
        .send(
            "place_order",
            &[instructions::place_order(
                trader.wallet.pubkey(),
                trader.user,
                &market(exchange),
                &[],
                params,
            )],
            &[&trader.wallet],
        )
        .await?;
    let id: [u8; 4] = success.return_data[..4]
        .try_into()
        .expect("place_order returns the order id");
    Ok(u32::from_le_bytes(id))
}

/// Raises the transaction's compute limit (the default is 200,000 CU per instruction).
pub fn compute_limit(units: u32) -> anchor_lang::solana_program::instruction::Instruction {
    ComputeBudgetInstruction::set_compute_unit_limit(units)
}

/// `filler` fills `taker`'s order against `makers`' orders in market 0 (no other positions),
/// with the transaction's compute limit raised to 1.4M.
pub async fn fill_order(
    env: &mut TestEnv,
    exchange: &Exchange,
    filler: &Trader,
    taker: (&Trader, u32),
    makers: &[(&Trader, u32)],
) -> Result<TxSuccess, TxFailure> {
    let makers: Vec<MakerOrderRef> = makers
        .iter()
        .map(|(maker, order_id)| MakerOrderRef {
            user: maker.user,
            order_id: *order_id,
        })
        .collect();
    // A fill costs about 30,000 CU per maker: more than the default 200,000 with several.
    let budget = compute_limit(1_400_000);
    env.send_capturing_events(
        "fill_order",
        &[
            budget,
            instructions::fill_order(
                filler.wallet.pubkey(),
                filler.user,
                (taker.0.user, taker.1),
                &makers,
                &market(exchange),
                &[],
            ),
        ],
        &[&filler.wallet],
    )
    .await
}

/// `liquidator` liquidates `user`'s position in market 0 (no other positions), any size.
pub async fn liquidate(
    env: &mut TestEnv,
    exchange: &Exchange,
    liquidator: &Trader,
    user: Pubkey,
) -> Result<TxSuccess, TxFailure> {
    env.send(
        "liquidate_perp",
        &[instructions::liquidate_perp(
            liquidator.wallet.pubkey(),
            liquidator.user,
            user,
            &market(exchange),
            &[],
            u64::MAX,
        )],
        &[&liquidator.wallet],
    )
    .await
}

/// A funding period passes: an hour later the oracle republishes the start price and `keeper`
/// updates market 0's funding.
pub async fn next_funding_period(env: &mut TestEnv, exchange: &Exchange, keeper: &Keypair) {
    env.advance(3_600, 10).await;
    set_oracle_price(env, exchange, START_PRICE).await;
    env.send(
        "update_funding_rate",
        &[instructions::update_funding_rate(&market(exchange))],
        &[keeper],
    )
    .await
    .expect("update_funding_rate");
}

/// What a liquidator deposits in the fixtures: $1,000, enough to take over the positions they
/// liquidate. precision: QUOTE
pub const LIQUIDATOR_DEPOSIT: u64 = 1_000_000_000;

/// Market 0 trading, a trader with $100 holding a 9.0 base long (about 9x) and a liquidator
/// holding `LIQUIDATOR_DEPOSIT`: the usual liquidation scenario.
pub async fn leveraged_long(env: &mut TestEnv) -> (Exchange, Trader, Trader) {
    let exchange = setup_trading(env).await;
    let trader = new_trader(env, &exchange, 100_000_000, 0).await;
    let liquidator = new_trader(env, &exchange, LIQUIDATOR_DEPOSIT, 0).await;
    trade(
        env,
        &exchange,
        &trader,
        order(PositionDirection::Long, 9 * BASE_PRECISION as u64),
    )
    .await
    .expect("a 9x long");
    // What the test does next comes after the long, in a second of its own.
    next_second(env, &exchange).await;
    (exchange, trader, liquidator)
}
