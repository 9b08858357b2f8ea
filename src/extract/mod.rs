//! Extraction: HTML in, article out. Pure and synchronous.
