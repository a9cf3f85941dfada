-- Accountants, the tamper-evident archive, its search index and the connectors that forward
-- archived documents. The archive only reads `documents`/`events`/`blobs`; everything it writes
-- is here.

-- An accountant organisation; its tokens (scope `accountant`) see the companies linked to it.
CREATE TABLE accountants (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    purchases_email  TEXT,
    sales_email      TEXT,
    created_at       TEXT NOT NULL
);

CREATE TABLE accountant_tokens (
    token_id       TEXT PRIMARY KEY REFERENCES api_tokens (id) ON DELETE CASCADE,
    accountant_id  TEXT NOT NULL REFERENCES accountants (id) ON DELETE CASCADE
);

-- A company invites, the accountant accepts, either unlinks. Rows are kept for the record.
CREATE TABLE accountant_links (
    id             TEXT PRIMARY KEY,
    accountant_id  TEXT NOT NULL REFERENCES accountants (id) ON DELETE CASCADE,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    status         TEXT NOT NULL CHECK (status IN ('invited', 'active', 'unlinked')),
    invited_at     TEXT NOT NULL,
    accepted_at    TEXT,
    unlinked_at    TEXT,
    unlinked_by    TEXT
);
CREATE UNIQUE INDEX accountant_links_open ON accountant_links (accountant_id, company_id) WHERE status <> 'unlinked';
CREATE INDEX accountant_links_company ON accountant_links (company_id, status);

-- The global hash chain: each entry carries the hash of the one before it. A `document` entry
-- covers the blob hash, the journal up to `events_count` (head hash) and the extracted fields;
-- a `tombstone` entry records the expiry of entry `target_seq`, signed with the archive key.
CREATE TABLE archive_entries (
    seq            BIGINT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('document', 'tombstone')),
    document_id    TEXT NOT NULL,
    company_id     TEXT NOT NULL,
    direction      TEXT NOT NULL,
    state          TEXT NOT NULL,
    blob_sha256    TEXT NOT NULL,
    events_count   BIGINT NOT NULL,
    events_head    TEXT NOT NULL,
    fields_hash    TEXT NOT NULL,
    archived_at    TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    target_seq     BIGINT,
    signature      TEXT,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL
);
CREATE UNIQUE INDEX archive_entries_document ON archive_entries (document_id) WHERE kind = 'document';
CREATE UNIQUE INDEX archive_entries_tombstone ON archive_entries (target_seq) WHERE kind = 'tombstone';
CREATE INDEX archive_entries_expiry ON archive_entries (expires_at);

-- The archiver looks at documents changed since its last round: a range of this index.
CREATE INDEX archive_documents_updated ON documents (updated_at);

-- Signed statements of the chain head: what `gateway archive verify` anchors to.
CREATE TABLE archive_checkpoints (
    id          TEXT PRIMARY KEY,
    head_seq    BIGINT NOT NULL,
    head_hash   TEXT NOT NULL,
    signed_at   TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    signature   TEXT NOT NULL
);
CREATE INDEX archive_checkpoints_head ON archive_checkpoints (head_seq);

-- Searchable fields, extracted from the archived XML (one row per archived document).
CREATE TABLE archive_invoices (
    document_id          TEXT PRIMARY KEY,
    company_id           TEXT NOT NULL,
    entry_seq            BIGINT NOT NULL,
    direction            TEXT NOT NULL,
    state                TEXT NOT NULL,
    invoice_number       TEXT,
    number_key           TEXT,
    counterparty_name    TEXT,
    counterparty_folded  TEXT NOT NULL,
    issue_date           TEXT NOT NULL,
    due_date             TEXT,
    currency             TEXT,
    total                TEXT,
    total_cents          BIGINT,
    content_folded       TEXT NOT NULL,
    archived_at          TEXT NOT NULL
);
CREATE INDEX archive_invoices_company_issue ON archive_invoices (company_id, issue_date, document_id);
CREATE INDEX archive_invoices_issue ON archive_invoices (issue_date, document_id);
-- Ranges of due dates and amounts carry the sort key: the ids of a page come from the index.
CREATE INDEX archive_invoices_due ON archive_invoices (due_date, issue_date, document_id);
CREATE INDEX archive_invoices_total ON archive_invoices (total_cents, issue_date, document_id);
CREATE INDEX archive_invoices_number ON archive_invoices (number_key);
CREATE INDEX archive_invoices_state ON archive_invoices (state, issue_date);

