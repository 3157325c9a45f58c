//! What ECR's scans found in the images task definitions run: for each
//! [`RegistryImage`], `DescribeImageScanFindings` (every page), basic or
//! enhanced (Amazon Inspector) findings alike.
//!
//! Only an image whose scan has something to read costs a call: the
//! `DescribeImages` listing already says whether an image was scanned and
//! how that ended, so a never-scanned image, or one whose scan failed or is
//! still running, is settled from the listing. Missing results are never
//! "clean": they are [`Coverage::NeverScanned`] or [`Coverage::Unknown`].

use std::collections::BTreeMap;

use aws_sdk_ecr::Client;
use aws_sdk_ecr::operation::describe_image_scan_findings::DescribeImageScanFindingsOutput;
use aws_sdk_ecr::types::{EnhancedImageScanFinding, ImageIdentifier, ImageScanFinding};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::ecr::Image;
use super::image_configs::RegistryImage;
use super::paginate::{CallSite, timestamp};
use super::{Collected, RegionInventory};
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service, Session};

/// `DescribeImageScanFindings` returns at most 1000 findings a page.
const FINDINGS_PER_PAGE: i32 = 1000;

/// The scan statuses under which ECR has findings to hand out: `COMPLETE`
/// (basic) and `ACTIVE` (enhanced, continuously rescanned).
const READABLE_STATUSES: [&str; 2] = ["COMPLETE", "ACTIVE"];

/// What ECR's scan of one image found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageVulnerabilities {
    /// The registry's scanning type in the image's region; `None` when
    /// that is unknown (its configuration could not be read and the answer
    /// does not tell).
    pub scan_type: Option<ScanType>,
    pub coverage: Coverage,
    /// `imageScanStatus.status` as ECR spells it (`COMPLETE`, `ACTIVE`,
    /// `IN_PROGRESS`, `FAILED`, `UNSUPPORTED_IMAGE`, ...); `None`: never scanned.
    pub status: Option<String>,
    pub completed_at: Option<Timestamp>,
    /// Every finding, in ECR's order; meaningful only when `coverage` is
    /// [`Coverage::Complete`] (empty then: the scan found nothing).
    pub findings: Vec<Vulnerability>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanType {
    /// ECR's own scanner (`findings[]`).
    Basic,
    /// Amazon Inspector (`enhancedFindings[]`).
    Enhanced,
}

/// How far the findings can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The scan completed: the findings are all it found.
    Complete,
    /// The listing reports no scan of the image at all (no call was made).
    NeverScanned,
    /// There was a scan but no complete result to read: still running,
    /// failed, unsupported, Inspector has not reported, or the listing does
    /// not show the image. Not clean: unknown.
    Unknown { reason: String },
}

/// One finding, compactly: what a ranking needs of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The CVE (`CVE-2024-3094`), or the finding's name where it has none.
    pub id: String,
    /// As ECR spells it: `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`, `UNDEFINED`, `UNTRIAGED`.
    pub severity: String,
    pub packages: Vec<VulnerablePackage>,
    /// Enhanced only: `YES`, `NO` or `PARTIAL` (some packages have a fix).
    pub fix_available: Option<String>,
    /// Enhanced only: `YES` or `NO`.
    pub exploit_available: Option<String>,
    /// Inspector's score (enhanced), else the CVSS score ECR's basic scan reports.
    pub score: Option<f64>,
    /// Where to read about it.
    pub uri: Option<String>,
    /// Enhanced only.
    pub title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnerablePackage {
    pub name: Option<String>,
    pub installed_version: Option<String>,
    /// Enhanced only: the version that fixes it.
    pub fixed_in: Option<String>,
}

/// What to do for one image: ask ECR, or what the listing already settles.
#[derive(Debug, Clone, PartialEq)]
enum Plan {
    Ask { region: String, repository: String, digest: String, scan_type: Option<ScanType> },
    Settled(Collected<ImageVulnerabilities>),
}

