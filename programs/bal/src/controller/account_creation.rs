//! Creating program-owned PDAs, with typed refusals for every way an address can be taken.
//!
//! Anchor's `init` refuses an existing account only through the system program's error, and on
//! runtimes without `CreateAccountAllowPrefund` it cannot create a PDA someone pre-funded. This
//! path handles both: a program-owned account is `AccountAlreadyInitialized`, a prefunded system
//! account is topped up, allocated and assigned.
use crate::error::BalError;
use crate::validate;
use anchor_lang::prelude::*;
use anchor_lang::system_program::{self, Allocate, Assign, CreateAccount, Transfer};

pub struct NewPda<'a, 'info> {
    pub payer: &'a AccountInfo<'info>,
    pub account: &'a AccountInfo<'info>,
    pub system_program: &'a AccountInfo<'info>,
    pub space: usize,
    /// The account's seeds with its bump, so the program can sign for it.
    pub signer_seeds: &'a [&'a [u8]],
}

pub fn create_pda(new: &NewPda) -> Result<()> {
    validate!(
        *new.account.owner != crate::ID,
        BalError::AccountAlreadyInitialized
    );
    validate!(
        *new.account.owner == system_program::ID && new.account.data_is_empty(),
        BalError::AccountAddressInUse
    );
    let owner = crate::ID;
    let program = new.system_program.key();
    let signer: &[&[&[u8]]] = &[new.signer_seeds];
    let rent_exempt = Rent::get()?.minimum_balance(new.space);
    let prefunded = new.account.lamports();
    if prefunded == 0 {
        let accounts = CreateAccount {
            from: new.payer.clone(),
            to: new.account.clone(),
        };
        let cpi = CpiContext::new_with_signer(program, accounts, signer);
        return system_program::create_account(cpi, rent_exempt, new.space as u64, &owner);
    }
    let top_up = rent_exempt.saturating_sub(prefunded);
    if top_up > 0 {
        let accounts = Transfer {
            from: new.payer.clone(),
            to: new.account.clone(),
        };
        system_program::transfer(CpiContext::new(program, accounts), top_up)?;
    }
    let allocate = Allocate {
        account_to_allocate: new.account.clone(),
    };
    system_program::allocate(
        CpiContext::new_with_signer(program, allocate, signer),
        new.space as u64,
    )?;
    let assign = Assign {
        account_to_assign: new.account.clone(),
    };
    system_program::assign(CpiContext::new_with_signer(program, assign, signer), &owner)
}

/// Creates a zero-copy account at a PDA, writes its discriminator and lets `init` fill the
/// zeroed account before it is checked and stored.
pub fn create_zero_copy_pda<T: anchor_lang::ZeroCopy + Owner>(
    new: &NewPda,
    init: impl FnOnce(&mut T) -> Result<()>,
) -> Result<()> {
    create_pda(new)?;
    let mut data = new.account.try_borrow_mut_data()?;
    let (discriminator, body) = data.split_at_mut(T::DISCRIMINATOR.len());
    discriminator.copy_from_slice(T::DISCRIMINATOR);
    init(bytemuck::from_bytes_mut(
        &mut body[..std::mem::size_of::<T>()],
    ))
}
