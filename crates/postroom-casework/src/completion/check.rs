//! Checking a completion: what can be checked without the database (outcome, reply template,
//! change shapes and kinds), then each change against the item's accounts as the earlier changes
//! leave them.

use std::collections::HashMap;

use sea_orm::DatabaseTransaction;

use postroom_accounts::{ApprovalPolicy, Change, Context, Section, parse_each};
use postroom_db::{
    account_changes, accounts,
    entities::{account, work_item},
};
use postroom_workflows::Workflow;

use super::CompleteRequest;
use crate::{
    CaseworkError, FieldError,
    text::{MAX_REASON_CHARS, required},
};

/// What can be checked without the database. Returns the well-formed changes with their
/// positions, and every error found.
pub(super) fn check_request(req: &CompleteRequest, workflow: &Workflow) -> (Vec<(usize, Change)>, Vec<FieldError>) {
    let mut errors = Vec::new();
    if let Err(CaseworkError::Invalid { errors: e, .. }) = required("outcome", &req.outcome, MAX_REASON_CHARS) {
        errors.extend(e.into_iter().map(|e| FieldError::new(e.field, format!("say what was done ({})", e.message))));
    }
    if let Some(reply) = &req.reply {
        if !workflow.templates.contains(&reply.template) {
            errors.push(FieldError::new(
                "reply.template",
                format!(
                    "workflow {} has no template {:?}; it has {:?}",
                    workflow.id, reply.template, workflow.templates
                ),
            ));
        }
        if reply.notes.as_deref().is_some_and(|n| n.chars().count() > crate::text::MAX_NOTE_CHARS) {
            errors.push(FieldError::new("reply.notes", format!("at most {} characters", crate::text::MAX_NOTE_CHARS)));
        }
    }
    let mut changes = Vec::new();
    for (i, parsed) in parse_each(&req.changes).into_iter().enumerate() {
        match parsed {
            Err(e) => errors.push(FieldError::new(e.path(), e.problem())),
            Ok(c) if !workflow.changes.contains(&c.kind()) => {
                let allowed: Vec<&str> = workflow.changes.iter().map(|k| k.as_str()).collect();
                errors.push(FieldError::new(
                    format!("changes[{i}]"),
                    format!(
                        "workflow {} does not allow {} changes (it allows: {})",
                        workflow.id,
                        c.kind(),
                        allowed.join(", ")
                    ),
                ));
            }
            Ok(c) => changes.push((i, c)),
        }
    }
    (changes, errors)
}

/// The accounts a completion's changes were checked against, and why the changes need approval.
pub(super) struct Checked {
    /// The accounts taken, by reference.
    pub taken: HashMap<String, account::Model>,
    pub approval_reasons: Vec<String>,
}

/// Checks each change against the item's accounts as they stand in this transaction (taking each
/// account, so a concurrent completion on it fails with 409), in order, each against the state
/// the earlier ones leave, and says which need approval under `policy`. 422 listing every error.
pub(super) async fn check_changes(
    txn: &DatabaseTransaction,
    item: &work_item::Model,
    changes: &[(usize, Change)],
    mut errors: Vec<FieldError>,
    ctx: Context<'_>,
    policy: &ApprovalPolicy,
) -> Result<Checked, CaseworkError> {
    let linked = accounts::of_item(txn, item.id).await?;
    let mut taken = HashMap::new();
    let mut states = HashMap::new();
    let mut approval_reasons = Vec::new();
    for (i, change) in changes {
        let reference = change.account();
        if !taken.contains_key(reference) {
            let Some((account, _)) = linked.iter().find(|(a, _)| a.reference == reference) else {
                let refs: Vec<&str> = linked.iter().map(|(a, _)| a.reference.as_str()).collect();
                errors.push(FieldError::new(
                    format!("changes[{i}].account"),
                    format!(
                        "account {reference} is not one work item {} concerns ({}); index or link it first",
                        item.reference,
                        if refs.is_empty() { "none".to_owned() } else { refs.join(", ") }
                    ),
                ));
                continue;
            };
            let fresh = account_changes::take(txn, account).await?.ok_or_else(|| {
                CaseworkError::Conflict(format!("account {reference} changed meanwhile; read the item again"))
            })?;
            states.insert(reference.to_owned(), account_changes::state_of(txn, &fresh).await?);
            taken.insert(reference.to_owned(), fresh);
        }
        let (Some(state), Some(account)) = (states.get_mut(reference), taken.get(reference)) else { continue };
        let mut problems = change.validate_with(state, ctx, policy);
        approval_reasons.extend(change.approval_reason_for(state, policy, ctx.today));
        if problems.is_empty() {
            change.project(state);
            if let Some(mandate) = state.mandate.as_ref().filter(|_| change.section() == Section::Mandate)
                && account_changes::mandate_reference_taken(txn, account.id, mandate).await?
            {
                problems.push(format!(
                    "Direct Debit reference {} is already used with that bank account on another account",
                    mandate.reference
                ));
            }
        }
        errors.extend(problems.into_iter().map(|m| FieldError::new(format!("changes[{i}]"), m)));
    }
    if errors.is_empty() {
        Ok(Checked { taken, approval_reasons })
    } else {
        Err(CaseworkError::Invalid {
            detail: format!(
                "{} invalid change(s) in the completion of work item {}; nothing was applied",
                errors.len(),
                item.reference
            ),
            errors,
        })
    }
}
