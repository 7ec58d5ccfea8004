//! Deploying an ELF through the upgradeable loader (loader-v3), as the Solana CLI does: a
//! buffer account, the ELF written into it in transaction-sized chunks (sent together, then
//! confirmed), and the deploy that turns the buffer into the program's data. The migration's
//! signer pays and becomes the upgrade authority.
use crate::Step;
use anchor_lang::prelude::{Pubkey, Rent};
use bal_transport::chain::{transaction_size, Chain, MAX_TRANSACTION_SIZE};
use solana_keypair::Keypair;
use solana_loader_v3_interface::instruction as loader;
use solana_loader_v3_interface::state::UpgradeableLoaderState;
use solana_signer::Signer;
use std::path::Path;

/// The largest ELF chunk a single write transaction carries.
fn chunk_size(buffer: &Pubkey, authority: &Pubkey) -> usize {
    let empty = transaction_size(
        &[loader::write(buffer, authority, 0, Vec::new())],
        authority,
    );
    // Two bytes for the instruction data's length prefix growing past one byte.
    MAX_TRANSACTION_SIZE - empty - 2
}

/// Deploys the ELF at `path` as `program`, unless an account already sits at its address.
pub async fn deploy<C: Chain>(
    chain: &mut C,
    program: &Keypair,
    path: &Path,
    extra_space: usize,
) -> Result<Step, String> {
    let what = format!("program {}", program.pubkey());
    if chain
        .account(program.pubkey())
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(Step::Exists(what));
    }
    let elf = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let payer = chain.signer();
    let rent = Rent::default();
    let buffer = Keypair::new();
    let create = loader::create_buffer(
        &payer,
        &buffer.pubkey(),
        &payer,
        rent.minimum_balance(UpgradeableLoaderState::size_of_buffer(elf.len())),
        elf.len(),
    )
    .map_err(|e| e.to_string())?;
    chain
        .send(&create, &[&buffer])
        .await
        .map_err(|e| format!("creating the buffer: {e}"))?;

    let size = chunk_size(&buffer.pubkey(), &payer);
    let writes = elf
        .chunks(size)
        .enumerate()
        .map(|(i, chunk)| {
            let offset = u32::try_from(i * size).map_err(|_| "the ELF is over 4 GiB")?;
            Ok(vec![loader::write(
                &buffer.pubkey(),
                &payer,
                offset,
                chunk.to_vec(),
            )])
        })
        .collect::<Result<Vec<_>, String>>()?;
    chain
        .send_all(&writes, &[])
        .await
        .map_err(|e| format!("writing the buffer: {e}"))?;

    let deploy = loader::deploy_with_max_program_len(
        &payer,
        &program.pubkey(),
        &buffer.pubkey(),
        &payer,
        rent.minimum_balance(UpgradeableLoaderState::size_of_program()),
        elf.len() + extra_space,
    )
    .map_err(|e| e.to_string())?;
    chain
        .send(&deploy, &[program])
        .await
        .map_err(|e| format!("deploying: {e}"))?;
    Ok(Step::Done(what))
}
