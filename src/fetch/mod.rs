//! Turns a URL into bytes and decoded text.
