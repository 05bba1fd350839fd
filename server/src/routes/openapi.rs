//! The API's OpenAPI 3.1 description, generated from the handlers' `#[utoipa::path]`
//! annotations and the wire types (`routes::wire`). Served at `GET /api/v1/openapi.json` and
//! committed as `docs/openapi.json`, from which the PWA's types are generated
//! (`npm run gen:api`); a test below fails when the committed copy and the code differ.

use std::sync::OnceLock;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Anlan API",
        description = "The sync server's HTTP API. Every path is under `/api/v1`. Refusals carry \
            `{code, message}` (`ErrorBody`); a device signs in with `Authorization: Bearer <token>` \
            from `/enrol` or `/login`."
    ),
    servers((url = "/api/v1")),
    modifiers(&DeviceToken),
    paths(
        super::sync::sync,
        super::live::live,
        super::session::session,
        super::identity::enrol,
        super::identity::login,
        super::identity::rotate,
        super::identity::devices,
        super::identity::rename,
        super::identity::revoke,
        super::identity::retire,
        super::identity::issue_code,
        super::cases::list,
        super::cases::one,
        super::audit::history,
        super::audit::as_of,
        super::push::key,
        super::push::subscribe,
        super::push::unsubscribe,
        super::push::alert_log,
        super::alert_settings::mine,
        super::alert_settings::set_mine,
        super::alert_settings::unit_defaults,
        super::alert_settings::set_unit_defaults,
        super::campaigns::list,
        super::campaigns::create,
        super::campaigns::one_completeness,
        super::campaigns::reminders,
        super::campaigns::remind,
        super::records::petitions,
        super::records::confirm_date,
        super::records::visits,
        super::records::villages,
        super::people::people,
        super::blobs::read,
        super::blobs::upload,
        super::blobs::status,
        super::stats::report,
        super::stats::export_xlsx,
        super::stats::export_csv,
        super::admin::units,
        super::admin::add_unit,
        super::admin::set_location,
        super::admin::users,
        super::admin::add_user,
        super::admin::roster::upload,
        super::admin::quarantine::list,
        super::admin::quarantine::show,
        super::admin::quarantine::release,
        super::admin::quarantine::export,
        super::scope_admin::move_user,
        openapi_json,
    ),
    components(schemas(crate::error::ErrorBody))
)]
pub struct ApiDoc;

/// The device token every signed-in call carries.
struct DeviceToken;

impl Modify for DeviceToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("The token from `/enrol` or `/login`."))
            .build();
        components.add_security_scheme("device_token", SecurityScheme::Http(bearer));
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// The document as committed: pretty JSON with a final newline.
pub fn document() -> String {
    let mut json = ApiDoc::openapi().to_pretty_json().expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// This description (no sign-in needed).
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    responses((status = 200, description = "OpenAPI 3.1", content_type = "application/json", body = Object)))]
pub(super) async fn openapi_json() -> impl IntoResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    ([(header::CONTENT_TYPE, "application/json")], DOC.get_or_init(document).as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");

    #[test]
    fn the_committed_openapi_document_is_the_one_the_code_describes() {
        let generated = document();
        if std::env::var("ANLAN_UPDATE_DOCS").is_ok_and(|v| v == "1") {
            std::fs::write(COMMITTED, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/openapi.json is out of date with the code: run \
             `ANLAN_UPDATE_DOCS=1 cargo test -p anlan-server openapi`, review the diff, then \
             `npm run gen:api` in pwa/"
        );
    }

    #[test]
    fn every_operation_but_signing_in_and_the_public_ones_needs_the_device_token() {
        let doc = ApiDoc::openapi();
        let open = ["/enrol", "/login", "/push/key", "/openapi.json"];
        for (path, item) in &doc.paths.paths {
            let ops = [&item.get, &item.put, &item.post, &item.delete];
            for op in ops.into_iter().flatten() {
                assert_eq!(op.security.is_none(), open.contains(&path.as_str()), "{path}");
            }
        }
    }
}
