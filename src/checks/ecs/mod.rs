//! ECS checks: task definitions (what runs), services and clusters.

mod service_scope;
mod task_definition_scope;

pub mod ecs_cluster_container_insights_enabled;
pub mod ecs_service_fargate_latest_platform_version;
pub mod ecs_service_no_assign_public_ip;
pub mod ecs_task_definitions_containers_non_root_user;
pub mod ecs_task_definitions_containers_readonly_access;
pub mod ecs_task_definitions_host_namespace_not_shared;
pub mod ecs_task_definitions_host_networking_mode_users;
pub mod ecs_task_definitions_images_from_trusted_registries;
pub mod ecs_task_definitions_images_pinned_by_digest;
pub mod ecs_task_definitions_logging_block_mode;
pub mod ecs_task_definitions_logging_enabled;
pub mod ecs_task_definitions_no_environment_secrets;
pub mod ecs_task_definitions_no_privileged_containers;

/// No user, or `root` / `0` (with or without a group): the container runs as root.
pub(crate) fn runs_as_root(user: Option<&str>) -> bool {
    match user.map(str::trim) {
        None | Some("") => true,
        Some(user) => matches!(user.split(':').next(), Some("root" | "0")),
    }
}

#[cfg(test)]
mod tests {
    use super::runs_as_root;

    #[test]
    fn root_users() {
        for user in [None, Some(""), Some("root"), Some("0"), Some("0:0"), Some("root:app")] {
            assert!(runs_as_root(user), "{user:?}");
        }
        for user in [Some("1000"), Some("app"), Some("1000:1000"), Some("nobody")] {
            assert!(!runs_as_root(user), "{user:?}");
        }
    }
}
