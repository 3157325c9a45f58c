use super::*;

const CHECK: &str = "ecs_task_definitions_images_no_ssh";

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &with_image_config(|_| {})), Status::Pass);
    let exposed = only(CHECK, &with_image_config(|config| config.exposed_ports.push("22/tcp".into())));
    assert_eq!(exposed.status, Status::Fail);
    assert!(exposed.message.contains("exposes port 22/tcp"), "{}", exposed.message);
    let sshd = only(CHECK, &with_image_config(|config| config.cmd = vec!["/usr/sbin/sshd".into(), "-D".into()]));
    assert_eq!(sshd.status, Status::Fail);
    assert!(sshd.message.contains("its command starts sshd"), "{}", sshd.message);
    assert_registry_image_errors(CHECK); // Status::Error
}
