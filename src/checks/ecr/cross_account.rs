//! The shared judgement of the cross-account policy checks: which accounts
//! a policy lets in beyond the audited account and `trusted_accounts`.

use crate::checks::Context;
use crate::rules::resource_policy::untrusted_account_grants;

/// `Ok(None)`: only trusted accounts; `Ok(Some(text))`: who else is let in.
pub fn untrusted(ctx: &Context<'_>, policy: &str) -> Result<Option<String>, String> {
    let mut trusted: Vec<&str> = ctx.config.trusted_accounts.iter().map(String::as_str).collect();
    trusted.push(&ctx.account.account_id);
    let grants = untrusted_account_grants(policy, &trusted).map_err(|err| err.to_string())?;
    if grants.is_empty() {
        return Ok(None);
    }
    let described: Vec<String> = grants
        .iter()
        .map(|grant| {
            let accounts: Vec<String> = grant
                .accounts
                .iter()
                .map(|account| if account == "*" { "any account (*)".to_owned() } else { account.clone() })
                .collect();
            format!("statement {} allows {}", grant.statement, accounts.join(", "))
        })
        .collect();
    Ok(Some(described.join("; ")))
}
