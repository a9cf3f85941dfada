-- PostgreSQL replaces its tsvector column by an indexed array of name-word prefixes (see the
-- PostgreSQL migration of the same number). SQLite keeps its FTS5 table with prefix indexes,
-- which already answers several-word searches from the index alone.
SELECT 1;
