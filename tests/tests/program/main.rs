//! Integration tests: every scenario runs on the runtime `BAL_RUNTIME` selects (the ELF by default).
mod initialize;
