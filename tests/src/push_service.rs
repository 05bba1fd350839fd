//! A local RFC 8030 push service for tests.
