//! Reading SMP 1.x documents from untrusted bytes. Strict on structure (every child must be one
//! the schema allows, at most as often as allowed) and never panics; errors carry line/column.

use super::model::*;
use super::tree::{error_at, parse, Limits, Node};
use crate::error::{XmlError, XmlErrorKind};
use crate::{DocumentTypeId, Error, ParticipantId, ProcessId};

type R<T> = Result<T, XmlError>;

/// Reads a `smp:ServiceGroup` document.
pub fn read_service_group(input: &[u8]) -> Result<ServiceGroup, Error> {
    read_service_group_with(input, &Limits::default())
}

/// Reads a `smp:SignedServiceMetadata` document (the signature is kept raw, not verified).
pub fn read_signed_service_metadata(input: &[u8]) -> Result<SignedServiceMetadata, Error> {
    read_signed_service_metadata_with(input, &Limits::default())
}

/// [`read_service_group`] with explicit limits.
pub fn read_service_group_with(input: &[u8], limits: &Limits) -> Result<ServiceGroup, Error> {
    let root = parse(input, limits)?;
    let c = Ctx { input };
    c.root(&root, "ServiceGroup")?;
    c.only(
        &root,
        &[
            (NS_IDS, "ParticipantIdentifier"),
            (NS_SMP, "ServiceMetadataReferenceCollection"),
            (NS_SMP, "Extension"),
        ],
    )?;
    let participant =
        c.participant(c.one(&root, NS_IDS, "ParticipantIdentifier", "ServiceGroup")?)?;
    let coll = c.one(
        &root,
        NS_SMP,
        "ServiceMetadataReferenceCollection",
        "ServiceGroup",
    )?;
    c.only(coll, &[(NS_SMP, "ServiceMetadataReference")])?;
    let references = coll
        .children
        .iter()
        .map(|r| {
            c.attr(r, "ServiceMetadataReference", "href")
                .map(str::to_owned)
        })
        .collect::<R<Vec<_>>>()?;
    let extension = c.extension(&root)?;
    Ok(ServiceGroup {
        participant,
        references,
        extension,
    })
}

/// [`read_signed_service_metadata`] with explicit limits.
pub fn read_signed_service_metadata_with(
    input: &[u8],
    limits: &Limits,
) -> Result<SignedServiceMetadata, Error> {
    let root = parse(input, limits)?;
    let c = Ctx { input };
    c.root(&root, "SignedServiceMetadata")?;
    c.only(
        &root,
        &[(NS_SMP, "ServiceMetadata"), (NS_DSIG, "Signature")],
    )?;
    let metadata =
        c.service_metadata(c.one(&root, NS_SMP, "ServiceMetadata", "SignedServiceMetadata")?)?;
    let signature = c.opt(&root, NS_DSIG, "Signature")?.map(|s| c.raw(s));
    Ok(SignedServiceMetadata {
        metadata,
        signature,
    })
}

/// Reads an unsigned `smp:ServiceMetadata` document.
pub fn read_service_metadata(input: &[u8]) -> Result<ServiceMetadata, Error> {
    let root = parse(input, &Limits::default())?;
    let c = Ctx { input };
    c.root(&root, "ServiceMetadata")?;
    Ok(c.service_metadata(&root)?)
}

pub(super) struct Ctx<'a> {
    pub(super) input: &'a [u8],
}

pub(super) fn is(n: &Node, ns: &str, name: &str) -> bool {
    n.ns.as_deref() == Some(ns) && n.name == name
}

