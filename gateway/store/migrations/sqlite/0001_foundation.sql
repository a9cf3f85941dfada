-- Tenants, tokens, blobs, documents and the append-only event journal.
-- Times are RFC 3339 UTC text with milliseconds, so they sort as text on every backend.

CREATE TABLE companies (
    id           TEXT PRIMARY KEY,
    legal_name   TEXT NOT NULL,
    vat_number   TEXT,
    country      TEXT NOT NULL,
    street       TEXT,
    city         TEXT,
    postal_code  TEXT,
    created_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX companies_vat ON companies (vat_number) WHERE vat_number IS NOT NULL;

CREATE TABLE company_identifiers (
    company_id  TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    scheme      TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (scheme, value)
);
CREATE INDEX company_identifiers_company ON company_identifiers (company_id);

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    company_id  TEXT REFERENCES companies (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('member', 'accountant', 'admin')),
    label        TEXT NOT NULL,
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE token_companies (
    token_id    TEXT NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    company_id  TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    PRIMARY KEY (token_id, company_id)
);
CREATE INDEX token_companies_company ON token_companies (company_id);

CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY,
    size        BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    content     BLOB
);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    company_id   TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    direction    TEXT NOT NULL CHECK (direction IN ('purchase', 'sales', 'other')),
    source       TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    file_name    TEXT,
    blob_sha256  TEXT NOT NULL REFERENCES blobs (sha256),
    state        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX documents_company_created ON documents (company_id, created_at, id);

CREATE TABLE events (
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
    seq          BIGINT NOT NULL,
    company_id   TEXT NOT NULL,
    actor        TEXT NOT NULL,
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_state   TEXT,
    to_state     TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);

-- The journal is append-only: the database itself refuses changes, not just our code.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
