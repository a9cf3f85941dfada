//! Reading directory entries from CSV and from Peppol Directory business cards. Pure: bytes in,
//! entries or located errors out; the caller stores them.
use gateway_peppol::smp::read_business_card;
use gateway_store::{Address, Delivery, NewParticipant};

use crate::participant::parse_participant;

/// One entry that could not be read, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportError {
    /// 1-based line of the CSV record (the header is line 1), or 0 for a whole file.
    pub line: u64,
    pub message: String,
}

/// The CSV columns, in any order; `legal_name` and `country` are required.
pub const CSV_COLUMNS: &[&str] = &[
    "legal_name",
    "vat_number",
    "country",
    "street",
    "city",
    "postal_code",
    "peppol_ids",
    "delivery",
    "email",
];

/// Reads a CSV file with a header row. `peppol_ids` holds identifiers separated by spaces or `;`.
/// `delivery` is `peppol` (default when there is an identifier), `email`, or `none`.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<Result<NewParticipant, ImportError>>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| ImportError {
            line: 1,
            message: format!("header: {e}"),
        })?
        .clone();
    for h in headers.iter() {
        if !CSV_COLUMNS.contains(&h) {
            return Err(ImportError {
                line: 1,
                message: format!(
                    "unknown column `{h}`; the columns are {}",
                    CSV_COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["legal_name", "country"] {
        if !headers.iter().any(|h| h == required) {
            return Err(ImportError {
                line: 1,
                message: format!("missing column `{required}`"),
            });
        }
    }
    let column = |record: &csv::StringRecord, name: &str| -> Option<String> {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| record.get(i))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                out.push(Err(ImportError {
                    line,
                    message: e.to_string(),
                }));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let entry = (|| {
            let legal_name = column(&record, "legal_name").ok_or("legal_name is empty")?;
            let country = column(&record, "country")
                .ok_or("country is empty")?
                .to_ascii_uppercase();
            let identifiers = column(&record, "peppol_ids")
                .unwrap_or_default()
                .split([' ', ';'])
                .filter(|s| !s.is_empty())
                .map(parse_participant)
                .collect::<Result<Vec<_>, _>>()?;
            let email = column(&record, "email");
            let delivery = match column(&record, "delivery").as_deref() {
                None if !identifiers.is_empty() => Delivery::Peppol,
                None if email.is_some() => Delivery::Email,
                None => Delivery::None,
                Some("peppol") => Delivery::Peppol,
                Some("email") => Delivery::Email,
                Some("none") => Delivery::None,
                Some(other) => {
                    return Err(format!(
                        "delivery `{other}` is not one of peppol, email, none"
                    ))
                }
            };
            Ok(NewParticipant {
                owner_company_id: None,
                legal_name,
                vat_number: column(&record, "vat_number"),
                country,
                address: Address {
                    street: column(&record, "street"),
                    city: column(&record, "city"),
                    postal_code: column(&record, "postal_code"),
                },
                identifiers,
                capabilities: Vec::new(),
                delivery,
                email,
                source: "csv".into(),
            })
        })();
        out.push(entry.map_err(|message: String| ImportError { line, message }));
    }
    Ok(out)
}

/// Reads one Peppol Directory business card: one entry per business entity, reachable over Peppol.
pub fn read_card(bytes: &[u8]) -> Result<Vec<NewParticipant>, ImportError> {
    let card = read_business_card(bytes).map_err(|e| ImportError {
        line: 0,
        message: e.to_string(),
    })?;
    let participant = gateway_store::Identifier {
        scheme: card.participant.scheme().to_string(),
        value: card.participant.value().to_string(),
    };
    let mut out = Vec::new();
    for entity in &card.entities {
        let Some(name) = entity.names.first() else {
            return Err(ImportError {
                line: 0,
                message: "a business entity has no name".into(),
            });
        };
        let vat = entity
            .identifiers
            .iter()
            .find(|i| i.scheme.eq_ignore_ascii_case("VAT"))
            .map(|i| i.value.clone());
        out.push(NewParticipant {
            owner_company_id: None,
            legal_name: name.name.clone(),
            vat_number: vat,
            country: entity.country_code.to_ascii_uppercase(),
            address: Address {
                city: entity.geographical_information.clone(),
                ..Address::default()
            },
            identifiers: vec![participant.clone()],
            capabilities: Vec::new(),
            delivery: Delivery::Peppol,
            email: None,
            source: "business-card".into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_become_entries_and_bad_rows_say_where() {
        let csv = "legal_name,vat_number,country,peppol_ids,email\n\
                   Ștefan Trans SRL,RO18547290,ro,9947:RO18547290,\n\
                   Mail Only BV,,NL,,ap@mail.example\n\
                   ,,BE,,\n\
                   Bad Id NV,,BE,0208:0123456789,\n";
        let rows = read_csv(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 4);
        let first = rows[0].as_ref().unwrap();
        assert_eq!(
            (
                first.legal_name.as_str(),
                first.country.as_str(),
                first.delivery
            ),
            ("Ștefan Trans SRL", "RO", Delivery::Peppol)
        );
        assert_eq!(first.identifiers[0].value, "9947:ro18547290");
        assert_eq!(rows[1].as_ref().unwrap().delivery, Delivery::Email);
        assert_eq!(
            rows[2].as_ref().unwrap_err(),
            &ImportError {
                line: 4,
                message: "legal_name is empty".into()
            }
        );
        let bad = rows[3].as_ref().unwrap_err();
        assert_eq!(bad.line, 5);
        assert!(bad.message.contains("0208:0123456789"), "{bad:?}");
    }

    #[test]
    fn unknown_or_missing_columns_are_refused() {
        assert!(read_csv(b"name,country\nX,BE\n")
            .unwrap_err()
            .message
            .contains("unknown column `name`"));
        assert!(read_csv(b"legal_name\nX\n")
            .unwrap_err()
            .message
            .contains("missing column `country`"));
        let ragged = read_csv(b"legal_name,country\nX,BE,extra\n").unwrap();
        assert_eq!(ragged[0].as_ref().unwrap_err().line, 2);
    }

    #[test]
    fn a_business_card_gives_one_entry_per_entity() {
        let card = br#"<BusinessCard xmlns="http://www.peppol.eu/schema/pd/businesscard/20180621/">
  <ParticipantIdentifier scheme="iso6523-actorid-upis">0088:5798000000001</ParticipantIdentifier>
  <BusinessEntity>
    <Name>Nordic Foods A/S</Name>
    <CountryCode>DK</CountryCode>
    <GeographicalInformation>Aarhus</GeographicalInformation>
    <Identifier scheme="VAT">DK12345678</Identifier>
  </BusinessEntity>
</BusinessCard>"#;
        let entries = read_card(card).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].legal_name, "Nordic Foods A/S");
        assert_eq!(entries[0].vat_number.as_deref(), Some("DK12345678"));
        assert_eq!(entries[0].identifiers[0].value, "0088:5798000000001");
        assert!(read_card(b"<nope/>").is_err());
    }
}
