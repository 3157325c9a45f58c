//! Security groups that allow any of the configured high-risk TCP ports
//! (`high_risk_tcp_ports`: FTP, Telnet, SQL Server, Oracle, MySQL,
//! PostgreSQL, Redis, Cassandra, Kafka, Elasticsearch/Kibana, memcached,
//! MongoDB by default) from 0.0.0.0/0 or ::/0.

use super::security_group_exposure::{self, GroupVerdict, NEEDS};
use crate::checks::{Check, Context, Findings};
use crate::rules::security_group::{Exposure, describe_rule, internet_source};

pub const CHECK: Check =
    Check { id: "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports", needs: NEEDS, evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    let ports = &ctx.config.high_risk_tcp_ports;
    security_group_exposure::each_group(ctx, out, |group| {
        let mut open = Vec::new();
        for &(low, high) in ports {
            let range = if low == high { format!("{low}") } else { format!("{low}-{high}") };
            if let Some((rule, source)) = group
                .ingress
                .iter()
                .find_map(|rule| internet_source(rule, Exposure::TcpRange(low, high)).map(|source| (rule, source)))
            {
                open.push(format!("TCP {range} from {source} (rule: {})", describe_rule(rule)));
            }
        }
        if open.is_empty() {
            GroupVerdict::Pass("does not allow any high-risk TCP port from the internet".to_owned())
        } else {
            GroupVerdict::Fail(format!("allows high-risk ports from the internet: {}", open.join(", ")))
        }
    });
}
