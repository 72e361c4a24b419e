//! The API's error type. A 4xx says what the caller got wrong, in a JSON body
//! `{"error": {"status": 400, "code": "bad_request", "message": "..."}}`; a 5xx is logged with
//! its full cause and shown as a generic message, so that internals (SQL, paths, panics) never
//! leak to a client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds after which a retry may succeed (`Retry-After`), for a busy database.
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    pub fn precondition_failed(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            message,
        )
    }

    /// The database stayed locked by other writers for longer than the store waits: 503, to
    /// be retried after `Retry-After` seconds. Nothing was written.
    pub fn busy(message: impl Into<String>) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message)
        }
    }

    /// An unexpected failure: logged here with its whole chain, answered generically.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error while serving a request");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; the server log has the details",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {
            "status": self.status.as_u16(),
            "code": self.code,
            "message": self.message,
        }});
        let mut res = (self.status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"frontline\""),
            );
        }
        res
    }
}

impl From<frontline_core::ModelError> for ApiError {
    fn from(e: frontline_core::ModelError) -> Self {
        Self::unprocessable(e.to_string())
    }
}

impl From<frontline_store::evidence::EvidenceError> for ApiError {
    fn from(e: frontline_store::evidence::EvidenceError) -> Self {
        use frontline_store::evidence::EvidenceError as E;
        match e {
            E::TooLarge { .. } => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", e.to_string())
            }
            E::UnsupportedType => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                e.to_string(),
            ),
            E::Empty | E::Name => Self::unprocessable(e.to_string()),
        }
    }
}

impl From<frontline_store::auth::AuthError> for ApiError {
    fn from(e: frontline_store::auth::AuthError) -> Self {
        use frontline_store::auth::AuthError as E;
        match e {
            E::Role(_) | E::EmptyLabel => Self::unprocessable(e.to_string()),
            E::NoSuchToken(_) => Self::not_found(e.to_string()),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<frontline_store::StoreError> for ApiError {
    fn from(e: frontline_store::StoreError) -> Self {
        use frontline_store::StoreError as E;
        match e {
            E::VersionConflict { .. } => Self::precondition_failed(e.to_string()),
            E::NotFound { .. } => Self::not_found(e.to_string()),
            E::Retired { .. } | E::Exists { .. } => Self::conflict(e.to_string()),
            E::Model(m) => m.into(),
            E::Auth(a) => a.into(),
            E::Evidence(v) => v.into(),
            E::Busy => {
                tracing::warn!("database busy: answering 503");
                Self::busy(e.to_string())
            }
            _ => Self::internal(format!("{e}: {:?}", std::error::Error::source(&e))),
        }
    }
}

impl From<crate::app::AppError> for ApiError {
    fn from(e: crate::app::AppError) -> Self {
        use crate::app::AppError as E;
        match e {
            E::Input { .. } => Self::bad_request(e.to_string()),
            E::Unprocessable(m) => Self::unprocessable(m),
            E::NotFound(m) => Self::not_found(m),
            E::Busy(m) => Self::busy(m),
            E::Store(s) => s.into(),
            E::Analysis(a) => Self::unprocessable(a.to_string()),
            E::Map(m) => Self::internal(m),
            E::Grid(m) => Self::unprocessable(format!("cannot build the region's grid: {m}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_busy_store_is_a_503_with_retry_after_in_the_api_error_shape() {
        let res = ApiError::from(frontline_store::StoreError::Busy).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        let j: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(j["error"]["status"], 503);
        assert_eq!(j["error"]["code"], "busy");
        assert!(j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("try again"));
    }

    #[test]
    fn store_errors_map_to_the_status_that_says_what_went_wrong() {
        use frontline_store::auth::AuthError;
        use frontline_store::evidence::EvidenceError;
        use frontline_store::StoreError as E;
        let status = |e: E| ApiError::from(e).status;
        assert_eq!(
            status(E::Auth(AuthError::NoSuchToken(3))),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(E::Evidence(EvidenceError::UnsupportedType)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            status(E::NotFound {
                what: "area",
                key: "x".into()
            }),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(E::SchemaTooNew { found: 9, known: 1 }),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
