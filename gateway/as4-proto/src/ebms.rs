//! The ebMS 3 header (`eb:Messaging`): UserMessage and SignalMessage (Receipt with
//! NonRepudiationInformation, Error), written as text and read back from canonical bytes.

use gateway_xml::{Document, NodeId};

use crate::error::{EbmsError, Error, Result};
use crate::ns::{DS, EB, EBBP, EXC_C14N, WSU};
use crate::tree::{self, child, children, esc, one, opt_text, text_of};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyId {
    pub value: String,
    pub party_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    pub name: String,
    pub property_type: Option<String>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// `cid:...`
    pub href: String,
    pub properties: Vec<Property>,
}

impl PartInfo {
    pub fn property(&self, name: &str) -> Option<&str> {
        find_property(&self.properties, name)
    }
}

fn find_property<'a>(props: &'a [Property], name: &str) -> Option<&'a str> {
    props
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.value.as_str())
}

/// An ebMS 3 UserMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    pub timestamp: String,
    pub message_id: String,
    pub ref_to_message_id: Option<String>,
    pub from: PartyId,
    pub from_role: String,
    pub to: PartyId,
    pub to_role: String,
    pub agreement_ref: Option<String>,
    pub service: String,
    pub service_type: Option<String>,
    pub action: String,
    pub conversation_id: String,
    pub properties: Vec<Property>,
    pub parts: Vec<PartInfo>,
}

impl UserMessage {
    pub fn property(&self, name: &str) -> Option<&str> {
        find_property(&self.properties, name)
    }
}

/// One `ds:Reference` as signed, and as echoed in a receipt's NonRepudiationInformation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    pub uri: String,
    pub transforms: Vec<Transform>,
    pub digest_method: String,
    /// Base64, whitespace removed.
    pub digest_value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Transform {
    pub algorithm: String,
    /// Exclusive c14n `InclusiveNamespaces PrefixList`.
    pub prefixes: Vec<String>,
}

impl Reference {
    pub(crate) fn write(&self, out: &mut String, declare_ds: bool) {
        let decl = if declare_ds {
            format!(" xmlns:ds=\"{DS}\"")
        } else {
            String::new()
        };
        out.push_str(&format!("<ds:Reference{decl} URI=\"{}\">", esc(&self.uri)));
        if !self.transforms.is_empty() {
            out.push_str("<ds:Transforms>");
            for t in &self.transforms {
                out.push_str(&format!(
                    "<ds:Transform Algorithm=\"{}\">",
                    esc(&t.algorithm)
                ));
                if !t.prefixes.is_empty() {
                    out.push_str(&format!(
                        "<ec:InclusiveNamespaces xmlns:ec=\"{EXC_C14N}\" PrefixList=\"{}\"></ec:InclusiveNamespaces>",
                        esc(&t.prefixes.join(" "))
                    ));
                }
                out.push_str("</ds:Transform>");
            }
            out.push_str("</ds:Transforms>");
        }
        out.push_str(&format!(
            "<ds:DigestMethod Algorithm=\"{}\"></ds:DigestMethod><ds:DigestValue>{}</ds:DigestValue></ds:Reference>",
            esc(&self.digest_method),
            esc(&self.digest_value)
        ));
    }

    pub(crate) fn read(doc: &Document, node: NodeId) -> Result<Reference> {
        let uri = doc.attr(node, "URI").unwrap_or_default().to_owned();
        let transforms = match child(doc, node, DS, "Transforms") {
            Some(ts) => children(doc, ts, DS, "Transform")
                .into_iter()
                .map(|t| Transform {
                    algorithm: doc.attr(t, "Algorithm").unwrap_or_default().to_owned(),
                    prefixes: child(doc, t, EXC_C14N, "InclusiveNamespaces")
                        .and_then(|n| doc.attr(n, "PrefixList"))
                        .map(|l| l.split_whitespace().map(str::to_owned).collect())
                        .unwrap_or_default(),
                })
                .collect(),
            None => Vec::new(),
        };
        let dm = one(doc, node, DS, "DigestMethod")?;
        let digest_method = doc.attr(dm, "Algorithm").unwrap_or_default().to_owned();
        let digest_value: String = doc
            .text(one(doc, node, DS, "DigestValue")?)
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        Ok(Reference {
            uri,
            transforms,
            digest_method,
            digest_value,
        })
    }
}

