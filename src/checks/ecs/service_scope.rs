//! The shared walk of the service checks: every service of every cluster.

use crate::checks::{Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::ecs::EcsService;

pub const NEEDS: &[ResourceKind] = &[ResourceKind::EcsClusters, ResourceKind::EcsServices];

pub enum Judgement {
    Pass(String),
    Fail(String),
    NotApplicable,
}

pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&EcsService) -> Judgement) {
    let account = ctx.account;
    for (region, clusters) in out.per_region(account, "ecs", "service/*", |region| &region.ecs.clusters) {
        for cluster in clusters {
            let services = match cluster.services.get() {
                Ok(services) => services,
                Err(why) => {
                    out.resource(region, &cluster.name, &cluster.arn)
                        .error(format!("Could not list the services of cluster {}: {why}", cluster.name));
                    continue;
                }
            };
            for service in services {
                let subject = format!("Service {} of cluster {}", service.name, cluster.name);
                let finding = out.resource(region, format!("{}/{}", cluster.name, service.name), &service.arn);
                match judge(service) {
                    Judgement::Pass(detail) => finding.pass(format!("{subject} {detail}")),
                    Judgement::Fail(detail) => finding.fail(format!("{subject} {detail}")),
                    Judgement::NotApplicable => {}
                }
            }
        }
    }
}
