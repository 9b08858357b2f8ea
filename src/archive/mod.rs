//! The SQLite archive: the only code that speaks SQL.
