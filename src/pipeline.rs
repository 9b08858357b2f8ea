//! One URL from fetch to archive.
