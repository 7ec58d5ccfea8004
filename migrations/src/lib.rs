//! The migrations: deploy the program, then initialize the state, the quote spot market, the
//! program oracles and the perp markets a config file describes, through any `Chain` (an RPC
//! node in the binary, the in-process runtime in the tests). Every step first looks at the
//! chain and is skipped when its account already exists, so a rerun finishes what a failed run
//! started and changes nothing after a complete one.
pub mod config;
pub mod deploy;

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::solana_program::system_instruction;
use anchor_lang::AccountDeserialize;
use anchor_spl::token::spl_token;
use anchor_spl::token_2022::spl_token_2022;
use bal::instructions::UpdatePerpMarketParams;
use bal::state::{MarketStatus, OracleSource, PerpMarket, ProgramOracle, SpotMarket, State};
use bal_client::defaults::{default_interest_curve, default_params, default_perp_market};
use bal_client::instructions::{self as ix, QuoteMint};
use bal_client::pda;
use bal_client::read::decode;
use bal_transport::chain::Chain;
use bal_transport::keypair::{read_keypair, write_new_keypair};
use config::{Config, MarketConfig};
use solana_keypair::Keypair;
use solana_signer::Signer;

/// What a step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Done(String),
    /// Already there: nothing sent.
    Exists(String),
}

/// Size of an SPL mint account (Token and Token-2022 without extensions).
const MINT_SPACE: usize = 82;

struct Run<'a, C: Chain> {
    chain: &'a mut C,
    steps: Vec<Step>,
}

impl<C: Chain> Run<'_, C> {
    async fn exists(&mut self, address: Pubkey) -> Result<Option<Vec<u8>>, String> {
        Ok(self
            .chain
            .account(address)
            .await
            .map_err(|e| e.to_string())?
            .map(|a| a.data))
    }

    async fn send(
        &mut self,
        what: String,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), String> {
        self.chain
            .send(instructions, signers)
            .await
            .map_err(|e| format!("{what}: {e}"))?;
        self.steps.push(Step::Done(what));
        Ok(())
    }

    async fn state(&mut self, config: &Config) -> Result<(), String> {
        let admin = self.chain.signer();
        if let Some(data) = self.exists(pda::state()).await? {
            let state = State::try_deserialize(&mut data.as_slice()).map_err(|e| e.to_string())?;
            if state.admin != admin {
                return Err(format!("the state's admin is {}, not {admin}", state.admin));
            }
            self.steps.push(Step::Exists("state".into()));
            return Ok(());
        }
        let mut params = default_params();
        let wanted = &config.exchange;
        params.lp_cooldown_seconds = wanted
            .lp_cooldown_seconds
            .unwrap_or(params.lp_cooldown_seconds);
        let fees = &mut params.fees;
        fees.taker_fee_rate = wanted.taker_fee_rate.unwrap_or(fees.taker_fee_rate);
        fees.maker_rebate_rate = wanted.maker_rebate_rate.unwrap_or(fees.maker_rebate_rate);
        fees.filler_reward_rate = wanted.filler_reward_rate.unwrap_or(fees.filler_reward_rate);
        fees.liquidator_share_rate = wanted
            .liquidator_share_rate
            .unwrap_or(fees.liquidator_share_rate);
        self.send("state".into(), &[ix::initialize(admin, params)], &[])
            .await
    }

    /// The configured mint, or the one of `mint_keypair_path`, created when missing.
    async fn quote_mint(&mut self, config: &Config) -> Result<QuoteMint, String> {
        let token_program = match config.quote.token_program.as_str() {
            "token" => spl_token::ID,
            "token-2022" => spl_token_2022::ID,
            other => return Err(format!("unknown token program {other}")),
        };
        if let Some(mint) = &config.quote.mint {
            let mint = mint.parse().map_err(|_| format!("invalid mint {mint}"))?;
            return Ok(QuoteMint {
                mint,
                token_program,
            });
        }
        let path = config
            .quote
            .mint_keypair_path
            .as_ref()
            .ok_or("quote: give `mint` or `mint_keypair_path`")?;
        if !path.exists() {
            write_new_keypair(path, &Keypair::new())?;
        }
        let mint = read_keypair(path)?;
        let quote = QuoteMint {
            mint: mint.pubkey(),
            token_program,
        };
        if self.exists(mint.pubkey()).await?.is_some() {
            self.steps.push(Step::Exists("quote mint".into()));
            return Ok(quote);
        }
        let payer = self.chain.signer();
        let rent = anchor_lang::prelude::Rent::default().minimum_balance(MINT_SPACE);
        let create = system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent,
            MINT_SPACE as u64,
            &token_program,
        );
        let init = spl_token_2022::instruction::initialize_mint2(
            &token_program,
            &mint.pubkey(),
            &payer,
            None,
            config.quote.decimals,
        )
        .map_err(|e| e.to_string())?;
        self.send("quote mint".into(), &[create, init], &[&mint])
            .await?;
        Ok(quote)
    }

    async fn spot_market(&mut self, quote: QuoteMint) -> Result<(), String> {
        if let Some(data) = self.exists(pda::spot_market(0)).await? {
            let spot: SpotMarket = decode(&data).map_err(|e| format!("{e:?}"))?;
            if spot.mint != quote.mint {
                return Err(format!(
                    "the quote market holds {}, not {}",
                    spot.mint, quote.mint
                ));
            }
            self.steps.push(Step::Exists("quote spot market".into()));
            return Ok(());
        }
        let admin = self.chain.signer();
        let instruction = ix::initialize_spot_market(admin, quote, default_interest_curve());
        self.send("quote spot market".into(), &[instruction], &[])
            .await
    }

    async fn oracles(&mut self, config: &Config) -> Result<(), String> {
        let admin = self.chain.signer();
        for oracle in &config.oracles {
            let address = pda::program_oracle(oracle.id);
            let updater = match &oracle.updater {
                Some(key) => key.parse().map_err(|_| format!("invalid updater {key}"))?,
                None => admin,
            };
            let name = format!("oracle {}", oracle.id);
            let data = match self.exists(address).await? {
                Some(data) => {
                    self.steps.push(Step::Exists(name.clone()));
                    data
                }
                None => {
                    let instruction = ix::initialize_program_oracle(admin, oracle.id, updater);
                    self.send(name.clone(), &[instruction], &[]).await?;
                    self.exists(address).await?.ok_or("the oracle vanished")?
                }
            };
            let current: ProgramOracle = decode(&data).map_err(|e| format!("{e:?}"))?;
            // A first price only: a live oracle's prices are its updater's business.
            if let (Some(price), true, 0) = (oracle.price, updater == admin, current.publish_time) {
                let confidence = price.unsigned_abs() / 10_000;
                let instruction = ix::update_program_oracle(admin, address, price, confidence);
                self.send(format!("{name} first price"), &[instruction], &[])
                    .await?;
            }
        }
        Ok(())
    }

    async fn market(&mut self, wanted: &MarketConfig) -> Result<(), String> {
        let admin = self.chain.signer();
        let address = pda::perp_market(wanted.index);
        let name = format!("market {} ({})", wanted.index, wanted.name);
        let existing = self.exists(address).await?;
        if existing.is_none() {
            let (oracle, params) = market_params(wanted)?;
            let instruction = ix::initialize_perp_market(admin, oracle, wanted.index, params);
            self.send(name.clone(), &[instruction], &[]).await?;
        } else {
            self.steps.push(Step::Exists(name.clone()));
        }
        let data = self.exists(address).await?.ok_or("the market vanished")?;
        let market: PerpMarket = decode(&data).map_err(|e| format!("{e:?}"))?;
        if wanted.activate
            && market.status().map_err(|e| e.to_string())? == MarketStatus::Initialized
        {
            let params = UpdatePerpMarketParams {
                status: Some(MarketStatus::Active),
                ..Default::default()
            };
            let instruction = ix::update_perp_market(admin, wanted.index, params);
            self.send(format!("{name} active"), &[instruction], &[])
                .await?;
        }
        Ok(())
    }
}

