//! Statistics for leaders (issue 7, item 4): per period and jurisdiction, cases found and
//! resolved by category and severity, the resolution rate, overdue cases, downward visits and
//! sweep reports, with a summary sentence in the source article's words.
//!
//! Layout:
//! - [`period`]: Beijing calendar dates, their bounds in Unix ms, how a period is named;
//! - [`resolution`]: when a case counts as resolved, when it is overdue;
//! - [`report`]: the report model, counted in one streamed pass (queries in `store::stats`);
//! - [`cases`]: the period's case list, page by page, for the exports in `crate::export`;
//! - [`summary`]: Chinese labels and the sentence;
//! - [`sweeps`]: completeness of the period's sweep campaigns.

pub mod cases;
pub mod period;
pub mod report;
pub mod resolution;
pub mod summary;
pub mod sweeps;

pub use cases::{CaseLine, CasePager};
pub use period::Period;
pub use report::{Breakdown, Figures, Report, UnitFigures, build, window};
