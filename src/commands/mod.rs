//! One module per subcommand: glue between the parsed command line and the library.

pub mod archive;
pub mod check;
pub mod daemon;
pub mod diff;
pub mod extract;
pub mod history;
pub mod reprocess;