/// Sets `vulnerabilities` on every image, one call chain per distinct
/// scanned image (several entries may name one).
pub async fn collect(
    session: &Session,
    gate: &CallGate,
    regions: &BTreeMap<String, RegionInventory>,
    images: &mut [RegistryImage],
) {
    let plans: Vec<Plan> = images.iter().map(|image| plan(image, regions)).collect();
    let mut asked: BTreeMap<(String, String, String), Option<ScanType>> = BTreeMap::new();
    for plan in &plans {
        if let Plan::Ask { region, repository, digest, scan_type } = plan {
            asked.insert((region.clone(), repository.clone(), digest.clone()), *scan_type);
        }
    }
    let clients: BTreeMap<&str, Client> =
        asked.keys().map(|(region, _, _)| (region.as_str(), session.client::<Client>(region))).collect();
    let answers = join_all(asked.iter().map(|((region, repository, digest), scan_type)| {
        let client = &clients[region.as_str()];
        async move {
            let answer = scan_findings(client, gate, region, repository, digest).await;
            ((region.clone(), repository.clone(), digest.clone()), answer.map(|pages| read(&pages, *scan_type)).into())
        }
    }))
    .await;
    let answers: BTreeMap<(String, String, String), Collected<ImageVulnerabilities>> = answers.into_iter().collect();
    for (image, plan) in images.iter_mut().zip(plans) {
        image.vulnerabilities = match plan {
            Plan::Settled(settled) => settled,
            Plan::Ask { region, repository, digest, .. } => answers[&(region, repository, digest)].clone(),
        };
    }
}

/// The digest ECR scans: the platform's own manifest when the reference
/// names an index (ECR scans images, not indexes).
fn scanned_digest(image: &RegistryImage) -> Option<&str> {
    match &image.config {
        Collected::Ok(config) => config.platform_manifest.as_deref().or(image.digest.as_deref()),
        _ => image.digest.as_deref(),
    }
}

fn plan(image: &RegistryImage, regions: &BTreeMap<String, RegionInventory>) -> Plan {
    let unknown = |reason: String, scan_type| {
        Plan::Settled(Collected::Ok(ImageVulnerabilities {
            scan_type,
            coverage: Coverage::Unknown { reason },
            status: None,
            completed_at: None,
            findings: Vec::new(),
        }))
    };
    let Some(digest) = scanned_digest(image) else {
        // The reference did not resolve; the config's error says why.
        return match image.config.error() {
            Some(err) => Plan::Settled(Collected::Failed(err.clone())),
            None => unknown("the image reference did not resolve to a digest".to_owned(), None),
        };
    };
    let Some(region) = regions.get(&image.region) else {
        return unknown(
            format!(
                "its registry's region {} is not among the regions scanned, so its scan was not listed",
                image.region
            ),
            None,
        );
    };
    let scan_type = match &region.ecr.registry_scanning {
        Collected::Ok(scanning) if scanning.scan_type == "ENHANCED" => Some(ScanType::Enhanced),
        Collected::Ok(_) => Some(ScanType::Basic),
        _ => None,
    };
    let listed = match listed_image(region, &image.repository, digest) {
        Ok(Some(listed)) => listed,
        Ok(None) => {
            return unknown(format!("{}@{digest} is not in the DescribeImages listing", image.repository), scan_type);
        }
        Err(unavailable) => return Plan::Settled(unavailable),
    };
    let Some(status) = &listed.scan_status else {
        return Plan::Settled(Collected::Ok(ImageVulnerabilities {
            scan_type,
            coverage: Coverage::NeverScanned,
            status: None,
            completed_at: None,
            findings: Vec::new(),
        }));
    };
    if listed.scan.is_none() && !READABLE_STATUSES.contains(&status.as_str()) {
        return Plan::Settled(Collected::Ok(ImageVulnerabilities {
            scan_type,
            coverage: Coverage::Unknown { reason: format!("ECR reports the scan as {status}") },
            status: Some(status.clone()),
            completed_at: None,
            findings: Vec::new(),
        }));
    }
    Plan::Ask {
        region: image.region.clone(),
        repository: image.repository.clone(),
        digest: digest.to_owned(),
        scan_type,
    }
}

