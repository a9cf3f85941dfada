-- Document lifecycle: invoice summaries, deliveries, member settings, idempotency keys.
-- What lists need without re-parsing XML: one row per document stored through the lifecycle;
-- the invoice columns stay NULL for papers that are not (yet) readable invoices.
CREATE TABLE document_summaries (
    document_id        TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE RESTRICT,
    company_id         TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    direction          TEXT NOT NULL CHECK (direction IN ('purchase', 'sales', 'other')),
    kind               TEXT CHECK (kind IN ('invoice', 'credit_note')),
    -- ubl, cii or json: what the member sent.
    syntax             TEXT,
    invoice_number     TEXT,
    -- YYYY-MM-DD: sorts and compares as text.
    issue_date         TEXT,
    due_date           TEXT,
    counterparty_name  TEXT,
    -- Electronic address as `scheme:value`, e.g. 0208:0123456749.
    counterparty_id    TEXT,
    -- VAT number folded: upper case letters and digits.
    counterparty_vat   TEXT,
    currency           TEXT,
    -- Amount due (BT-115) exactly as written, and in hundredths for sums and ranges.
    total              TEXT,
    total_cents        BIGINT,
    -- Who issued it, for duplicate detection: the supplier of a purchase, empty for sales.
    supplier_key       TEXT NOT NULL,
    duplicate_of       TEXT REFERENCES documents (id),
    accounting_status  TEXT,
    -- Filled by the archive/accountant worker; NULL until then.
    accountant_status  TEXT,
    -- Worst status of the document's deliveries: queued, delivered or failed.
    delivery_status    TEXT,
    -- Why the document is in its state (review reason, refusal, failure).
    status_reason      TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX document_summaries_duplicates ON document_summaries (company_id, direction, invoice_number, issue_date);
CREATE INDEX document_summaries_due ON document_summaries (company_id, direction, due_date);

-- One row per channel a sent invoice goes out on.
CREATE TABLE deliveries (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    channel      TEXT NOT NULL CHECK (channel IN ('gateway', 'peppol', 'email', 'none')),
    -- Member company id, Peppol participant id or e-mail address.
    recipient    TEXT,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'delivered', 'failed')),
    attempts     BIGINT NOT NULL,
    -- JSON: receipt, inbox document id, message id.
    proof        TEXT,
    reason       TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX deliveries_document ON deliveries (document_id);
CREATE INDEX deliveries_queue ON deliveries (channel, status, created_at);

-- A member's lifecycle settings; absent means the defaults (no reports, accept by hand).
CREATE TABLE company_settings (
    company_id                     TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    reporting_email                TEXT,
    reporting_frequency            TEXT CHECK (reporting_frequency IN ('daily', 'weekly')),
    notification_email             TEXT,
    auto_accept_own_imports        BIGINT NOT NULL,
    auto_accept_known_suppliers    BIGINT NOT NULL,
    auto_accept_everything         BIGINT NOT NULL,
    updated_at                     TEXT NOT NULL
);

-- Submissions by Idempotency-Key: the same key and body give the same document, never a second.
CREATE TABLE idempotency_keys (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    idem_key        TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,
    document_id     TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (company_id, idem_key)
);
