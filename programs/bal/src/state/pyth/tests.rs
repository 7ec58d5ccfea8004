//! Real `PriceUpdateV2` accounts, as published in drift-labs/protocol-v2's test suite
//! (`programs/drift/src/state/oracle/tests.rs` and `controller/pnl/tests.rs`).
use super::*;

/// BONK/USD, fully verified.
const BONK_FULL: &str = "22f123639d7ef4cdb4eacbe402ae9165c2ab7dfcdbe5044d27f284106f88a90bfddefa5fbff60ca00172b021217ca3fe68922a19aaf990109cb9d84e9ad004b4d2025ad6f529314419b6450500000000000502000000000000f6ffffffc578586600000000c578586600000000931f0500000000009f01000000000000053306100000000000";
/// SOL/USD, partially verified (two guardian signatures).
const SOL_PARTIAL: &str = "22f123639d7ef4cd971d0cabc898cc1e807612aea951af898f9bf82a44f583fbc965016a78fc3e0a0002ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d8bc5aa72030000000b0ec80000000000f8ffffffaf9cbb6600000000af9cbb660000000008a0c372030000001634b60000000000f737e41000000000";

fn bytes(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn parses_a_real_fully_verified_update() {
    let update = parse_price_update(&bytes(BONK_FULL)).unwrap();
    assert_eq!(update.price, 345_526);
    assert_eq!(update.confidence, 517);
    assert_eq!(update.exponent, -10);
    assert_eq!(update.publish_time, 1_717_074_117);
    assert_eq!(update.posted_slot, 268_841_733);
    assert_eq!(
        update.feed_id[..4],
        [0x72, 0xb0, 0x21, 0x21],
        "BONK/USD feed id 72b02121…"
    );
    // 0.0000345526 USD in six decimals.
    let price = update.to_oracle_price().unwrap();
    assert_eq!(price.price, 34);
    assert_eq!(price.publish_slot, 268_841_733);
}

#[test]
fn refuses_a_partially_verified_update() {
    let error = parse_price_update(&bytes(SOL_PARTIAL)).unwrap_err();
    assert_eq!(error, BalError::OracleNotVerified.into());
}

#[test]
fn refuses_other_accounts_and_short_data() {
    let mut data = bytes(BONK_FULL);
    data[0] ^= 1;
    assert_eq!(
        parse_price_update(&data).unwrap_err(),
        BalError::InvalidOracle.into()
    );
    assert_eq!(
        parse_price_update(&bytes(BONK_FULL)[..100]).unwrap_err(),
        BalError::InvalidOracle.into()
    );
}

#[test]
fn converts_exponents_both_ways_and_keeps_the_sign() {
    let update = PriceUpdate {
        feed_id: [0; 32],
        price: -14_808_696_203,
        confidence: 13_110_795,
        exponent: -8,
        publish_time: 0,
        posted_slot: 0,
    };
    let price = update.to_oracle_price().unwrap();
    assert_eq!(price.price, -148_086_962);
    assert_eq!(price.confidence, 131_107);
    let whole = PriceUpdate {
        price: 42,
        exponent: 0,
        ..update
    };
    assert_eq!(whole.to_oracle_price().unwrap().price, 42_000_000);
}
