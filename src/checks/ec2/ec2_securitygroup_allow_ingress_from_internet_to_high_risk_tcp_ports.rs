//! Security groups that allow any of the configured high-risk TCP ports
//! (`high_risk_tcp_ports`: FTP, Telnet, SQL Server, Oracle, MySQL,
//! PostgreSQL, Redis, Cassandra, Kafka, Elasticsearch/Kibana, memcached,
//! MongoDB by default) from 0.0.0.0/0 or ::/0.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::ec2::SecurityGroup;
use crate::rules::security_group::{Exposure, describe_rule, internet_source};

pub const CHECK: Check = Check {
    id: "ec2_securitygroup_allow_ingress_from_internet_to_high_risk_tcp_ports",
    scope: Scope::SecurityGroups(judge),
    reads: &[],
};

fn judge(ctx: &Context<'_>, group: &SecurityGroup) -> Verdict {
    let mut open = Vec::new();
    for &(low, high) in &ctx.config.high_risk_tcp_ports {
        let range = if low == high { format!("{low}") } else { format!("{low}-{high}") };
        let exposure = Exposure::TcpRange(low, high);
        if let Some((rule, source)) =
            group.ingress.iter().find_map(|rule| internet_source(rule, exposure).map(|source| (rule, source)))
        {
            open.push(format!("TCP {range} from {source} (rule: {})", describe_rule(rule)));
        }
    }
    if open.is_empty() {
        pass("does not allow any high-risk TCP port from the internet")
    } else {
        fail(format!("allows high-risk ports from the internet: {}", open.join(", ")))
    }
}
