//! No image the task definitions run exposes port 22 or starts an SSH
//! server: containers are reached through ECS Exec, not sshd.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::image::config::ssh_evidence;
use crate::inventory::image_configs::{ImageConfig, RegistryImage};

pub const CHECK: Check =
    Check { id: "ecs_task_definitions_images_no_ssh", scope: Scope::RegistryImages(judge), reads: &[] };

fn judge(_: &Context<'_>, _: &RegistryImage, config: &ImageConfig) -> Verdict {
    let evidence = ssh_evidence(&config.exposed_ports, &config.entrypoint, &config.cmd);
    if evidence.is_empty() {
        pass("neither exposes port 22/tcp nor starts sshd in its entrypoint or command.")
    } else {
        fail(format!("{}: it runs or offers an SSH server.", evidence.join(", ")))
    }
}
