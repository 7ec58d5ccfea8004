//! How BAL's off-chain programs reach a cluster. `Chain` is the one seam (`chain`): JSON-RPC
//! in the binaries (`rpc`, with the account wire decoding in `wire`), the in-process runtime in
//! tests. Keypair files (`keypair`) and one JSON object per log line (`log`) are shared by the
//! keeper, the migrations, the local exchange and the tests.
pub mod chain;
pub mod keypair;
pub mod log;
pub mod rpc;
pub mod wire;
