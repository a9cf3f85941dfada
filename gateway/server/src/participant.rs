//! Peppol participant identifiers as member companies carry them (`0208:0123456789`, optionally
//! with the `iso6523-actorid-upis::` scheme). Ids we register are checked strictly: ICD on the
//! current list and the official PEPPOL-COMMON check digits.
use gateway_peppol::ParticipantId;
use gateway_store::Identifier;

pub fn parse_participant(text: &str) -> Result<Identifier, String> {
    let id = ParticipantId::parse(text.trim()).map_err(|e| format!("`{}`: {e}", text.trim()))?;
    Ok(Identifier {
        scheme: id.scheme().to_string(),
        value: id.value().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_with_and_without_scheme() {
        for text in [
            "0208:0123456749",
            "iso6523-actorid-upis::0208:0123456749",
            " 0208:0123456749 ",
        ] {
            let id = parse_participant(text).unwrap();
            assert_eq!(
                (id.scheme.as_str(), id.value.as_str()),
                ("iso6523-actorid-upis", "0208:0123456749")
            );
        }
        assert_eq!(
            parse_participant("9925:BE0123456749").unwrap().value,
            "9925:be0123456749"
        );
    }

    #[test]
    fn refuses_bad_check_digits_and_unknown_schemes() {
        // 0123456789 fails the Belgian enterprise number's mod-97 check (PEPPOL-COMMON-R043).
        let err = parse_participant("0208:0123456789").unwrap_err();
        assert!(err.contains("0208:0123456789"), "{err}");
        assert!(parse_participant("0208").is_err());
        assert!(parse_participant("busdox::0208:0123456749").is_err());
        assert!(parse_participant("0000:1").is_err());
    }
}
