-- What a person confirmed when reviewing an extracted invoice, per company and supplier: the
-- supplier-stable fields (seller name, VAT id, IBAN, currency, how it names the buyer), as JSON.
-- The next invoice whose extraction finds the same VAT id or IBAN starts from them.
CREATE TABLE supplier_memory (
    company_id    TEXT NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    -- `vat:<VAT id>` or `iban:<IBAN>`, letters and digits upper-cased.
    supplier_key  TEXT NOT NULL,
    fields        TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (company_id, supplier_key)
);
