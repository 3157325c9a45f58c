//! No image the task definitions run is built on a distribution release
//! its vendor no longer supports: an end-of-life base gets no security
//! fixes, whatever the image's own code does. The release is read from the
//! image's `/etc/os-release` (or `/usr/lib/os-release`) in its layers and
//! judged against a dated table of vendor end-of-support dates on the day
//! of the scan.

use crate::checks::{Check, Context, Judgement, Read, Scope, Unknown, Verdict, fail, pass};
use crate::image::os_release::{Support, support, table_checked};
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::{ImageConfig, RegistryImage};

pub const CHECK: Check = Check {
    id: "ecr_images_base_os_supported",
    scope: Scope::RegistryImages(judge),
    reads: &[ResourceKind::EcrImageLayers],
};

fn judge(ctx: &Context<'_>, image: &RegistryImage, _: &ImageConfig) -> Verdict {
    let layers = image.layers.read("its layers")?;
    let Some(release) = &layers.os_release else {
        let unread = layers.unread();
        if !unread.is_empty() {
            return Err(Unknown(format!("has no os-release in the layers read, but {}.", unread.join("; "))));
        }
        return Ok(Judgement::NotApplicable);
    };
    let name = release.name();
    let day = jiff::tz::TimeZone::UTC.to_datetime(ctx.now).date();
    match support(release, day) {
        Support::Ended { ended, source } => fail(format!(
            "is built on {name}, whose vendor support ended on {ended} ({source}): it gets no security fixes."
        )),
        Support::Until { until, source } => pass(format!("is built on {name}, supported until {until} ({source}).")),
        Support::Rolling => pass(format!("is built on {name}, a rolling distribution with no end of support.")),
        Support::Unknown => Err(Unknown(format!(
            "is built on {name}, which the end-of-support table (checked {}) does not list.",
            table_checked()
        ))),
    }
}
