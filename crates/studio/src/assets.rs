//! The page: plain HTML, CSS and JavaScript embedded in the binary at build time, so the
//! studio needs no files, no Node.js and no network at run time.

/// The page; `{{TOKEN}}` is replaced with the run's token when served.
pub const INDEX_HTML: &str = include_str!("../assets/index.html");
pub const STUDIO_JS: &str = include_str!("../assets/studio.js");
pub const STUDIO_CSS: &str = include_str!("../assets/studio.css");
pub const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");