/// The image as `DescribeImages` listed it; `Err` carries why the listing
/// cannot say (a failed call keeps its error).
fn listed_image<'a>(
    region: &'a RegionInventory,
    repository: &str,
    digest: &str,
) -> Result<Option<&'a Image>, Collected<ImageVulnerabilities>> {
    let repositories = match &region.ecr.repositories {
        Collected::Ok(repositories) => repositories,
        Collected::Failed(err) => return Err(Collected::Failed(err.clone())),
        Collected::NotRequested => return Err(Collected::NotRequested),
    };
    let Some(listed) = repositories.iter().find(|listed| listed.name == repository) else {
        return Ok(None);
    };
    match &listed.images {
        Collected::Ok(images) => Ok(images.iter().find(|image| image.digest == digest)),
        Collected::Failed(err) => Err(Collected::Failed(err.clone())),
        Collected::NotRequested => Err(Collected::NotRequested),
    }
}

/// Every page of the image's findings, as ECR answered them.
async fn scan_findings(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<DescribeImageScanFindingsOutput>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImageScanFindings" };
    let id = ImageIdentifier::builder().image_digest(digest).build();
    site.all_pages(
        |token| {
            client
                .describe_image_scan_findings()
                .repository_name(repository)
                .image_id(id.clone())
                .max_results(FINDINGS_PER_PAGE)
                .set_next_token(token)
                .send()
        },
        |page| {
            let next = page.next_token().map(str::to_owned);
            (vec![page], next)
        },
    )
    .await
}

/// The pages of one answer as [`ImageVulnerabilities`]. `registry_type` is
/// the registry's scanning type in the region, when known.
fn read(pages: &[DescribeImageScanFindingsOutput], registry_type: Option<ScanType>) -> ImageVulnerabilities {
    let first = pages.first();
    let scan_status = first.and_then(|page| page.image_scan_status());
    let status = scan_status.and_then(|status| status.status()).map(|status| status.as_str().to_owned());
    let completed_at = first
        .and_then(|page| page.image_scan_findings())
        .and_then(|findings| findings.image_scan_completed_at())
        .and_then(timestamp);
    let mut basic: Vec<&ImageScanFinding> = Vec::new();
    // `None` unless some page carries `enhancedFindings` at all: an enhanced
    // answer with an empty list is a clean image, one without it is not.
    let mut enhanced: Option<Vec<&EnhancedImageScanFinding>> = None;
    for findings in pages.iter().filter_map(|page| page.image_scan_findings()) {
        basic.extend(findings.findings());
        if let Some(page) = &findings.enhanced_findings {
            enhanced.get_or_insert_with(Vec::new).extend(page);
        }
    }
    // Without the registry's configuration, the answer's own lists tell.
    let answered_type = match (&enhanced, basic.is_empty()) {
        (Some(_), _) => Some(ScanType::Enhanced),
        (None, false) => Some(ScanType::Basic),
        (None, true) => None,
    };
    let scan_type = registry_type.or(answered_type);
    let coverage = match status.as_deref() {
        Some(readable) if READABLE_STATUSES.contains(&readable) => {
            if scan_type == Some(ScanType::Enhanced) && enhanced.is_none() {
                Coverage::Unknown {
                    reason: "the registry scans with Amazon Inspector (ENHANCED), but ECR returned no enhanced \
                             results for the image"
                        .to_owned(),
                }
            } else {
                Coverage::Complete
            }
        }
        other => {
            let description = scan_status.and_then(|status| status.description()).unwrap_or_default();
            Coverage::Unknown {
                reason: format!("ECR reports the scan as {}: {description}", other.unwrap_or("no status"))
                    .trim_end_matches([':', ' '])
                    .to_owned(),
            }
        }
    };
    let findings = match enhanced {
        Some(enhanced) => enhanced.into_iter().map(enhanced_finding).collect(),
        None => basic.into_iter().map(basic_finding).collect(),
    };
    ImageVulnerabilities { scan_type, coverage, status, completed_at, findings }
}

