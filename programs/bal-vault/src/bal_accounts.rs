//! The BAL accounts a vault action passes on: the vault's checks on them and what it reads
//! from them (its calls into BAL are in `bal_calls`).
use crate::error::VaultError;
use crate::exit::{plan_exit, ExitPlan, VaultBooks};
use crate::state::{Vault, BAL_SUB_ACCOUNT, PRICE_TOLERANCE};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenInterface};
use bal::math::oracle::OracleAction;
use bal::math::price_band::PriceBand;
use bal::program::Bal;
use bal::read::balances::signed_token_amount;
use bal::read::margin::{net_value, payable_value, MarketViews};
use bal::read::market_views::load_market_views;
use bal::read::position::find_position;
use bal::read::second_start::{current_reserve_price, reserve_price_at_start};
use bal::state::PriceBounds;
use bal::state::{PerpMarket, SpotMarket, State, User};

/// The BAL accounts every vault action passes on. BAL checks each of them itself (state, spot
/// and perp market by seeds, the oracle against its market, the event authority by seeds); the
/// vault checks that the subaccount is its own and the market its market.
#[derive(Accounts)]
pub struct BalAccounts<'info> {
    pub bal_program: Program<'info, Bal>,
    /// BAL's `State` (owner and type checked here, seeds by BAL): the vault reads its LP
    /// cooldown.
    pub state: Account<'info, State>,
    #[account(mut)]
    pub user: AccountLoader<'info, User>,
    #[account(mut)]
    pub spot_market: AccountLoader<'info, SpotMarket>,
    #[account(mut)]
    pub perp_market: AccountLoader<'info, PerpMarket>,
    /// CHECK: the market's oracle, checked by BAL (key, owner, layout).
    pub oracle: UncheckedAccount<'info>,
    /// CHECK: BAL's event authority, checked by BAL (seeds).
    pub event_authority: UncheckedAccount<'info>,
}