/// The market's oracle account and its parameters: the defaults with the config's overrides.
fn market_params(
    wanted: &MarketConfig,
) -> Result<(Pubkey, bal::instructions::InitializePerpMarketParams), String> {
    let mut params = default_perp_market();
    let name = wanted.name.as_bytes();
    if name.len() > params.name.len() {
        return Err(format!(
            "market name {} is longer than 32 bytes",
            wanted.name
        ));
    }
    params.name = [0; 32];
    params.name[..name.len()].copy_from_slice(name);
    params.sqrt_k = wanted.sqrt_k.unwrap_or(params.sqrt_k);
    let ratios = &mut params.margin_ratios;
    ratios.initial = wanted.initial_margin_ratio.unwrap_or(ratios.initial);
    ratios.maintenance = wanted
        .maintenance_margin_ratio
        .unwrap_or(ratios.maintenance);
    let oracle = match (
        wanted.oracle_id,
        &wanted.pyth_price_account,
        &wanted.pyth_feed_id,
    ) {
        (Some(id), None, None) => pda::program_oracle(id),
        (None, Some(account), Some(feed)) => {
            params.oracle_source = OracleSource::PythPull;
            params.pyth_feed_id = parse_feed_id(feed)?;
            account
                .parse()
                .map_err(|_| format!("invalid Pyth account {account}"))?
        }
        _ => {
            return Err(format!(
                "market {}: give `oracle_id`, or `pyth_price_account` and `pyth_feed_id`",
                wanted.index
            ))
        }
    };
    Ok((oracle, params))
}

/// A 32-byte Pyth feed id from its hex form (with or without `0x`).
fn parse_feed_id(hex: &str) -> Result<[u8; 32], String> {
    let hex = hex.trim_start_matches("0x");
    if hex.len() != 64 {
        return Err(format!("a feed id is 64 hex digits, not {}", hex.len()));
    }
    let mut id = [0u8; 32];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
            .map_err(|_| format!("invalid hex in feed id {hex}"))?;
    }
    Ok(id)
}

/// Runs every step; the chain's signer pays, deploys and administers.
pub async fn run<C: Chain>(chain: &mut C, config: &Config) -> Result<Vec<Step>, String> {
    let mut run = Run {
        chain,
        steps: Vec::new(),
    };
    let program = read_keypair(&config.program_keypair_path)?;
    if program.pubkey() != bal::ID {
        return Err(format!(
            "the program keypair is {}, but the program is built for {}",
            program.pubkey(),
            bal::ID
        ));
    }
    let deployed = deploy::deploy(
        run.chain,
        &program,
        &config.program_path,
        config.program_extra_space,
    )
    .await?;
    run.steps.push(deployed);
    run.state(config).await?;
    let quote = run.quote_mint(config).await?;
    run.spot_market(quote).await?;
    run.oracles(config).await?;
    for market in &config.markets {
        run.market(market).await?;
    }
    Ok(run.steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_ids_parse_from_hex() {
        let hex = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
        let id = parse_feed_id(&format!("0x{hex}")).unwrap();
        assert_eq!(id[0], 0xef);
        assert_eq!(id[31], 0x6d);
        assert!(parse_feed_id("abc").is_err());
        assert!(parse_feed_id(&"zz".repeat(32)).is_err());
    }
}