impl Ctx<'_> {
    pub(super) fn err(&self, n: &Node, kind: XmlErrorKind) -> XmlError {
        error_at(self.input, n.start, kind)
    }

    pub(super) fn root(&self, n: &Node, name: &'static str) -> R<()> {
        self.root_in(n, NS_SMP, name)
    }

    pub(super) fn root_in(&self, n: &Node, ns: &str, name: &'static str) -> R<()> {
        if is(n, ns, name) {
            return Ok(());
        }
        let found = match &n.ns {
            Some(ns) => format!("{{{ns}}}{}", n.name),
            None => n.name.clone(),
        };
        Err(self.err(
            n,
            XmlErrorKind::UnexpectedRoot {
                expected: name,
                found,
            },
        ))
    }

    /// Refuses children the schema does not allow here, and text in element-only content.
    pub(super) fn only(&self, n: &Node, allowed: &[(&str, &str)]) -> R<()> {
        if !n.text.trim().is_empty() {
            return Err(self.err(
                n,
                XmlErrorKind::BadValue {
                    element: leak_name(&n.name),
                    reason: "unexpected text between child elements".into(),
                },
            ));
        }
        match n
            .children
            .iter()
            .find(|c| !allowed.iter().any(|(ns, name)| is(c, ns, name)))
        {
            None => Ok(()),
            Some(c) => Err(self.err(
                c,
                XmlErrorKind::BadValue {
                    element: leak_name(&n.name),
                    reason: format!("unexpected child element `{}`", c.name),
                },
            )),
        }
    }

    pub(super) fn opt<'n>(&self, n: &'n Node, ns: &str, name: &'static str) -> R<Option<&'n Node>> {
        let mut it = n.children.iter().filter(|c| is(c, ns, name));
        let first = it.next();
        match it.next() {
            Some(dup) => Err(self.err(dup, XmlErrorKind::Duplicate { element: name })),
            None => Ok(first),
        }
    }

    pub(super) fn one<'n>(
        &self,
        n: &'n Node,
        ns: &str,
        name: &'static str,
        parent: &'static str,
    ) -> R<&'n Node> {
        self.opt(n, ns, name)?.ok_or_else(|| {
            self.err(
                n,
                XmlErrorKind::Missing {
                    parent,
                    child: name,
                },
            )
        })
    }

    pub(super) fn text(
        &self,
        n: &Node,
        ns: &str,
        name: &'static str,
        parent: &'static str,
    ) -> R<String> {
        let t = self.one(n, ns, name, parent)?;
        self.no_children(t, name)?;
        Ok(t.text.trim().to_owned())
    }

    pub(super) fn opt_text(&self, n: &Node, ns: &str, name: &'static str) -> R<Option<String>> {
        match self.opt(n, ns, name)? {
            Some(t) => {
                self.no_children(t, name)?;
                Ok(Some(t.text.trim().to_owned()))
            }
            None => Ok(None),
        }
    }

    pub(super) fn no_children(&self, n: &Node, name: &'static str) -> R<()> {
        match n.children.first() {
            Some(c) => Err(self.err(
                c,
                XmlErrorKind::BadValue {
                    element: name,
                    reason: "must hold text only".into(),
                },
            )),
            None => Ok(()),
        }
    }

    pub(super) fn attr<'n>(
        &self,
        n: &'n Node,
        element: &'static str,
        attribute: &'static str,
    ) -> R<&'n str> {
        n.attr(attribute)
            .ok_or_else(|| self.err(n, XmlErrorKind::MissingAttribute { element, attribute }))
    }

    pub(super) fn raw(&self, n: &Node) -> RawXml {
        let bytes = self.input.get(n.start..n.end).unwrap_or_default();
        RawXml(String::from_utf8_lossy(bytes).into_owned())
    }

    fn extension(&self, n: &Node) -> R<Option<RawXml>> {
        Ok(self.opt(n, NS_SMP, "Extension")?.map(|e| self.raw(e)))
    }

    pub(super) fn id_err(&self, n: &Node, element: &'static str, e: Error) -> XmlError {
        self.err(
            n,
            XmlErrorKind::Identifier {
                element,
                error: Box::new(e),
            },
        )
    }

    fn participant(&self, n: &Node) -> R<ParticipantId> {
        self.no_children(n, "ParticipantIdentifier")?;
        let scheme = self.attr(n, "ParticipantIdentifier", "scheme")?;
        ParticipantId::from_parts_lenient(scheme, n.text.trim())
            .map_err(|e| self.id_err(n, "ParticipantIdentifier", e))
    }

    fn service_metadata(&self, n: &Node) -> R<ServiceMetadata> {
        self.only(n, &[(NS_SMP, "ServiceInformation"), (NS_SMP, "Redirect")])?;
        match (
            self.opt(n, NS_SMP, "ServiceInformation")?,
            self.opt(n, NS_SMP, "Redirect")?,
        ) {
            (Some(info), None) => Ok(ServiceMetadata::Information(self.information(info)?)),
            (None, Some(r)) => Ok(ServiceMetadata::Redirect(self.redirect(r)?)),
            (Some(_), Some(r)) => Err(self.err(
                r,
                XmlErrorKind::BadValue {
                    element: "ServiceMetadata",
                    reason: "has both ServiceInformation and Redirect".into(),
                },
            )),
            (None, None) => Err(self.err(
                n,
                XmlErrorKind::Missing {
                    parent: "ServiceMetadata",
                    child: "ServiceInformation",
                },
            )),
        }
    }

    fn information(&self, n: &Node) -> R<ServiceInformation> {
        self.only(
            n,
            &[
                (NS_IDS, "ParticipantIdentifier"),
                (NS_IDS, "DocumentIdentifier"),
                (NS_SMP, "ProcessList"),
                (NS_SMP, "Extension"),
            ],
        )?;
        let participant = self.participant(self.one(
            n,
            NS_IDS,
            "ParticipantIdentifier",
            "ServiceInformation",
        )?)?;
        let d = self.one(n, NS_IDS, "DocumentIdentifier", "ServiceInformation")?;
        self.no_children(d, "DocumentIdentifier")?;
        let scheme = self.attr(d, "DocumentIdentifier", "scheme")?;
        let document_type = DocumentTypeId::from_parts(scheme, d.text.trim())
            .map_err(|e| self.id_err(d, "DocumentIdentifier", e))?;
        let list = self.one(n, NS_SMP, "ProcessList", "ServiceInformation")?;
        self.only(list, &[(NS_SMP, "Process")])?;
        let processes = list
            .children
            .iter()
            .map(|p| self.process(p))
            .collect::<R<Vec<_>>>()?;
        if processes.is_empty() {
            return Err(self.err(
                list,
                XmlErrorKind::Missing {
                    parent: "ProcessList",
                    child: "Process",
                },
            ));
        }
        Ok(ServiceInformation {
            participant,
            document_type,
            processes,
            extension: self.extension(n)?,
        })
    }

    fn process(&self, n: &Node) -> R<Process> {
        self.only(
            n,
            &[
                (NS_IDS, "ProcessIdentifier"),
                (NS_SMP, "ServiceEndpointList"),
                (NS_SMP, "Extension"),
            ],
        )?;
        let p = self.one(n, NS_IDS, "ProcessIdentifier", "Process")?;
        self.no_children(p, "ProcessIdentifier")?;
        let scheme = self.attr(p, "ProcessIdentifier", "scheme")?;
        let process = ProcessId::from_parts(scheme, p.text.trim())
            .map_err(|e| self.id_err(p, "ProcessIdentifier", e))?;
        let list = self.one(n, NS_SMP, "ServiceEndpointList", "Process")?;
        self.only(list, &[(NS_SMP, "Endpoint")])?;
        let endpoints = list
            .children
            .iter()
            .map(|e| self.endpoint(e))
            .collect::<R<Vec<_>>>()?;
        if endpoints.is_empty() {
            return Err(self.err(
                list,
                XmlErrorKind::Missing {
                    parent: "ServiceEndpointList",
                    child: "Endpoint",
                },
            ));
        }
        Ok(Process {
            process,
            endpoints,
            extension: self.extension(n)?,
        })
    }

    fn endpoint(&self, n: &Node) -> R<Endpoint> {
        self.only(
            n,
            &[
                (NS_WSA, "EndpointReference"),
                (NS_SMP, "RequireBusinessLevelSignature"),
                (NS_SMP, "MinimumAuthenticationLevel"),
                (NS_SMP, "ServiceActivationDate"),
                (NS_SMP, "ServiceExpirationDate"),
                (NS_SMP, "Certificate"),
                (NS_SMP, "ServiceDescription"),
                (NS_SMP, "TechnicalContactUrl"),
                (NS_SMP, "TechnicalInformationUrl"),
                (NS_SMP, "Extension"),
            ],
        )?;
        let transport_profile = self
            .attr(n, "Endpoint", "transportProfile")?
            .trim()
            .to_owned();
        if transport_profile.is_empty() {
            return Err(self.err(
                n,
                XmlErrorKind::BadValue {
                    element: "Endpoint",
                    reason: "empty transportProfile".into(),
                },
            ));
        }
        let epr = self.one(n, NS_WSA, "EndpointReference", "Endpoint")?;
        let endpoint_uri = self.text(epr, NS_WSA, "Address", "EndpointReference")?;
        if endpoint_uri.is_empty() {
            return Err(self.err(
                epr,
                XmlErrorKind::BadValue {
                    element: "Address",
                    reason: "is empty".into(),
                },
            ));
        }
        let rbls = self.one(n, NS_SMP, "RequireBusinessLevelSignature", "Endpoint")?;
        let require_business_level_signature = match rbls.text.trim() {
            "true" | "1" => true,
            "false" | "0" => false,
            other => {
                return Err(self.err(
                    rbls,
                    XmlErrorKind::BadValue {
                        element: "RequireBusinessLevelSignature",
                        reason: format!("`{other}` is not a boolean"),
                    },
                ))
            }
        };
        let cert_node = self.one(n, NS_SMP, "Certificate", "Endpoint")?;
        let certificate: String = cert_node
            .text
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        if certificate.is_empty()
            || data_encoding::BASE64
                .decode(certificate.as_bytes())
                .is_err()
        {
            return Err(self.err(
                cert_node,
                XmlErrorKind::BadValue {
                    element: "Certificate",
                    reason: "is not base64 DER".into(),
                },
            ));
        }
        Ok(Endpoint {
            transport_profile,
            endpoint_uri,
            require_business_level_signature,
            minimum_authentication_level: self.opt_text(n, NS_SMP, "MinimumAuthenticationLevel")?,
            service_activation_date: self.opt_text(n, NS_SMP, "ServiceActivationDate")?,
            service_expiration_date: self.opt_text(n, NS_SMP, "ServiceExpirationDate")?,
            certificate,
            service_description: self.text(n, NS_SMP, "ServiceDescription", "Endpoint")?,
            technical_contact_url: self.text(n, NS_SMP, "TechnicalContactUrl", "Endpoint")?,
            technical_information_url: self.opt_text(n, NS_SMP, "TechnicalInformationUrl")?,
            extension: self.extension(n)?,
        })
    }

    fn redirect(&self, n: &Node) -> R<Redirect> {
        self.only(n, &[(NS_SMP, "CertificateUID"), (NS_SMP, "Extension")])?;
        Ok(Redirect {
            href: self.attr(n, "Redirect", "href")?.trim().to_owned(),
            certificate_uid: self.text(n, NS_SMP, "CertificateUID", "Redirect")?,
            extension: self.extension(n)?,
        })
    }
}

/// Element names in errors are `&'static str`; map the known parents, else a generic label.
fn leak_name(name: &str) -> &'static str {
    const KNOWN: &[&str] = &[
        "ServiceGroup",
        "ServiceMetadataReferenceCollection",
        "SignedServiceMetadata",
        "ServiceMetadata",
        "ServiceInformation",
        "ProcessList",
        "Process",
        "ServiceEndpointList",
        "Endpoint",
        "Redirect",
        "BusinessCard",
        "BusinessEntity",
        "Contact",
    ];
    KNOWN
        .iter()
        .copied()
        .find(|k| *k == name)
        .unwrap_or("element")
}
