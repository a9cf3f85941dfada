-- The sweeper looks for Peppol deliveries whose document has no outbox message (a crash
-- between storing a sent invoice and handing it to the outbox): one probe per delivery.
CREATE INDEX as4_outbox_document ON as4_outbox (document_id);
