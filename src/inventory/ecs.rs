//! ECS inventory: clusters with their settings, services, the task
//! definitions of running tasks, and the task definitions worth judging.
//!
//! Which task definitions: the latest ACTIVE revision of every family, plus
//! every revision a service or a running task uses. Older revisions that
//! nothing runs are not fetched (one `DescribeTaskDefinition` per historical
//! revision is what makes other auditors slow), and they cannot harm anyone
//! until something runs them, at which point they are "in use".

mod clusters;
mod task_definitions;

use std::collections::BTreeMap;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{ContainerDefinition, TaskDefinitionFamilyStatus, TaskDefinitionStatus};
use serde::{Deserialize, Serialize};

use super::paginate::CallSite;
use super::{AccountTarget, Collected, Needs, ResourceKind, Undescribed, requested};
use crate::aws::chain::{self, join_all};
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::secrets::{self, Flagged};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct EcsRegion {
    pub clusters: Collected<Vec<Cluster>>,
    /// Clusters `ListClusters` named that `DescribeClusters` reported in its
    /// `failures[]`: their services and tasks were not listed.
    #[serde(default)]
    pub undescribed_clusters: Vec<Undescribed>,
    /// The latest ACTIVE revision of each family and every revision in use.
    pub task_definitions: Collected<Vec<TaskDefinitionEntry>>,
}

impl EcsRegion {
    /// Why the set of task definitions in use may be incomplete: a cluster,
    /// service or task listing that failed.
    pub fn in_use_unknown(&self) -> Vec<String> {
        match &self.clusters {
            Collected::Failed(err) => {
                vec![format!("the clusters could not be listed ({}: {})", err.operation, err.message)]
            }
            Collected::NotRequested => vec!["the clusters were not collected".to_owned()],
            Collected::Ok(clusters) => {
                let mut unknown: Vec<String> = self
                    .undescribed_clusters
                    .iter()
                    .map(|cluster| {
                        format!("cluster {}: {} failed: {}", cluster.id, cluster.error.operation, cluster.error.message)
                    })
                    .collect();
                for cluster in clusters {
                    let failed =
                        [cluster.services.error(), cluster.running_task_definitions.error()].into_iter().flatten();
                    let undescribed = cluster.undescribed_services.iter().map(|service| &service.error);
                    for err in failed.chain(undescribed) {
                        unknown.push(format!("cluster {}: {} failed: {}", cluster.name, err.operation, err.message));
                    }
                }
                unknown
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub arn: String,
    pub name: String,
    /// The `containerInsights` setting: `enabled`, `enhanced`, `disabled`, or absent.
    pub container_insights: Option<String>,
    pub services: Collected<Vec<EcsService>>,
    /// Services `ListServices` named that `DescribeServices` reported in its `failures[]`.
    #[serde(default)]
    pub undescribed_services: Vec<Undescribed>,
    /// Task definition ARNs of the cluster's RUNNING tasks, deduplicated; a
    /// `DescribeTasks` answer with `failures[]` makes the whole set unknown.
    pub running_task_definitions: Collected<Vec<String>>,
    /// The RUNNING tasks themselves, from the same `DescribeTasks` answers:
    /// what each container runs and where. Failed exactly when
    /// `running_task_definitions` is; `NotRequested` in inventories saved
    /// before tasks were kept.
    #[serde(default)]
    pub running_tasks: Collected<Vec<RunningTask>>,
}

super::resource!(Cluster, name, arn);

/// A RUNNING task as `DescribeTasks` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningTask {
    /// `CLUSTER/TASK-ID`: task ids are unique within their cluster.
    pub id: String,
    pub arn: String,
    pub cluster: String,
    pub task_definition_arn: String,
    /// ECS's task group: `service:NAME` for a service's tasks, `family:NAME`
    /// (or what `RunTask` was given) for standalone ones.
    pub group: Option<String>,
    pub launch_type: Option<String>,
    /// The elastic network interfaces of an `awsvpc` task (its attachments).
    pub network_interfaces: Vec<String>,
    pub containers: Vec<RunningContainer>,
}

super::resource!(RunningTask, id, arn);

impl RunningTask {
    /// The service that started the task, by ECS's group convention.
    pub fn service(&self) -> Option<&str> {
        self.group.as_deref().and_then(|group| group.strip_prefix("service:"))
    }

    /// `service web of cluster prod` / `a standalone task of cluster prod`, for messages.
    pub fn describe_owner(&self) -> String {
        match self.service() {
            Some(service) => format!("service {service} of cluster {}", self.cluster),
            None => format!("a standalone task of cluster {}", self.cluster),
        }
    }

    /// `family:revision` of the task definition it runs.
    pub fn revision(&self) -> &str {
        revision_id(&self.task_definition_arn)
    }
}

/// What one container of a running task runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningContainer {
    pub name: String,
    /// The image reference as the task started it.
    pub image: String,
    /// The manifest digest the reference resolved to when the task started:
    /// what runs, whatever the tag points at now. `None` while ECS has not
    /// pulled it yet.
    pub image_digest: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EcsService {
    /// `CLUSTER/SERVICE`: service names are unique only within a cluster.
    pub id: String,
    pub arn: String,
    pub name: String,
    pub cluster_arn: String,
    pub launch_type: Option<String>,
    pub capacity_providers: Vec<String>,
    pub platform_version: Option<String>,
    pub platform_family: Option<String>,
    /// `networkConfiguration.awsvpcConfiguration.assignPublicIp`: `ENABLED` / `DISABLED`.
    pub assign_public_ip: Option<String>,
    pub task_definition: String,
    /// `loadBalancers[]`: the target groups (or Classic Load Balancers) its
    /// tasks are registered with.
    #[serde(default)]
    pub load_balancers: Vec<ServiceLoadBalancer>,
    /// The task sets of a service with the EXTERNAL (or CODE_DEPLOY)
    /// deployment controller, as `DescribeServices` reports them.
    #[serde(default)]
    pub task_sets: Vec<TaskSet>,
}

/// A task set of a service, as `DescribeServices` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSet {
    /// `CLUSTER/SERVICE/TASK-SET-ID`: task set ids are unique within their service.
    pub id: String,
    pub arn: String,
    /// `PRIMARY`, `ACTIVE` or `DRAINING`.
    pub status: Option<String>,
    /// `networkConfiguration.awsvpcConfiguration.assignPublicIp`: `ENABLED` / `DISABLED`.
    pub assign_public_ip: Option<String>,
}

super::resource!(TaskSet, id, arn);

/// One entry of a service's `loadBalancers[]`, as ECS reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceLoadBalancer {
    /// An Application or Network Load Balancer's target group.
    pub target_group_arn: Option<String>,
    /// A Classic Load Balancer's name (no target group then).
    pub load_balancer_name: Option<String>,
    pub container_name: Option<String>,
    pub container_port: Option<i32>,
}

