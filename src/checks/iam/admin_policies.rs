//! The rule the "attached policy grants * on *" checks share.

use crate::checks::{Context, Unknown, Verdict, fail, pass};
use crate::inventory::iam::ManagedPolicy;
use crate::policy::full_admin::full_admin_statements;

pub fn judge(_: &Context<'_>, _: &ManagedPolicy, document: &str) -> Verdict {
    let statements = full_admin_statements(document).map_err(|err| Unknown(err.to_string()))?;
    if statements.is_empty() {
        pass("does not allow \"*\" on \"*\".")
    } else {
        fail(format!(
            "grants full administrative privileges: statement {} allows \"*\" on \"*\".",
            statements.join(", ")
        ))
    }
}
