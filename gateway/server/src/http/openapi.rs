//! The OpenAPI 3.1 document, generated from the handlers' annotations.
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{
    archive, companies, connectors, directory, documents, email, exports, extraction, health,
    settings, tokens, users, validate,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "E-invoicing gateway", description = "Access point and interchange gateway API. Errors are RFC 9457 problem details."),
    paths(
        health::healthz, health::readyz, health::metrics,
        users::me, users::list, users::create,
        companies::list, companies::get, companies::create,
        tokens::list, tokens::create, tokens::revoke,
        directory::search, directory::get, directory::add, directory::import,
        directory::add_contact, directory::contacts,
        validate::validate,
        documents::upload, documents::list, documents::get, documents::original, documents::events,
        documents::totals, documents::invoice, documents::validate, documents::send, documents::archive,
        documents::accept, documents::refuse,
        extraction::get, extraction::put,
        settings::get, settings::put, settings::dashboard,
        email::address, email::import,
        archive::create_accountant, archive::list_accountants, archive::create_accountant_token,
        archive::list_links, archive::invite, archive::accept, archive::unlink,
        archive::search, archive::get, archive::original, archive::ubl,
        archive::checkpoints, archive::checkpoint,
        exports::zip, exports::xlsx,
        connectors::create, connectors::list, connectors::get, connectors::delete,
        connectors::feed, connectors::ack,
    ),
    // Types used only in query parameters are not collected from the paths.
    components(schemas(directory::ImportFormat, documents::UploadBatch, gateway_store::SortBy, gateway_store::InvoiceKind, crate::lifecycle::Then)),
    modifiers(&BearerAuth),
    tags((name = "operations"), (name = "tenants"), (name = "directory"), (name = "documents"), (name = "validation"), (name = "email"), (name = "accountants"), (name = "archive"), (name = "connectors"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    doc
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
