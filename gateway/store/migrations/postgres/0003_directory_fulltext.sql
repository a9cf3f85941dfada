-- Full-text index over folded participant names, for searches by several words. PostgreSQL: a
-- generated tsvector column with a GIN index. (SQLite: an FTS5 table; these structures are the
-- one place the two schemas differ.)
ALTER TABLE participants
    ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_name)) STORED;
CREATE INDEX participants_search_tsv ON participants USING GIN (search_tsv);
