use crate::error::BalError;
use crate::math::constants::ACCOUNT_VERSION;
use crate::validate;
use anchor_lang::prelude::*;

/// Where a market reads its price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum OracleSource {
    /// A `ProgramOracle` account of this program: tests and pre-launch markets.
    Program,
    /// A Pyth pull `PriceUpdateV2` account written by Pyth's receiver program.
    PythPull,
}

impl OracleSource {
    pub fn from_u8(value: u8) -> Result<Self> {
        match value {
            0 => Ok(OracleSource::Program),
            1 => Ok(OracleSource::PythPull),
            _ => err!(BalError::InvalidOracle),
        }
    }
}

/// A price as read from any oracle, in this program's units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OraclePrice {
    /// precision: PRICE. Signed: a non-positive price is read, then refused by validation.
    pub price: i64,
    /// Half-width of the confidence interval. precision: PRICE
    pub confidence: u64,
    pub publish_time: i64,
    pub publish_slot: u64,
}

/// A price an authorized updater writes; the oracle for tests and pre-launch markets.
#[account(zero_copy)]
#[derive(Debug)]
pub struct ProgramOracle {
    /// The only key that may write the price.
    pub updater: Pubkey,
    /// precision: PRICE
    pub price: i64,
    /// precision: PRICE
    pub confidence: u64,
    /// unix seconds
    pub publish_time: i64,
    /// a slot
    pub publish_slot: u64,
    /// the oracle id (u16 LE in its seeds)
    pub oracle_id: u16,
    /// the layout version (`ACCOUNT_VERSION`)
    pub version: u8,
    /// the PDA bump
    pub bump: u8,
    pub padding: [u8; 4],
    pub reserved: [u8; 32],
}

const _: () = assert!(std::mem::size_of::<ProgramOracle>() == 104);

impl ProgramOracle {
    pub const SPACE: usize = 8 + std::mem::size_of::<ProgramOracle>();

    pub fn read(&self) -> OraclePrice {
        OraclePrice {
            price: self.price,
            confidence: self.confidence,
            publish_time: self.publish_time,
            publish_slot: self.publish_slot,
        }
    }

    /// The price in `account`, refusing anything but a `ProgramOracle` of this program.
    pub fn read_from(account: &AccountInfo) -> Result<OraclePrice> {
        validate!(*account.owner == crate::ID, BalError::InvalidOracle);
        let data = account.try_borrow_data()?;
        let start = Self::DISCRIMINATOR.len();
        validate!(
            data.len() >= Self::SPACE && data[..start] == *Self::DISCRIMINATOR,
            BalError::InvalidOracle
        );
        let oracle: &ProgramOracle = bytemuck::from_bytes(&data[start..Self::SPACE]);
        Ok(oracle.read())
    }

    pub fn invariant(&self) -> Result<()> {
        validate!(
            self.version == ACCOUNT_VERSION,
            BalError::UnsupportedAccountVersion
        );
        Ok(())
    }
}
