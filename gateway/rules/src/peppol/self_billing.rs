//! Peppol self-billing 3.0.2 (release 2026.5, `PEPPOL-EN16931-UBL-SB.sch`):
//! the Peppol layer with its own business process, specification identifier
//! and type codes, and without the national rules. Only what differs from
//! the billing layer lives here; the shared rules keep their files.

use crate::rule::{Flag, Rule};

/// Which Peppol Schematron runs over the CEN layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layer {
    /// `PEPPOL-EN16931-UBL.sch` (BIS Billing 3.0.21).
    Billing,
    /// `PEPPOL-EN16931-UBL-SB.sch` (self-billing 3.0.2).
    SelfBilling,
}

/// R004 with the self-billing identifier and message.
pub(crate) static R004: Rule = Rule {
    id: "PEPPOL-EN16931-R004",
    flag: Flag::Fatal,
    message: "[PEPPOL-EN16931-R004]-Specification identifier MUST have the value 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0' and follow the format rules for the identifier.",
};

/// `$profile = '01'` in the self-billing Schematron.
const PROFILE_01: [&str; 3] = [
    "urn:fdc:peppol.eu:2017:poacc:selfbilling:01:1.0",
    "urn:peppol:france:billing:regulated",
    "urn:peppol:france:billing:non-regulated",
];
/// `$profile = '02'` (both layers).
const PROFILE_02: &str = "urn:peppol:bis:billing_with_response";

/// Self-billing specification identifier prefix (R004).
pub(crate) const CUSTOMIZATION: &str =
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:selfbilling:3.0";

/// Invoice type codes P0100 allows under profile '01'.
pub(crate) const P0100_CODES: &str = "389 527";
/// Credit note type codes P0101 allows under profile '01'.
pub(crate) const P0101_CODES: &str = "261";

/// `$profile != 'Unknown'` (R007) under the self-billing layer.
pub(crate) fn known_profile(p: &str) -> bool {
    PROFILE_01.contains(&p) || p == PROFILE_02
}

/// `$profile = '01'` (the P0100 / P0101 condition under self-billing).
pub(crate) fn profile_01(p: &str) -> bool {
    PROFILE_01.contains(&p)
}

/// Billing rules that the self-billing Schematron does not contain (R048
/// is commented out in both; the billing list keeps it for its id).
const ABSENT: [&str; 2] = ["PEPPOL-EN16931-P0112", "PEPPOL-COMMON-R048"];

/// Every rule of the self-billing layer, in the official order.
pub(crate) static SB_RULES: std::sync::LazyLock<Vec<&'static Rule>> =
    std::sync::LazyLock::new(|| {
        super::en16931_r::RULES
            .iter()
            .map(|&r| if r.id == R004.id { &R004 } else { r })
            .chain(super::lines::RULES.iter().copied())
            .chain(super::common::RULES.iter().copied())
            .chain(super::codes::RULES.iter().copied())
            .filter(|r| !ABSENT.contains(&r.id))
            .collect()
    });
