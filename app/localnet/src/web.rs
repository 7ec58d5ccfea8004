//! The web page's server: the built page from a folder, `config.json` (where the page finds the
//! chain) and, on the local exchange only, `local-wallet.json` (the demo wallet's keypair).
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

pub struct Site {
    pub root: PathBuf,
    pub config: String,
    pub local_wallet: String,
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

impl Site {
    /// The body and type for `path`; `None` when there is no such file. Only plain names below
    /// the root are served (no `..`).
    fn resolve(&self, path: &str) -> Option<(Vec<u8>, &'static str)> {
        let path = path.split('?').next().unwrap_or("/");
        match path {
            "/config.json" => return Some((self.config.clone().into_bytes(), "application/json")),
            "/local-wallet.json" => {
                return Some((self.local_wallet.clone().into_bytes(), "application/json"))
            }
            _ => {}
        }
        let relative = Path::new(path.trim_start_matches('/'));
        if relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)))
        {
            return None;
        }
        let mut file = self.root.join(relative);
        if path.ends_with('/') || path.is_empty() {
            file = self.root.join(relative).join("index.html");
        }
        let body = std::fs::read(&file).ok()?;
        Some((body, content_type(&file)))
    }

    fn respond(&self, mut stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
        let mut request_line = String::new();
        BufReader::new(&stream).read_line(&mut request_line)?;
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let (status, body, kind) = match self.resolve(path) {
            Some((body, kind)) => ("200 OK", body, kind),
            None => ("404 Not Found", b"not found\n".to_vec(), "text/plain"),
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        stream.write_all(&body)
    }

    /// Serves on `listener` from its own thread until the process ends.
    pub fn serve(self, listener: TcpListener) {
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                // A client that hangs up or sends garbage only loses its own response.
                let _ = self.respond(stream);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_under_the_root_are_served_and_nothing_above_it() {
        let root = std::env::temp_dir().join(format!("bal-site-{}", std::process::id()));
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("index.html"), "<html></html>").unwrap();
        let site = Site {
            root: root.clone(),
            config: "{\"cluster\":\"localnet\"}".into(),
            local_wallet: "[1]".into(),
        };
        assert_eq!(site.resolve("/").unwrap().1, "text/html; charset=utf-8");
        assert_eq!(
            site.resolve("/config.json").unwrap().0,
            b"{\"cluster\":\"localnet\"}"
        );
        assert!(site.resolve("/../etc/passwd").is_none());
        assert!(site.resolve("/missing.js").is_none());
        std::fs::remove_dir_all(root).unwrap();
    }
}
