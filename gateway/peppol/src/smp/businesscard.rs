//! Peppol Directory business card (`http://www.peppol.eu/schema/pd/businesscard/20180621/`),
//! which an SMP serves for each participant and the Directory imports.

use quick_xml::escape::escape;

use super::read::{is, Ctx};
use super::tree::{parse, Limits, Node};
use crate::error::{XmlError, XmlErrorKind};
use crate::{Error, ParticipantId};

/// Business card namespace (version 3, 2018-06-21).
pub const NS_BUSINESS_CARD: &str = "http://www.peppol.eu/schema/pd/businesscard/20180621/";

const NS: &str = NS_BUSINESS_CARD;

/// `BusinessCard`: who a participant identifier belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCard {
    pub participant: ParticipantId,
    /// May be empty: the SMP supports cards but publishes no details.
    pub entities: Vec<BusinessEntity>,
}

/// `BusinessEntity`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BusinessEntity {
    /// At least one.
    pub names: Vec<CardName>,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    pub geographical_information: Option<String>,
    pub identifiers: Vec<CardIdentifier>,
    pub website_uris: Vec<String>,
    pub contacts: Vec<CardContact>,
    pub additional_information: Option<String>,
    /// `@registrationDate` (`xs:date` text).
    pub registration_date: Option<String>,
}

/// `Name` with its optional ISO 639-1 `@language`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardName {
    pub name: String,
    pub language: Option<String>,
}

/// `Identifier`: any scheme (VAT, national numbers...), not only Peppol ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardIdentifier {
    pub scheme: String,
    pub value: String,
}

/// `Contact`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CardContact {
    pub contact_type: Option<String>,
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub email: Option<String>,
}

type R<T> = Result<T, XmlError>;

/// Reads a business card from untrusted bytes (same hardening as the SMP reader).
pub fn read_business_card(input: &[u8]) -> Result<BusinessCard, Error> {
    let root = parse(input, &Limits::default())?;
    let c = Ctx { input };
    c.root_in(&root, NS, "BusinessCard")?;
    c.only(
        &root,
        &[(NS, "ParticipantIdentifier"), (NS, "BusinessEntity")],
    )?;
    let p = c.one(&root, NS, "ParticipantIdentifier", "BusinessCard")?;
    c.no_children(p, "ParticipantIdentifier")?;
    let scheme = c.attr(p, "ParticipantIdentifier", "scheme")?;
    let participant = ParticipantId::from_parts_lenient(scheme, p.text.trim())
        .map_err(|e| c.id_err(p, "ParticipantIdentifier", e))?;
    let entities = root
        .children
        .iter()
        .filter(|n| is(n, NS, "BusinessEntity"))
        .map(|n| entity(&c, n))
        .collect::<R<Vec<_>>>()?;
    Ok(BusinessCard {
        participant,
        entities,
    })
}

fn two_letters(c: &Ctx<'_>, n: &Node, element: &'static str, v: &str) -> R<()> {
    if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok(());
    }
    Err(c.err(
        n,
        XmlErrorKind::BadValue {
            element,
            reason: format!("`{v}` is not a 2-letter code"),
        },
    ))
}

fn entity(c: &Ctx<'_>, n: &Node) -> R<BusinessEntity> {
    c.only(
        n,
        &[
            (NS, "Name"),
            (NS, "CountryCode"),
            (NS, "GeographicalInformation"),
            (NS, "Identifier"),
            (NS, "WebsiteURI"),
            (NS, "Contact"),
            (NS, "AdditionalInformation"),
        ],
    )?;
    let kids = |name: &'static str| n.children.iter().filter(move |k| is(k, NS, name));
    let mut names = Vec::new();
    for k in kids("Name") {
        c.no_children(k, "Name")?;
        let language = k.attr("language").map(|l| l.trim().to_owned());
        if let Some(l) = &language {
            two_letters(c, k, "Name", l)?;
        }
        names.push(CardName {
            name: k.text.trim().to_owned(),
            language,
        });
    }
    if names.is_empty() {
        return Err(c.err(
            n,
            XmlErrorKind::Missing {
                parent: "BusinessEntity",
                child: "Name",
            },
        ));
    }
    let country_code = c.text(n, NS, "CountryCode", "BusinessEntity")?;
    if let Some(cc) = c.opt(n, NS, "CountryCode")? {
        two_letters(c, cc, "CountryCode", &country_code)?;
    }
    let mut identifiers = Vec::new();
    for k in kids("Identifier") {
        c.no_children(k, "Identifier")?;
        let scheme = c.attr(k, "Identifier", "scheme")?.trim().to_owned();
        identifiers.push(CardIdentifier {
            scheme,
            value: k.text.trim().to_owned(),
        });
    }
    let mut website_uris = Vec::new();
    for k in kids("WebsiteURI") {
        c.no_children(k, "WebsiteURI")?;
        website_uris.push(k.text.trim().to_owned());
    }
    let mut contacts = Vec::new();
    for k in kids("Contact") {
        c.only(
            k,
            &[
                (NS, "Type"),
                (NS, "Name"),
                (NS, "PhoneNumber"),
                (NS, "Email"),
            ],
        )?;
        contacts.push(CardContact {
            contact_type: c.opt_text(k, NS, "Type")?,
            name: c.opt_text(k, NS, "Name")?,
            phone_number: c.opt_text(k, NS, "PhoneNumber")?,
            email: c.opt_text(k, NS, "Email")?,
        });
    }
    Ok(BusinessEntity {
        names,
        country_code,
        geographical_information: c.opt_text(n, NS, "GeographicalInformation")?,
        identifiers,
        website_uris,
        contacts,
        additional_information: c.opt_text(n, NS, "AdditionalInformation")?,
        registration_date: n.attr("registrationDate").map(|d| d.trim().to_owned()),
    })
}

