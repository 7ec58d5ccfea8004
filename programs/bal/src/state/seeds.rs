//! PDA seeds, in one place. Every PDA stores its canonical bump at creation.

/// The global `State`: `[STATE_SEED]`.
pub const STATE_SEED: &[u8] = b"state";
