//! The seven password policy checks, each in its own module below.

use super::*;

const CHECKS: [&str; 7] = [
    "iam_password_policy_minimum_length_14",
    "iam_password_policy_reuse_24",
    "iam_password_policy_uppercase",
    "iam_password_policy_lowercase",
    "iam_password_policy_number",
    "iam_password_policy_symbol",
    "iam_password_policy_expires_passwords_within_90_days_or_less",
];

fn with_policy(policy: Collected<Option<PasswordPolicy>>) -> AccountInventory {
    with_iam(|iam| iam.password_policy = policy)
}

/// A weak policy fails exactly the check about its one weakness.
fn weakened(check: &str, weaken: impl FnOnce(&mut PasswordPolicy)) {
    let mut policy = strong_policy();
    weaken(&mut policy);
    let account = with_policy(Collected::Ok(Some(policy)));
    for other in CHECKS {
        let expected = if other == check { Status::Fail } else { Status::Pass };
        assert_eq!(status(other, &account), expected, "{other} on a policy weakened for {check}");
    }
}

/// Shared by every password policy check: a strong policy passes, no policy
/// fails, an unreadable one is ERROR.
fn pass_fail_and_error(check: &str) {
    assert_eq!(status(check, &with_policy(Collected::Ok(Some(strong_policy())))), Status::Pass);
    let none = only(check, &with_policy(Collected::Ok(None)));
    assert_eq!((none.status, none.resource_id.as_str()), (Status::Fail, "password-policy"));
    let unknown = only(check, &with_policy(iam_denied("GetAccountPasswordPolicy")));
    assert_eq!((unknown.status, unknown.resource_id.as_str()), (Status::Error, "password-policy"));
}

mod iam_password_policy_minimum_length_14 {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_minimum_length_14");
        super::weakened("iam_password_policy_minimum_length_14", |p| p.minimum_password_length = Some(13));
    }
}

mod iam_password_policy_reuse_24 {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_reuse_24");
        super::weakened("iam_password_policy_reuse_24", |p| p.password_reuse_prevention = None);
    }
}

mod iam_password_policy_uppercase {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_uppercase");
        super::weakened("iam_password_policy_uppercase", |p| p.require_uppercase_characters = false);
    }
}

mod iam_password_policy_lowercase {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_lowercase");
        super::weakened("iam_password_policy_lowercase", |p| p.require_lowercase_characters = false);
    }
}

mod iam_password_policy_number {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_number");
        super::weakened("iam_password_policy_number", |p| p.require_numbers = false);
    }
}

mod iam_password_policy_symbol {
    #[test]
    fn verdicts() {
        super::pass_fail_and_error("iam_password_policy_symbol");
        super::weakened("iam_password_policy_symbol", |p| p.require_symbols = false);
    }
}

mod iam_password_policy_expires_passwords_within_90_days_or_less {
    #[test]
    fn verdicts() {
        let check = "iam_password_policy_expires_passwords_within_90_days_or_less";
        super::pass_fail_and_error(check);
        super::weakened(check, |p| p.max_password_age = Some(91));
        super::weakened(check, |p| p.expire_passwords = false);
    }
}
