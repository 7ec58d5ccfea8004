//! The local exchange (`bal-localnet`) and its load-and-fault run (`bal-load`): funding
//! participants, the oracles' price paths and the traders, and the web page's server.
pub mod market;
pub mod node;
pub mod setup;
pub mod web;