-- Counterparty identifiers (VAT number, Peppol id, legal id), folded to letters and digits.
CREATE TABLE archive_identifiers (
    value        TEXT NOT NULL,
    document_id  TEXT NOT NULL REFERENCES archive_invoices (document_id) ON DELETE CASCADE,
    PRIMARY KEY (value, document_id)
);

-- Where archived documents go: a webhook, a pull feed or a mailbox, owned by a company or an
-- accountant. Disabled (with the reason) when a webhook endpoint answers 410.
CREATE TABLE connectors (
    id               TEXT PRIMARY KEY,
    owner_kind       TEXT NOT NULL CHECK (owner_kind IN ('company', 'accountant')),
    owner_id         TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('webhook', 'feed', 'mailbox')),
    url              TEXT,
    scheme           TEXT,
    secret           TEXT,
    public_key       TEXT,
    purchases_email  TEXT,
    sales_email      TEXT,
    disabled_at      TEXT,
    disabled_reason  TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX connectors_owner ON connectors (owner_kind, owner_id);

-- The accountant status of a document per connector: to_be_fetched, forwarded, error (+ reason).
CREATE TABLE connector_deliveries (
    connector_id     TEXT NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    document_id      TEXT NOT NULL,
    company_id       TEXT NOT NULL,
    entry_seq        BIGINT NOT NULL,
    message_id       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('to_be_fetched', 'forwarded', 'error')),
    reason           TEXT,
    attempts         BIGINT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (connector_id, document_id)
);
CREATE INDEX connector_deliveries_due ON connector_deliveries (status, next_attempt_at);
CREATE INDEX connector_deliveries_feed ON connector_deliveries (connector_id, entry_seq);
CREATE INDEX connector_deliveries_document ON connector_deliveries (document_id);

-- Full text over the counterparty and the invoice content (folded: lower case, no accents).
-- SQLite: FTS5 kept in step by triggers (PostgreSQL: one weighted tsvector column with GIN).
CREATE VIRTUAL TABLE archive_fts USING fts5(
    counterparty_folded,
    content_folded,
    content = 'archive_invoices',
    content_rowid = 'rowid',
    prefix = '2 3 4'
);
CREATE TRIGGER archive_invoices_fts_insert AFTER INSERT ON archive_invoices BEGIN
    INSERT INTO archive_fts (rowid, counterparty_folded, content_folded)
    VALUES (new.rowid, new.counterparty_folded, new.content_folded);
END;
CREATE TRIGGER archive_invoices_fts_delete AFTER DELETE ON archive_invoices BEGIN
    INSERT INTO archive_fts (archive_fts, rowid, counterparty_folded, content_folded)
    VALUES ('delete', old.rowid, old.counterparty_folded, old.content_folded);
END;
CREATE TRIGGER archive_invoices_fts_update AFTER UPDATE OF counterparty_folded, content_folded ON archive_invoices BEGIN
    INSERT INTO archive_fts (archive_fts, rowid, counterparty_folded, content_folded)
    VALUES ('delete', old.rowid, old.counterparty_folded, old.content_folded);
    INSERT INTO archive_fts (rowid, counterparty_folded, content_folded)
    VALUES (new.rowid, new.counterparty_folded, new.content_folded);
END;

-- The chain is append-only; only the expiry job removes search rows (leaving a tombstone).
CREATE TRIGGER archive_entries_no_update BEFORE UPDATE ON archive_entries
BEGIN SELECT RAISE(ABORT, 'archive entries are append-only'); END;
CREATE TRIGGER archive_entries_no_delete BEFORE DELETE ON archive_entries
BEGIN SELECT RAISE(ABORT, 'archive entries are append-only'); END;
