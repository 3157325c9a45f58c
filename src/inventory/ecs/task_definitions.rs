//! The identity of a task definition that could not be read. The latest
//! revision of a family is asked for by the family's name, so when that
//! `DescribeTaskDefinition` fails nothing has said which revision it is;
//! its ERROR must still be named as its PASS or FAIL would be
//! (`family:revision` and that revision's ARN), or history and `diff` see
//! the task definition disappear and another appear. One
//! `ListTaskDefinitions` for the family, newest first, tells, and is made
//! only then.

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{SortOrder, TaskDefinitionStatus};

use super::{TaskDefinition, revision_id};
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::inventory::paginate::CallSite;

/// `err`, the failed describe of `family`'s latest revision, with that
/// revision's ARN when `ListTaskDefinitions` names it; when that fails too,
/// `err` says so.
pub(super) async fn name_unread(
    client: &Client,
    gate: &CallGate,
    region: &str,
    family: &str,
    mut err: CollectError,
) -> (Result<TaskDefinition, CollectError>, Option<String>) {
    match latest_revision(client, gate, region, family).await {
        Ok(arn) => (Err(err), Some(arn)),
        Err(why) => {
            err.note(&format!("nor could its latest revision be learnt: {why}"));
            (Err(err), None)
        }
    }
}

/// The ARN of the latest ACTIVE revision of `family`.
async fn latest_revision(client: &Client, gate: &CallGate, region: &str, family: &str) -> Result<String, CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "ListTaskDefinitions" };
    let call = || {
        client
            .list_task_definitions()
            .family_prefix(family)
            .status(TaskDefinitionStatus::Active)
            .sort(SortOrder::Desc)
            .max_results(1)
            .send()
    };
    let output = site.once(call).await?;
    // Newest first and one of them; an endpoint that ignores the order or
    // the page size still lists the latest among them.
    output
        .task_definition_arns()
        .iter()
        .filter_map(|arn| {
            let (listed, revision) = revision_id(arn).rsplit_once(':')?;
            (listed == family).then_some((revision.parse::<i32>().ok()?, arn))
        })
        .max()
        .map(|(_, arn)| arn.clone())
        .ok_or_else(|| {
            let message = format!("ecs:ListTaskDefinitions listed no ACTIVE revision of family {family}");
            CollectError::new(Service::Ecs, site.operation, region, ErrorKind::NotFound, message)
        })
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_ecs::operation::describe_task_definition::DescribeTaskDefinitionError;
    use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
    use aws_sdk_ecs::operation::list_task_definition_families::ListTaskDefinitionFamiliesOutput;
    use aws_sdk_ecs::operation::list_task_definitions::{ListTaskDefinitionsError, ListTaskDefinitionsOutput};
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
    use aws_smithy_types::error::ErrorMetadata;

    use crate::aws::ConcurrencyLimits;
    use crate::inventory::ecs::{TaskDefinitionEntry, collect};
    use crate::inventory::{AccountTarget, Collected, Needs, ResourceKind};

    use super::*;

    const ARN: &str = "arn:aws:ecs:eu-west-1:111122223333:task-definition";

    fn client(rules: &[Rule]) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_ecs::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("eu-west-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "stub"))
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    fn denied() -> ErrorMetadata {
        ErrorMetadata::builder().code("AccessDeniedException").message("not authorized").build()
    }

    /// Families `app` and `job`, neither describable; `ListTaskDefinitions`
    /// names `app`'s revisions (out of order, as an endpoint ignoring the
    /// sort might) and is denied for `job`.
    async fn collected() -> Vec<TaskDefinitionEntry> {
        let rules = [
            mock!(Client::list_clusters).then_output(|| ListClustersOutput::builder().build()),
            mock!(Client::list_task_definition_families)
                .then_output(|| ListTaskDefinitionFamiliesOutput::builder().families("app").families("job").build()),
            mock!(Client::describe_task_definition).then_error(|| DescribeTaskDefinitionError::generic(denied())),
            mock!(Client::list_task_definitions)
                .match_requests(|input| input.family_prefix() == Some("app"))
                .then_output(|| {
                    ListTaskDefinitionsOutput::builder()
                        .task_definition_arns(format!("{ARN}/app:2"))
                        .task_definition_arns(format!("{ARN}/app:10"))
                        .task_definition_arns(format!("{ARN}/app-old:99"))
                        .build()
                }),
            mock!(Client::list_task_definitions)
                .match_requests(|input| input.family_prefix() == Some("job"))
                .then_error(|| ListTaskDefinitionsError::generic(denied())),
        ];
        let client = client(&rules);
        let gate = CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(4).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        });
        let account = AccountTarget { account_id: "111122223333".into(), partition: "aws".into(), regions: vec![] };
        let needs = Needs::of([ResourceKind::EcsTaskDefinitions]);
        let region = collect(&client, &gate, &account, "eu-west-1", &needs).await;
        match region.task_definitions {
            Collected::Ok(entries) => entries,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_unread_latest_revision_is_named_by_the_revision_listing_names() {
        let entries = collected().await;
        let app = entries.iter().find(|entry| entry.requested == "app").unwrap();
        assert_eq!((app.id.as_str(), app.arn.clone()), ("app:10", format!("{ARN}/app:10")));
        assert!(app.definition.error().unwrap().message.contains("AccessDeniedException"));
        assert!(!app.definition.error().unwrap().message.contains("latest revision"), "{:?}", app.definition);

        // The listing denied too: the family names it, and the error says why.
        let job = entries.iter().find(|entry| entry.requested == "job").unwrap();
        assert_eq!((job.id.as_str(), job.arn.clone()), ("job", format!("{ARN}/job")));
        let message = &job.definition.error().unwrap().message;
        assert!(
            message.contains("nor could its latest revision be learnt: ecs:ListTaskDefinitions in eu-west-1 failed"),
            "{message}"
        );
        assert_eq!(entries.len(), 2, "{entries:#?}");
    }
}
