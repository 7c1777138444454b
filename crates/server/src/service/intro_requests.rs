//! What follows from an introduction request beyond its own rows.

use rapport_core::interaction::{Depth, Initiator, InteractionKind};
use rapport_core::introduction::Introduction;
use rapport_core::network::NewInteraction;

use crate::app::AppState;
use crate::error::ApiResult;
use crate::extract::Caller;

/// An introduction a teammate asked for, once made, is logged in the
/// introducer's history with both people.
pub async fn log_made(state: &AppState, caller: &Caller, made: &Introduction) -> ApiResult<()> {
    let today = caller.today(state);
    state
        .store
        .create_interaction(
            caller.id(),
            NewInteraction {
                contact_ids: vec![made.contact_a.id, made.contact_b.id],
                kind: InteractionKind::Introduction,
                occurred_on: today,
                depth: Depth::Brief,
                initiated_by: Initiator::Me,
                notes: Some(format!("Introduced as a teammate asked: {}", made.reason)),
                follow_up_on: None,
            }
            .normalize(),
            today,
        )
        .await?;
    Ok(())
}
