//! Token movements between users and a spot market's vault (SPL Token or Token-2022).
use crate::state::SPOT_MARKET_SEED;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{transfer_checked, TransferChecked};

/// The accounts of a transfer and its mint's decimals.
pub struct QuoteTransfer<'info> {
    pub from: AccountInfo<'info>,
    pub to: AccountInfo<'info>,
    pub authority: AccountInfo<'info>,
    pub mint: AccountInfo<'info>,
    pub token_program: AccountInfo<'info>,
    pub decimals: u8,
}

impl<'info> QuoteTransfer<'info> {
    fn accounts(&self) -> TransferChecked<'info> {
        TransferChecked {
            from: self.from.clone(),
            mint: self.mint.clone(),
            to: self.to.clone(),
            authority: self.authority.clone(),
        }
    }
}

/// The two ends of a quote transfer between a wallet's token account and a spot market's vault,
/// with who signs for each: the wallet's owner pays in, the spot market's PDA pays out.
pub struct WalletAndVault<'info> {
    pub wallet: AccountInfo<'info>,
    pub owner: AccountInfo<'info>,
    pub vault: AccountInfo<'info>,
    pub market: AccountInfo<'info>,
    pub mint: AccountInfo<'info>,
    pub token_program: AccountInfo<'info>,
    pub decimals: u8,
}

impl<'info> WalletAndVault<'info> {
    /// The transfer into the vault (signed by the owner) or out of it (by the market).
    pub fn transfer(self, into_vault: bool) -> QuoteTransfer<'info> {
        let (from, to, authority) = if into_vault {
            (self.wallet, self.vault, self.owner)
        } else {
            (self.vault, self.wallet, self.market)
        };
        QuoteTransfer {
            from,
            to,
            authority,
            mint: self.mint,
            token_program: self.token_program,
            decimals: self.decimals,
        }
    }
}

/// The spot market PDA that signs for its vault.
pub struct VaultSigner {
    pub market_index: u16,
    pub bump: u8,
}

/// A user's deposit into the vault, signed by the user.
pub fn transfer_to_vault(transfer: &QuoteTransfer, amount: u64) -> Result<()> {
    let cpi = CpiContext::new(transfer.token_program.key(), transfer.accounts());
    transfer_checked(cpi, amount, transfer.decimals)
}

/// A withdrawal from the vault, signed by the spot market PDA (the vault's authority). The
/// spot market's data must not be borrowed: the runtime reads it for the CPI.
pub fn transfer_from_vault(
    transfer: &QuoteTransfer,
    signer: &VaultSigner,
    amount: u64,
) -> Result<()> {
    let index = signer.market_index.to_le_bytes();
    let seeds: &[&[u8]] = &[SPOT_MARKET_SEED, &index, &[signer.bump]];
    let signers = &[seeds];
    let cpi =
        CpiContext::new_with_signer(transfer.token_program.key(), transfer.accounts(), signers);
    transfer_checked(cpi, amount, transfer.decimals)
}