/// Writes a business card (default namespace, children in schema order).
pub fn write_business_card(card: &BusinessCard) -> Vec<u8> {
    let mut o = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    o.push_str(&format!("<BusinessCard xmlns=\"{NS}\">"));
    o.push_str(&format!(
        "<ParticipantIdentifier scheme=\"{}\">{}</ParticipantIdentifier>",
        escape(card.participant.scheme()),
        escape(card.participant.value())
    ));
    let el = |o: &mut String, name: &str, v: &str| {
        o.push_str(&format!("<{name}>{}</{name}>", escape(v)))
    };
    let opt = |o: &mut String, name: &str, v: &Option<String>| {
        if let Some(v) = v {
            el(o, name, v);
        }
    };
    for e in &card.entities {
        match &e.registration_date {
            Some(d) => o.push_str(&format!(
                "<BusinessEntity registrationDate=\"{}\">",
                escape(d.as_str())
            )),
            None => o.push_str("<BusinessEntity>"),
        }
        for n in &e.names {
            match &n.language {
                Some(l) => o.push_str(&format!(
                    "<Name language=\"{}\">{}</Name>",
                    escape(l.as_str()),
                    escape(n.name.as_str())
                )),
                None => el(&mut o, "Name", &n.name),
            }
        }
        el(&mut o, "CountryCode", &e.country_code);
        opt(
            &mut o,
            "GeographicalInformation",
            &e.geographical_information,
        );
        for i in &e.identifiers {
            o.push_str(&format!(
                "<Identifier scheme=\"{}\">{}</Identifier>",
                escape(i.scheme.as_str()),
                escape(i.value.as_str())
            ));
        }
        for w in &e.website_uris {
            el(&mut o, "WebsiteURI", w);
        }
        for ct in &e.contacts {
            o.push_str("<Contact>");
            opt(&mut o, "Type", &ct.contact_type);
            opt(&mut o, "Name", &ct.name);
            opt(&mut o, "PhoneNumber", &ct.phone_number);
            opt(&mut o, "Email", &ct.email);
            o.push_str("</Contact>");
        }
        opt(&mut o, "AdditionalInformation", &e.additional_information);
        o.push_str("</BusinessEntity>");
    }
    o.push_str("</BusinessCard>");
    o.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card() -> BusinessCard {
        BusinessCard {
            participant: ParticipantId::parse("9925:BE0123456749").unwrap(),
            entities: vec![BusinessEntity {
                names: vec![
                    CardName {
                        name: "Ștefan & Fils SRL".into(),
                        language: Some("ro".into()),
                    },
                    CardName {
                        name: "Stefan and Sons".into(),
                        language: None,
                    },
                ],
                country_code: "BE".into(),
                geographical_information: Some("Rue de la Loi 16\n1000 Brussels".into()),
                identifiers: vec![CardIdentifier {
                    scheme: "VAT".into(),
                    value: "BE0123456749".into(),
                }],
                website_uris: vec!["https://example.be".into()],
                contacts: vec![CardContact {
                    email: Some("ap@example.be".into()),
                    ..CardContact::default()
                }],
                additional_information: None,
                registration_date: Some("2026-11-30".into()),
            }],
        }
    }

    #[test]
    fn round_trip() {
        let c = card();
        let xml = write_business_card(&c);
        assert_eq!(read_business_card(&xml).unwrap(), c);
        let text = String::from_utf8(xml).unwrap();
        assert!(
            text.contains("<Name language=\"ro\">Ștefan &amp; Fils SRL</Name>"),
            "{text}"
        );
    }

    #[test]
    fn reads_a_prefixed_card_and_refuses_bad_ones() {
        let xml = format!(
            "<pd:BusinessCard xmlns:pd=\"{NS}\"><pd:ParticipantIdentifier scheme=\"iso6523-actorid-upis\">9915:test</pd:ParticipantIdentifier>\
             <pd:BusinessEntity><pd:Name>Test</pd:Name><pd:CountryCode>AT</pd:CountryCode></pd:BusinessEntity></pd:BusinessCard>"
        );
        let c = read_business_card(xml.as_bytes()).unwrap();
        assert_eq!(c.participant.value(), "9915:test");
        assert_eq!(c.entities[0].names[0].name, "Test");
        let no_name = xml.replace("<pd:Name>Test</pd:Name>", "");
        assert!(matches!(
            read_business_card(no_name.as_bytes()),
            Err(Error::Xml(XmlError {
                kind: XmlErrorKind::Missing { child: "Name", .. },
                ..
            }))
        ));
        let bad_cc = xml.replace(">AT<", ">AUT<");
        assert!(matches!(
            read_business_card(bad_cc.as_bytes()),
            Err(Error::Xml(XmlError {
                kind: XmlErrorKind::BadValue {
                    element: "CountryCode",
                    ..
                },
                ..
            }))
        ));
        let smp_ns = xml.replace(NS, "urn:other");
        assert!(matches!(
            read_business_card(smp_ns.as_bytes()),
            Err(Error::Xml(XmlError {
                kind: XmlErrorKind::UnexpectedRoot { .. },
                ..
            }))
        ));
    }
}