impl BalAccounts<'_> {
    /// Refuses a subaccount that is not the one `authority` owns as the vault's, or a market that
    /// is not the vault's.
    pub fn check_belongs_to(&self, vault: &Vault, authority: &Pubkey) -> Result<()> {
        let user = self.user.load()?;
        require!(
            user.authority == *authority && user.sub_account_id == BAL_SUB_ACCOUNT,
            VaultError::NotVaultUser
        );
        require!(
            self.perp_market.load()?.market_index == vault.market_index,
            VaultError::WrongMarket
        );
        Ok(())
    }

    /// The market's oracle price, valid for margin (fresh and certain). precision: PRICE
    fn oracle_price(&self) -> Result<u64> {
        Ok(self.views()?.0[0].oracle_price)
    }

    /// The reserve prices within `PRICE_TOLERANCE` of the oracle. precision: PRICE
    pub fn near_oracle(&self) -> Result<PriceBounds> {
        let band = PriceBand::around(self.oracle_price()?, PRICE_TOLERANCE)?;
        Ok(PriceBounds {
            min: band.low,
            max: band.high,
        })
    }

    /// Refuses (`CurveOffOracle`) unless the market's curve stands within `PRICE_TOLERANCE` of
    /// the oracle now and stood so at the start of this second: then no trade earlier in the
    /// same transaction moved the vault's value by more than that tolerance allows.
    pub fn check_curve_near_oracle(&self) -> Result<()> {
        let bounds = self.near_oracle()?;
        let market = self.perp_market.load()?;
        let now = Clock::get()?.unix_timestamp;
        let near = |price: u64| (bounds.min..=bounds.max).contains(&price);
        require!(
            near(reserve_price_at_start(&market, now)?) && near(current_reserve_price(&market)?),
            VaultError::CurveOffOracle
        );
        Ok(())
    }

    /// The vault's market at a fresh, certain oracle price: a price BAL's margin would stand
    /// in for a stale feed is no price to buy or redeem shares at.
    fn views(&self) -> Result<MarketViews> {
        let pair = [
            self.perp_market.to_account_info(),
            self.oracle.to_account_info(),
        ];
        let views = load_market_views(&pair, OracleAction::Margin, &Clock::get()?)?;
        require!(
            views.0.iter().all(|view| !view.stale),
            VaultError::OracleUnusable
        );
        Ok(views)
    }

    /// The subaccount's two values from one read of its market: `net_value` at the oracle (a
    /// price valid for margin), gains at face, what a deposit pays for its shares, so no gain
    /// the pool has yet to pay is bought cheaply from the shares already out; and
    /// `payable_value`, which a deposit needs positive (`equity::check_payable`).
    /// precision: QUOTE
    #[inline(never)]
    pub fn net_and_payable_value(&self) -> Result<(i128, i128)> {
        let (user, spot, views) = (self.user.load()?, self.spot_market.load()?, self.views()?);
        Ok((
            net_value(&user, &spot, &views)?,
            payable_value(&user, &spot, &views)?,
        ))
    }

    /// The subaccount's value with gains counted only as far as the market's P&L pool will
    /// pay them (BAL's `payable_value`): what a redemption is paid from, so no redeemer takes
    /// other depositors' cash for a claim the pool may never pay. precision: QUOTE
    #[inline(never)]
    pub fn payable_value(&self) -> Result<i128> {
        payable_value(
            &*self.user.load()?,
            &*self.spot_market.load()?,
            &self.views()?,
        )
    }

    /// The subaccount's quote balance: settled cash (negative when borrowed). precision: QUOTE
    pub fn cash(&self) -> Result<i128> {
        signed_token_amount(&self.user.load()?.quote_balance, &*self.spot_market.load()?)
    }

    /// The plan for redeeming `shares` of `total_shares` (see `exit`). Not inlined: its copies
    /// of the accounts need a stack frame of their own on the sBPF VM.
    #[inline(never)]
    pub fn plan_exit(&self, shares: u64, total_shares: u64) -> Result<ExitPlan> {
        let oracle_price = self.oracle_price()?;
        let user = self.user.load()?;
        let market = self.perp_market.load()?;
        plan_exit(
            &VaultBooks {
                user: &user,
                market: &market,
                total_shares,
                oracle_price,
            },
            shares,
        )
    }

    /// The vault's market's index: the first argument of every BAL instruction acting there.
    pub fn market_index(&self) -> Result<u16> {
        Ok(self.perp_market.load()?.market_index)
    }

    /// The subaccount's position in the vault's market: `None` without one, else its LP shares.
    pub fn lp_shares(&self) -> Result<Option<u64>> {
        let user = self.user.load()?;
        let market_index = self.market_index()?;
        find_position(&user, market_index)
            .map(|slot| {
                u64::try_from(user.perp_positions[slot].lp.shares.get())
                    .map_err(|_| error!(VaultError::MathOverflow))
            })
            .transpose()
    }

    /// Whether the vault's market is settling (or delisted): positions close at its settlement
    /// price, not through the AMM, and nothing is added.
    pub fn market_settling(&self) -> Result<bool> {
        self.perp_market.load()?.is_settling()
    }

    /// Whether the vault's position in its market still claims an unpaid gain (a settling
    /// market's registered claim).
    pub fn claim_waiting(&self) -> Result<bool> {
        let user = self.user.load()?;
        let market_index = self.market_index()?;
        Ok(find_position(&user, market_index)
            .is_some_and(|slot| user.perp_positions[slot].quote_asset_amount.get() > 0))
    }

    /// The market's LP share step: BAL mints whole steps only.
    pub fn lp_step(&self) -> Result<u64> {
        Ok(self.perp_market.load()?.order_step_size)
    }
}

/// What moving quote tokens between the vault and BAL takes besides `BalAccounts`.
#[derive(Accounts)]
pub struct BalTokens<'info> {
    /// CHECK: BAL's token vault of the quote spot market, checked by BAL (address).
    #[account(mut)]
    pub bal_token_vault: UncheckedAccount<'info>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
}
