use bulkhead::inventory::ecs::EnvironmentVariable;
use bulkhead::inventory::image_configs::HistoryStep;

use super::*;

const CHECK: &str = "ecs_task_definitions_images_no_secrets_in_config";
const KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

#[test]
fn pass_fail_and_error() {
    let clean = only(CHECK, &with_image_config(|_| {}));
    assert_eq!(clean.status, Status::Pass, "{}", clean.message);
    assert_eq!(clean.region, REGION);

    let leaky = only(
        CHECK,
        &with_image_config(|config| {
            config.env.push(EnvironmentVariable::new("AWS_SECRET_ACCESS_KEY", KEY));
            config.history.push(HistoryStep::new(&format!("RUN |1 GITHUB_TOKEN={TOKEN} /bin/sh -c npm ci"), false));
        }),
    );
    assert_eq!(leaky.status, Status::Fail);
    assert!(
        leaky.message.contains("environment variable AWS_SECRET_ACCESS_KEY (an AWS secret access key)"),
        "{}",
        leaky.message
    );
    assert!(leaky.message.contains("history step 2 (RUN GITHUB_TOKEN: a GitHub token)"), "{}", leaky.message);
    assert!(!leaky.message.contains(KEY) && !leaky.message.contains(TOKEN), "never the value: {}", leaky.message);
    assert!(leaky.message.starts_with("Image app@sha256:"), "{}", leaky.message);

    assert_registry_image_errors(CHECK); // Status::Error
}
