//! One module per subcommand: glue between the parsed command line and the library.

pub mod archive;
pub mod export;
pub mod extract;
pub mod import;