impl EcsService {
    /// Runs on Fargate: launch type FARGATE or a FARGATE / FARGATE_SPOT capacity provider.
    pub fn on_fargate(&self) -> bool {
        self.launch_type.as_deref() == Some("FARGATE")
            || self.capacity_providers.iter().any(|provider| provider.starts_with("FARGATE"))
    }
}

super::resource!(EcsService, id, arn);

/// A task definition worth judging, whether or not it could be read: its
/// identity is the revision's (`family:revision` and its ARN) when the entry
/// was asked for by ARN, and the family's when by family name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionEntry {
    pub id: String,
    pub arn: String,
    /// What was asked for: a family name (its latest ACTIVE revision) or an ARN.
    pub requested: String,
    /// Why it is judged: "latest ACTIVE revision", "used by service X", ...
    pub reasons: Vec<String>,
    pub definition: Collected<TaskDefinition>,
}

super::resource!(TaskDefinitionEntry, id, arn);

/// `Default` (an empty definition) for inventory built in code: a new field
/// needs no line in `inventory::fixtures`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinition {
    /// `family:revision`.
    pub id: String,
    pub arn: String,
    pub family: String,
    pub revision: i32,
    pub status: Option<String>,
    pub network_mode: Option<String>,
    pub pid_mode: Option<String>,
    pub ipc_mode: Option<String>,
    pub requires_compatibilities: Vec<String>,
    pub containers: Vec<Container>,
    /// `runtimePlatform.cpuArchitecture` (`X86_64`, `ARM64`); `None`: ECS's default, x86-64.
    #[serde(default)]
    pub cpu_architecture: Option<String>,
    /// `runtimePlatform.operatingSystemFamily` (`LINUX`, `WINDOWS_SERVER_2022_CORE`, ...).
    #[serde(default)]
    pub os_family: Option<String>,
}

