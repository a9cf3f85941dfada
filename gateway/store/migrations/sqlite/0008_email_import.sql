-- E-mail import: each company's import address and the message parts already turned into documents.

-- The local part of `<code>@<import_domain>`; made on first request, never reused.
CREATE TABLE email_import_codes (
    company_id  TEXT PRIMARY KEY REFERENCES companies (id) ON DELETE CASCADE,
    code        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- A sender that retries a message (no reply after DATA, a 4xx) must not get its attachments
-- stored twice: each stored part is remembered by the message's SHA-256 and its place in it.
CREATE TABLE email_import_parts (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    message_sha256  TEXT NOT NULL,
    part_index      BIGINT NOT NULL,
    document_id     TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (company_id, message_sha256, part_index)
);
