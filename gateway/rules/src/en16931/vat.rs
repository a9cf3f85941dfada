//! The VAT category families BR-S, BR-Z, BR-E, BR-AE, BR-IC (K), BR-G,
//! BR-O, BR-AF (L) and BR-AG (M). Their ten rules follow one scheme with
//! per-family differences in the official text (which VAT ids are needed,
//! whether a predicate filters on the VAT scheme, exact versus normalised
//! comparison); those differences are table entries in [`FAMILIES`].

use gateway_xml::{Document, NodeId};
use rust_decimal::Decimal;

use crate::ctx::Ctx;
use crate::index::{Index, Ix};
use crate::rule::{rules, Rule};
use crate::xp::{self, cac, charge_is, exists, kid, kids, round2, vat_scheme};

rules! {
    BR_S_01 = "BR-S-01", Fatal, "[BR-S-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Standard rated\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"Standard rated\".";
    BR_S_02 = "BR-S-02", Fatal, "[BR-S-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_S_03 = "BR-S-03", Fatal, "[BR-S-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_S_04 = "BR-S-04", Fatal, "[BR-S-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Standard rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_S_08 = "BR-S-08", Fatal, "[BR-S-08]-For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"Standard rated\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"Standard rated\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).";
    BR_S_09 = "BR-S-09", Fatal, "[BR-S-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Standard rated\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).";
    BR_S_10 = "BR-S-10", Fatal, "[BR-S-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Standard rate\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_S_06 = "BR-S-06", Fatal, "[BR-S-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Standard rated\" the Document level allowance VAT rate (BT-96) shall be greater than zero.";
    BR_S_07 = "BR-S-07", Fatal, "[BR-S-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Standard rated\" the Document level charge VAT rate (BT-103) shall be greater than zero.";
    BR_S_05 = "BR-S-05", Fatal, "[BR-S-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Standard rated\" the Invoiced item VAT rate (BT-152) shall be greater than zero.";
    BR_Z_01 = "BR-Z-01", Fatal, "[BR-Z-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Zero rated\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Zero rated\".";
    BR_Z_02 = "BR-Z-02", Fatal, "[BR-Z-02]-An Invoice that contains an Invoice line where the Invoiced item VAT category code (BT-151) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_Z_03 = "BR-Z-03", Fatal, "[BR-Z-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_Z_04 = "BR-Z-04", Fatal, "[BR-Z-04]-An Invoice that contains a Document level charge where the Document level charge VAT category code (BT-102) is \"Zero rated\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_Z_08 = "BR-Z-08", Fatal, "[BR-Z-08]-In a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Zero rated\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amount (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Zero rated\".";
    BR_Z_09 = "BR-Z-09", Fatal, "[BR-Z-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"Zero rated\" shall equal 0 (zero).";
    BR_Z_10 = "BR-Z-10", Fatal, "[BR-Z-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Zero rated\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_Z_06 = "BR-Z-06", Fatal, "[BR-Z-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Zero rated\" the Document level allowance VAT rate (BT-96) shall be 0 (zero).";
    BR_Z_07 = "BR-Z-07", Fatal, "[BR-Z-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Zero rated\" the Document level charge VAT rate (BT-103) shall be 0 (zero).";
    BR_Z_05 = "BR-Z-05", Fatal, "[BR-Z-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Zero rated\" the Invoiced item VAT rate (BT-152) shall be 0 (zero).";
    BR_E_01 = "BR-E-01", Fatal, "[BR-E-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Exempt from VAT\" shall contain exactly one VAT breakdown (BG-23) with the VAT category code (BT-118) equal to \"Exempt from VAT\".";
    BR_E_02 = "BR-E-02", Fatal, "[BR-E-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_E_03 = "BR-E-03", Fatal, "[BR-E-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_E_04 = "BR-E-04", Fatal, "[BR-E-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Exempt from VAT\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_E_08 = "BR-E-08", Fatal, "[BR-E-08]-In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Exempt from VAT\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Exempt from VAT\".";
    BR_E_09 = "BR-E-09", Fatal, "[BR-E-09]-The VAT category tax amount (BT-117) In a VAT breakdown (BG-23) where the VAT category code (BT-118) equals \"Exempt from VAT\" shall equal 0 (zero).";
    BR_E_10 = "BR-E-10", Fatal, "[BR-E-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Exempt from VAT\" shall have a VAT exemption reason code (BT-121) or a VAT exemption reason text (BT-120).";
    BR_E_06 = "BR-E-06", Fatal, "[BR-E-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Exempt from VAT\", the Document level allowance VAT rate (BT-96) shall be 0 (zero).";
    BR_E_07 = "BR-E-07", Fatal, "[BR-E-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Exempt from VAT\", the Document level charge VAT rate (BT-103) shall be 0 (zero).";
    BR_E_05 = "BR-E-05", Fatal, "[BR-E-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Exempt from VAT\", the Invoiced item VAT rate (BT-152) shall be 0 (zero).";
    BR_AE_01 = "BR-AE-01", Fatal, "[BR-AE-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Reverse charge\" shall contain in the VAT Breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"VAT reverse charge\".";
    BR_AE_02 = "BR-AE-02", Fatal, "[BR-AE-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47).";
    BR_AE_03 = "BR-AE-03", Fatal, "[BR-AE-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47).";
    BR_AE_04 = "BR-AE-04", Fatal, "[BR-AE-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Reverse charge\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48) and/or the Buyer legal registration identifier (BT-47).";
    BR_AE_08 = "BR-AE-08", Fatal, "[BR-AE-08]-In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Reverse charge\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Reverse charge\".";
    BR_AE_09 = "BR-AE-09", Fatal, "[BR-AE-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Reverse charge\" shall be 0 (zero).";
    BR_AE_10 = "BR-AE-10", Fatal, "[BR-AE-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"Reverse charge\" shall have a VAT exemption reason code (BT-121), meaning \"Reverse charge\" or the VAT exemption reason text (BT-120) \"Reverse charge\" (or the equivalent standard text in another language).";
    BR_AE_06 = "BR-AE-06", Fatal, "[BR-AE-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Reverse charge\" the Document level allowance VAT rate (BT-96) shall be 0 (zero).";
    BR_AE_07 = "BR-AE-07", Fatal, "[BR-AE-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Reverse charge\" the Document level charge VAT rate (BT-103) shall be 0 (zero).";
    BR_AE_05 = "BR-AE-05", Fatal, "[BR-AE-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Reverse charge\" the Invoiced item VAT rate (BT-152) shall be 0 (zero).";
    BR_IC_01 = "BR-IC-01", Fatal, "[BR-IC-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Intra-community supply\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Intra-community supply\".";
    BR_IC_02 = "BR-IC-02", Fatal, "[BR-IC-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48).";
    BR_IC_03 = "BR-IC-03", Fatal, "[BR-IC-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48).";
    BR_IC_04 = "BR-IC-04", Fatal, "[BR-IC-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Intra-community supply\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63) and the Buyer VAT identifier (BT-48).";
    BR_IC_08 = "BR-IC-08", Fatal, "[BR-IC-08]-In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Intra-community supply\".";
    BR_IC_09 = "BR-IC-09", Fatal, "[BR-IC-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" shall be 0 (zero).";
    BR_IC_10 = "BR-IC-10", Fatal, "[BR-IC-10]-A VAT breakdown (BG-23) with the VAT Category code (BT-118) \"Intra-community supply\" shall have a VAT exemption reason code (BT-121), meaning \"Intra-community supply\" or the VAT exemption reason text (BT-120) \"Intra-community supply\" (or the equivalent standard text in another language).";
    BR_IC_06 = "BR-IC-06", Fatal, "[BR-IC-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Intra-community supply\" the Document level allowance VAT rate (BT-96) shall be 0 (zero).";
    BR_IC_07 = "BR-IC-07", Fatal, "[BR-IC-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Intra-community supply\" the Document level charge VAT rate (BT-103) shall be 0 (zero).";
    BR_IC_05 = "BR-IC-05", Fatal, "[BR-IC-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Intracommunity supply\" the Invoiced item VAT rate (BT-152) shall be 0 (zero).";
    BR_G_01 = "BR-G-01", Fatal, "[BR-G-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Export outside the EU\" shall contain in the VAT breakdown (BG-23) exactly one VAT category code (BT-118) equal with \"Export outside the EU\".";
    BR_G_02 = "BR-G-02", Fatal, "[BR-G-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63).";
    BR_G_03 = "BR-G-03", Fatal, "[BR-G-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63).";
    BR_G_04 = "BR-G-04", Fatal, "[BR-G-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Export outside the EU\" shall contain the Seller VAT Identifier (BT-31) or the Seller tax representative VAT identifier (BT-63).";
    BR_G_08 = "BR-G-08", Fatal, "[BR-G-08]-In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Export outside the EU\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Export outside the EU\".";
    BR_G_09 = "BR-G-09", Fatal, "[BR-G-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Export outside the EU\" shall be 0 (zero).";
    BR_G_10 = "BR-G-10", Fatal, "[BR-G-10]-A VAT breakdown (BG-23) with the VAT Category code (BT-118) \"Export outside the EU\" shall have a VAT exemption reason code (BT-121), meaning \"Export outside the EU\" or the VAT exemption reason text (BT-120) \"Export outside the EU\" (or the equivalent standard text in another language).";
    BR_G_06 = "BR-G-06", Fatal, "[BR-G-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Export outside the EU\" the Document level allowance VAT rate (BT-96) shall be 0 (zero).";
    BR_G_07 = "BR-G-07", Fatal, "[BR-G-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Export outside the EU\" the Document level charge VAT rate (BT-103) shall be 0 (zero).";
    BR_G_05 = "BR-G-05", Fatal, "[BR-G-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Export outside the EU\" the Invoiced item VAT rate (BT-152) shall be 0 (zero).";
    BR_O_01 = "BR-O-01", Fatal, "[BR-O-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"Not subject to VAT\" shall contain exactly one VAT breakdown group (BG-23) with the VAT category code (BT-118) equal to \"Not subject to VAT\".";
    BR_O_02 = "BR-O-02", Fatal, "[BR-O-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48).";
    BR_O_03 = "BR-O-03", Fatal, "[BR-O-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48).";
    BR_O_04 = "BR-O-04", Fatal, "[BR-O-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"Not subject to VAT\" shall not contain the Seller VAT identifier (BT-31), the Seller tax representative VAT identifier (BT-63) or the Buyer VAT identifier (BT-48).";
    BR_O_08 = "BR-O-08", Fatal, "[BR-O-08]-In a VAT breakdown (BG-23) where the VAT category code (BT-118) is \" Not subject to VAT\" the VAT category taxable amount (BT-116) shall equal the sum of Invoice line net amounts (BT-131) minus the sum of Document level allowance amounts (BT-92) plus the sum of Document level charge amounts (BT-99) where the VAT category codes (BT-151, BT-95, BT-102) are \"Not subject to VAT\".";
    BR_O_09 = "BR-O-09", Fatal, "[BR-O-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Not subject to VAT\" shall be 0 (zero).";
    BR_O_10 = "BR-O-10", Fatal, "[BR-O-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \" Not subject to VAT\" shall have a VAT exemption reason code (BT-121), meaning \" Not subject to VAT\" or a VAT exemption reason text (BT-120) \" Not subject to VAT\" (or the equivalent standard text in another language).";
    BR_O_06 = "BR-O-06", Fatal, "[BR-O-06]-A Document level allowance (BG-20) where VAT category code (BT-95) is \"Not subject to VAT\" shall not contain a Document level allowance VAT rate (BT-96).";
    BR_O_07 = "BR-O-07", Fatal, "[BR-O-07]-A Document level charge (BG-21) where the VAT category code (BT-102) is \"Not subject to VAT\" shall not contain a Document level charge VAT rate (BT-103).";
    BR_O_05 = "BR-O-05", Fatal, "[BR-O-05]-An Invoice line (BG-25) where the VAT category code (BT-151) is \"Not subject to VAT\" shall not contain an Invoiced item VAT rate (BT-152).";
    BR_AF_01 = "BR-AF-01", Fatal, "[BR-AF-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IGIC\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IGIC\".";
    BR_AF_02 = "BR-AF-02", Fatal, "[BR-AF-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AF_03 = "BR-AF-03", Fatal, "[BR-AF-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AF_04 = "BR-AF-04", Fatal, "[BR-AF-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AF_08 = "BR-AF-08", Fatal, "[BR-AF-08]-For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IGIC\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IGIC\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).";
    BR_AF_09 = "BR-AF-09", Fatal, "[BR-AF-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IGIC\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).";
    BR_AF_10 = "BR-AF-10", Fatal, "[BR-AF-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IGIC\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_AF_06 = "BR-AF-06", Fatal, "[BR-AF-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IGIC\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero.";
    BR_AF_07 = "BR-AF-07", Fatal, "[BR-AF-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IGIC\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero.";
    BR_AF_05 = "BR-AF-05", Fatal, "[BR-AF-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IGIC\" the invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero.";
    BR_AG_01 = "BR-AG-01", Fatal, "[BR-AG-01]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95 or BT-102) is \"IPSI\" shall contain in the VAT breakdown (BG-23) at least one VAT category code (BT-118) equal with \"IPSI\".";
    BR_AG_02 = "BR-AG-02", Fatal, "[BR-AG-02]-An Invoice that contains an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AG_03 = "BR-AG-03", Fatal, "[BR-AG-03]-An Invoice that contains a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AG_04 = "BR-AG-04", Fatal, "[BR-AG-04]-An Invoice that contains a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" shall contain the Seller VAT Identifier (BT-31), the Seller Tax registration identifier (BT-32) and/or the Seller tax representative VAT identifier (BT-63).";
    BR_AG_08 = "BR-AG-08", Fatal, "[BR-AG-08]-For each different value of VAT category rate (BT-119) where the VAT category code (BT-118) is \"IPSI\", the VAT category taxable amount (BT-116) in a VAT breakdown (BG-23) shall equal the sum of Invoice line net amounts (BT-131) plus the sum of document level charge amounts (BT-99) minus the sum of document level allowance amounts (BT-92) where the VAT category code (BT-151, BT-102, BT-95) is \"IPSI\" and the VAT rate (BT-152, BT-103, BT-96) equals the VAT category rate (BT-119).";
    BR_AG_09 = "BR-AG-09", Fatal, "[BR-AG-09]-The VAT category tax amount (BT-117) in a VAT breakdown (BG-23) where VAT category code (BT-118) is \"IPSI\" shall equal the VAT category taxable amount (BT-116) multiplied by the VAT category rate (BT-119).";
    BR_AG_10 = "BR-AG-10", Fatal, "[BR-AG-10]-A VAT breakdown (BG-23) with VAT Category code (BT-118) \"IPSI\" shall not have a VAT exemption reason code (BT-121) or VAT exemption reason text (BT-120).";
    BR_AG_06 = "BR-AG-06", Fatal, "[BR-AG-06]-In a Document level allowance (BG-20) where the Document level allowance VAT category code (BT-95) is \"IPSI\" the Document level allowance VAT rate (BT-96) shall be 0 (zero) or greater than zero.";
    BR_AG_07 = "BR-AG-07", Fatal, "[BR-AG-07]-In a Document level charge (BG-21) where the Document level charge VAT category code (BT-102) is \"IPSI\" the Document level charge VAT rate (BT-103) shall be 0 (zero) or greater than zero.";
    BR_AG_05 = "BR-AG-05", Fatal, "[BR-AG-05]-In an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is \"IPSI\" the Invoiced item VAT rate (BT-152) shall be 0 (zero) or greater than zero.";
    BR_IC_11 = "BR-IC-11", Fatal, "[BR-IC-11]-In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Actual delivery date (BT-72) or the Invoicing period (BG-14) shall not be blank.";
    BR_IC_12 = "BR-IC-12", Fatal, "[BR-IC-12]-In an Invoice with a VAT breakdown (BG-23) where the VAT category code (BT-118) is \"Intra-community supply\" the Deliver to country code (BT-80) shall not be blank.";
    BR_O_11 = "BR-O-11", Fatal, "[BR-O-11]-An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain other VAT breakdown groups (BG-23).";
    BR_O_12 = "BR-O-12", Fatal, "[BR-O-12]-An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain an Invoice line (BG-25) where the Invoiced item VAT category code (BT-151) is not \"Not subject to VAT\".";
    BR_O_13 = "BR-O-13", Fatal, "[BR-O-13]-An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level allowances (BG-20) where Document level allowance VAT category code (BT-95) is not \"Not subject to VAT\".";
    BR_O_14 = "BR-O-14", Fatal, "[BR-O-14]-An Invoice that contains a VAT breakdown group (BG-23) with a VAT category code (BT-118) \"Not subject to VAT\" shall not contain Document level charges (BG-21) where Document level charge VAT category code (BT-102) is not \"Not subject to VAT\".";
    BR_B_01 = "BR-B-01", Fatal, "[BR-B-01]-An Invoice where the VAT category code (BT-151, BT-95 or BT-102) is “Split payment” shall be a domestic Italian invoice.";
    BR_B_02 = "BR-B-02", Fatal, "[BR-B-02]-An Invoice that contains an Invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95, BT-118 or BT-102) is “Split payment\" shall not contain an invoice line (BG-25), a Document level allowance (BG-20) or a Document level charge (BG-21) where the VAT category code (BT-151, BT-95, BT-118 or BT-102) is “Standard rated”.";
}

/// BR-x-01: how the breakdown must match the categories in use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum One {
    /// Used anywhere (VAT scheme) ⇒ exactly one breakdown.
    Single,
    /// BR-S-01: used on allowances/lines ⇔ some breakdown; no VAT filter.
    SomeNoScheme,
    /// BR-AF-01: as `SomeNoScheme` with VAT filters, but the breakdown
    /// test of the first branch is `cbc:ID = 'L'` without a scheme filter.
    SomeExactNoScheme,
    /// BR-AG-01: as `SomeExactNoScheme` with the scheme filter.
    SomeExact,
}

/// BR-x-02..04: which VAT identifiers the parties need.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parties {
    /// Seller (any tax scheme) or tax representative VAT id.
    Seller,
    /// Seller or representative, and buyer VAT id or legal id (AE).
    SellerAndBuyerOrLegal,
    /// Seller or representative VAT id, and buyer VAT id (IC).
    SellerVatAndBuyerVat,
    /// Seller (VAT scheme) or representative VAT id (G).
    SellerVat,
    /// None of seller, representative or buyer VAT ids (O).
    NoVatIds,
}

/// BR-x-05..07: the rate on lines and allowances/charges.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Rate {
    /// `(cbc:Percent) > 0`.
    Positive,
    /// `xs:decimal(cbc:Percent) = 0`.
    Zero,
    /// `not(cbc:Percent)`.
    Absent,
    /// `(cbc:Percent) >= 0`.
    NonNegative,
}

/// BR-x-08: the taxable amount of the breakdown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taxable {
    /// Equals the sum of lines and allowances/charges of the category.
    Exact,
    /// Per rate, within ±1; a line or allowance with the rate must exist (S).
    ByRateUsed,
    /// Per rate, within ±1 (AF, AG).
    ByRate,
}

struct Family {
    code: &'static str,
    r: [&'static Rule; 10],
    one: One,
    parties: Parties,
    /// BR-S-02: the "or not(...)" branch has no scheme filter.
    s02_loose: bool,
    /// BR-G-03/04: the trigger has no scheme filter.
    g34_loose: bool,
    /// BR-AF-04: the "or not(...)" branch compares `cbc:ID` exactly.
    af04_exact: bool,
    /// BR-O-03/04: only document level allowances/charges count.
    doc_level_only: bool,
    rate: Rate,
    taxable: Taxable,
    /// BR-x-09: VAT amount from the rate (true) or zero (false).
    tax_from_rate: bool,
    /// BR-x-10: an exemption reason is required (true) or forbidden (false).
    exemption_required: bool,
}

macro_rules! fam {
    ($code:literal, $p:ident, $one:ident, $parties:ident, $rate:ident, $taxable:ident, $from_rate:literal, $req:literal) => {
        Family {
            code: $code,
            r: paste_rules!($p),
            one: One::$one,
            parties: Parties::$parties,
            s02_loose: false,
            g34_loose: false,
            af04_exact: false,
            doc_level_only: false,
            rate: Rate::$rate,
            taxable: Taxable::$taxable,
            tax_from_rate: $from_rate,
            exemption_required: $req,
        }
    };
}

macro_rules! paste_rules {
    (S) => {
        [
            &BR_S_01, &BR_S_02, &BR_S_03, &BR_S_04, &BR_S_05, &BR_S_06, &BR_S_07, &BR_S_08,
            &BR_S_09, &BR_S_10,
        ]
    };
    (Z) => {
        [
            &BR_Z_01, &BR_Z_02, &BR_Z_03, &BR_Z_04, &BR_Z_05, &BR_Z_06, &BR_Z_07, &BR_Z_08,
            &BR_Z_09, &BR_Z_10,
        ]
    };
    (E) => {
        [
            &BR_E_01, &BR_E_02, &BR_E_03, &BR_E_04, &BR_E_05, &BR_E_06, &BR_E_07, &BR_E_08,
            &BR_E_09, &BR_E_10,
        ]
    };
    (AE) => {
        [
            &BR_AE_01, &BR_AE_02, &BR_AE_03, &BR_AE_04, &BR_AE_05, &BR_AE_06, &BR_AE_07, &BR_AE_08,
            &BR_AE_09, &BR_AE_10,
        ]
    };
    (IC) => {
        [
            &BR_IC_01, &BR_IC_02, &BR_IC_03, &BR_IC_04, &BR_IC_05, &BR_IC_06, &BR_IC_07, &BR_IC_08,
            &BR_IC_09, &BR_IC_10,
        ]
    };
    (G) => {
        [
            &BR_G_01, &BR_G_02, &BR_G_03, &BR_G_04, &BR_G_05, &BR_G_06, &BR_G_07, &BR_G_08,
            &BR_G_09, &BR_G_10,
        ]
    };
    (O) => {
        [
            &BR_O_01, &BR_O_02, &BR_O_03, &BR_O_04, &BR_O_05, &BR_O_06, &BR_O_07, &BR_O_08,
            &BR_O_09, &BR_O_10,
        ]
    };
    (AF) => {
        [
            &BR_AF_01, &BR_AF_02, &BR_AF_03, &BR_AF_04, &BR_AF_05, &BR_AF_06, &BR_AF_07, &BR_AF_08,
            &BR_AF_09, &BR_AF_10,
        ]
    };
    (AG) => {
        [
            &BR_AG_01, &BR_AG_02, &BR_AG_03, &BR_AG_04, &BR_AG_05, &BR_AG_06, &BR_AG_07, &BR_AG_08,
            &BR_AG_09, &BR_AG_10,
        ]
    };
}

static FAMILIES: [Family; 9] = [
    Family {
        s02_loose: true,
        ..fam!(
            "S",
            S,
            SomeNoScheme,
            Seller,
            Positive,
            ByRateUsed,
            true,
            false
        )
    },
    fam!("Z", Z, Single, Seller, Zero, Exact, false, false),
    fam!("E", E, Single, Seller, Zero, Exact, false, true),
    fam!(
        "AE",
        AE,
        Single,
        SellerAndBuyerOrLegal,
        Zero,
        Exact,
        false,
        true
    ),
    fam!(
        "K",
        IC,
        Single,
        SellerVatAndBuyerVat,
        Zero,
        Exact,
        false,
        true
    ),
    Family {
        g34_loose: true,
        ..fam!("G", G, Single, SellerVat, Zero, Exact, false, true)
    },
    Family {
        doc_level_only: true,
        ..fam!("O", O, Single, NoVatIds, Absent, Exact, false, true)
    },
    Family {
        af04_exact: true,
        ..fam!(
            "L",
            AF,
            SomeExactNoScheme,
            Seller,
            NonNegative,
            ByRate,
            true,
            false
        )
    },
    fam!("M", AG, SomeExact, Seller, NonNegative, ByRate, true, false),
];

/// Where a `cac:TaxCategory` sits.
#[derive(Clone, Copy, Default)]
struct Place {
    /// Under a `cac:AllowanceCharge`: (document level, indicator false, indicator true).
    ac: Option<(bool, bool, bool)>,
    /// Under `/*/cac:TaxTotal/cac:TaxSubtotal`.
    breakdown: bool,
}

/// A tax category with what the rules ask of it.
struct Cat {
    place: Place,
    /// `cac:TaxScheme/normalize-space(upper-case(cbc:ID)) = 'VAT'`.
    vat: bool,
    /// `normalize-space(cbc:ID)` (first ID).
    id: String,
    /// `cbc:ID` as written (first ID), for the exact comparisons.
    raw: String,
}

/// Facts the document-level rules need, gathered in one scan.
#[derive(Default)]
pub(crate) struct Facts {
    cats: Vec<Cat>,
    classified: Vec<Cat>,
    seller_any: bool,
    seller_vat: bool,
    rep_vat: bool,
    buyer_vat: bool,
    buyer_legal: bool,
}

fn cat(doc: &Document, n: NodeId, place: Place) -> Cat {
    let id = kid(doc, n, cbc!("ID"));
    let raw = id
        .map(|i| xp::string(doc, i).into_owned())
        .unwrap_or_default();
    Cat {
        place,
        vat: vat_scheme(doc, n),
        id: xp::norm(&raw),
        raw,
    }
}

fn has_company(doc: &Document, party: NodeId, vat_only: bool) -> bool {
    kids(doc, party, cac!("PartyTaxScheme"))
        .any(|t| (!vat_only || vat_scheme(doc, t)) && kid(doc, t, cbc!("CompanyID")).is_some())
}

impl Facts {
    pub(crate) fn collect(doc: &Document, ix: &Index) -> Facts {
        let root = doc.root();
        let mut f = Facts::default();
        for &n in ix.all(Ix::TaxCategory) {
            let mut place = Place::default();
            if let Some(p) = doc.parent(n) {
                if doc.is_named(p, cac!("AllowanceCharge")) {
                    place.ac = Some((
                        doc.parent(p) == Some(root),
                        charge_is(doc, p, false),
                        charge_is(doc, p, true),
                    ));
                } else if doc.is_named(p, cac!("TaxSubtotal")) {
                    let tt = doc.parent(p).filter(|&t| doc.is_named(t, cac!("TaxTotal")));
                    place.breakdown = tt.and_then(|t| doc.parent(t)) == Some(root);
                }
            }
            f.cats.push(cat(doc, n, place));
        }
        for &n in ix.all(Ix::ClassifiedTaxCategory) {
            f.classified.push(cat(doc, n, Place::default()));
        }
        for &n in ix.all(Ix::AccountingSupplierParty) {
            for p in kids(doc, n, cac!("Party")) {
                f.seller_any |= has_company(doc, p, false);
                f.seller_vat |= has_company(doc, p, true);
            }
        }
        for &n in ix.all(Ix::AccountingCustomerParty) {
            for p in kids(doc, n, cac!("Party")) {
                f.buyer_vat |= has_company(doc, p, true);
                f.buyer_legal |= exists(doc, p, &[cac!("PartyLegalEntity"), cbc!("CompanyID")]);
            }
        }
        for &n in ix.all(Ix::TaxRepresentativeParty) {
            f.rep_vat |= has_company(doc, n, true);
        }
        f
    }

    fn parties_ok(&self, p: Parties) -> bool {
        match p {
            Parties::Seller => self.seller_any || self.rep_vat,
            Parties::SellerAndBuyerOrLegal => {
                (self.seller_any || self.rep_vat) && (self.buyer_vat || self.buyer_legal)
            }
            Parties::SellerVatAndBuyerVat => (self.seller_vat || self.rep_vat) && self.buyer_vat,
            Parties::SellerVat => self.seller_vat || self.rep_vat,
            Parties::NoVatIds => !self.seller_vat && !self.rep_vat && !self.buyer_vat,
        }
    }
}

/// Context `/ubl:Invoice | /cn:CreditNote`: BR-x-01..04, BR-IC-11/12, BR-O-11..14, BR-B-*.
pub(crate) fn root(ctx: &mut Ctx<'_>, n: NodeId, f: &Facts) {
    for fam in &FAMILIES {
        let x = fam.code;
        let count = |cats: &[Cat], p: &dyn Fn(&Cat) -> bool| cats.iter().filter(|c| p(c)).count();
        let ok01 = match fam.one {
            One::Single => {
                let used = f
                    .cats
                    .iter()
                    .chain(&f.classified)
                    .any(|c| c.vat && c.id == x);
                !used || count(&f.cats, &|c| c.place.breakdown && c.vat && c.id == x) == 1
            }
            One::SomeNoScheme | One::SomeExactNoScheme | One::SomeExact => {
                let vat = fam.one != One::SomeNoScheme;
                let used = count(&f.cats, &|c| {
                    c.place.ac.is_some() && c.id == x && (c.vat || !vat)
                }) + count(&f.classified, &|c| c.id == x && (c.vat || !vat));
                let listed = match fam.one {
                    One::SomeNoScheme => count(&f.cats, &|c| c.place.breakdown && c.id == x),
                    One::SomeExactNoScheme => count(&f.cats, &|c| c.place.breakdown && c.raw == x),
                    _ => count(&f.cats, &|c| c.place.breakdown && c.raw == x && c.vat),
                };
                let listed_vat = if fam.one == One::SomeNoScheme {
                    listed
                } else {
                    count(&f.cats, &|c| c.place.breakdown && c.id == x && c.vat)
                };
                (used > 0 && listed > 0) || (used == 0 && listed_vat == 0)
            }
        };
        ctx.check(fam.r[0], n, ok01);

        let parties = f.parties_ok(fam.parties);
        let used_on_lines = f.classified.iter().any(|c| c.id == x && c.vat);
        let guard = if fam.s02_loose {
            f.classified.iter().any(|c| c.id == x)
        } else {
            used_on_lines
        };
        ctx.check(fam.r[1], n, (used_on_lines && parties) || !guard);

        for (rule, charge, idx) in [(fam.r[2], false, 3usize), (fam.r[3], true, 4)] {
            let on_ac = |c: &Cat| {
                c.place.ac.is_some_and(|(doc_level, f_, t_)| {
                    (if charge { t_ } else { f_ }) && (doc_level || !fam.doc_level_only)
                })
            };
            let trigger = f
                .cats
                .iter()
                .any(|c| on_ac(c) && c.id == x && (c.vat || fam.g34_loose));
            let exact = fam.af04_exact && idx == 4;
            let guard = f
                .cats
                .iter()
                .any(|c| on_ac(c) && c.vat && if exact { c.raw == x } else { c.id == x });
            ctx.check(rule, n, (trigger && parties) || !guard);
        }
    }
    extras(ctx, n, f);
}

/// BR-IC-11/12, BR-O-11..14, BR-B-01/02.
fn extras(ctx: &mut Ctx<'_>, n: NodeId, f: &Facts) {
    let d = ctx.doc;
    let listed = |x: &str| {
        f.cats
            .iter()
            .any(|c| c.place.breakdown && c.vat && c.id == x)
    };
    let k = listed("K");
    let strlen =
        |steps: &[xp::Step]| xp::first(d, n, steps).map_or(0, |e| xp::string(d, e).chars().count());
    let period_filled = kids(d, n, cac!("InvoicePeriod")).any(|p| d.elements(p).next().is_some());
    ctx.check(
        &BR_IC_11,
        n,
        !k || strlen(&[cac!("Delivery"), cbc!("ActualDeliveryDate")]) > 1 || period_filled,
    );
    let country = [
        cac!("Delivery"),
        cac!("DeliveryLocation"),
        cac!("Address"),
        cac!("Country"),
        cbc!("IdentificationCode"),
    ];
    ctx.check(&BR_IC_12, n, !k || strlen(&country) > 1);
    let o = listed("O");
    let other =
        |p: &dyn Fn(&Cat) -> bool, cats: &[Cat]| cats.iter().any(|c| p(c) && c.vat && c.id != "O");
    ctx.check(&BR_O_11, n, !o || !other(&|c| c.place.breakdown, &f.cats));
    ctx.check(&BR_O_12, n, !o || !other(&|_| true, &f.classified));
    ctx.check(
        &BR_O_13,
        n,
        !o || !other(&|c| c.place.ac.is_some_and(|a| a.1), &f.cats),
    );
    ctx.check(
        &BR_O_14,
        n,
        !o || !other(&|c| c.place.ac.is_some_and(|a| a.2), &f.cats),
    );
    // BR-B-*: general comparisons on raw `cbc:ID` text (no normalisation).
    let any_b = f.cats.iter().chain(&f.classified).any(|c| c.raw == "B");
    let not_it = ctx
        .ix
        .all(Ix::IdentificationCode)
        .iter()
        .any(|&c| xp::string(d, c) != "IT");
    ctx.check(&BR_B_01, n, !any_b || !not_it);
    let doc_b = |x: &str| {
        f.cats
            .iter()
            .any(|c| (c.place.breakdown || c.place.ac.is_some_and(|a| a.0)) && c.raw == x)
            || f.classified.iter().any(|c| c.raw == x)
    };
    ctx.check(&BR_B_02, n, !doc_b("B") || !doc_b("S"));
}

fn family(id: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.code == id)
}

/// `normalize-space(cbc:ID)` of a category node and whether it is VAT.
fn category_of(doc: &Document, n: NodeId) -> Option<&'static Family> {
    if !vat_scheme(doc, n) {
        return None;
    }
    let id = kid(doc, n, cbc!("ID"))
        .map(|i| xp::string(doc, i))
        .unwrap_or_default();
    family(&xp::norm(&id))
}

/// Handles a `cac:TaxCategory` / `cac:ClassifiedTaxCategory` if one of the
/// family contexts matches it; returns whether one did.
pub(crate) fn visit(ctx: &mut Ctx<'_>, n: NodeId) -> bool {
    let d = ctx.doc;
    let root = d.root();
    let Some(p) = d.parent(n) else { return false };
    if d.is_named(n, cac!("TaxCategory")) {
        let Some(fam) = category_of(d, n) else {
            return false;
        };
        let tt = d
            .parent(p)
            .filter(|&t| d.is_named(p, cac!("TaxSubtotal")) && d.is_named(t, cac!("TaxTotal")));
        if tt.and_then(|t| d.parent(t)) == Some(root) {
            breakdown(ctx, n, p, fam);
            return true;
        }
        if d.is_named(p, cac!("AllowanceCharge")) {
            if charge_is(d, p, false) {
                rate(ctx, fam.r[5], n, fam.rate);
                return true;
            }
            if charge_is(d, p, true) {
                rate(ctx, fam.r[6], n, fam.rate);
                return true;
            }
        }
        false
    } else if d.is_named(n, cac!("ClassifiedTaxCategory")) {
        let on_line = d.is_named(p, cac!("Item"))
            && d.parent(p).is_some_and(|l| {
                d.is_named(l, cac!("InvoiceLine")) || d.is_named(l, cac!("CreditNoteLine"))
            });
        match category_of(d, n) {
            Some(fam) if on_line => {
                rate(ctx, fam.r[4], n, fam.rate);
                true
            }
            _ => false,
        }
    } else {
        false
    }
}

fn rate(ctx: &mut Ctx<'_>, rule: &'static Rule, n: NodeId, kind: Rate) {
    let d = ctx.doc;
    let pcts: Vec<NodeId> = kids(d, n, cbc!("Percent")).collect();
    let ok = match kind {
        Rate::Positive => ctx.any_num(rule, pcts, |v| v > 0.0),
        Rate::NonNegative => ctx.any_num(rule, pcts, |v| v >= 0.0),
        Rate::Absent => pcts.is_empty(),
        Rate::Zero => ctx.dec(rule, pcts.first().copied()) == Some(Decimal::ZERO),
    };
    ctx.check(rule, n, ok);
}

/// Whether a line is of category `x` (and, with `rate`, has that rate):
/// two independent existential predicates, as in the official text.
fn line_matches(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    line: NodeId,
    x: &str,
    rate: Option<Decimal>,
) -> bool {
    let d = ctx.doc;
    // Walked twice rather than collected: this runs for every line of every
    // breakdown category.
    let ctcs =
        || kids(d, line, cac!("Item")).flat_map(move |i| kids(d, i, cac!("ClassifiedTaxCategory")));
    let is_x = ctcs().any(|c| kid(d, c, cbc!("ID")).is_some_and(|i| xp::norm_eq(d, i, x)));
    is_x && rate
        .is_none_or(|r| ctcs().any(|c| ctx.dec(rule, kid(d, c, cbc!("Percent"))) == Some(r)))
}

fn ac_matches(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    ac: NodeId,
    x: &str,
    rate: Option<Decimal>,
) -> bool {
    let d = ctx.doc;
    let cats = || kids(d, ac, cac!("TaxCategory"));
    let is_x = cats().any(|c| kid(d, c, cbc!("ID")).is_some_and(|i| xp::norm_eq(d, i, x)));
    is_x && rate
        .is_none_or(|r| cats().any(|c| ctx.dec(rule, kid(d, c, cbc!("Percent"))) == Some(r)))
}

/// `sum(lines of x[at rate]/LineExtensionAmount) + charges − allowances`.
fn category_sum(
    ctx: &mut Ctx<'_>,
    rule: &'static Rule,
    line_name: &'static str,
    x: &str,
    rate: Option<Decimal>,
) -> Decimal {
    let d = ctx.doc;
    let root = d.root();
    let mut total = Decimal::ZERO;
    for l in kids(d, root, cac(line_name)) {
        if line_matches(ctx, rule, l, x, rate) {
            total += ctx.sum(rule, kids(d, l, cbc!("LineExtensionAmount")));
        }
    }
    for ac in kids(d, root, cac!("AllowanceCharge")) {
        let (t, f) = (charge_is(d, ac, true), charge_is(d, ac, false));
        if (t || f) && ac_matches(ctx, rule, ac, x, rate) {
            let s = ctx.sum(rule, kids(d, ac, cbc!("Amount")));
            // An indicator that is both true and false counts both ways.
            if t {
                total += s;
            }
            if f {
                total -= s;
            }
        }
    }
    total
}

/// Context `/*/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[x][VAT]`: BR-x-08..10.
fn breakdown(ctx: &mut Ctx<'_>, n: NodeId, sub: NodeId, fam: &'static Family) {
    let d = ctx.doc;
    let x = fam.code;
    let r8 = fam.r[7];
    let taxable = ctx.dec(r8, kid(d, sub, cbc!("TaxableAmount")));
    let has_il = !ctx.ix.all(Ix::InvoiceLine).is_empty();
    let has_cnl = !ctx.ix.all(Ix::CreditNoteLine).is_empty();
    let ok8 = match fam.taxable {
        Taxable::Exact => {
            let il = if has_il {
                Some(category_sum(ctx, r8, "InvoiceLine", x, None))
            } else {
                None
            };
            let cnl = if has_cnl {
                Some(category_sum(ctx, r8, "CreditNoteLine", x, None))
            } else {
                None
            };
            taxable.is_some() && (il == taxable || cnl == taxable)
        }
        Taxable::ByRate | Taxable::ByRateUsed => {
            let pcts: Vec<NodeId> = kids(d, n, cbc!("Percent")).collect();
            let mut ok = true;
            for p in pcts {
                let Some(r) = ctx.dec(r8, Some(p)) else {
                    continue;
                };
                let near = |s: Decimal| {
                    taxable.is_some_and(|t| t - Decimal::ONE < s && t + Decimal::ONE > s)
                };
                let il_sum = category_sum(ctx, r8, "InvoiceLine", x, Some(r));
                let cnl_sum = category_sum(ctx, r8, "CreditNoteLine", x, Some(r));
                let this = if fam.taxable == Taxable::ByRateUsed {
                    let ix = ctx.ix;
                    let ac_used = ix.all(Ix::AllowanceCharge);
                    let mut ac_any = false;
                    for &a in ac_used {
                        ac_any |= ac_matches(ctx, r8, a, x, Some(r));
                    }
                    let mut il_any = false;
                    for &l in ix.all(Ix::InvoiceLine) {
                        il_any |= line_matches(ctx, r8, l, x, Some(r));
                    }
                    let mut cnl_any = false;
                    for &l in ix.all(Ix::CreditNoteLine) {
                        cnl_any |= line_matches(ctx, r8, l, x, Some(r));
                    }
                    ((il_any || ac_any) && near(il_sum)) || ((cnl_any || ac_any) && near(cnl_sum))
                } else {
                    (has_il && near(il_sum)) || (has_cnl && near(cnl_sum))
                };
                ok &= this;
            }
            ok
        }
    };
    ctx.check(r8, n, ok8);

    let r9 = fam.r[8];
    let tax = ctx.dec(r9, kid(d, sub, cbc!("TaxAmount")));
    let ok9 = if fam.tax_from_rate {
        let base = ctx.dec(r9, kid(d, sub, cbc!("TaxableAmount")));
        let pct = ctx.dec(r9, kid(d, n, cbc!("Percent")));
        match (tax, base, pct) {
            (Some(t), Some(b), Some(p)) => {
                let expect = round2(b.abs() * (p / Decimal::ONE_HUNDRED));
                t.abs() - Decimal::ONE < expect && t.abs() + Decimal::ONE > expect
            }
            _ => false,
        }
    } else {
        tax == Some(Decimal::ZERO)
    };
    ctx.check(r9, n, ok9);

    let reason = exists(d, n, &[cbc!("TaxExemptionReason")])
        || exists(d, n, &[cbc!("TaxExemptionReasonCode")]);
    ctx.check(
        fam.r[9],
        n,
        if fam.exemption_required {
            reason
        } else {
            !reason
        },
    );
}
