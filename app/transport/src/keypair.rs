//! Solana CLI keypair files: a JSON array of the 64 secret-and-public key bytes.
use solana_keypair::Keypair;
use std::path::Path;

pub fn read_keypair(path: &Path) -> Result<Keypair, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let bytes: Vec<u8> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Keypair::try_from(bytes.as_slice()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes `keypair` to a new file; refuses to replace an existing one (it may hold funds).
pub fn write_new_keypair(path: &Path, keypair: &Keypair) -> Result<(), String> {
    let json = serde_json::to_string(&keypair.to_bytes().to_vec()).map_err(|e| e.to_string())?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .and_then(|mut file| std::io::Write::write_all(&mut file, json.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_signer::Signer;

    #[test]
    fn a_written_keypair_reads_back_and_is_never_overwritten() {
        let path = std::env::temp_dir().join(format!("bal-keypair-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let keypair = Keypair::new();
        write_new_keypair(&path, &keypair).unwrap();
        assert_eq!(read_keypair(&path).unwrap().pubkey(), keypair.pubkey());
        assert!(write_new_keypair(&path, &Keypair::new()).is_err());
        assert_eq!(read_keypair(&path).unwrap().pubkey(), keypair.pubkey());
        std::fs::remove_file(&path).unwrap();
    }
}
