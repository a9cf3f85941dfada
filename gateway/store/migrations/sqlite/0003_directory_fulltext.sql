-- Full-text index over folded participant names, for searches by several words. SQLite: an FTS5
-- table with prefix indexes, kept in step with participants by triggers. (PostgreSQL: a tsvector
-- column with a GIN index; these structures are the one place the two schemas differ.)
CREATE VIRTUAL TABLE participant_fts USING fts5(
    search_name,
    content = 'participants',
    content_rowid = 'rowid',
    prefix = '2 3 4'
);

CREATE TRIGGER participants_fts_insert AFTER INSERT ON participants BEGIN
    INSERT INTO participant_fts (rowid, search_name) VALUES (new.rowid, new.search_name);
END;
CREATE TRIGGER participants_fts_delete AFTER DELETE ON participants BEGIN
    INSERT INTO participant_fts (participant_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
END;
CREATE TRIGGER participants_fts_update AFTER UPDATE OF search_name ON participants BEGIN
    INSERT INTO participant_fts (participant_fts, rowid, search_name) VALUES ('delete', old.rowid, old.search_name);
    INSERT INTO participant_fts (rowid, search_name) VALUES (new.rowid, new.search_name);
END;

INSERT INTO participant_fts (participant_fts) VALUES ('rebuild');
