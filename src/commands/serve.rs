//! `newsvault serve`: the web UI and the Atom feeds on `[server] listen`, until Ctrl-C.

use std::process::ExitCode;

use anyhow::{Context, Result};
use newsvault::config::Config;

pub fn serve(config: Config) -> Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let listen = config.server.listen.clone();
    eprintln!("newsvault: serving http://{listen}/ (Ctrl-C stops)");
    runtime.block_on(newsvault::server::serve(config, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(ExitCode::SUCCESS)
}