super::resource!(TaskDefinition, id, arn);

/// `Default` (an empty container) for inventory built in code: a new field
/// needs no line in `inventory::fixtures`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub privileged: Option<bool>,
    pub user: Option<String>,
    pub readonly_root_filesystem: Option<bool>,
    pub log_driver: Option<String>,
    /// `logConfiguration.options`, each value as [`secrets::kept_or_withheld`]
    /// keeps it: an API key or token given to the log driver is withheld.
    pub log_options: BTreeMap<String, String>,
    /// The plain `environment`: each variable's name and what the secret
    /// detector found in its value, never the value.
    pub environment: Vec<EnvironmentVariable>,
    /// Names of the variables injected from Secrets Manager / SSM (`secrets`).
    pub secret_names: Vec<String>,
    /// `portMappings`: the ports the container listens on.
    #[serde(default)]
    pub port_mappings: Vec<PortMapping>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortMapping {
    pub container_port: i32,
    /// `tcp` or `udp`, as ECS spells it; ECS's default is `tcp`.
    pub protocol: String,
}

/// A plain environment variable (of a container, or of an image's config)
/// as bulkhead keeps it: the value is judged by the secret detector when it
/// is collected, and only the verdict stays. No check needs more, and what
/// is not kept cannot leak from a saved inventory, a log or a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentVariable {
    pub name: String,
    /// What the detector found in the value: its rule and fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Flagged>,
}

impl EnvironmentVariable {
    /// `name=value`, judged: the value goes no further.
    pub fn new(name: impl Into<String>, value: &str) -> EnvironmentVariable {
        let name = name.into();
        let secret = secrets::flag(&name, value);
        EnvironmentVariable { name, secret }
    }
}

/// The clusters and the families' latest revisions are fetched side by side;
/// only the revisions in use that are not the latest wait for the clusters.
pub async fn collect(
    client: &Client,
    gate: &CallGate,
    account: &AccountTarget,
    region: &str,
    needs: &Needs,
) -> EcsRegion {
    let (clusters, latest) = futures::join!(
        chain::branch(clusters::clusters(client, gate, region, needs)),
        requested(needs.wants(ResourceKind::EcsTaskDefinitions), latest_task_definitions(client, gate, region)),
    );
    let task_definitions = match latest {
        Collected::Ok(latest) => {
            let in_use = match &clusters {
                Ok((clusters, _)) => in_use_by(clusters),
                Err(_) => BTreeMap::new(),
            };
            Collected::Ok(with_revisions_in_use(client, gate, account, region, latest, in_use).await)
        }
        Collected::Failed(err) => Collected::Failed(err),
        Collected::NotRequested => Collected::NotRequested,
    };
    let (clusters, undescribed_clusters) = match clusters {
        Ok((clusters, undescribed)) => (Collected::Ok(clusters), undescribed),
        Err(err) => (Collected::Failed(err), Vec::new()),
    };
    EcsRegion { clusters, undescribed_clusters, task_definitions }
}

/// `family:revision` from a task definition ARN
/// (`arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`).
fn revision_id(arn: &str) -> &str {
    arn.split_once(":task-definition/").map_or(arn, |(_, id)| id)
}

/// Task definition ARN -> why it is in use.
fn in_use_by(clusters: &[Cluster]) -> BTreeMap<String, Vec<String>> {
    let mut in_use: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for cluster in clusters {
        if let Collected::Ok(services) = &cluster.services {
            for service in services.iter().filter(|service| !service.task_definition.is_empty()) {
                in_use
                    .entry(service.task_definition.clone())
                    .or_default()
                    .push(format!("used by service {} of cluster {}", service.name, cluster.name));
            }
        }
        if let Collected::Ok(arns) = &cluster.running_task_definitions {
            for arn in arns {
                in_use
                    .entry(arn.clone())
                    .or_default()
                    .push(format!("used by running tasks in cluster {}", cluster.name));
            }
        }
    }
    in_use
}

