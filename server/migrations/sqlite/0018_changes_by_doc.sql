-- The merge path at scale (issue 14 §1), sqlite. See ../postgres/0018_changes_by_doc.sql for why
-- PostgreSQL keeps the index this drops.
--
-- `changes_doc(doc_id, seq)` repeated the index SQLite already keeps for UNIQUE (doc_id, hash):
-- that index's entries end with the row id, which is `seq`, so a document's log after a given
-- seq is found and filtered on it before any row is read, and MAX(seq) of a document is read
-- from it alone. Keyed by random document ids, each of these indexes costs every commit pages
-- of its own once the log outgrows the cache: without the copy, a push of new cases writes
-- about a fifth fewer bytes and an edit with its pull about a third fewer (BENCHMARKS.md).
DROP INDEX changes_doc;
