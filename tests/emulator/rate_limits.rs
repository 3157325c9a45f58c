//! Rate limits as AWS enforces them, a token bucket per account, region and
//! operation, played by `localstack/faultproxy.py --rate-limit`: first the
//! proxy's own behaviour on hand-made requests, then bulkhead scanning
//! through it.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;

use crate::call_stats::calls_by_operation;
use crate::faults::sorted_findings;
use crate::support::{Account, FaultProxy, repo_root};

/// A request as the SDK would send it, as far as the proxy reads one: the
/// SigV4 scope of its Authorization header and its operation. The
/// signature is not checked by the proxy.
struct Request<'a> {
    access_key: &'a str,
    region: &'a str,
    service: &'a str,
    /// `X-Amz-Target` for the JSON protocols, else the query's `Action`.
    target: Option<&'a str>,
    action: &'a str,
}

/// The status line, the headers (names lower-cased) and the body of the answer.
struct Answer {
    status: u16,
    headers: BTreeMap<String, String>,
    body: String,
}

fn send(proxy: &FaultProxy, request: &Request) -> Answer {
    let address = proxy.endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connecting to the proxy");
    let body = match request.target {
        Some(_) => "{}".to_owned(),
        None => format!("Action={}&Version=2016-11-15", request.action),
    };
    let content_type = match request.target {
        Some(_) => "application/x-amz-json-1.1",
        None => "application/x-www-form-urlencoded",
    };
    let target = request.target.map(|target| format!("X-Amz-Target: {target}\r\n")).unwrap_or_default();
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={}/20261207/{}/{}/aws4_request, SignedHeaders=host, Signature=00",
        request.access_key, request.region, request.service
    );
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: {content_type}\r\n{target}\
         Authorization: {authorization}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP answer");
    let mut lines = head.lines();
    let status = lines.next().and_then(|line| line.split(' ').nth(1)).and_then(|code| code.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Answer { status, headers, body: body.to_owned() }
}

const ECR: Request = Request {
    access_key: "AKIDACCOUNTONE",
    region: "eu-west-1",
    service: "ecr",
    target: Some("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"),
    action: "",
};

