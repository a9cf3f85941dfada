//! Exports of archive selections: a ZIP (UBL, original and an index CSV) and an XLSX list.
use std::io::Write;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use gateway_store::ArchivedInvoice;
use rust_xlsxwriter::Workbook;

use super::archive::{bytes_of, internal, scope, SearchParams};
use super::auth::Caller;
use super::{AppState, Problem};
use crate::connectors::mailbox::{original_name, ubl_of};

/// Most documents one export holds.
const MAX_EXPORT: u32 = 10_000;

async fn selection(
    state: &AppState,
    caller: &Caller,
    params: &SearchParams,
) -> Result<Vec<ArchivedInvoice>, Problem> {
    let query = params.query(MAX_EXPORT, MAX_EXPORT)?;
    let vis = scope(state, caller).await?.visibility;
    Ok(state.store.search_archive(&vis, &query).await?)
}

const COLUMNS: [&str; 11] = [
    "document_id",
    "company_id",
    "direction",
    "state",
    "invoice_number",
    "counterparty",
    "issue_date",
    "due_date",
    "currency",
    "total",
    "archive_seq",
];

fn row(i: &ArchivedInvoice) -> [String; 11] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        i.document_id.clone(),
        i.company_id.clone(),
        i.direction.clone(),
        i.state.clone(),
        o(&i.invoice_number),
        o(&i.counterparty_name),
        o(&i.issue_date),
        o(&i.due_date),
        o(&i.currency),
        o(&i.total),
        i.entry_seq.to_string(),
    ]
}

/// The selected archived documents as a ZIP: per document its UBL and original, plus `index.csv`.
#[utoipa::path(operation_id = "export_archive_zip", get, path = "/v1/exports/archive.zip", tag = "archive", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, content_type = "application/zip", body = Vec<u8>), (status = 400, body = Problem)))]
pub async fn zip(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<impl IntoResponse, Problem> {
    let items = selection(&state, &caller, &params).await?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut index = csv::Writer::from_writer(Vec::new());
    let mut header_row: Vec<&str> = COLUMNS.to_vec();
    header_row.extend(["ubl_file", "original_file"]);
    index.write_record(&header_row).map_err(internal)?;
    for item in &items {
        let Some(doc) = state
            .store
            .get_document(&gateway_store::Visibility::All, &item.document_id)
            .await?
        else {
            continue;
        };
        let original = bytes_of(&state, &doc).await?;
        let dir = &doc.id;
        let ubl_file = match ubl_of(&doc, &original) {
            Some(ubl) => {
                let name = format!("{dir}/ubl.xml");
                files.push((name.clone(), ubl));
                name
            }
            None => String::new(),
        };
        let original_file = format!("{dir}/original/{}", original_name(&doc).replace('/', "_"));
        files.push((original_file.clone(), original));
        let mut record = row(item).to_vec();
        record.extend([ubl_file, original_file]);
        index.write_record(&record).map_err(internal)?;
    }
    let index = index.into_inner().map_err(internal)?;
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, String> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("index.csv", options)
            .map_err(|e| e.to_string())?;
        zip.write_all(&index).map_err(|e| e.to_string())?;
        for (name, data) in files {
            zip.start_file(name, options).map_err(|e| e.to_string())?;
            zip.write_all(&data).map_err(|e| e.to_string())?;
        }
        Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
    })
    .await
    .map_err(internal)?
    .map_err(internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"archive.zip\"",
            ),
        ],
        bytes,
    ))
}

/// The list view of a search as a spreadsheet ("Download as xls").
#[utoipa::path(operation_id = "export_archive_xlsx", get, path = "/v1/exports/archive.xlsx", tag = "archive", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>), (status = 400, body = Problem)))]
pub async fn xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<impl IntoResponse, Problem> {
    let items = selection(&state, &caller, &params).await?;
    let bytes =
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            sheet.set_name("Archive")?;
            let bold = rust_xlsxwriter::Format::new().set_bold();
            for (c, name) in COLUMNS.iter().enumerate() {
                sheet.write_string_with_format(0, c as u16, *name, &bold)?;
            }
            for (r, item) in items.iter().enumerate() {
                let r = r as u32 + 1;
                for (c, value) in row(item).iter().enumerate() {
                    // Amounts as numbers, so that the sheet can sum them.
                    match (COLUMNS[c], value.parse::<f64>()) {
                        ("total", Ok(n)) => sheet.write_number(r, c as u16, n)?,
                        _ => sheet.write_string(r, c as u16, value)?,
                    };
                }
            }
            sheet.autofit();
            book.save_to_buffer()
        })
        .await
        .map_err(internal)?
        .map_err(internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"archive.xlsx\"",
            ),
        ],
        bytes,
    ))
}
