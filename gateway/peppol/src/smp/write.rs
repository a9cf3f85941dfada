//! Writing SMP 1.x documents. Output is UTF-8, prefixes `smp:`, `ids:`, `wsa:` declared on the
//! root; children in schema order. Signing is done elsewhere on these bytes.

use quick_xml::escape::escape;

use super::model::*;
use crate::{DocumentTypeId, ParticipantId, ProcessId};

const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";

fn ns_decls(out: &mut String) {
    out.push_str(&format!(
        " xmlns:smp=\"{NS_SMP}\" xmlns:ids=\"{NS_IDS}\" xmlns:wsa=\"{NS_WSA}\""
    ));
}

fn el(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!("<{name}>{}</{name}>", escape(text)));
}

fn participant(out: &mut String, p: &ParticipantId) {
    out.push_str(&format!(
        "<ids:ParticipantIdentifier scheme=\"{}\">{}</ids:ParticipantIdentifier>",
        escape(p.scheme()),
        escape(p.value())
    ));
}

fn document(out: &mut String, d: &DocumentTypeId) {
    out.push_str(&format!(
        "<ids:DocumentIdentifier scheme=\"{}\">{}</ids:DocumentIdentifier>",
        escape(d.scheme()),
        escape(d.value())
    ));
}

fn process_id(out: &mut String, p: &ProcessId) {
    out.push_str(&format!(
        "<ids:ProcessIdentifier scheme=\"{}\">{}</ids:ProcessIdentifier>",
        escape(p.scheme()),
        escape(p.value())
    ));
}

fn extension(out: &mut String, e: &Option<RawXml>) {
    if let Some(RawXml(x)) = e {
        out.push_str(x);
    }
}

/// Writes a `smp:ServiceGroup` document.
pub fn write_service_group(sg: &ServiceGroup) -> Vec<u8> {
    let mut out = String::from(DECL);
    out.push_str("<smp:ServiceGroup");
    ns_decls(&mut out);
    out.push('>');
    participant(&mut out, &sg.participant);
    out.push_str("<smp:ServiceMetadataReferenceCollection>");
    for href in &sg.references {
        out.push_str(&format!(
            "<smp:ServiceMetadataReference href=\"{}\"/>",
            escape(href.as_str())
        ));
    }
    out.push_str("</smp:ServiceMetadataReferenceCollection>");
    extension(&mut out, &sg.extension);
    out.push_str("</smp:ServiceGroup>");
    out.into_bytes()
}

/// Writes a `smp:SignedServiceMetadata` document; `signature` (a whole `ds:Signature` element)
/// is appended verbatim when given. Without it the output is the template a signer fills in.
pub fn write_signed_service_metadata(m: &ServiceMetadata, signature: Option<&RawXml>) -> Vec<u8> {
    let mut out = String::from(DECL);
    out.push_str("<smp:SignedServiceMetadata");
    ns_decls(&mut out);
    out.push('>');
    service_metadata(&mut out, m);
    if let Some(RawXml(s)) = signature {
        out.push_str(s);
    }
    out.push_str("</smp:SignedServiceMetadata>");
    out.into_bytes()
}

fn service_metadata(out: &mut String, m: &ServiceMetadata) {
    out.push_str("<smp:ServiceMetadata>");
    match m {
        ServiceMetadata::Information(i) => {
            out.push_str("<smp:ServiceInformation>");
            participant(out, &i.participant);
            document(out, &i.document_type);
            out.push_str("<smp:ProcessList>");
            for p in &i.processes {
                out.push_str("<smp:Process>");
                process_id(out, &p.process);
                out.push_str("<smp:ServiceEndpointList>");
                for e in &p.endpoints {
                    endpoint(out, e);
                }
                out.push_str("</smp:ServiceEndpointList>");
                extension(out, &p.extension);
                out.push_str("</smp:Process>");
            }
            out.push_str("</smp:ProcessList>");
            extension(out, &i.extension);
            out.push_str("</smp:ServiceInformation>");
        }
        ServiceMetadata::Redirect(r) => {
            out.push_str(&format!(
                "<smp:Redirect href=\"{}\">",
                escape(r.href.as_str())
            ));
            el(out, "smp:CertificateUID", &r.certificate_uid);
            extension(out, &r.extension);
            out.push_str("</smp:Redirect>");
        }
    }
    out.push_str("</smp:ServiceMetadata>");
}

fn endpoint(out: &mut String, e: &Endpoint) {
    out.push_str(&format!(
        "<smp:Endpoint transportProfile=\"{}\">",
        escape(e.transport_profile.as_str())
    ));
    out.push_str("<wsa:EndpointReference>");
    el(out, "wsa:Address", &e.endpoint_uri);
    out.push_str("</wsa:EndpointReference>");
    el(
        out,
        "smp:RequireBusinessLevelSignature",
        if e.require_business_level_signature {
            "true"
        } else {
            "false"
        },
    );
    let opt = |out: &mut String, name: &str, v: &Option<String>| {
        if let Some(v) = v {
            el(out, name, v);
        }
    };
    opt(
        out,
        "smp:MinimumAuthenticationLevel",
        &e.minimum_authentication_level,
    );
    opt(out, "smp:ServiceActivationDate", &e.service_activation_date);
    opt(out, "smp:ServiceExpirationDate", &e.service_expiration_date);
    el(out, "smp:Certificate", &e.certificate);
    el(out, "smp:ServiceDescription", &e.service_description);
    el(out, "smp:TechnicalContactUrl", &e.technical_contact_url);
    opt(
        out,
        "smp:TechnicalInformationUrl",
        &e.technical_information_url,
    );
    extension(out, &e.extension);
    out.push_str("</smp:Endpoint>");
}
