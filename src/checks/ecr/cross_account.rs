//! The shared judgement of the cross-account policy checks: whom a policy
//! lets in beyond the audited account and `trusted_accounts`, judged on the
//! whole policy (every Allow, less what a Deny takes away).

use crate::checks::Context;
use crate::policy::{Access, Limits, evaluate};

/// `Ok(None)`: only trusted accounts; `Ok(Some(text))`: who else is let in,
/// with the statements that let them in.
pub fn untrusted(ctx: &Context<'_>, policy: &str) -> Result<Option<String>, String> {
    let mut trusted: Vec<&str> = ctx.config.trusted_accounts.iter().map(String::as_str).collect();
    trusted.push(&ctx.account.account_id);
    let access = evaluate(policy, &Limits::default()).map_err(|err| err.to_string())?;
    let outside = access.outside(&trusted);
    Ok((!outside.is_empty()).then(|| Access::describe(&outside)))
}
