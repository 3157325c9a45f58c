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

#[test]
fn sshd_in_the_layers_fails_and_unread_layers_are_error() {
    use bulkhead::inventory::image_layers::{ImageLayers, LayerEntry};
    let with_layers = |layers: ImageLayers| {
        let mut account = with_image_config(|_| {});
        let Collected::Ok(images) = &mut account.registry_images else { unreachable!() };
        images[0].layers = Collected::Ok(layers);
        account
    };
    let installed = ImageLayers { sshd: vec!["usr/sbin/sshd".into()], ..ImageLayers::default() };
    let finding = only(CHECK, &with_layers(installed));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("its layers install /usr/sbin/sshd"), "{}", finding.message);
    let layer = LayerEntry {
        digest: format!("sha256:{}", "e".repeat(64)),
        size: None,
        step: None,
        instruction: None,
        unread: Some("damaged".into()),
    };
    let unread = ImageLayers { layers: vec![layer], ..ImageLayers::default() };
    assert_eq!(status(CHECK, &with_layers(unread)), Status::Error);
}
