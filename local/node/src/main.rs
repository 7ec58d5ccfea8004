//! `bal-local-node [--port 8899] [--ws-port 8900]`: a local Solana JSON-RPC node on 127.0.0.1,
//! surfpool's surfnet (LiteSVM) embedded in a binary of ours, offline (it never reaches for a
//! remote cluster). Its state lives in memory: every start is a fresh chain. It keeps the last
//! `KEPT_SLOTS` of blocks and transaction history, and hands the memory it frees back to the
//! system, so a long run's memory stays bounded.
//! Stops on Ctrl-C.
use surfpool_core::runloops::start_local_surfnet_runloop;
use surfpool_core::surfnet::locker::SurfnetSvmLocker;
use surfpool_core::surfnet::svm::{SurfnetSvm, SurfnetSvmConfig};
use surfpool_types::{RpcConfig, SimnetConfig, SimnetEvent, SurfpoolConfig};

/// Slots of blocks and transaction history the node keeps: about six minutes at the node's
/// 250 ms slots (surfpool's default slot time). A signature older than that has no status any
/// more (a client confirming its transactions asks within seconds).
const KEPT_SLOTS: u64 = 1_500;
/// How often older history is dropped.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(30);
/// How often freed memory goes back to the system: often enough that what the node frees
/// between returns stays small, and each return is quick.
const RETURN_FREE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// Drops the blocks older than `KEPT_SLOTS`, the transactions they hold and the profile tag
/// surfpool files under each executed transaction's signature (one per transaction, whether
/// profiling is on or not, never dropped by surfpool itself); how many transactions it dropped.
fn prune(svm: &mut SurfnetSvm) -> usize {
    let Some(oldest) = svm.get_latest_absolute_slot().checked_sub(KEPT_SLOTS) else {
        return 0;
    };
    let old: Vec<u64> = svm
        .blocks
        .keys()
        .unwrap_or_default()
        .into_iter()
        .filter(|slot| *slot < oldest)
        .collect();
    let mut dropped = 0;
    for slot in old {
        let Ok(Some(block)) = svm.blocks.take(&slot) else {
            continue;
        };
        for signature in block.signatures {
            let signature = signature.to_string();
            let _ = svm.profile_tag_map.take(&signature);
            if let Ok(Some(_)) = svm.transactions.take(&signature) {
                dropped += 1;
            }
        }
    }
    dropped
}

/// Hands the pages the allocator holds free back to the system. Nearly all the node allocates
/// is freed within the request (account reads: a keeper reads every user each round, several
/// copies of every account and the encoded reply; transaction metadata), but glibc keeps freed pages in its
/// per-thread arenas, scattered between live blocks: under 30 trades a second 2.4 GB of the
/// 2.7 GB mapped was free 30 s after the last return, 0.3 GB in use, and without returns the
/// process's resident memory crept up by tens of MB every few minutes.
fn return_free_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: `malloc_trim` only releases pages the allocator holds free; it takes the
    // allocator's own locks and touches no memory the program owns.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn port(args: &[String], flag: &str, default: u16) -> Result<u16, String> {
    match args.iter().position(|a| a == flag) {
        Some(i) => args
            .get(i + 1)
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| format!("{flag} needs a port")),
        None => Ok(default),
    }
}

/// Prints what the node reports that a person running it wants to see: start, errors, stop.
fn report(events: crossbeam_channel::Receiver<SimnetEvent>, url: String) {
    for event in events {
        match event {
            SimnetEvent::CoreStarted(_) => println!("bal-local-node: JSON-RPC on {url}"),
            SimnetEvent::ErrorLog(_, message) | SimnetEvent::Aborted(message) => {
                eprintln!("bal-local-node: {message}")
            }
            SimnetEvent::Shutdown => return,
            _ => {}
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let rpc = RpcConfig {
        bind_host: "127.0.0.1".into(),
        bind_port: port(&args, "--port", 8899)?,
        ws_port: port(&args, "--ws-port", 8900)?,
        ..RpcConfig::default()
    };
    let url = format!("http://{}", rpc.get_rpc_base_url());
    let config = SurfpoolConfig {
        simnets: vec![SimnetConfig {
            offline_mode: true,
            remote_rpc_url: None,
            instruction_profiling_enabled: false,
            ..SimnetConfig::default()
        }],
        rpc,
        ..SurfpoolConfig::default()
    };
    // Profiling keeps every instruction's accounts before and after: with a program's buffer
    // written a kilobyte at a time, that is gigabytes and seconds per write.
    let svm_config = SurfnetSvmConfig {
        instruction_profiling_enabled: false,
        ..SurfnetSvmConfig::default()
    };
    let (svm, events, geyser_events) = SurfnetSvm::new(svm_config).map_err(|e| e.to_string())?;
    std::thread::spawn(move || report(events, url));
    let (commands_tx, commands_rx) = crossbeam_channel::unbounded();
    let stop = commands_tx.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            let _ = stop.send(surfpool_types::SimnetCommand::Terminate(None));
        }
    });
    let locker = SurfnetSvmLocker::new(svm);
    let pruned = locker.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(PRUNE_EVERY).await;
            pruned.with_svm_writer(prune);
        }
    });
    // A thread of its own: a return takes the allocator's locks for up to tens of milliseconds,
    // which the async tasks serving requests should not wait behind.
    std::thread::spawn(|| loop {
        std::thread::sleep(RETURN_FREE_EVERY);
        return_free_memory();
    });
    start_local_surfnet_runloop(locker, config, commands_tx, commands_rx, geyser_events)
        .await
        .map_err(|e| e.to_string())
}
