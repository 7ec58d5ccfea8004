//! The instruction rows of `docs/compute-units.md` from a run: each row keeps its label (and the
//! description in parentheses after it) and takes the run's CU range and ceiling, so the page
//! the README links shows what the benchmark measured. `--write-docs` rewrites them;
//! `--check-docs` (the test command) fails on a row the run no longer matches, like the IDL's
//! staleness check.
use std::collections::BTreeMap;
use std::path::Path;

/// `12345` as `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The row for `label` (and its `rest`, the description) with `(min, max, ceiling)`.
fn row(label: &str, rest: &str, (min, max, ceiling): (u64, u64, u64)) -> String {
    let range = if min == max {
        thousands(min)
    } else {
        format!("{}–{}", thousands(min), thousands(max))
    };
    format!("| {label}{rest} | {range} | {} |", thousands(ceiling))
}

/// What to do with a row the run changed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    Check,
}

/// The rows of `path` whose first cell names a measured instruction and that the run changed,
/// as `(committed, measured)`; with `Mode::Write` the file is rewritten with the run's.
pub fn update(
    path: &Path,
    measured: &BTreeMap<&str, (u64, u64, u64)>,
    mode: Mode,
) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut changed = Vec::new();
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // A three-column row: "", first cell, CU, ceiling, "".
            let Some(first) = cells.get(1).filter(|_| cells.len() == 5) else {
                return line.to_string();
            };
            let label = first.split(' ').next().unwrap_or_default();
            let Some(values) = measured.get(label) else {
                return line.to_string();
            };
            let new = row(label, &first[label.len()..], *values);
            if new != line {
                changed.push((line.to_string(), new.clone()));
            }
            new
        })
        .collect();
    if mode == Mode::Write {
        std::fs::write(path, lines.join("\n") + "\n")
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_labels_and_take_the_run() {
        assert_eq!(thousands(258_319), "258,319");
        assert_eq!(thousands(999), "999");
        assert_eq!(
            row("vault_deposit", " (deposit CPI)", (75_939, 75_939, 95_000)),
            "| vault_deposit (deposit CPI) | 75,939 | 95,000 |"
        );
        assert_eq!(
            row("add_liquidity", "", (26_637, 30_038, 36_000)),
            "| add_liquidity | 26,637–30,038 | 36,000 |"
        );
    }
}
