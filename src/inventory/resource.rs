//! A collected resource's identity and label, set once at collection and
//! carried by every finding about it, whatever its status: scan history,
//! diffs and mutelists match on `(account, region, check, id)`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What identifies a resource in a finding.
pub trait Resource {
    /// The AWS id findings name it by (`sg-…`, a repository name, `family:revision`).
    fn id(&self) -> &str;
    /// Its ARN, as AWS spells it where AWS has one.
    fn arn(&self) -> &str;
    /// What a reader recognises it by; most resources carry none.
    fn label(&self) -> Label {
        Label::default()
    }
}

/// What a reader needs to recognise a resource in a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub details: String,
}

/// A resource that exists once per account: the root user, the password policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountResource {
    pub id: String,
    pub arn: String,
}

impl Resource for AccountResource {
    fn id(&self) -> &str {
        &self.id
    }

    fn arn(&self) -> &str {
        &self.arn
    }
}

/// `impl Resource` for a struct whose identity is two of its fields.
macro_rules! resource {
    ($type:ty, $id:ident, $arn:ident) => {
        impl $crate::inventory::Resource for $type {
            fn id(&self) -> &str {
                &self.$id
            }

            fn arn(&self) -> &str {
                &self.$arn
            }
        }
    };
    ($type:ty, $id:ident, $arn:ident, |$this:ident| $label:expr) => {
        impl $crate::inventory::Resource for $type {
            fn id(&self) -> &str {
                &self.$id
            }

            fn arn(&self) -> &str {
                &self.$arn
            }

            fn label(&self) -> $crate::inventory::Label {
                let $this = self;
                $label
            }
        }
    };
}

pub(crate) use resource;
