use crate::controller::account_creation::{create_zero_copy_pda, NewPda};
use crate::error::BalError;
use crate::math::constants::{ACCOUNT_VERSION, QUOTE_DECIMALS, SPOT_CUMULATIVE_INTEREST_PRECISION};
use crate::state::{
    InterestCurve, SpotMarket, State, DEFAULT_INSURANCE_UNSTAKE_DELAY,
    QUOTE_SPOT_MARKET_INDEX_SEED, SPOT_MARKET_SEED, SPOT_VAULT_SEED, STATE_SEED,
};
use crate::validate;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

#[derive(Accounts)]
#[instruction(market_index: u16)]
pub struct InitializeSpotMarket<'info> {
    #[account(mut)]
    pub admin: Signer<'info>,
    #[account(mut, seeds = [STATE_SEED], bump = state.bump, has_one = admin @ BalError::NotAdmin)]
    pub state: Account<'info, State>,
    /// CHECK: created by the handler (`create_zero_copy_pda` refuses an existing account).
    #[account(mut, seeds = [SPOT_MARKET_SEED, QUOTE_SPOT_MARKET_INDEX_SEED], bump)]
    pub spot_market: UncheckedAccount<'info>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(
        init,
        payer = admin,
        seeds = [SPOT_VAULT_SEED, QUOTE_SPOT_MARKET_INDEX_SEED],
        bump,
        token::mint = mint,
        token::authority = spot_market,
        token::token_program = token_program,
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

pub fn handler(
    ctx: Context<InitializeSpotMarket>,
    market_index: u16,
    interest_curve: InterestCurve,
) -> Result<()> {
    // One quote market: its index is the next free one, and collateral has six decimals.
    validate!(
        market_index == ctx.accounts.state.number_of_spot_markets && market_index == 0,
        BalError::InvalidMarketIndex
    );
    validate!(
        ctx.accounts.mint.decimals == QUOTE_DECIMALS,
        BalError::InvalidMintDecimals
    );
    interest_curve.validate()?;

    let accounts = &ctx.accounts;
    let bump = ctx.bumps.spot_market;
    let index = market_index.to_le_bytes();
    let info = accounts.spot_market.to_account_info();
    let new = NewPda {
        payer: &accounts.admin.to_account_info(),
        account: &info,
        system_program: &accounts.system_program.to_account_info(),
        space: SpotMarket::SPACE,
        signer_seeds: &[SPOT_MARKET_SEED, &index, &[bump]],
    };
    let now = Clock::get()?.unix_timestamp;
    let vault_bump = ctx.bumps.vault;
    create_zero_copy_pda(&new, |market: &mut SpotMarket| {
        market.mint = accounts.mint.key();
        market.vault = accounts.vault.key();
        market.token_program = accounts.token_program.key();
        market
            .cumulative_deposit_interest
            .set(SPOT_CUMULATIVE_INTEREST_PRECISION);
        market
            .cumulative_borrow_interest
            .set(SPOT_CUMULATIVE_INTEREST_PRECISION);
        market.last_interest_ts = now;
        market.interest_curve = interest_curve;
        market.market_index = market_index;
        market.decimals = QUOTE_DECIMALS;
        market.version = ACCOUNT_VERSION;
        market.bump = bump;
        market.vault_bump = vault_bump;
        market.insurance.unstake_delay = DEFAULT_INSURANCE_UNSTAKE_DELAY;
        market.invariant()
    })?;

    let state = &mut ctx.accounts.state;
    state.number_of_spot_markets += 1;
    state.invariant()
}
