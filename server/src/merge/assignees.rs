//! Who may be named on a case. Naming someone responsible leader (领导包案) or handler (专人跟踪)
//! puts the case, its history and its photos in their read scope, so the name is judged like
//! any other guarded value (docs/permissions.md): only an active person who either works where
//! the case is (their own jurisdiction covers its village) or works under the person naming
//! them (their unit lies in the namer's jurisdiction: a county administrator may ask an officer
//! of another township to follow a case). A name that was already there is not judged again,
//! so a case naming someone who has since left stays editable.

use sync_protocol::case::Case;

use super::MergeError;
use crate::store::{DeviceAuth, SqlStore};

/// `Err(message)` when `after` newly names someone `namer` may not name on a case filed under
/// `unit_path`. The message is the same whether the person does not exist, has left, or works
/// elsewhere: a refusal must not tell anyone about people outside their jurisdiction.
pub async fn check(
    store: &SqlStore,
    namer: &DeviceAuth,
    before: Option<&Case>,
    after: &Case,
    unit_path: &str,
) -> Result<Result<(), String>, MergeError> {
    let named = [
        ("responsible_leader", &after.responsible_leader, before.and_then(|b| b.responsible_leader.as_ref())),
        ("handler", &after.handler, before.and_then(|b| b.handler.as_ref())),
    ];
    for (field, now, was) in named {
        let Some(id) = now.as_ref().filter(|id| Some(*id) != was) else { continue };
        let allowed = match store.active_jurisdiction(id).await? {
            Some((own, paths)) => {
                paths.iter().any(|p| unit_path.starts_with(p.as_str())) || namer.covers(&own)
            }
            None => false,
        };
        if !allowed {
            return Ok(Err(format!(
                "{field}: {id} is not an active person who works in village {} or under you",
                after.village
            )));
        }
    }
    Ok(Ok(()))
}
