use anchor_lang::prelude::*;

/// Every way an instruction can refuse. Each has its own code so clients show a readable reason.
#[error_code]
pub enum BalError {
    #[msg("Arithmetic overflow or underflow")]
    MathError,
    #[msg("A value could not be converted without loss")]
    CastError,
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    #[msg("Signer is not the admin")]
    NotAdmin,
    #[msg("A parameter is out of its allowed range")]
    InvalidParameter,
    #[msg("Account version is not supported by this program")]
    UnsupportedAccountVersion,
    #[msg("Account invariant violated")]
    InvariantViolated,
    #[msg("Account is already initialized")]
    AccountAlreadyInitialized,
    #[msg("Address is held by an account this program did not create")]
    AccountAddressInUse,
}
