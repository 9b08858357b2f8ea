//! One module per subcommand: glue between the parsed command line and the library.

pub mod archive;
pub mod check;
pub mod copy;
pub mod daemon;
pub mod diff;
pub mod export;
pub mod extract;
pub mod feed;
pub mod history;
pub mod import;
pub mod json;
pub mod opml;
pub mod reprocess;
pub mod search;
pub mod serve;
