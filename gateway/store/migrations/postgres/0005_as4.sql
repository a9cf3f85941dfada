-- Peppol AS4: messages received (duplicate elimination by MessageId, the receipt we answered)
-- and the outbox of messages to send (claimed with a lease, retried with backoff).

CREATE TABLE as4_inbound (
    message_id     TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    document_id    TEXT NOT NULL REFERENCES documents (id) ON DELETE RESTRICT,
    from_party     TEXT NOT NULL,
    sender_id      TEXT NOT NULL,
    receiver_id    TEXT NOT NULL,
    document_type  TEXT NOT NULL,
    process        TEXT NOT NULL,
    sbd_sha256     TEXT NOT NULL REFERENCES blobs (sha256),
    receipt        TEXT NOT NULL,
    received_at    TEXT NOT NULL
);
CREATE INDEX as4_inbound_company ON as4_inbound (company_id, received_at);

CREATE TABLE as4_outbox (
    id               TEXT PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    document_id      TEXT REFERENCES documents (id) ON DELETE RESTRICT,
    company_id       TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    sender_id        TEXT NOT NULL,
    receiver_id      TEXT NOT NULL,
    document_type    TEXT NOT NULL,
    process          TEXT NOT NULL,
    payload_sha256   TEXT NOT NULL REFERENCES blobs (sha256),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         BIGINT NOT NULL,
    next_attempt_at  TEXT NOT NULL,
    lease_owner      TEXT,
    lease_until      TEXT,
    last_error       TEXT,
    endpoint_url     TEXT,
    -- The message as first built: every retry sends these exact bytes, so a receiver that
    -- stored an earlier attempt answers a receipt that matches what we signed.
    message_content_type TEXT,
    message_sha256   TEXT REFERENCES blobs (sha256),
    receipt          TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX as4_outbox_due ON as4_outbox (state, next_attempt_at);
