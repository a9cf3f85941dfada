-- The participant directory: members and outside parties, searchable by name, VAT and identifier.

CREATE TABLE participants (
    id                 TEXT PRIMARY KEY,
    -- NULL: an official entry everyone may see; else a member's private contact.
    owner_company_id   TEXT REFERENCES companies (id) ON DELETE CASCADE,
    -- Set when this participant is one of our member companies.
    member_company_id  TEXT UNIQUE REFERENCES companies (id) ON DELETE CASCADE,
    legal_name         TEXT NOT NULL,
    -- legal_name folded: lower case, no accents, single spaces.
    search_name        TEXT NOT NULL,
    vat_number         TEXT,
    -- vat_number folded: upper case letters and digits only.
    vat_key            TEXT,
    country            TEXT NOT NULL,
    street             TEXT,
    city               TEXT,
    postal_code        TEXT,
    delivery           TEXT NOT NULL CHECK (delivery IN ('gateway', 'peppol', 'email', 'none')),
    email              TEXT,
    source             TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX participants_vat_key ON participants (vat_key);
CREATE INDEX participants_owner ON participants (owner_company_id);

CREATE TABLE participant_identifiers (
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    scheme          TEXT NOT NULL,
    value           TEXT NOT NULL,
    PRIMARY KEY (scheme, value, participant_id)
);
CREATE INDEX participant_identifiers_participant ON participant_identifiers (participant_id);

-- One row per word of search_name: prefix search is a range scan on (word).
CREATE TABLE participant_words (
    word            TEXT NOT NULL,
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    PRIMARY KEY (word, participant_id)
) WITHOUT ROWID;
-- Covering: checking a further query word for a candidate reads this index only.
CREATE INDEX participant_words_participant ON participant_words (participant_id, word);

-- Document types and processes a participant receives.
CREATE TABLE participant_capabilities (
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    document_type   TEXT NOT NULL,
    process         TEXT NOT NULL,
    PRIMARY KEY (participant_id, document_type, process)
);

-- A member's customers and suppliers.
CREATE TABLE company_contacts (
    company_id      TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    participant_id  TEXT NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('customer', 'supplier')),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (company_id, participant_id, role)
);
