//! No image the task definitions run exposes port 22, starts an SSH
//! server, or ships an sshd binary in its layers: containers are reached
//! through ECS Exec, not sshd, and an sshd that is installed is one
//! command away from running.

use crate::checks::{Check, Context, Read, Scope, Unknown, Verdict, fail, pass};
use crate::image::config::ssh_evidence;
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::{ImageConfig, RegistryImage};

pub const CHECK: Check = Check {
    id: "ecs_task_definitions_images_no_ssh",
    scope: Scope::RegistryImages(judge),
    reads: &[ResourceKind::EcrImageLayers],
};

fn judge(_: &Context<'_>, image: &RegistryImage, config: &ImageConfig) -> Verdict {
    let mut evidence = ssh_evidence(&config.exposed_ports, &config.entrypoint, &config.cmd);
    let layers = image.layers.read("its layers")?;
    evidence.extend(layers.sshd.iter().map(|path| format!("its layers install /{path}")));
    if !evidence.is_empty() {
        return fail(format!("{}: it runs or offers an SSH server.", evidence.join(", ")));
    }
    let unread = layers.unread();
    if !unread.is_empty() {
        return Err(Unknown(format!(
            "neither exposes port 22/tcp nor starts sshd, and the layers read hold no sshd, but {}.",
            unread.join("; ")
        )));
    }
    pass(
        "neither exposes port 22/tcp nor starts sshd in its entrypoint or command, and its layers hold no sshd binary.",
    )
}
