-- The merge path at scale (issue 14 §1), postgres. Keep in step with ../sqlite/0018_changes_by_doc.sql.
--
-- SQLite drops `changes_doc(doc_id, seq)` here because its UNIQUE (doc_id, hash) index carries
-- each row's seq. PostgreSQL's does not: without `changes_doc`, reading a document's log after
-- its snapshot would fetch every row the document ever had to compare its seq. So PostgreSQL
-- keeps the index, and says why where an operator looking at it will find it.
COMMENT ON INDEX changes_doc IS 'A document''s log after its snapshot, in order. Unlike SQLite''s, the UNIQUE (doc_id, hash) index here does not carry seq, so it cannot serve that read (migration 0018).';