/// A SignalMessage: a receipt or errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signal {
    pub timestamp: String,
    pub message_id: String,
    pub ref_to_message_id: Option<String>,
    pub kind: SignalKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalKind {
    /// A receipt with the NonRepudiationInformation references.
    Receipt(Vec<Reference>),
    Errors(Vec<EbmsError>),
}

fn messaging_open(id: &str) -> String {
    format!(
        "<eb:Messaging xmlns:eb=\"{EB}\" xmlns:wsu=\"{WSU}\" wsu:Id=\"{}\" S12:mustUnderstand=\"true\">",
        esc(id)
    )
}

fn message_info(out: &mut String, timestamp: &str, id: &str, ref_to: Option<&str>) {
    out.push_str(&format!(
        "<eb:MessageInfo><eb:Timestamp>{}</eb:Timestamp><eb:MessageId>{}</eb:MessageId>",
        esc(timestamp),
        esc(id)
    ));
    if let Some(r) = ref_to {
        out.push_str(&format!(
            "<eb:RefToMessageId>{}</eb:RefToMessageId>",
            esc(r)
        ));
    }
    out.push_str("</eb:MessageInfo>");
}

fn write_property(out: &mut String, p: &Property) {
    let t = p
        .property_type
        .as_deref()
        .map(|t| format!(" type=\"{}\"", esc(t)))
        .unwrap_or_default();
    out.push_str(&format!(
        "<eb:Property name=\"{}\"{t}>{}</eb:Property>",
        esc(&p.name),
        esc(&p.value)
    ));
}

fn write_party(out: &mut String, tag: &str, party: &PartyId, role: &str) {
    let t = party
        .party_type
        .as_deref()
        .map(|t| format!(" type=\"{}\"", esc(t)))
        .unwrap_or_default();
    out.push_str(&format!(
        "<eb:{tag}><eb:PartyId{t}>{}</eb:PartyId><eb:Role>{}</eb:Role></eb:{tag}>",
        esc(&party.value),
        esc(role)
    ));
}

/// `eb:Messaging` with a UserMessage; `S12` must be declared by the envelope.
pub fn write_user_message(um: &UserMessage, wsu_id: &str) -> String {
    let mut out = messaging_open(wsu_id);
    out.push_str("<eb:UserMessage>");
    message_info(
        &mut out,
        &um.timestamp,
        &um.message_id,
        um.ref_to_message_id.as_deref(),
    );
    out.push_str("<eb:PartyInfo>");
    write_party(&mut out, "From", &um.from, &um.from_role);
    write_party(&mut out, "To", &um.to, &um.to_role);
    out.push_str("</eb:PartyInfo><eb:CollaborationInfo>");
    if let Some(a) = &um.agreement_ref {
        out.push_str(&format!("<eb:AgreementRef>{}</eb:AgreementRef>", esc(a)));
    }
    let st = um
        .service_type
        .as_deref()
        .map(|t| format!(" type=\"{}\"", esc(t)))
        .unwrap_or_default();
    out.push_str(&format!(
        "<eb:Service{st}>{}</eb:Service><eb:Action>{}</eb:Action><eb:ConversationId>{}</eb:ConversationId></eb:CollaborationInfo>",
        esc(&um.service),
        esc(&um.action),
        esc(&um.conversation_id)
    ));
    if !um.properties.is_empty() {
        out.push_str("<eb:MessageProperties>");
        for p in &um.properties {
            write_property(&mut out, p);
        }
        out.push_str("</eb:MessageProperties>");
    }
    if !um.parts.is_empty() {
        out.push_str("<eb:PayloadInfo>");
        for part in &um.parts {
            out.push_str(&format!("<eb:PartInfo href=\"{}\">", esc(&part.href)));
            if !part.properties.is_empty() {
                out.push_str("<eb:PartProperties>");
                for p in &part.properties {
                    write_property(&mut out, p);
                }
                out.push_str("</eb:PartProperties>");
            }
            out.push_str("</eb:PartInfo>");
        }
        out.push_str("</eb:PayloadInfo>");
    }
    out.push_str("</eb:UserMessage></eb:Messaging>");
    out
}

