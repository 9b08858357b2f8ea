//! The archive document format (docs/archive-format.md): render and parse.
