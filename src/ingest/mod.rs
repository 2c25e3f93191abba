//! Ingestion: files in, `Document` and `Post` nodes out, with provenance.
//!
//! SKELETON: being built (read -> segment -> extract -> resolve -> write).