/// `eb:Messaging` with a SignalMessage.
pub fn write_signal(signal: &Signal, wsu_id: &str) -> String {
    let mut out = messaging_open(wsu_id);
    out.push_str("<eb:SignalMessage>");
    message_info(
        &mut out,
        &signal.timestamp,
        &signal.message_id,
        signal.ref_to_message_id.as_deref(),
    );
    match &signal.kind {
        SignalKind::Receipt(refs) => {
            out.push_str(&format!(
                "<eb:Receipt><ebbp:NonRepudiationInformation xmlns:ebbp=\"{EBBP}\">"
            ));
            for r in refs {
                out.push_str("<ebbp:MessagePartNRInformation>");
                r.write(&mut out, true);
                out.push_str("</ebbp:MessagePartNRInformation>");
            }
            out.push_str("</ebbp:NonRepudiationInformation></eb:Receipt>");
        }
        SignalKind::Errors(errors) => {
            for e in errors {
                let in_error = signal
                    .ref_to_message_id
                    .as_deref()
                    .map(|r| format!(" refToMessageInError=\"{}\"", esc(r)))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "<eb:Error category=\"{}\" errorCode=\"{}\" origin=\"ebMS\" severity=\"{}\" shortDescription=\"{}\"{in_error}>",
                    esc(&e.category),
                    esc(&e.code),
                    esc(&e.severity),
                    esc(&e.short_description)
                ));
                if let Some(d) = &e.detail {
                    out.push_str(&format!("<eb:ErrorDetail>{}</eb:ErrorDetail>", esc(d)));
                }
                out.push_str("</eb:Error>");
            }
        }
    }
    out.push_str("</eb:SignalMessage></eb:Messaging>");
    out
}

fn messaging_root(doc: &Document) -> Result<NodeId> {
    let root = doc.root();
    if !doc.is(root, EB, "Messaging") {
        return Err(Error::Header(
            "the signed header is not eb:Messaging".into(),
        ));
    }
    Ok(root)
}

fn read_party(doc: &Document, node: NodeId) -> Result<(PartyId, String)> {
    let pid = one(doc, node, EB, "PartyId")?;
    let value = doc.text(pid).trim().to_owned();
    if value.is_empty() {
        return Err(Error::Header(format!("{} is empty", doc.xpath(pid))));
    }
    Ok((
        PartyId {
            value,
            party_type: doc.attr(pid, "type").map(str::to_owned),
        },
        text_of(doc, node, EB, "Role")?,
    ))
}

