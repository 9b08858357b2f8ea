//! Site knowledge, one module per site.
