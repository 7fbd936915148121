//! The studio's integration tests, one binary: the HTTP API against a seeded PostgreSQL
//! database (`api`), and the page driven end to end in headless Chromium (`browser`).

mod api;
mod browser;
mod seed;
