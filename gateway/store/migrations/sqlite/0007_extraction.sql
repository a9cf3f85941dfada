-- Extraction of purchase PDFs and images, off the request path: one job per document, claimed
-- with a lease (a crashed worker's job is taken again when the lease ends), and its result.
CREATE TABLE extraction_jobs (
    document_id   TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE RESTRICT,
    company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE RESTRICT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts      BIGINT NOT NULL,
    -- RFC 3339 UTC: compares as text.
    lease_until   TEXT,
    -- embedded-xml, text-layer or ocr.
    source        TEXT,
    -- JSON: fields (value, confidence, page, box), lines, review reasons.
    result        TEXT,
    -- The UBL rendering of the extracted (or corrected) invoice.
    invoice_xml   TEXT,
    error         TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX extraction_jobs_queue ON extraction_jobs (status, created_at);
