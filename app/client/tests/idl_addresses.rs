//! What the committed IDL lets a client resolve on its own, checked against the program's own
//! derivations: the `#[event_cpi]` accounts' address and seeds, no PDA seeded from the account
//! itself (which no generator can resolve), and every perp market seeded from the instruction's
//! first argument, `market_index`.
use anchor_lang::prelude::Pubkey;
use serde_json::Value;

const IDL: &str = include_str!("../../../idl/bal.json");

fn accounts(instruction: &Value) -> &Vec<Value> {
    instruction["accounts"].as_array().expect("accounts")
}

/// The address an account's PDA seeds give when every seed is a constant.
fn derived_from_constants(account: &Value) -> Option<Pubkey> {
    let seeds: Vec<Vec<u8>> = account["pda"]["seeds"]
        .as_array()?
        .iter()
        .map(|seed| {
            (seed["kind"] == "const").then(|| {
                let bytes = seed["value"].as_array().expect("bytes");
                bytes
                    .iter()
                    .map(|b| b.as_u64().expect("byte") as u8)
                    .collect()
            })
        })
        .collect::<Option<_>>()?;
    let refs: Vec<&[u8]> = seeds.iter().map(Vec::as_slice).collect();
    Some(Pubkey::find_program_address(&refs, &bal::ID).0)
}

#[test]
fn every_event_account_and_constant_pda_resolves_to_the_programs_own() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let mut event_authorities = 0;
    for instruction in idl["instructions"].as_array().expect("instructions") {
        let name = instruction["name"].as_str().expect("name");
        for account in accounts(instruction) {
            match account["name"].as_str().expect("account name") {
                "program" => assert_eq!(account["address"], bal::ID.to_string(), "{name}"),
                "event_authority" => {
                    let derived = derived_from_constants(account);
                    assert_eq!(derived, Some(bal_client::pda::event_authority()), "{name}");
                    event_authorities += 1;
                }
                "spot_market" => {
                    let derived = derived_from_constants(account);
                    assert_eq!(derived, Some(bal_client::pda::spot_market(0)), "{name}");
                }
                _ => {}
            }
        }
    }
    assert!(event_authorities >= 20, "{event_authorities}");
}

#[test]
fn no_pda_is_seeded_from_itself_and_perp_markets_come_from_the_first_argument() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let mut perp_markets = 0;
    for instruction in idl["instructions"].as_array().expect("instructions") {
        let name = instruction["name"].as_str().expect("name");
        for account in accounts(instruction) {
            let own = account["name"].as_str().expect("account name");
            let seeds = account["pda"]["seeds"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for seed in &seeds {
                let path = seed["path"].as_str().unwrap_or_default();
                assert!(
                    !(seed["kind"] == "account" && path.split('.').next() == Some(own)),
                    "{name}: {own} is seeded from itself"
                );
            }
            if own == "perp_market" && name != "initialize_perp_market" {
                assert_eq!(seeds[1]["kind"], "arg", "{name}");
                assert_eq!(seeds[1]["path"], "market_index", "{name}");
                assert_eq!(instruction["args"][0]["name"], "market_index", "{name}");
                perp_markets += 1;
            }
        }
    }
    assert!(perp_markets >= 20, "{perp_markets}");
}