/// Each ACTIVE family with its latest revision, or why that could not be
/// read and, then, the latest revision's ARN where it could be learnt apart.
async fn latest_task_definitions(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Vec<(String, Result<TaskDefinition, CollectError>, Option<String>)>, CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "ListTaskDefinitionFamilies" };
    let families = site
        .all_pages(
            |token| {
                client
                    .list_task_definition_families()
                    .status(TaskDefinitionFamilyStatus::Active)
                    .set_next_token(token)
                    .max_results(100)
                    .send()
            },
            |page| (page.families().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;

    // DescribeTaskDefinition with a bare family name returns its latest ACTIVE revision.
    let latest = join_all(families.iter().map(|family| async move {
        match describe_task_definition(client, gate, region, family).await {
            Ok(definition) => (Ok(definition), None),
            Err(err) => task_definitions::name_unread(client, gate, region, family, err).await,
        }
    }))
    .await;
    Ok(families.into_iter().zip(latest).map(|(family, (definition, arn))| (family, definition, arn)).collect())
}

/// The latest revisions with what uses them, plus the revisions in use that
/// are not the latest of their family.
async fn with_revisions_in_use(
    client: &Client,
    gate: &CallGate,
    account: &AccountTarget,
    region: &str,
    latest: Vec<(String, Result<TaskDefinition, CollectError>, Option<String>)>,
    mut in_use: BTreeMap<String, Vec<String>>,
) -> Vec<TaskDefinitionEntry> {
    let mut entries = Vec::new();
    for (family, definition, learnt) in latest {
        let mut reasons = vec!["the latest ACTIVE revision of its family".to_owned()];
        // Named by its revision whether or not it could be read, as every
        // finding about it is; by the family only when no call told the revision.
        let (id, arn) = match (&definition, learnt) {
            (Ok(definition), _) => (definition.id.clone(), definition.arn.clone()),
            (Err(_), Some(arn)) => (revision_id(&arn).to_owned(), arn),
            (Err(_), None) => (family.clone(), account.arn("ecs", region, &format!("task-definition/{family}"))),
        };
        reasons.extend(in_use.remove(&arn).unwrap_or_default());
        entries.push(TaskDefinitionEntry { id, arn, requested: family, reasons, definition: definition.into() });
    }
    let extra = join_all(in_use.into_iter().map(|(arn, reasons)| async move {
        let definition = describe_task_definition(client, gate, region, &arn).await;
        let id = revision_id(&arn).to_owned();
        TaskDefinitionEntry { id, arn: arn.clone(), requested: arn, reasons, definition: definition.into() }
    }))
    .await;
    entries.extend(extra);
    entries
}

async fn describe_task_definition(
    client: &Client,
    gate: &CallGate,
    region: &str,
    reference: &str,
) -> Result<TaskDefinition, CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "DescribeTaskDefinition" };
    let output = site.once(|| client.describe_task_definition().task_definition(reference).send()).await?;
    let Some(definition) = output.task_definition() else {
        return Err(CollectError::new(
            Service::Ecs,
            site.operation,
            region,
            ErrorKind::MalformedResponse,
            format!("no taskDefinition in the answer for {reference}"),
        ));
    };
    Ok(TaskDefinition {
        id: format!("{}:{}", definition.family().unwrap_or_default(), definition.revision()),
        arn: definition.task_definition_arn().unwrap_or_default().to_owned(),
        family: definition.family().unwrap_or_default().to_owned(),
        revision: definition.revision(),
        status: definition.status().map(|status: &TaskDefinitionStatus| status.as_str().to_owned()),
        network_mode: definition.network_mode().map(|mode| mode.as_str().to_owned()),
        pid_mode: definition.pid_mode().map(|mode| mode.as_str().to_owned()),
        ipc_mode: definition.ipc_mode().map(|mode| mode.as_str().to_owned()),
        requires_compatibilities: definition
            .requires_compatibilities()
            .iter()
            .map(|compatibility| compatibility.as_str().to_owned())
            .collect(),
        containers: definition.container_definitions().iter().map(container).collect(),
        cpu_architecture: definition
            .runtime_platform()
            .and_then(|platform| platform.cpu_architecture())
            .map(|cpu| cpu.as_str().to_owned()),
        os_family: definition
            .runtime_platform()
            .and_then(|platform| platform.operating_system_family())
            .map(|os| os.as_str().to_owned()),
    })
}

