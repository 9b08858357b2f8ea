//! newsvault: a feed and archive crawler for news.
//!
//! The modules follow the pipeline, each with one job:
//! - [`sites`] knows each supported site (URL forms, canonical links, selectors, removal signals);
//! - [`fetch`] turns a URL into bytes and decoded text, politely;
//! - [`extract`] is pure and synchronous: HTML in, article (or a reason why not) out;
//! - [`document`] renders and parses the archive document format;
//! - [`archive`] is the only code that speaks SQL;
//! - [`pipeline`] orchestrates one URL from fetch to archive;
//! - [`search`] tokenizes text and queries for full-text search and cuts highlighted snippets;
//! - [`media`] is pure: which images a document shows, and what fetched bytes are;
//! - [`render`] makes archived text safe to publish (escaping, sanitised HTML, diffs);
//! - [`feed`] writes the Atom feeds, [`server`] serves them and the web UI (both only read).
//! - [`import`] reads existing Hugo archives into the archive, [`export`] writes Hugo trees
//!   back out, and [`warc`] writes the raw captures as WARC.

pub mod archive;
pub mod capture;
pub mod config;
pub mod daemon;
pub mod diff;
pub mod document;
pub mod export;
pub mod extract;
pub mod feed;
pub mod fetch;
pub mod import;
pub mod media;
pub mod opml;
pub mod pipeline;
pub mod render;
pub mod schedule;
pub mod search;
pub mod server;
pub mod sites;
pub mod source;
pub mod timezone;
pub mod warc;
