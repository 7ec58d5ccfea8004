//! Account data as a node sends it: base64, compressed with zstd where the keeper asks for it
//! (every round reads every account of the exchange, and an account is mostly empty slots:
//! compressed, a read is about an eighth of the bytes to encode, send and parse). One
//! decompression context serves a whole read: creating one per account cost more than the
//! decompression itself. Decompression is bounded: a few bytes of zstd can claim gigabytes,
//! and the node is not trusted with the keeper's memory.
use base64::prelude::{Engine, BASE64_STANDARD};
use solana_account_decoder_client_types::{UiAccountData, UiAccountEncoding};
use std::io::Read;
use zstd::zstd_safe::{DCtx, DParameter};

/// The most data a Solana account holds (the runtime's `MAX_PERMITTED_DATA_LENGTH`).
pub const MAX_ACCOUNT_DATA: usize = 10 * 1024 * 1024;

/// The largest zstd window accepted (2^24 bytes: 16 MiB, above any account), so a frame
/// cannot make the decoder allocate the 128 MiB a default decoder would.
const WINDOW_LOG_MAX: u32 = 24;

pub struct AccountDecoder {
    context: DCtx<'static>,
}

impl AccountDecoder {
    /// `None` when the decompression context cannot be allocated.
    pub fn new() -> Option<Self> {
        let mut context = DCtx::try_create()?;
        context
            .set_parameter(DParameter::WindowLogMax(WINDOW_LOG_MAX))
            .ok()?;
        Some(AccountDecoder { context })
    }

    /// The bytes `data` carries, or `None` when they do not decode or come to more than
    /// `limit` bytes (a truncated or corrupt frame included: never part of an account).
    pub fn decode(&mut self, data: &UiAccountData, limit: usize) -> Option<Vec<u8>> {
        let UiAccountData::Binary(blob, UiAccountEncoding::Base64Zstd) = data else {
            return data.decode().filter(|bytes| bytes.len() <= limit);
        };
        let compressed = BASE64_STANDARD.decode(blob).ok()?;
        let mut bytes = Vec::new();
        // One byte past the limit is enough to know the data is too long.
        let most = u64::try_from(limit).ok()?.saturating_add(1);
        // `with_context` resets the context's session: nothing a previous account left carries
        // over.
        zstd::stream::read::Decoder::with_context(compressed.as_slice(), &mut self.context)
            .take(most)
            .read_to_end(&mut bytes)
            .ok()?;
        (bytes.len() <= limit).then_some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bytes` as a node sends them in `base64+zstd`: one zstd frame, base64.
    fn compressed(bytes: &[u8]) -> String {
        BASE64_STANDARD.encode(zstd::stream::encode_all(bytes, 0).unwrap())
    }

    /// An account's worth of bytes, mostly zero, different for each `seed`.
    fn account(seed: u8) -> Vec<u8> {
        let mut bytes = vec![0u8; 2088];
        for (i, byte) in bytes.iter_mut().enumerate().step_by(97) {
            *byte = seed.wrapping_add(i as u8);
        }
        bytes
    }

    #[test]
    fn one_context_decodes_every_account_of_a_read() {
        let mut decoder = AccountDecoder::new().unwrap();
        for seed in 1..=3 {
            let data =
                UiAccountData::Binary(compressed(&account(seed)), UiAccountEncoding::Base64Zstd);
            assert_eq!(decoder.decode(&data, MAX_ACCOUNT_DATA), Some(account(seed)));
        }
    }

    #[test]
    fn a_truncated_or_corrupt_frame_is_not_an_account() {
        let mut decoder = AccountDecoder::new().unwrap();
        let frame = zstd::stream::encode_all(account(7).as_slice(), 0).unwrap();
        let truncated = BASE64_STANDARD.encode(&frame[..frame.len() - 3]);
        let corrupt = BASE64_STANDARD.encode([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff]);
        for blob in [truncated, corrupt, "not base64!".to_string()] {
            let data = UiAccountData::Binary(blob, UiAccountEncoding::Base64Zstd);
            assert_eq!(decoder.decode(&data, MAX_ACCOUNT_DATA), None);
        }
        // A failed frame leaves nothing behind for the next account.
        let data = UiAccountData::Binary(compressed(&account(8)), UiAccountEncoding::Base64Zstd);
        assert_eq!(decoder.decode(&data, MAX_ACCOUNT_DATA), Some(account(8)));
    }

    /// A frame of a few hundred bytes that claims far more than an account holds (here 64 MiB
    /// of zeros) is refused after reading one byte past the limit, compressed or not.
    #[test]
    fn data_longer_than_the_limit_is_refused_without_inflating_it() {
        let mut decoder = AccountDecoder::new().unwrap();
        let zeros = vec![0u8; 64 << 20];
        let bomb = zstd::stream::encode_all(zeros.as_slice(), 1).unwrap();
        assert!(bomb.len() < 64 << 10, "{} bytes", bomb.len());
        let data =
            UiAccountData::Binary(BASE64_STANDARD.encode(&bomb), UiAccountEncoding::Base64Zstd);
        assert_eq!(decoder.decode(&data, MAX_ACCOUNT_DATA), None);
        let exact = UiAccountData::Binary(compressed(&account(3)), UiAccountEncoding::Base64Zstd);
        assert_eq!(decoder.decode(&exact, 2087), None);
        assert_eq!(decoder.decode(&exact, 2088), Some(account(3)));
        let plain = UiAccountData::Binary(
            BASE64_STANDARD.encode(account(3)),
            UiAccountEncoding::Base64,
        );
        assert_eq!(decoder.decode(&plain, 2087), None);
    }

    #[test]
    fn uncompressed_data_decodes_as_sent() {
        let mut decoder = AccountDecoder::new().unwrap();
        let data = UiAccountData::Binary(
            BASE64_STANDARD.encode(account(5)),
            UiAccountEncoding::Base64,
        );
        assert_eq!(decoder.decode(&data, MAX_ACCOUNT_DATA), Some(account(5)));
    }
}
