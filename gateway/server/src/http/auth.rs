//! Bearer-token authentication: every `/v1` handler takes a [`Caller`].
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use gateway_store::{Principal, Scope, Visibility};

use super::problem::Problem;
use super::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    pub fn visibility(&self) -> Visibility {
        self.0.visibility()
    }

    pub fn scope(&self) -> Scope {
        self.0.scope
    }

    /// The journal's name for this caller.
    pub fn actor(&self) -> String {
        format!("token:{}", self.0.token_id)
    }

    pub fn require_admin(&self) -> Result<(), Problem> {
        match self.0.scope {
            Scope::Admin => Ok(()),
            _ => Err(Problem::forbidden("this needs an admin token")),
        }
    }

    /// The company a write is for: `requested` when the caller may see it, else the member's
    /// only company; several companies need `?company=ID`.
    pub fn target_company(&self, requested: Option<String>) -> Result<String, Problem> {
        match (requested, self.scope(), self.0.company_ids.as_slice()) {
            (Some(id), _, _) if self.visibility().allows(&id) => Ok(id),
            (Some(_), _, _) => Err(Problem::not_found("company")),
            (None, Scope::Member, [only]) => Ok(only.clone()),
            (None, Scope::Accountant, []) => Err(Problem::forbidden(
                "this accountant token is not linked to any company",
            )),
            (None, _, _) => Err(Problem::bad_request(
                "company-required",
                "name the company with ?company=ID: this token covers several",
            )),
        }
    }

    /// Members and the operator write; accountants only read and export.
    pub fn require_writer(&self) -> Result<(), Problem> {
        match self.0.scope {
            Scope::Accountant => Err(Problem::forbidden("accountant tokens are read-only")),
            _ => Ok(()),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(Problem::unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .ok_or_else(Problem::unauthorized)?;
        match state.store.authenticate(token.trim()).await? {
            Some(principal) => Ok(Caller(principal)),
            None => Err(Problem::unauthorized()),
        }
    }
}
