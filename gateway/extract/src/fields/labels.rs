//! Labels in the languages of our users (ro, en, de, fr, nl), folded (see
//! [`crate::text::fold`]), with a weight: how surely the label names the
//! field. A leading `*` matches the end of a compound word
//! (`Handelsrechnung` for `*rechnung`).

/// A label and its weight.
pub type Label = (&'static str, f32);

/// Document titles after which the invoice number follows.
pub const TITLE: &[Label] = &[
    ("*rechnung", 0.9),
    ("*gutschrift", 0.9),
    ("rechnungskorrektur", 0.9),
    ("*invoice", 0.9),
    ("credit note", 0.9),
    ("facture", 0.9),
    ("avoir", 0.9),
    ("factura", 0.9),
    ("factura fiscala", 0.9),
    ("nota de credit", 0.9),
    ("*factuur", 0.9),
    ("creditnota", 0.9),
];

/// BT-1 Invoice number.
pub const NUMBER: &[Label] = &[
    ("rechnungsnummer", 1.0),
    ("rechnungs nr", 1.0),
    ("rechnung nr", 1.0),
    ("rechnungsnr", 1.0),
    ("belegnummer", 0.9),
    ("beleg nr", 0.9),
    ("gutschriftsnummer", 1.0),
    ("invoice number", 1.0),
    ("invoice no", 1.0),
    ("invoice nr", 1.0),
    ("invoice id", 1.0),
    ("document number", 0.8),
    ("numero de facture", 1.0),
    ("n de facture", 1.0),
    ("no de facture", 1.0),
    ("facture n", 1.0),
    ("facture no", 1.0),
    ("numar factura", 1.0),
    ("nr factura", 1.0),
    ("factura nr", 1.0),
    ("factura seria", 0.9),
    ("factuurnummer", 1.0),
    ("factuur nr", 1.0),
    ("factuurnr", 1.0),
];

/// BT-2 Invoice issue date.
pub const ISSUE_DATE: &[Label] = &[
    ("rechnungsdatum", 1.0),
    ("belegdatum", 0.9),
    ("ausstellungsdatum", 1.0),
    ("datum der rechnung", 1.0),
    ("invoice date", 1.0),
    ("date of issue", 1.0),
    ("issue date", 1.0),
    ("issued at", 0.9),
    ("issued on", 0.9),
    ("date de facture", 1.0),
    ("date de facturation", 1.0),
    ("date facture", 1.0),
    ("date d emission", 1.0),
    ("data facturii", 1.0),
    ("data emiterii", 1.0),
    ("data emitere", 1.0),
    ("factuurdatum", 1.0),
    ("datum factuur", 1.0),
    ("datum", 0.6),
    ("date", 0.6),
    ("data", 0.5),
    ("vom", 0.6),
    ("du", 0.5),
    ("dated", 0.7),
];

/// BT-9 Payment due date.
pub const DUE_DATE: &[Label] = &[
    ("falligkeitsdatum", 1.0),
    ("fallig am", 1.0),
    ("falligkeit", 0.9),
    ("zahlbar bis", 0.9),
    ("zahlungsziel", 0.8),
    ("due date", 1.0),
    ("payment due", 1.0),
    ("payment due date", 1.0),
    ("due on", 0.9),
    ("pay by", 0.9),
    ("please remit until", 0.9),
    ("date d echeance", 1.0),
    ("date echeance", 1.0),
    ("echeance", 0.9),
    ("a payer avant le", 0.9),
    ("data scadentei", 1.0),
    ("data scadenta", 1.0),
    ("scadenta", 0.9),
    ("termen de plata", 0.9),
    ("vervaldatum", 1.0),
    ("vervaldag", 1.0),
    ("te betalen voor", 0.9),
    ("uiterste betaaldatum", 1.0),
];

/// BT-5 Invoice currency code.
pub const CURRENCY: &[Label] = &[
    ("rechnungswahrung", 1.0),
    ("invoice currency", 1.0),
    ("devise de facturation", 1.0),
    ("moneda facturii", 1.0),
    ("factuurvaluta", 1.0),
    ("wahrung", 0.8),
    ("currency", 1.0),
    ("devise", 1.0),
    ("monnaie", 0.9),
    ("moneda", 1.0),
    ("valuta", 1.0),
];

/// BT-109 Invoice total amount without VAT.
pub const NET_TOTAL: &[Label] = &[
    ("rechnungssumme ohne ust", 1.0),
    ("summe ohne ust", 1.0),
    ("gesamtbetrag ohne ust", 1.0),
    ("summe netto", 1.0),
    ("gesamt netto", 1.0),
    ("nettosumme", 1.0),
    ("nettobetrag", 0.8),
    ("netto", 0.6),
    ("zwischensumme", 0.6),
    ("positionssumme", 0.45),
    ("net total", 1.0),
    ("total net", 1.0),
    ("total excl vat", 1.0),
    ("total excluding vat", 1.0),
    ("total without vat", 1.0),
    ("amount excl vat", 1.0),
    ("net amount", 0.8),
    ("subtotal", 0.6),
    ("total ht", 1.0),
    ("montant ht", 0.9),
    ("total hors taxes", 1.0),
    ("sous total ht", 0.9),
    ("total fara tva", 1.0),
    ("valoare fara tva", 0.9),
    ("total valoare fara tva", 1.0),
    ("baza de impozitare", 0.7),
    ("totaal excl btw", 1.0),
    ("subtotaal", 0.6),
    ("totaal exclusief btw", 1.0),
];

/// BT-110 Invoice total VAT amount.
pub const VAT_TOTAL: &[Label] = &[
    ("steuerbetrag", 0.8),
    ("umsatzsteuer gesamt", 1.0),
    ("summe ust", 1.0),
    ("summe mwst", 1.0),
    ("gesamtbetrag ust", 1.0),
    ("mehrwertsteuer", 0.7),
    ("umsatzsteuer", 0.6),
    ("mwst", 0.6),
    ("ust", 0.5),
    ("vat total", 1.0),
    ("total vat", 1.0),
    ("vat amount", 0.8),
    ("plus vat", 0.5),
    ("vat", 0.5),
    ("total tax", 0.9),
    ("tax", 0.4),
    ("total taxes", 1.0),
    ("total tva", 1.0),
    ("montant tva", 0.9),
    ("tva", 0.5),
    ("total btw", 1.0),
    ("totaal btw", 1.0),
    ("btw", 0.5),
];

/// BT-112 Invoice total amount with VAT.
pub const GROSS_TOTAL: &[Label] = &[
    ("bruttosumme", 1.0),
    ("gesamtbetrag", 0.8),
    ("rechnungsbetrag", 0.9),
    ("rechnungssumme", 0.7),
    ("gesamtsumme", 0.8),
    ("summe brutto", 1.0),
    ("brutto", 0.6),
    ("invoice total", 1.0),
    ("total incl vat", 1.0),
    ("total including vat", 1.0),
    ("total amount", 0.8),
    ("grand total", 1.0),
    ("total", 0.5),
    ("total ttc", 1.0),
    ("montant ttc", 1.0),
    ("total cu tva", 1.0),
    ("total general", 0.9),
    ("totaal incl btw", 1.0),
    ("totaal inclusief btw", 1.0),
    ("totaal", 0.5),
];

/// BT-115 Amount due for payment.
pub const PAYABLE: &[Label] = &[
    ("zahlbetrag", 1.0),
    ("zu zahlen", 1.0),
    ("zahlbarer betrag", 1.0),
    ("offener betrag", 0.9),
    ("faelliger betrag", 1.0),
    ("falliger betrag", 1.0),
    ("amount due", 1.0),
    ("residual", 0.8),
    ("balance", 0.7),
    ("amount remaining", 0.9),
    ("restbetrag", 0.9),
    ("resterend", 0.8),
    ("due payable", 1.0),
    ("balance due", 1.0),
    ("total due", 1.0),
    ("amount payable", 1.0),
    ("to pay", 0.8),
    ("solde a payer", 1.0),
    ("net a payer", 1.0),
    ("reste a payer", 1.0),
    ("montant a payer", 1.0),
    ("total a payer", 1.0),
    ("total de plata", 1.0),
    ("rest de plata", 1.0),
    ("de plata", 0.8),
    ("te betalen", 0.9),
    ("totaal te betalen", 1.0),
    ("openstaand bedrag", 1.0),
];

/// BT-84 Payment account identifier.
pub const IBAN: &[Label] = &[
    ("iban", 1.0),
    ("cont", 0.5),
    ("konto", 0.5),
    ("account", 0.5),
];

/// BT-27 / BT-44 party names inside a party block.
pub const NAME: &[Label] = &[
    ("name", 1.0),
    ("firma", 0.9),
    ("nom", 1.0),
    ("raison sociale", 1.0),
    ("denumire", 1.0),
    ("naam", 1.0),
    ("company", 0.9),
];

/// Headings of the seller's block.
pub const SELLER: &[Label] = &[
    ("verkaufer", 1.0),
    ("lieferant", 0.9),
    ("rechnungssteller", 1.0),
    ("leistungserbringer", 1.0),
    ("seller", 1.0),
    ("supplier", 1.0),
    ("vendor", 1.0),
    ("from", 0.7),
    ("fournisseur", 1.0),
    ("vendeur", 1.0),
    ("emetteur", 1.0),
    ("furnizor", 1.0),
    ("prestator", 0.9),
    ("leverancier", 1.0),
    ("verkoper", 1.0),
];

/// Headings of the buyer's block.
pub const BUYER: &[Label] = &[
    ("kaufer", 1.0),
    ("kaufer leistungsempfanger", 1.0),
    ("rechnungsempfanger", 1.0),
    ("leistungsempfanger", 1.0),
    ("kunde", 0.8),
    ("buyer", 1.0),
    ("customer", 1.0),
    ("bill to", 1.0),
    ("billed to", 1.0),
    ("invoice to", 1.0),
    ("sold to", 1.0),
    ("client", 0.9),
    ("acheteur", 1.0),
    ("destinataire", 0.9),
    ("facture a", 1.0),
    ("adresse de facturation", 1.0),
    ("cumparator", 1.0),
    ("beneficiar", 1.0),
    ("klant", 1.0),
    ("afnemer", 1.0),
    ("factuuradres", 1.0),
];

/// Headings of blocks that are neither party (delivery, payee).
pub const OTHER_PARTY: &[Label] = &[
    ("lieferanschrift", 1.0),
    ("lieferadresse", 1.0),
    ("warenempfanger", 1.0),
    ("zahlungsempfanger", 1.0),
    ("adresse de livraison", 1.0),
    ("livraison", 0.8),
    ("ship to", 1.0),
    ("delivery address", 1.0),
    ("deliver to", 1.0),
    ("payee", 1.0),
    ("adresa de livrare", 1.0),
    ("livrare", 0.8),
    ("afleveradres", 1.0),
    ("bemerkungen", 1.0),
    ("positionsdaten", 1.0),
];

/// Words that make a VAT number the buyer's.
pub const BUYER_WORDS: &[&str] = &[
    "client",
    "kunde",
    "kunden",
    "customer",
    "buyer",
    "acheteur",
    "cumparator",
    "beneficiar",
    "klant",
    "afnemer",
    "kaufer",
    "leistungsempfanger",
    "empfanger",
];

/// Legal forms that mark a company name.
pub const LEGAL_FORMS: &[&str] = &[
    "gmbh", "ag", "kg", "ohg", "ug", "e k", "se", "sarl", "sas", "sasu", "sa", "eurl", "snc",
    "srl", "s r l", "s a", "pfa", "ii", "ltd", "limited", "llc", "inc", "plc", "bv", "b v", "nv",
    "n v", "vof", "a g", "e v", "co",
];