fn container(definition: &ContainerDefinition) -> Container {
    let log = definition.log_configuration();
    Container {
        name: definition.name().unwrap_or_default().to_owned(),
        image: definition.image().unwrap_or_default().to_owned(),
        privileged: definition.privileged(),
        user: definition.user().map(str::to_owned),
        readonly_root_filesystem: definition.readonly_root_filesystem(),
        log_driver: log.map(|log| log.log_driver().as_str().to_owned()),
        log_options: log
            .and_then(|log| log.options())
            .map(|options| {
                options.iter().map(|(key, value)| (key.clone(), secrets::kept_or_withheld(key, value))).collect()
            })
            .unwrap_or_default(),
        environment: definition
            .environment()
            .iter()
            .map(|pair| EnvironmentVariable::new(pair.name().unwrap_or_default(), pair.value().unwrap_or_default()))
            .collect(),
        secret_names: definition.secrets().iter().map(|secret| secret.name().to_owned()).collect(),
        port_mappings: definition
            .port_mappings()
            .iter()
            .filter_map(|mapping| {
                Some(PortMapping {
                    container_port: mapping.container_port()?,
                    protocol: mapping.protocol().map_or("tcp", |protocol| protocol.as_str()).to_owned(),
                })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(name: &str, task_definition: &str) -> EcsService {
        EcsService {
            id: format!("prod/{name}"),
            arn: format!("arn:aws:ecs:eu-west-1:111122223333:service/prod/{name}"),
            name: name.into(),
            cluster_arn: "arn:aws:ecs:eu-west-1:111122223333:cluster/prod".into(),
            launch_type: Some("FARGATE".into()),
            capacity_providers: vec![],
            platform_version: None,
            platform_family: None,
            assign_public_ip: None,
            task_definition: task_definition.into(),
            load_balancers: vec![],
            task_sets: vec![],
        }
    }

    #[test]
    fn revisions_in_use_come_from_services_and_running_tasks() {
        let clusters = vec![
            Cluster {
                arn: "arn:aws:ecs:eu-west-1:111122223333:cluster/prod".into(),
                name: "prod".into(),
                container_insights: None,
                services: Collected::Ok(vec![service("api", "arn:td/api:3"), service("web", "arn:td/web:7")]),
                undescribed_services: vec![],
                running_task_definitions: Collected::Ok(vec!["arn:td/api:3".into(), "arn:td/job:1".into()]),
                running_tasks: Collected::NotRequested,
            },
            Cluster {
                arn: "arn:aws:ecs:eu-west-1:111122223333:cluster/broken".into(),
                name: "broken".into(),
                container_insights: None,
                services: Collected::Failed(CollectError::new(
                    Service::Ecs,
                    "ListServices",
                    "eu-west-1",
                    crate::aws::ErrorKind::AccessDenied,
                    "denied",
                )),
                undescribed_services: vec![],
                running_task_definitions: Collected::Ok(vec![]),
                running_tasks: Collected::Ok(vec![]),
            },
        ];
        let in_use = in_use_by(&clusters);
        assert_eq!(in_use.keys().collect::<Vec<_>>(), ["arn:td/api:3", "arn:td/job:1", "arn:td/web:7"]);
        assert_eq!(in_use["arn:td/api:3"].len(), 2, "a service and running tasks");
        let region = EcsRegion {
            clusters: Collected::Ok(clusters),
            undescribed_clusters: vec![],
            task_definitions: Collected::NotRequested,
        };
        let unknown = region.in_use_unknown();
        assert_eq!(unknown.len(), 1);
        assert!(unknown[0].contains("cluster broken: ListServices failed"), "{unknown:?}");
    }

    #[test]
    fn fargate_means_launch_type_or_capacity_provider() {
        let mut spot = service("spot", "arn:td/x:1");
        spot.launch_type = None;
        spot.capacity_providers = vec!["FARGATE_SPOT".into()];
        assert!(spot.on_fargate());
        spot.capacity_providers = vec!["my-asg-provider".into()];
        assert!(!spot.on_fargate());
    }
}

/// `failures[]` in batch describe answers, which the emulator does not
/// produce, covered by SDK-level stubs.
#[cfg(test)]
mod partial_failure_tests {
    use std::num::NonZeroUsize;

    use aws_sdk_ecs::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_ecs::operation::describe_clusters::DescribeClustersOutput;
    use aws_sdk_ecs::operation::describe_services::DescribeServicesOutput;
    use aws_sdk_ecs::operation::describe_tasks::DescribeTasksOutput;
    use aws_sdk_ecs::operation::list_clusters::ListClustersOutput;
    use aws_sdk_ecs::operation::list_services::ListServicesOutput;
    use aws_sdk_ecs::operation::list_task_definition_families::ListTaskDefinitionFamiliesOutput;
    use aws_sdk_ecs::operation::list_tasks::ListTasksOutput;
    use aws_sdk_ecs::types::{Cluster as SdkCluster, Failure, Service as SdkService, Task};
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};

    use super::*;
    use crate::aws::ConcurrencyLimits;

    const PROD: &str = "arn:aws:ecs:eu-west-1:111122223333:cluster/prod";
    const GONE: &str = "arn:aws:ecs:eu-west-1:111122223333:cluster/gone";
    const API: &str = "arn:aws:ecs:eu-west-1:111122223333:service/prod/api";
    const WORKER: &str = "arn:aws:ecs:eu-west-1:111122223333:service/prod/worker";

    fn client(rules: &[&Rule]) -> Client {
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

    fn failure(arn: &str) -> Failure {
        Failure::builder().arn(arn).reason("MISSING").detail("gone between list and describe").build()
    }

    async fn collected(tasks_fail: bool) -> EcsRegion {
        let rules = [
            mock!(Client::list_clusters)
                .then_output(|| ListClustersOutput::builder().cluster_arns(PROD).cluster_arns(GONE).build()),
            mock!(Client::describe_clusters).then_output(|| {
                DescribeClustersOutput::builder()
                    .clusters(SdkCluster::builder().cluster_arn(PROD).cluster_name("prod").build())
                    .failures(failure(GONE))
                    .build()
            }),
            mock!(Client::list_services)
                .then_output(|| ListServicesOutput::builder().service_arns(API).service_arns(WORKER).build()),
            mock!(Client::describe_services).then_output(|| {
                DescribeServicesOutput::builder()
                    .services(SdkService::builder().service_arn(API).service_name("api").build())
                    .failures(failure(WORKER))
                    .build()
            }),
            mock!(Client::list_tasks).then_output(|| ListTasksOutput::builder().task_arns("arn:task/1").build()),
            mock!(Client::list_task_definition_families)
                .then_output(|| ListTaskDefinitionFamiliesOutput::builder().build()),
            mock!(Client::describe_tasks).then_output(move || {
                let answer = DescribeTasksOutput::builder();
                if tasks_fail {
                    answer.failures(failure("arn:task/1")).build()
                } else {
                    answer.tasks(Task::builder().build()).build()
                }
            }),
        ];
        let client = client(&rules.iter().collect::<Vec<_>>());
        let gate = CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(4).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        });
        let account = AccountTarget { account_id: "111122223333".into(), partition: "aws".into(), regions: vec![] };
        let needs = Needs::of([ResourceKind::EcsTaskDefinitions]);
        collect(&client, &gate, &account, "eu-west-1", &needs).await
    }

    #[tokio::test]
    async fn a_cluster_or_service_aws_could_not_describe_is_kept_with_its_reason() {
        let region = collected(false).await;
        assert_eq!(region.undescribed_clusters.len(), 1);
        assert_eq!(
            (region.undescribed_clusters[0].id.as_str(), region.undescribed_clusters[0].arn.as_str()),
            ("gone", GONE)
        );
        assert!(region.undescribed_clusters[0].error.message.contains("MISSING: gone between list and describe"));
        let Collected::Ok(clusters) = &region.clusters else { panic!("{:?}", region.clusters) };
        assert_eq!(clusters.len(), 1);
        let services = clusters[0].services.get().unwrap();
        assert_eq!(services.len(), 1);
        assert_eq!(clusters[0].undescribed_services.len(), 1);
        assert_eq!(clusters[0].undescribed_services[0].id, "prod/worker");
        // The undescribed cluster and service each leave the revisions in use open.
        assert_eq!(region.in_use_unknown().len(), 2, "{:?}", region.in_use_unknown());
    }

    #[tokio::test]
    async fn a_task_aws_could_not_describe_makes_the_running_revisions_unknown() {
        let region = collected(true).await;
        let Collected::Ok(clusters) = &region.clusters else { panic!() };
        let err = clusters[0].running_task_definitions.error().expect("unknown, not an empty list");
        assert!(err.message.contains("1 task(s) could not be described"), "{err}");
    }
}