fn read_properties(doc: &Document, node: Option<NodeId>) -> Vec<Property> {
    node.map(|n| {
        children(doc, n, EB, "Property")
            .into_iter()
            .map(|p| Property {
                name: doc.attr(p, "name").unwrap_or_default().to_owned(),
                property_type: doc.attr(p, "type").map(str::to_owned),
                value: doc.text(p).trim().to_owned(),
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Reads the UserMessage out of the canonical bytes of a (signed) `eb:Messaging`.
pub fn read_user_message(messaging: &[u8]) -> Result<UserMessage> {
    read_user_message_from(&tree::parse(messaging, "eb:Messaging", Error::Header)?)
}

/// [`read_user_message`] from the parsed canonical bytes.
pub(crate) fn read_user_message_from(doc: &Document) -> Result<UserMessage> {
    let root = messaging_root(doc)?;
    if !children(doc, root, EB, "SignalMessage").is_empty() {
        return Err(Error::Header(
            "eb:Messaging carries a SignalMessage besides the UserMessage".into(),
        ));
    }
    let um = one(doc, root, EB, "UserMessage")?;
    let info = one(doc, um, EB, "MessageInfo")?;
    let party = one(doc, um, EB, "PartyInfo")?;
    let (from, from_role) = read_party(doc, one(doc, party, EB, "From")?)?;
    let (to, to_role) = read_party(doc, one(doc, party, EB, "To")?)?;
    let collab = one(doc, um, EB, "CollaborationInfo")?;
    let service = one(doc, collab, EB, "Service")?;
    let parts = match child(doc, um, EB, "PayloadInfo") {
        Some(pi) => children(doc, pi, EB, "PartInfo")
            .into_iter()
            .map(|p| PartInfo {
                href: doc.attr(p, "href").unwrap_or_default().to_owned(),
                properties: read_properties(doc, child(doc, p, EB, "PartProperties")),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(UserMessage {
        timestamp: text_of(doc, info, EB, "Timestamp")?,
        message_id: text_of(doc, info, EB, "MessageId")?,
        ref_to_message_id: opt_text(doc, info, EB, "RefToMessageId"),
        from,
        from_role,
        to,
        to_role,
        agreement_ref: opt_text(doc, collab, EB, "AgreementRef"),
        service: doc.text(service).trim().to_owned(),
        service_type: doc.attr(service, "type").map(str::to_owned),
        action: text_of(doc, collab, EB, "Action")?,
        conversation_id: text_of(doc, collab, EB, "ConversationId")?,
        properties: read_properties(doc, child(doc, um, EB, "MessageProperties")),
        parts,
    })
}

/// Reads the SignalMessage out of the (canonical) bytes of `eb:Messaging`.
pub fn read_signal(messaging: &[u8]) -> Result<Signal> {
    let doc = tree::parse(messaging, "eb:Messaging", Error::Signal)?;
    let root = messaging_root(&doc).map_err(|e| Error::Signal(e.to_string()))?;
    read_signal_at(&doc, root).map_err(|e| match e {
        Error::Header(m) => Error::Signal(m),
        other => other,
    })
}

pub(crate) fn read_signal_at(doc: &Document, messaging: NodeId) -> Result<Signal> {
    let sm = one(doc, messaging, EB, "SignalMessage")?;
    let info = one(doc, sm, EB, "MessageInfo")?;
    let errors: Vec<EbmsError> = children(doc, sm, EB, "Error")
        .into_iter()
        .map(|e| EbmsError {
            code: doc.attr(e, "errorCode").unwrap_or_default().to_owned(),
            short_description: doc
                .attr(e, "shortDescription")
                .unwrap_or_default()
                .to_owned(),
            category: doc.attr(e, "category").unwrap_or_default().to_owned(),
            severity: doc.attr(e, "severity").unwrap_or("failure").to_owned(),
            detail: opt_text(doc, e, EB, "ErrorDetail"),
        })
        .collect();
    let kind = match child(doc, sm, EB, "Receipt") {
        Some(receipt) if errors.is_empty() => {
            let mut refs = Vec::new();
            if let Some(nri) = child(doc, receipt, EBBP, "NonRepudiationInformation") {
                for part in children(doc, nri, EBBP, "MessagePartNRInformation") {
                    refs.push(Reference::read(doc, one(doc, part, DS, "Reference")?)?);
                }
            }
            SignalKind::Receipt(refs)
        }
        Some(_) => {
            return Err(Error::Header(
                "a signal carries both a Receipt and Errors".into(),
            ))
        }
        None if !errors.is_empty() => SignalKind::Errors(errors),
        None => {
            return Err(Error::Header(
                "the signal is neither a Receipt nor an Error".into(),
            ))
        }
    };
    Ok(Signal {
        timestamp: text_of(doc, info, EB, "Timestamp")?,
        message_id: text_of(doc, info, EB, "MessageId")?,
        ref_to_message_id: opt_text(doc, info, EB, "RefToMessageId"),
        kind,
    })
}
