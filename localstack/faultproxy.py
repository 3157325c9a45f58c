"""A fault-injecting HTTP proxy for bulkhead's test bed.

Sits between bulkhead and the emulator on 127.0.0.1 and, per request, either
forwards it untouched or answers it with a fault, the way AWS would:

    localstack/.venv/bin/python localstack/faultproxy.py \\
        --upstream http://127.0.0.1:4566 --seed 7 \\
        --throttle 0.20 --server-error 0.05 --reset 0.02 \\
        [--latency-ms 5 [--jitter-ms 5]] [--deny ecr] [--unknown ecr:GetSigningConfiguration] \\
        [--stall '*@ap-southeast-2'] [--rate-limit 'ecr:DescribeImages=5/10'] \\
        [--port 0] [--rename-host localhost] [--call-log calls.log]

Prints `http://127.0.0.1:PORT` as its first stdout line once it listens.
Logs on stderr. Exits when its standard input closes (so it dies with the
test that started it), on SIGTERM, or after --lifetime seconds (default 600).

What a request is: the SigV4 credential scope of its Authorization header
(`Credential=AKID/DATE/REGION/SERVICE/aws4_request`) gives the access key
(standing for the account: the test bed's accounts have one key each), the
region and the service; `X-Amz-Target` (JSON 1.0/1.1) or the `Action` form field (query
protocol) gives the operation; for the REST-JSON services (EKS, GuardDuty,
Inspector) the operation is the method and the path's first segment, e.g.
`eks:GET/clusters`, and the path tells requests apart.

Faults, each a fraction of the requests it may apply to:
  --throttle F      the protocol's own throttling error:
                    EC2 query XML `RequestLimitExceeded` (HTTP 503),
                    JSON 1.1 `ThrottlingException` (HTTP 400, x-amzn-ErrorType),
                    REST-JSON `ThrottlingException` (HTTP 429, x-amzn-ErrorType),
                    IAM/STS query XML `Throttling` (HTTP 400, Type Sender)
  --server-error F  HTTP 500 or 503 (half each) with the protocol's error body
  --reset F         reads the request, then resets the TCP connection (RST)
  --latency-ms N    adds N ms to every request, plus up to --jitter-ms
                    (default: N) of seeded jitter

Rules, SPEC = SERVICE[:OPERATION][@REGION], each part `*` or omitted for any,
e.g. `ecr`, `ecr:DescribeImages`, `*@ap-southeast-2`, `ec2:DescribeRegions@us-east-1`:
  --deny SPEC       every matching request is denied: EC2 `UnauthorizedOperation`
                    (403), JSON `AccessDeniedException` (400), query `AccessDenied` (403)
  --unknown SPEC    every matching request is answered as an operation the endpoint
                    does not offer, as a region that an API has not reached yet
                    answers: JSON `UnknownOperationException` (400, as AWS's JSON
                    services send it), EC2 and query `InvalidAction` (400)
  --stall SPEC      every matching request is held for --stall-seconds (default
                    60), then its connection is reset
Rules win over rate limits, and rate limits over random faults. Several
--deny/--unknown/--stall may be given.

Rate limits, as AWS's API request quotas work (a token bucket per account,
region and operation, refilled at a steady rate up to a burst):
  --rate-limit SPEC=RATE[/BURST]
                    each (access key, region, operation) that SPEC matches
                    has a bucket of BURST tokens (default: RATE, at least 1),
                    refilled at RATE a second; a request finding it empty is
                    answered with the protocol's throttling error, as
                    --throttle's, and counted as `rate_limited`. The first
                    matching --rate-limit gives the rate, e.g.
                    `--rate-limit ecr:GetRepositoryPolicy=5 --rate-limit ecr=20/40`.
                    Latency applies to throttled answers too, as AWS's come
                    back over the same network.

  --rename-host NAME  forwards every request with NAME as the host of its Host
                    header (the port kept), so the emulator names NAME in what it
                    derives from the Host header (image download URLs)
  --call-log FILE   writes one line per request: seconds since the proxy
                    started, the decision (`forward`, `rate_limited`, ...),
                    SERVICE:OPERATION and the region; for timelines of what
                    each bucket let through

Determinism: whether a request gets a random fault is decided from a hash of
(seed, service, region, operation, request body, how many times this very
request was seen before), never from arrival order, so a seed gives the same
faults however the scanner's concurrency interleaves its calls. Rate limits
are the exception: a bucket is emptied by requests arriving too fast, so
what it throttles depends on timing, as on AWS.

GET /__faultproxy/stats answers a JSON count of what was injected, and under
`pass:blob` how many blob GETs (presigned download URLs) were passed through.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/([^/,\s]+)/aws4_request")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}
# Query-protocol services whose errors use <ErrorResponse>; EC2 has its own shape.
EC2 = "ec2"
# Services whose SDK speaks REST-JSON: the operation is the method and the
# path, and errors are JSON with the code in `x-amzn-ErrorType`.
REST_JSON = frozenset({"eks", "guardduty", "inspector2"})


@dataclass(frozen=True)
class Rule:
    service: str
    operation: str
    region: str

    @staticmethod
    def parse(spec: str) -> "Rule":
        rest, _, region = spec.partition("@")
        service, _, operation = rest.partition(":")
        return Rule(service or "*", operation or "*", region or "*")

    def matches(self, call: "Call") -> bool:
        return all(
            want == "*" or want.lower() == have.lower()
            for want, have in ((self.service, call.service), (self.operation, call.operation), (self.region, call.region))
        )


@dataclass(frozen=True)
class Call:
    service: str
    region: str
    operation: str
    protocol: str  # "json", "rest-json", "ec2" or "query"
    access_key: str = "?"
    # What tells two requests apart besides the body: the path of a REST call.
    resource: str = ""


def identify(method: str, path: str, headers, body: bytes) -> Call:
    scope = CREDENTIAL.search(headers.get("Authorization", ""))
    access_key, region, service = (scope.group(1), scope.group(2), scope.group(3)) if scope else ("?", "?", "?")
    if service in REST_JSON:
        route = urllib.parse.urlsplit(path).path
        return Call(service, region, rest_operation(method, route), "rest-json", access_key, path)
    target = headers.get("X-Amz-Target")
    if target:
        return Call(service, region, target.rpartition(".")[2], "json", access_key)
    fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    operation = fields.get("Action", ["?"])[0]
    return Call(service, region, operation, EC2 if service == EC2 else "query", access_key)


def rest_operation(method: str, route: str) -> str:
    """A REST call's name for rules: the method and the path's first segment,
    e.g. `GET/clusters` for both ListClusters and DescribeCluster."""
    segment = route.strip("/").split("/", 1)[0]
    return f"{method}/{segment}"


@dataclass(frozen=True)
class RateLimit:
    rule: Rule
    rate: float
    burst: float

    @staticmethod
    def parse(text: str) -> "RateLimit":
        spec, equals, quota = text.rpartition("=")
        rate_text, _, burst_text = quota.partition("/")
        try:
            rate = float(rate_text)
            burst = float(burst_text) if burst_text else max(1.0, rate)
        except ValueError:
            rate = burst = -1.0
        if not equals or not spec or rate <= 0 or burst < 1:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not SPEC=RATE[/BURST] with RATE > 0 and BURST >= 1, e.g. ecr:DescribeImages=5/10"
            )
        return RateLimit(Rule.parse(spec), rate, burst)


class TokenBucket:
    """BURST tokens, refilled at RATE a second; a request takes one or is refused."""

    def __init__(self, rate: float, burst: float, now: float):
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.updated = now

    def take(self, now: float) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def error_response(call: Call, code: str, message: str, status: int, sender: bool = True):
    request_id = str(uuid.uuid4())
    if call.protocol == "json":
        body = json.dumps({"__type": code, "message": message}).encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.1",
            "x-amzn-ErrorType": code,
            "x-amzn-RequestId": request_id,
        }
    elif call.protocol == "rest-json":
        body = json.dumps({"message": message}).encode()
        headers = {
            "Content-Type": "application/json",
            "x-amzn-ErrorType": code,
            "x-amzn-RequestId": request_id,
        }
    elif call.protocol == EC2:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors>"
            f"<RequestID>{request_id}</RequestID></Response>"
        ).encode()
        headers = {"Content-Type": "text/xml;charset=UTF-8"}
    else:
        kind = "Sender" if sender else "Receiver"
        body = (
            f"<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}
    return status, headers, body


def throttling(call: Call):
    if call.protocol == "rest-json":
        return error_response(call, "ThrottlingException", "Rate exceeded", 429)
    if call.protocol == "json":
        return error_response(call, "ThrottlingException", "Rate exceeded", 400)
    if call.protocol == EC2:
        return error_response(call, "RequestLimitExceeded", "Request limit exceeded.", 503)
    return error_response(call, "Throttling", "Rate exceeded", 400)


def denial(call: Call):
    what = f"{call.service}:{call.operation}"
    message = f"User is not authorized to perform: {what} (injected by faultproxy)"
    if call.protocol == "json":
        return error_response(call, "AccessDeniedException", message, 400)
    if call.protocol == "rest-json":
        return error_response(call, "AccessDeniedException", message, 403)
    if call.protocol == EC2:
        return error_response(call, "UnauthorizedOperation", f"You are not authorized to perform: {what}.", 403)
    return error_response(call, "AccessDenied", message, 403)


def unknown_operation(call: Call):
    if call.protocol == "rest-json":
        return error_response(call, "UnknownOperationException", f"Unknown operation {call.operation}", 404)
    if call.protocol == "json":
        return error_response(call, "UnknownOperationException", f"Unknown operation {call.operation}", 400)
    message = f"The action {call.operation} is not valid for this web service."
    return error_response(call, "InvalidAction", message, 400)


def server_error(call: Call, status: int):
    codes = {
        ("json", 500): "InternalServerException",
        ("json", 503): "ServiceUnavailableException",
        ("rest-json", 500): "InternalServerException",
        ("rest-json", 503): "ServiceUnavailableException",
        (EC2, 500): "InternalError",
        (EC2, 503): "Unavailable",
        ("query", 500): "InternalFailure",
        ("query", 503): "ServiceUnavailable",
    }
    return error_response(call, codes[(call.protocol, status)], "injected server error", status, sender=False)


class Faults:
    def __init__(self, args):
        self.seed = args.seed
        self.throttle = args.throttle
        self.server_error = args.server_error
        self.reset = args.reset
        self.latency = args.latency_ms / 1000.0
        self.jitter = (args.latency_ms if args.jitter_ms is None else args.jitter_ms) / 1000.0
        self.deny = [Rule.parse(spec) for spec in args.deny]
        self.unknown = [Rule.parse(spec) for spec in args.unknown]
        self.stall = [Rule.parse(spec) for spec in args.stall]
        self.stall_seconds = args.stall_seconds
        self.rate_limits = args.rate_limit
        self.buckets: dict[tuple[str, str, str, str], TokenBucket] = {}
        self.clock = time.monotonic
        self.started = self.clock()
        self.call_log = open(args.call_log, "w") if args.call_log else None
        self.lock = threading.Lock()
        self.seen: dict[str, int] = {}
        self.stats: dict[str, int] = {}

    def record(self, call: Call, decision: str):
        """One line per call in --call-log: seconds since the proxy started, the decision, the call."""
        if self.call_log is None:
            return
        line = f"{self.clock() - self.started:.4f} {decision} {call.service}:{call.operation} {call.region}\n"
        with self.lock:
            self.call_log.write(line)
            self.call_log.flush()

    def count(self, what: str):
        with self.lock:
            self.stats[what] = self.stats.get(what, 0) + 1

    def draw(self, call: Call, body: bytes) -> float:
        """A number in [0, 1) fixed by the seed and the request, not by timing."""
        identity = hashlib.sha256(
            f"{call.service}|{call.region}|{call.operation}|{call.resource}|".encode() + body
        ).hexdigest()
        with self.lock:
            occurrence = self.seen.get(identity, 0)
            self.seen[identity] = occurrence + 1
        digest = hashlib.sha256(f"{self.seed}|{identity}|{occurrence}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def within_rate_limit(self, call: Call) -> bool:
        """Whether the call's bucket (the first matching --rate-limit's) has a token; takes it."""
        limit = next((limit for limit in self.rate_limits if limit.rule.matches(call)), None)
        if limit is None:
            return True
        key = (call.access_key, call.region, call.service, call.operation)
        with self.lock:
            now = self.clock()
            bucket = self.buckets.get(key)
            if bucket is None:
                bucket = self.buckets[key] = TokenBucket(limit.rate, limit.burst, now)
            return bucket.take(now)

    def decide(self, call: Call, body: bytes) -> str:
        if any(rule.matches(call) for rule in self.stall):
            return "stall"
        if any(rule.matches(call) for rule in self.deny):
            return "deny"
        if any(rule.matches(call) for rule in self.unknown):
            return "unknown"
        if not self.within_rate_limit(call):
            return "rate_limited"
        roll = self.draw(call, body)
        for fault, rate in (("throttle", self.throttle), ("server_error", self.server_error), ("reset", self.reset)):
            if roll < rate:
                return fault
            roll -= rate
        return "forward"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultproxy"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if self.server.verbose:
            sys.stderr.write("faultproxy: " + (format % args) + "\n")

    def do_GET(self):
        if self.path == "/__faultproxy/stats":
            with self.server.faults.lock:
                body = json.dumps(self.server.faults.stats, sort_keys=True).encode()
            self.respond(200, {"Content-Type": "application/json"}, body)
            return
        if self.path.startswith("/_bulkhead/ecr-blobs/"):
            # The GET of a presigned download URL (S3 on AWS, server.py here):
            # not an AWS API call, so passed through without faults.
            self.server.faults.count("pass:blob")
            self.forward(b"")
            return
        self.handle_call()

    def do_POST(self):
        self.handle_call()

    def handle_call(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        faults: Faults = self.server.faults
        call = identify(self.command, self.path, self.headers, body)
        decision = faults.decide(call, body)
        faults.record(call, decision)
        faults.count(decision)
        faults.count(f"{decision}:{call.service}:{call.operation}@{call.region}")
        if faults.latency:
            jitter = faults.draw(call, b"latency" + body) * faults.jitter
            time.sleep(faults.latency + jitter)

        if decision == "stall":
            time.sleep(faults.stall_seconds)
            self.reset_connection()
        elif decision == "reset":
            self.reset_connection()
        elif decision == "deny":
            self.respond(*denial(call))
        elif decision == "unknown":
            self.respond(*unknown_operation(call))
        elif decision in ("throttle", "rate_limited"):
            self.respond(*throttling(call))
        elif decision == "server_error":
            status = 500 if faults.draw(call, b"status" + body) < 0.5 else 503
            self.respond(*server_error(call, status))
        else:
            self.forward(body)

    def forward(self, body: bytes):
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            if self.server.rename_host:
                headers = {
                    k: rename(v, self.server.rename_host) if k.lower() == "host" else v for k, v in headers.items()
                }
            connection.request(self.command, self.path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            headers = {
                k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"
            }
            self.respond(response.status, headers, payload)
        except OSError as err:
            self.respond(502, {"Content-Type": "text/plain"}, f"faultproxy: upstream failed: {err}".encode())
        finally:
            connection.close()

    def respond(self, status: int, headers: dict, body: bytes):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def reset_connection(self):
        # SO_LINGER with a zero timeout makes close() send RST, not FIN.
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog is 5: a scanner opening dozens of
    # connections at once would see SYNs dropped and retried a second later.
    request_queue_size = 1024


def rename(host_header: str, name: str) -> str:
    """`HOST[:PORT]` with NAME as its host, the port kept."""
    _, colon, port = host_header.rpartition(":")
    return f"{name}:{port}" if colon and port.isdigit() else name


def rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="the emulator, http://127.0.0.1:PORT")
    parser.add_argument("--port", type=int, default=0, help="0 (default): any free port")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--throttle", type=rate, default=0.0)
    parser.add_argument("--server-error", type=rate, default=0.0)
    parser.add_argument("--reset", type=rate, default=0.0)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=None)
    parser.add_argument("--deny", action="append", default=[], metavar="SPEC")
    parser.add_argument("--unknown", action="append", default=[], metavar="SPEC")
    parser.add_argument("--stall", action="append", default=[], metavar="SPEC")
    parser.add_argument("--stall-seconds", type=float, default=60.0)
    parser.add_argument("--rate-limit", type=RateLimit.parse, action="append", default=[], metavar="SPEC=RATE[/BURST]")
    parser.add_argument("--rename-host", default=None, metavar="NAME", help="the host the Host header names upstream")
    parser.add_argument("--lifetime", type=float, default=600.0, help="exit after this many seconds")
    parser.add_argument("--call-log", default=None, metavar="FILE",
                        help="write each call's time, decision, operation and region to FILE")
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    if args.throttle + args.server_error + args.reset > 1.0:
        parser.error("--throttle + --server-error + --reset exceed 1")
    upstream = urllib.parse.urlsplit(args.upstream)
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost"):
        parser.error("--upstream must be http://127.0.0.1:PORT (loopback only)")

    server = Server(("127.0.0.1", args.port), Handler)
    server.faults = Faults(args)
    server.upstream = upstream
    server.rename_host = args.rename_host
    server.verbose = args.verbose

    def stop(*_):
        # shutdown() waits for serve_forever, so call it off the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    threading.Timer(args.lifetime, stop).start()

    def watch_stdin():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        stop()

    threading.Thread(target=watch_stdin, daemon=True).start()

    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    sys.stderr.write(f"faultproxy: listening on 127.0.0.1:{server.server_address[1]}, pid {os.getpid()}\n")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        with server.faults.lock:
            sys.stderr.write(f"faultproxy: stats {json.dumps(server.faults.stats, sort_keys=True)}\n")
    # The lifetime timer thread would otherwise keep the process alive.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
