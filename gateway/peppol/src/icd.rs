//! The Peppol participant identifier scheme list (ICD / EAS codes), generated from the shared sources.

use crate::icd_table::ICD_TABLE;

/// Whether a scheme code may be used for new participant identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IcdStatus {
    /// In the current Peppol list (BIS 3.0.21, May 2026).
    Active,
    /// Listed in BIS 3.0.19 but gone from the current list.
    Removed,
}

/// One row of the scheme list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcdEntry {
    /// The 4-digit code, e.g. `"0208"`.
    pub code: &'static str,
    /// The scheme's name from `eas.xml`; `None` for codes added after BIS 3.0.19.
    pub name: Option<&'static str>,
    pub status: IcdStatus,
}

/// Looks a 4-digit code up in the table (current and removed codes).
pub fn lookup_icd(code: &str) -> Option<&'static IcdEntry> {
    ICD_TABLE
        .binary_search_by(|e| e.code.cmp(code))
        .ok()
        .map(|i| &ICD_TABLE[i])
}

/// All known codes, sorted, current and removed.
pub fn icd_table() -> &'static [IcdEntry] {
    ICD_TABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(ICD_TABLE.windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn lookups() {
        assert_eq!(
            lookup_icd("0208").map(|e| e.status),
            Some(IcdStatus::Active)
        );
        assert_eq!(
            lookup_icd("0193").map(|e| e.status),
            Some(IcdStatus::Removed)
        );
        assert_eq!(lookup_icd("0010"), None);
        assert_eq!(
            lookup_icd("9925").map(|e| e.status),
            Some(IcdStatus::Active)
        );
    }
}