/// Each (access key, region, operation) has its own bucket of BURST
/// tokens; once it is empty, every request is answered with the service's
/// own throttling error. The refill rate is so low that no token comes back
/// while the test runs.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn an_empty_bucket_throttles_in_each_protocol() {
    let proxy = FaultProxy::start(&[
        "--rate-limit",
        "ecr:DescribeRepositories=0.001/3",
        "--rate-limit",
        "ec2=0.001/2",
        "--rate-limit",
        "iam=0.001/1",
        "--rate-limit",
        "elasticloadbalancing=0.001/1",
    ]);
    let throttled = |answer: &Answer| answer.body.contains("Throttl") || answer.body.contains("RequestLimitExceeded");

    // ECR (JSON 1.1): three pass, the fourth and fifth are throttled.
    let answers: Vec<Answer> = (0..5).map(|_| send(&proxy, &ECR)).collect();
    assert_eq!(answers.iter().filter(|answer| !throttled(answer)).count(), 3);
    for answer in &answers[3..] {
        assert_eq!(answer.status, 400);
        assert_eq!(answer.headers.get("x-amzn-errortype").map(String::as_str), Some("ThrottlingException"));
        assert!(answer.body.contains(r#""__type": "ThrottlingException""#), "{}", answer.body);
    }
    // Another operation, another region and another account have buckets of their own.
    let other_operation = Request { target: Some("AmazonEC2ContainerRegistry_V20150921.GetRegistryPolicy"), ..ECR };
    for request in
        [other_operation, Request { region: "us-east-1", ..ECR }, Request { access_key: "AKIDACCOUNTTWO", ..ECR }]
    {
        assert!(!throttled(&send(&proxy, &request)));
    }

    // EC2 (its own query protocol): RequestLimitExceeded, HTTP 503.
    let ec2 = Request { service: "ec2", target: None, action: "DescribeRegions", ..ECR };
    let answers: Vec<Answer> = (0..3).map(|_| send(&proxy, &ec2)).collect();
    assert!(!throttled(&answers[0]) && !throttled(&answers[1]));
    assert_eq!(answers[2].status, 503);
    assert!(answers[2].body.contains("<Code>RequestLimitExceeded</Code>"), "{}", answers[2].body);

    // IAM and ELBv2 (query protocol): Throttling, HTTP 400, a Sender error.
    for (service, action) in [("iam", "GetAccountSummary"), ("elasticloadbalancing", "DescribeLoadBalancers")] {
        let request = Request { service, target: None, action, ..ECR };
        let answers: Vec<Answer> = (0..2).map(|_| send(&proxy, &request)).collect();
        assert!(!throttled(&answers[0]), "{service}: {}", answers[0].body);
        assert_eq!(answers[1].status, 400, "{service}");
        assert!(answers[1].body.contains("<Type>Sender</Type><Code>Throttling</Code>"), "{}", answers[1].body);
    }

    let stats = proxy.stats();
    assert_eq!(stats.get("rate_limited"), Some(&5), "{stats:?}");
    assert_eq!(stats.get("rate_limited:ecr:DescribeRepositories@eu-west-1"), Some(&2), "{stats:?}");
}

/// Spent tokens come back at the refill rate: a bucket of one token at 20 a
/// second, emptied, lets a request through again after the 50 ms a token
/// takes (waited for generously, not timed).
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_bucket_refills_at_its_rate() {
    let proxy = FaultProxy::start(&["--rate-limit", "ecr=20/1"]);
    let throttled = |answer: &Answer| answer.body.contains("ThrottlingException");
    let first = send(&proxy, &ECR);
    assert!(!throttled(&first), "{}", first.body);
    // Until a request is throttled (the first two may straddle a refill).
    assert!((0..50).any(|_| throttled(&send(&proxy, &ECR))), "a bucket of one token never ran out");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let refilled = send(&proxy, &ECR);
    assert!(!throttled(&refilled), "{}", refilled.body);
}

/// Rate limits far below what a scan of the demo account would send at
/// once (ECR and ECS 2 calls a second per region and operation with a
/// burst of 1, the rest 10 a second): the endpoints' limits back off, the
/// SDK retries what was throttled, and the scan finds exactly what an
/// unthrottled scan finds, with no ERROR; every throttle the proxy answered
/// is counted in the report's stats and in `--stats`.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_rate_limited_scan_finds_what_an_unthrottled_one_does() {
    let account = Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"));
    let clean = account.scan(&[]);
    assert_eq!(clean.exit_code, 3, "the demo account has FAILs: {}", clean.stderr);
    let proxy = FaultProxy::start(&["--rate-limit", "ecr=2/1", "--rate-limit", "ecs=2/1", "--rate-limit", "*=10"]);
    let scan = account.scan_through(&proxy.endpoint, &["--stats"]);

    assert_eq!(scan.exit_code, clean.exit_code, "{}", scan.stderr);
    assert_eq!(sorted_findings(&scan), sorted_findings(&clean));
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);
    let rate_limited = proxy.stats().get("rate_limited").copied().unwrap_or(0);
    assert!(rate_limited > 0, "the limits are low enough to be reached: {:?}", proxy.stats());
    let stats = &scan.report["scan"]["stats"];
    assert_eq!(stats["throttles"].as_u64(), Some(rate_limited), "{stats}");
    assert_eq!(calls_by_operation(&scan.report), calls_by_operation(&clean.report));
    let summary = format!("retries, {rate_limited} throttled)");
    assert!(scan.stderr.contains(&summary), "--stats names the throttles: {}", scan.stderr);
    eprintln!(
        "rate limits: {rate_limited} throttles in {} calls, {:.1} s (unthrottled {:.1} s)",
        stats["calls"],
        scan.elapsed.as_secs_f64(),
        clean.elapsed.as_secs_f64()
    );
}
