//! Peppol SMP 1.x documents and the Peppol Directory business card: model, hardened reader,
//! writer.

mod businesscard;
mod model;
mod read;
mod tree;
mod write;

pub use businesscard::{
    read_business_card, write_business_card, BusinessCard, BusinessEntity, CardContact,
    CardIdentifier, CardName, NS_BUSINESS_CARD,
};
pub use model::*;
pub use read::{
    read_service_group, read_service_group_with, read_service_metadata,
    read_signed_service_metadata, read_signed_service_metadata_with,
};
pub use tree::Limits;
pub use write::{write_service_group, write_signed_service_metadata};
