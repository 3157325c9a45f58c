//! ECS clusters and what runs in them: `ListClusters` / `DescribeClusters`,
//! each cluster's services and running tasks, and what ECS could not
//! describe of them.

use std::collections::BTreeSet;

use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{ClusterField, DesiredStatus};

use super::{Cluster, EcsService, RunningContainer, RunningTask, ServiceLoadBalancer, TaskSet};
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::inventory::paginate::CallSite;
use crate::inventory::{Collected, Needs, ResourceKind, Undescribed, requested};

/// `DescribeClusters` takes at most 100 clusters, `DescribeServices` 10,
/// `DescribeTasks` 100 per call.
const CLUSTERS_PER_CALL: usize = 100;
const SERVICES_PER_CALL: usize = 10;
const TASKS_PER_CALL: usize = 100;

/// The region's clusters, and those `DescribeClusters` could not describe.
pub(super) async fn clusters(
    client: &Client,
    gate: &CallGate,
    region: &str,
    needs: &Needs,
) -> Result<(Vec<Cluster>, Vec<Undescribed>), CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "ListClusters" };
    let arns = site
        .all_pages(
            |token| client.list_clusters().set_next_token(token).max_results(100).send(),
            |page| (page.cluster_arns().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let describe = CallSite { operation: "DescribeClusters", ..site };
    let batches = join_all(arns.chunks(CLUSTERS_PER_CALL).map(|batch| {
        describe.once(|| {
            client.describe_clusters().set_clusters(Some(batch.to_vec())).include(ClusterField::Settings).send()
        })
    }))
    .await;
    let mut described = Vec::new();
    let mut undescribed = Vec::new();
    for output in batches {
        let output = output?;
        described.extend(output.clusters().iter().cloned());
        undescribed.extend(output.failures().iter().map(|failure| undescribed_one(failure, &describe)));
    }
    undescribed.extend(unanswered(&arns, &described, |cluster| cluster.cluster_arn(), &undescribed, &describe));
    let clusters = described.into_iter().map(|cluster| async move {
        let arn = cluster.cluster_arn().unwrap_or_default().to_owned();
        let (listed_services, running) = futures::join!(
            requested(needs.wants(ResourceKind::EcsServices), services(client, gate, region, &arn)),
            requested(needs.wants(ResourceKind::EcsTasks), running_tasks(client, gate, region, &arn)),
        );
        let (running_task_definitions, running_tasks) = match running {
            Collected::Ok(tasks) => (Collected::Ok(task_definitions_of(&tasks)), Collected::Ok(tasks)),
            Collected::Failed(err) => (Collected::Failed(err.clone()), Collected::Failed(err)),
            Collected::NotRequested => (Collected::NotRequested, Collected::NotRequested),
        };
        let (services, undescribed_services) = match listed_services {
            Collected::Ok((services, undescribed)) => (Collected::Ok(services), undescribed),
            Collected::Failed(err) => (Collected::Failed(err), Vec::new()),
            Collected::NotRequested => (Collected::NotRequested, Vec::new()),
        };
        Cluster {
            name: cluster.cluster_name().unwrap_or_default().to_owned(),
            container_insights: cluster
                .settings()
                .iter()
                .find(|setting| setting.name().is_some_and(|name| name.as_str() == "containerInsights"))
                .and_then(|setting| setting.value().map(str::to_owned)),
            arn,
            services,
            undescribed_services,
            running_task_definitions,
            running_tasks,
        }
    });
    Ok((join_all(clusters).await, undescribed))
}

/// The task sets `DescribeServices` reports inside a service.
fn task_sets_of(service: &aws_sdk_ecs::types::Service, service_id: &str) -> Vec<TaskSet> {
    service
        .task_sets()
        .iter()
        .map(|set| TaskSet {
            id: format!("{service_id}/{}", set.id().unwrap_or_default()),
            arn: set.task_set_arn().unwrap_or_default().to_owned(),
            status: set.status().map(str::to_owned),
            assign_public_ip: set
                .network_configuration()
                .and_then(|network| network.awsvpc_configuration())
                .and_then(|awsvpc| awsvpc.assign_public_ip())
                .map(|assign| assign.as_str().to_owned()),
        })
        .collect()
}

/// A `failures[]` entry: AWS's reason, under the resource's identity.
fn undescribed_one(failure: &aws_sdk_ecs::types::Failure, site: &CallSite<'_>) -> Undescribed {
    let arn = failure.arn().unwrap_or_default().to_owned();
    let reason = failure.reason().unwrap_or("no reason given");
    let message = match failure.detail() {
        Some(detail) => format!("{reason}: {detail}"),
        None => reason.to_owned(),
    };
    Undescribed::new(
        &arn,
        CollectError::new(Service::Ecs, site.operation, site.region, ErrorKind::ServiceError, message),
    )
}

/// The ARNs asked for that the answer neither describes nor lists as failed.
fn unanswered<T>(
    asked: &[String],
    described: &[T],
    arn_of: impl Fn(&T) -> Option<&str>,
    failed: &[Undescribed],
    site: &CallSite<'_>,
) -> Vec<Undescribed> {
    asked
        .iter()
        .filter(|arn| !described.iter().any(|item| arn_of(item) == Some(arn.as_str())))
        .filter(|arn| !failed.iter().any(|failure| &failure.arn == *arn))
        .map(|arn| {
            let message = "neither described nor reported as a failure in the answer";
            Undescribed::new(
                arn,
                CollectError::new(Service::Ecs, site.operation, site.region, ErrorKind::MalformedResponse, message),
            )
        })
        .collect()
}

async fn services(
    client: &Client,
    gate: &CallGate,
    region: &str,
    cluster: &str,
) -> Result<(Vec<EcsService>, Vec<Undescribed>), CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "ListServices" };
    let arns = site
        .all_pages(
            |token| client.list_services().cluster(cluster).set_next_token(token).max_results(100).send(),
            |page| (page.service_arns().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let describe = CallSite { operation: "DescribeServices", ..site };
    let batches = join_all(arns.chunks(SERVICES_PER_CALL).map(|batch| {
        describe.once(|| client.describe_services().cluster(cluster).set_services(Some(batch.to_vec())).send())
    }))
    .await;
    let mut services = Vec::new();
    let mut undescribed = Vec::new();
    for output in batches {
        let output = output?;
        undescribed.extend(output.failures().iter().map(|failure| undescribed_one(failure, &describe)));
        services.extend(output.services().iter().map(|service| {
            let name = service.service_name().unwrap_or_default().to_owned();
            let id = format!("{}/{name}", cluster_name(cluster));
            EcsService {
                task_sets: task_sets_of(service, &id),
                id,
                arn: service.service_arn().unwrap_or_default().to_owned(),
                name,
                cluster_arn: service.cluster_arn().unwrap_or(cluster).to_owned(),
                launch_type: service.launch_type().map(|kind| kind.as_str().to_owned()),
                capacity_providers: service
                    .capacity_provider_strategy()
                    .iter()
                    .map(|item| item.capacity_provider().to_owned())
                    .collect(),
                platform_version: service.platform_version().map(str::to_owned),
                platform_family: service.platform_family().map(str::to_owned),
                assign_public_ip: service
                    .network_configuration()
                    .and_then(|network| network.awsvpc_configuration())
                    .and_then(|awsvpc| awsvpc.assign_public_ip())
                    .map(|assign| assign.as_str().to_owned()),
                task_definition: service.task_definition().unwrap_or_default().to_owned(),
                load_balancers: service
                    .load_balancers()
                    .iter()
                    .map(|balancer| ServiceLoadBalancer {
                        target_group_arn: balancer.target_group_arn().map(str::to_owned),
                        load_balancer_name: balancer.load_balancer_name().map(str::to_owned),
                        container_name: balancer.container_name().map(str::to_owned),
                        container_port: balancer.container_port(),
                    })
                    .collect(),
            }
        }));
    }
    let answered: Vec<&str> = services.iter().map(|service| service.arn.as_str()).collect();
    undescribed.extend(unanswered(&arns, &answered, |arn| Some(*arn), &undescribed, &describe));
    for service in &mut undescribed {
        // Service names are unique within their cluster only.
        service.id = format!("{}/{}", cluster_name(cluster), service.id);
    }
    Ok((services, undescribed))
}

async fn running_tasks(
    client: &Client,
    gate: &CallGate,
    region: &str,
    cluster: &str,
) -> Result<Vec<RunningTask>, CollectError> {
    let site = CallSite { gate, service: Service::Ecs, region, operation: "ListTasks" };
    let arns = site
        .all_pages(
            |token| {
                client
                    .list_tasks()
                    .cluster(cluster)
                    .desired_status(DesiredStatus::Running)
                    .set_next_token(token)
                    .max_results(100)
                    .send()
            },
            |page| (page.task_arns().to_vec(), page.next_token().map(str::to_owned)),
        )
        .await?;
    let describe = CallSite { operation: "DescribeTasks", ..site };
    let batches = join_all(arns.chunks(TASKS_PER_CALL).map(|batch| {
        describe.once(|| client.describe_tasks().cluster(cluster).set_tasks(Some(batch.to_vec())).send())
    }))
    .await;
    let mut tasks = Vec::new();
    for output in batches {
        let output = output?;
        if let Some(failure) = output.failures().first() {
            // A task AWS could not describe runs a revision we cannot name.
            let failed = undescribed_one(failure, &describe);
            let message = format!(
                "{} task(s) could not be described, so the revisions running are unknown; {}: {}",
                output.failures().len(),
                failed.arn,
                failed.error.message
            );
            return Err(CollectError::new(Service::Ecs, describe.operation, region, ErrorKind::ServiceError, message));
        }
        tasks.extend(output.tasks().iter().map(|task| running_task(task, cluster)));
    }
    Ok(tasks)
}

fn running_task(task: &aws_sdk_ecs::types::Task, cluster: &str) -> RunningTask {
    let arn = task.task_arn().unwrap_or_default().to_owned();
    let task_id = arn.rsplit_once('/').map_or(arn.as_str(), |(_, id)| id);
    let network_interfaces = task
        .attachments()
        .iter()
        .filter(|attachment| attachment.r#type() == Some("ElasticNetworkInterface"))
        .flat_map(|attachment| attachment.details())
        .filter(|detail| detail.name() == Some("networkInterfaceId"))
        .filter_map(|detail| detail.value().map(str::to_owned))
        .collect();
    RunningTask {
        id: format!("{}/{task_id}", cluster_name(cluster)),
        cluster: cluster_name(cluster).to_owned(),
        task_definition_arn: task.task_definition_arn().unwrap_or_default().to_owned(),
        group: task.group().map(str::to_owned),
        launch_type: task.launch_type().map(|kind| kind.as_str().to_owned()),
        network_interfaces,
        containers: task
            .containers()
            .iter()
            .map(|container| RunningContainer {
                name: container.name().unwrap_or_default().to_owned(),
                image: container.image().unwrap_or_default().to_owned(),
                image_digest: container.image_digest().map(str::to_owned),
            })
            .collect(),
        arn,
    }
}

/// The task definition ARNs the tasks run, deduplicated.
fn task_definitions_of(tasks: &[RunningTask]) -> Vec<String> {
    let arns: BTreeSet<&str> =
        tasks.iter().map(|task| task.task_definition_arn.as_str()).filter(|arn| !arn.is_empty()).collect();
    arns.into_iter().map(str::to_owned).collect()
}

/// The name in a cluster ARN (`arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`).
fn cluster_name(arn: &str) -> &str {
    arn.rsplit_once('/').map_or(arn, |(_, name)| name)
}