fn basic_finding(finding: &ImageScanFinding) -> Vulnerability {
    let attribute = |key: &str| {
        finding.attributes().iter().find(|attribute| attribute.key() == key).and_then(|attribute| attribute.value())
    };
    let score = ["CVSS3_SCORE", "CVSS2_SCORE"].iter().find_map(|key| attribute(key)?.parse::<f64>().ok());
    let name = attribute("package_name").map(str::to_owned);
    let version = attribute("package_version").map(str::to_owned);
    Vulnerability {
        id: finding.name().unwrap_or_default().to_owned(),
        severity: finding.severity().map(|severity| severity.as_str().to_owned()).unwrap_or_default(),
        packages: if name.is_some() || version.is_some() {
            vec![VulnerablePackage { name, installed_version: version, fixed_in: None }]
        } else {
            Vec::new()
        },
        fix_available: None,
        exploit_available: None,
        score,
        uri: finding.uri().map(str::to_owned),
        title: None,
    }
}

fn enhanced_finding(finding: &EnhancedImageScanFinding) -> Vulnerability {
    let details = finding.package_vulnerability_details();
    Vulnerability {
        id: details.and_then(|details| details.vulnerability_id()).or(finding.title()).unwrap_or_default().to_owned(),
        severity: finding.severity().unwrap_or_default().to_owned(),
        packages: details
            .map(|details| details.vulnerable_packages())
            .unwrap_or_default()
            .iter()
            .map(|package| VulnerablePackage {
                name: package.name().map(str::to_owned),
                installed_version: package.version().map(str::to_owned),
                fixed_in: package.fixed_in_version().map(str::to_owned),
            })
            .collect(),
        fix_available: finding.fix_available().map(str::to_owned),
        exploit_available: finding.exploit_available().map(str::to_owned),
        // The SDK reads an absent score as 0.0; Inspector scores start at 0.1.
        score: Some(finding.score()).filter(|score| *score > 0.0),
        uri: details
            .and_then(|details| details.source_url().or_else(|| details.reference_urls().first().map(String::as_str)))
            .map(str::to_owned),
        title: finding.title().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_ecr::types::{
        Attribute, FindingSeverity, ImageScanFindings, ImageScanStatus, PackageVulnerabilityDetails, ScanStatus,
        VulnerablePackage as SdkPackage,
    };

    use super::*;
    use crate::inventory::ecr::{RegistryScanning, ScanResult};
    use crate::inventory::fixtures;
    use crate::inventory::image_configs::ImageConfig;

    fn page(status: ScanStatus, findings: ImageScanFindings, next: Option<&str>) -> DescribeImageScanFindingsOutput {
        DescribeImageScanFindingsOutput::builder()
            .image_scan_status(ImageScanStatus::builder().status(status).description("as ECR says").build())
            .image_scan_findings(findings)
            .set_next_token(next.map(str::to_owned))
            .build()
    }

    fn basic(name: &str, severity: FindingSeverity, score: &str) -> ImageScanFinding {
        let attribute = |key: &str, value: &str| Attribute::builder().key(key).value(value).build().unwrap();
        ImageScanFinding::builder()
            .name(name)
            .severity(severity)
            .attributes(attribute("package_name", "openssl"))
            .attributes(attribute("package_version", "3.0.1"))
            .attributes(attribute("CVSS2_SCORE", score))
            .build()
    }

    #[test]
    fn basic_findings_are_read_from_every_page() {
        let first = ImageScanFindings::builder().findings(basic("CVE-1", FindingSeverity::Critical, "9.1")).build();
        let second = ImageScanFindings::builder().findings(basic("CVE-2", FindingSeverity::Low, "x")).build();
        let pages = [page(ScanStatus::Complete, first, Some("t")), page(ScanStatus::Complete, second, None)];
        let read = read(&pages, Some(ScanType::Basic));
        assert_eq!(read.coverage, Coverage::Complete);
        assert_eq!(read.findings.len(), 2);
        let critical = &read.findings[0];
        assert_eq!(
            (critical.id.as_str(), critical.severity.as_str(), critical.score),
            ("CVE-1", "CRITICAL", Some(9.1))
        );
        assert_eq!(
            critical.packages,
            [VulnerablePackage {
                name: Some("openssl".into()),
                installed_version: Some("3.0.1".into()),
                fixed_in: None
            }]
        );
        assert_eq!(read.findings[1].score, None, "a score that is no number is no score");
    }

    #[test]
    fn under_enhanced_scanning_missing_enhanced_results_are_unknown_and_an_empty_list_is_clean() {
        let only_basic = ImageScanFindings::builder().findings(basic("CVE-1", FindingSeverity::High, "7")).build();
        let unknown = read(&[page(ScanStatus::Active, only_basic, None)], Some(ScanType::Enhanced));
        assert!(matches!(unknown.coverage, Coverage::Unknown { ref reason } if reason.contains("no enhanced results")));

        let clean = ImageScanFindings::builder().set_enhanced_findings(Some(Vec::new())).build();
        let clean = read(&[page(ScanStatus::Active, clean, None)], Some(ScanType::Enhanced));
        assert_eq!((clean.coverage, clean.findings.len()), (Coverage::Complete, 0));
    }

    #[test]
    fn enhanced_findings_carry_fix_and_exploit_and_the_type_shows_without_the_registry() {
        let package = SdkPackage::builder().name("openssh").version("9.6p1").fixed_in_version("9.8p1").build();
        let details = PackageVulnerabilityDetails::builder()
            .vulnerability_id("CVE-2024-6387")
            .vulnerable_packages(package)
            .reference_urls("https://example.com/advisory")
            .build();
        let finding = EnhancedImageScanFinding::builder()
            .package_vulnerability_details(details)
            .severity("CRITICAL")
            .fix_available("YES")
            .exploit_available("NO")
            .title("regreSSHion")
            .build();
        let findings = ImageScanFindings::builder().enhanced_findings(finding).build();
        // The registry's configuration could not be read: the answer tells.
        let read = read(&[page(ScanStatus::Active, findings, None)], None);
        assert_eq!((read.scan_type, read.coverage.clone()), (Some(ScanType::Enhanced), Coverage::Complete));
        let found = &read.findings[0];
        assert_eq!(found.id, "CVE-2024-6387");
        assert_eq!(found.packages[0].fixed_in.as_deref(), Some("9.8p1"));
        assert_eq!((found.fix_available.as_deref(), found.exploit_available.as_deref()), (Some("YES"), Some("NO")));
        assert_eq!(found.score, None, "no score given: none, not 0");
        assert_eq!(found.uri.as_deref(), Some("https://example.com/advisory"));
    }

    #[test]
    fn a_failed_scan_is_unknown_with_ecrs_description() {
        let read = read(&[page(ScanStatus::Failed, ImageScanFindings::builder().build(), None)], Some(ScanType::Basic));
        assert_eq!(read.coverage, Coverage::Unknown { reason: "ECR reports the scan as FAILED: as ECR says".into() });
    }

    /// One region whose repository `app` lists `images`, scanning `scan_type`.
    fn regions(images: Vec<Image>, scan_type: &str) -> BTreeMap<String, RegionInventory> {
        let mut repository = fixtures::repository("app");
        repository.images = Collected::Ok(images);
        let mut region = RegionInventory::default();
        region.ecr.repositories = Collected::Ok(vec![repository]);
        region.ecr.registry_scanning =
            Collected::Ok(RegistryScanning { scan_type: scan_type.into(), rules: Vec::new() });
        BTreeMap::from([(fixtures::REGION.to_owned(), region)])
    }

    fn listed(status: Option<&str>, summary: bool) -> Image {
        let mut image = fixtures::image(&fixtures::repository("app"), &"d".repeat(64), &["v1"]);
        image.scan_status = status.map(str::to_owned);
        image.scan = summary.then(|| ScanResult {
            status: status.map(str::to_owned),
            completed_at: None,
            severity_counts: BTreeMap::new(),
        });
        image
    }

    fn settled(plan: Plan) -> Collected<ImageVulnerabilities> {
        match plan {
            Plan::Settled(settled) => settled,
            ask => panic!("expected no call, got {ask:?}"),
        }
    }

    #[test]
    fn only_an_image_whose_listing_shows_a_readable_scan_costs_a_call() {
        let image = fixtures::registry_image(&fixtures::own_ecr_image("app", "v1"), Collected::NotRequested);
        let never = settled(plan(&image, &regions(vec![listed(None, false)], "BASIC")));
        assert!(matches!(never, Collected::Ok(ImageVulnerabilities { coverage: Coverage::NeverScanned, .. })));
        let running = settled(plan(&image, &regions(vec![listed(Some("IN_PROGRESS"), false)], "BASIC")));
        assert!(
            matches!(running, Collected::Ok(ImageVulnerabilities { coverage: Coverage::Unknown { ref reason }, .. }) if reason.contains("IN_PROGRESS"))
        );
        let unlisted = settled(plan(&image, &regions(Vec::new(), "BASIC")));
        assert!(matches!(unlisted, Collected::Ok(ImageVulnerabilities { coverage: Coverage::Unknown { .. }, .. })));

        let asked = plan(&image, &regions(vec![listed(Some("ACTIVE"), false)], "ENHANCED"));
        assert_eq!(
            asked,
            Plan::Ask {
                region: fixtures::REGION.into(),
                repository: "app".into(),
                digest: image.digest.clone().unwrap(),
                scan_type: Some(ScanType::Enhanced),
            }
        );
        assert!(matches!(plan(&image, &regions(vec![listed(Some("COMPLETE"), true)], "BASIC")), Plan::Ask { .. }));
    }

    #[test]
    fn a_failed_listing_fails_the_image_and_an_index_is_looked_up_by_its_platform_manifest() {
        let image = fixtures::registry_image(&fixtures::own_ecr_image("app", "v1"), Collected::NotRequested);
        let mut failing = regions(Vec::new(), "BASIC");
        let error = fixtures::denied(Service::Ecr, "DescribeImages");
        failing.get_mut(fixtures::REGION).unwrap().ecr.repositories =
            Collected::Ok(vec![crate::inventory::ecr::Repository {
                images: Collected::Failed(error.clone()),
                ..fixtures::repository("app")
            }]);
        assert_eq!(settled(plan(&image, &failing)), Collected::Failed(error));

        let platform = format!("sha256:{}", "e".repeat(64));
        let config = ImageConfig { platform_manifest: Some(platform.clone()), ..fixtures::image_config() };
        let index = fixtures::registry_image(&fixtures::own_ecr_image("app", "v1"), Collected::Ok(config));
        let mut manifest = listed(Some("COMPLETE"), true);
        manifest.digest = platform.clone();
        assert!(
            matches!(plan(&index, &regions(vec![manifest], "BASIC")), Plan::Ask { ref digest, .. } if *digest == platform)
        );

        let elsewhere = RegistryImage { region: "ap-south-1".into(), ..image };
        let unscanned_region = settled(plan(&elsewhere, &regions(Vec::new(), "BASIC")));
        assert!(
            matches!(unscanned_region, Collected::Ok(ImageVulnerabilities { coverage: Coverage::Unknown { ref reason }, scan_type: None, .. }) if reason.contains("ap-south-1"))
        );
    }
}
