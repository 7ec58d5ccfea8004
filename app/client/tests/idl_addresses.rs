//! What the committed IDL lets a client resolve on its own, checked against the program's own
//! derivations: the `#[event_cpi]` accounts' address and seeds, no PDA seeded from the account
//! itself (which no generator can resolve), and every perp market seeded from the instruction's
//! first argument, `market_index`; every account a caller does not name resolves (a signer, a
//! PDA, a fixed address or a relation).
use anchor_lang::prelude::Pubkey;
use serde_json::Value;

const IDL: &str = include_str!("../../../idl/bal.json");

/// An instruction's accounts in order, a composite's (`{ name, accounts }`) in its place.
fn accounts(instruction: &Value) -> Vec<&Value> {
    fn flatten<'a>(items: &'a Value, out: &mut Vec<&'a Value>) {
        for item in items.as_array().expect("accounts") {
            match item.get("accounts") {
                Some(nested) => flatten(nested, out),
                None => out.push(item),
            }
        }
    }
    let mut out = Vec::new();
    flatten(&instruction["accounts"], &mut out);
    out
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

/// What a caller names in each instruction beyond its signers and arguments, where the IDL
/// does not resolve it (`idl/caller-inputs.json`, which says why; the generated client's test
/// reads the same list). Every other account must resolve: a signer, a PDA, a fixed address,
/// or a relation (read from another account: a market's oracle, the quote market's mint and
/// token program, an admin or updater from the account naming it).
const CALLER_INPUTS: &str = include_str!("../../../idl/caller-inputs.json");

#[test]
fn every_account_a_caller_does_not_name_resolves() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let inputs: Value = serde_json::from_str(CALLER_INPUTS).expect("caller inputs");
    for instruction in idl["instructions"].as_array().expect("instructions") {
        let name = instruction["name"].as_str().expect("name");
        let unresolved: Vec<&str> = accounts(instruction)
            .iter()
            .filter(|account| {
                account["signer"] != true
                    && account.get("pda").is_none()
                    && account.get("address").is_none()
                    && account.get("relations").is_none()
            })
            .map(|account| account["name"].as_str().expect("account name"))
            .collect();
        let listed: Vec<&str> = inputs["inputs"][name]
            .as_array()
            .map(|names| names.iter().map(|n| n.as_str().expect("name")).collect())
            .unwrap_or_default();
        assert_eq!(
            unresolved, listed,
            "{name}: the accounts a caller must name"
        );
    }
}

#[test]
fn a_markets_oracle_and_the_quote_mint_are_relations_and_the_vault_a_pda() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let (mut oracles, mut mints, mut vaults) = (0, 0, 0);
    for instruction in idl["instructions"].as_array().expect("instructions") {
        let name = instruction["name"].as_str().expect("name");
        for account in accounts(instruction) {
            match account["name"].as_str().expect("account name") {
                // A program oracle being created or published to is named by the caller.
                "oracle"
                    if account.get("pda").is_none()
                        && !name.ends_with("program_oracle")
                        && name != "initialize_perp_market" =>
                {
                    assert_eq!(account["relations"][0], "perp_market", "{name}");
                    oracles += 1;
                }
                "mint" | "token_program" if name != "initialize_spot_market" => {
                    assert_eq!(account["relations"][0], "spot_market", "{name}");
                    mints += 1;
                }
                "vault" if name != "initialize_spot_market" => {
                    let derived = derived_from_constants(account);
                    assert_eq!(derived, Some(bal_client::pda::spot_vault(0)), "{name}");
                    vaults += 1;
                }
                _ => {}
            }
        }
    }
    assert!(
        oracles == 14 && mints == 8 && vaults == 4,
        "{oracles} {mints} {vaults}"
    );
}
