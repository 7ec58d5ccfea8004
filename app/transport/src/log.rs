//! Structured logs: one JSON object per line on stderr, with the time, level and message.
//! `BAL_KEEPER_LOG` sets the lowest level shown: `debug` (adds skips), `info` (the default),
//! `warn`, `error` or `off`.
use serde_json::{json, Value};

const LEVELS: [&str; 5] = ["debug", "info", "warn", "error", "off"];

fn rank(level: &str) -> usize {
    LEVELS.iter().position(|l| *l == level).unwrap_or(1)
}

fn enabled(level: &str) -> bool {
    let threshold = std::env::var("BAL_KEEPER_LOG").unwrap_or_default();
    rank(level) >= rank(&threshold)
}

pub fn event(level: &str, message: &str, fields: Value) {
    if !enabled(level) {
        return;
    }
    let ts = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    let mut line = json!({ "ts": ts, "level": level, "msg": message });
    if let (Some(line), Value::Object(fields)) = (line.as_object_mut(), fields) {
        line.extend(fields);
    }
    eprintln!("{line}");
}
