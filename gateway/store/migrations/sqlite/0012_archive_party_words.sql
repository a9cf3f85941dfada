-- PostgreSQL indexes the words of counterparty names in a narrow table (see the PostgreSQL
-- migration of the same number). SQLite keeps its FTS5 table with prefix indexes, which already
-- answers these searches from the index.
SELECT 1;
