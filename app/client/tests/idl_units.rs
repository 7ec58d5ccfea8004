//! Every numeric field of every account, type and record in the committed IDL says its unit:
//! a precision (`precision: QUOTE`, ...), seconds or a unix time, a slot, a count, an index or
//! id, bits, a 0-or-1 flag, a bump, a version, or a code (`as u8`). An integrator reading only
//! the IDL never has to open the program to learn what a number means.
use serde_json::Value;

const IDL: &str = include_str!("../../../idl/bal.json");
const NUMBERS: [&str; 10] = [
    "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128",
];
const WIDE: [&str; 3] = ["WideU128", "WideI128", "WideI256"];
const UNITS: [&str; 17] = [
    "precision: ",
    "seconds",
    "unix day",
    "slot",
    "count",
    "index",
    " id",
    "bits",
    "0 or 1",
    "bump",
    "version",
    "decimals",
    "as u8",
    "utf-8",
    "words",
    "insurance shares",
    "a code",
];

fn numeric(ty: &Value) -> bool {
    match ty {
        Value::String(name) => NUMBERS.contains(&name.as_str()),
        Value::Object(object) => {
            let defined = object.get("defined").and_then(|d| d["name"].as_str());
            defined.is_some_and(|name| WIDE.contains(&name))
                || object.get("option").is_some_and(numeric)
                || object.get("array").is_some_and(|array| numeric(&array[0]))
        }
        _ => false,
    }
}

#[test]
fn every_numeric_field_in_the_idl_names_its_unit() {
    let idl: Value = serde_json::from_str(IDL).expect("IDL");
    let mut checked = 0;
    let mut missing = Vec::new();
    for ty in idl["types"].as_array().expect("types") {
        let fields = ty["type"]["fields"].as_array().cloned().unwrap_or_default();
        for field in fields.iter().filter(|f| numeric(&f["type"])) {
            let name = field["name"].as_str().expect("field name");
            if name.starts_with("padding") || name.starts_with("reserved") {
                continue;
            }
            checked += 1;
            let docs = field["docs"].as_array().cloned().unwrap_or_default();
            let docs: String = docs
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            let docs = docs.to_lowercase();
            if !UNITS.iter().any(|unit| docs.contains(unit)) {
                missing.push(format!(
                    "{}.{name}",
                    ty["name"].as_str().expect("type name")
                ));
            }
        }
    }
    assert!(checked > 250, "{checked} numeric fields");
    assert!(missing.is_empty(), "no unit in the docs of {missing:?}");
}
