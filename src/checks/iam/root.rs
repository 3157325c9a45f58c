//! What the account says about its root user, from `GetAccountSummary`
//! first and the credential report's root row as the fallback (some
//! endpoints' reports have no root row).

use crate::inventory::iam::IamAccount;

/// Whether the root user has any MFA device, and where that came from; `Err`
/// says why neither source could tell.
pub fn root_mfa(iam: &IamAccount) -> Result<(bool, &'static str), String> {
    let summary = match iam.summary.get() {
        Ok(summary) => match summary.account_mfa_enabled {
            Some(flag) => return Ok((flag == 1, "GetAccountSummary AccountMFAEnabled")),
            None => "GetAccountSummary has no AccountMFAEnabled".to_owned(),
        },
        Err(why) => why.to_string(),
    };
    match iam.credential_report.get() {
        Ok(report) => match report.root() {
            Some(row) => Ok((row.mfa_active, "the credential report's root row")),
            None => Err(format!("{summary}; the credential report has no root row")),
        },
        Err(why) => Err(format!("{summary}; {why}")),
    }
}
