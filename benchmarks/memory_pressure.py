#!/usr/bin/env python3
"""Memory under pressure: drives a running service with the loads of issue 20 and follows its resident memory.

Phases, one after the other, each followed by 10 s of quiet:
  batch   CONCURRENCY concurrent POST /v1/models/{m}/classify/batch, each 64 parts of the phone photo (multipart,
          chunked, streamed from one copy in memory: the client never holds a whole body);
  claims  CONCURRENCY concurrent chunked POST /v2/models/{m}/infer whose JSON header claims binary_data_size 2 GiB for
          a BYTES [64] input, then sends data until answered (up to 64 MiB each);
  stream  CONCURRENCY concurrent chunked V2 requests within every limit (64 real photo elements, about 250 MB each),
          sent as fast as the server takes them: only the request memory budget stops them.
Every request is answered on its own socket, read while the body is still being sent (a refused body is answered
before it has all arrived). RSS is /proc/PID/status VmRSS, sampled every 50 ms.

Prints a table and writes JSON (--json). Exit status 1 when a phase breaks a rule of issue 20: the process died, an
answer was not 200, 503 or 4xx, RSS went above idle + the request memory budget + --margin-mib, or RSS was not back within 25% of idle 10 s after.

Usage: memory_pressure.py --url http://127.0.0.1:8080 --pid PID --photo phone.jpg [--model m] [--concurrency 16]
       [--phases batch,claims,stream] [--margin-mib 256] [--json out.json]
"""
import argparse
import json
import os
import select
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request

IMAGES_PER_REQUEST = 64
CLAIM_BYTES = 2 << 30
CLAIM_SEND_LIMIT = 64 << 20
QUIET_SECONDS = 10.0


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


class Sampler(threading.Thread):
    """Follows the process's RSS every 50 ms; the peak since the last reset, and whether the process is alive."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.alive, self.stopped = pid, 0.0, True, False

    def run(self):
        while not self.stopped:
            try:
                self.peak = max(self.peak, rss_mib(self.pid))
            except (FileNotFoundError, ProcessLookupError, RuntimeError):
                self.alive = False
                return
            time.sleep(0.05)


def post(url, path, headers, body_chunks, timeout=300):
    """POSTs a chunked body from an iterator of bytes while watching for the answer; returns (status, bytes sent)."""
    parsed = urllib.parse.urlparse(url)
    # A server that stops reading a refused body without closing would block a send for ever: sends give up after 30 s.
    sock = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
    sent = 0
    try:
        head = f"POST {path} HTTP/1.1\r\nHost: {parsed.netloc}\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        sock.sendall(head.encode())
        answer = b""
        for chunk in body_chunks:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                break
            sent += len(chunk)
        else:
            try:
                sock.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
        sock.settimeout(timeout)
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        # The start of the body says why (a problem type); a server draining a refused body may keep the connection.
        sock.settimeout(1)
        try:
            while len(answer) < answer.find(b"\r\n\r\n") + 300:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except socket.timeout:
            pass
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
        head, _, body = answer.partition(b"\r\n\r\n")
        if b"transfer-encoding: chunked" in head.lower():
            body = body.partition(b"\r\n")[2]
        return status, sent, body[:300].decode(errors="replace")
    except (OSError, ValueError, IndexError):
        return 0, sent, ""
    finally:
        sock.close()


def pieces(data, size=256 * 1024):
    for offset in range(0, len(data), size):
        yield data[offset:offset + size]


def batch_body(photo, boundary, count=IMAGES_PER_REQUEST):
    for i in range(count):
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"images\"; filename=\"{i}.jpg\"\r\n"
               "Content-Type: image/jpeg\r\n\r\n").encode()
        yield from pieces(photo)
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode()


def v2_header(size, count=IMAGES_PER_REQUEST, timeout_us=None):
    request = {"inputs": [{"name": "image", "shape": [count], "datatype": "BYTES", "parameters": {"binary_data_size": size}}],
               "outputs": [{"name": "logits", "parameters": {"classification": 1}}]}
    if timeout_us:
        request["parameters"] = {"timeout": timeout_us}
    return json.dumps(request).encode()


def claim_body(header):
    yield header
    zeros = bytes(1 << 20)
    for _ in range(CLAIM_SEND_LIMIT // len(zeros)):
        yield zeros


def stream_body(header, photo, count=IMAGES_PER_REQUEST):
    yield header
    prefix = len(photo).to_bytes(4, "little")
    for _ in range(count):
        yield prefix
        yield from pieces(photo)


def requests_for(phase, args, photo):
    """(path, headers, body iterator factory) of one request of the phase."""
    if phase == "batch":
        boundary = "memory-pressure"
        return (f"/v1/models/{args.model}/classify/batch", [("Content-Type", f"multipart/form-data; boundary={boundary}")],
                lambda: batch_body(photo, boundary))
    if phase == "claims":
        header = v2_header(CLAIM_BYTES)
        return (f"/v2/models/{args.model}/infer", [("Content-Type", "application/octet-stream"),
                                                    ("Inference-Header-Content-Length", str(len(header)))], lambda: claim_body(header))
    # A deadline of 2 minutes (Triton's parameters.timeout, in microseconds): 64 phone photos take a while on 2 cores, and
    # the default 30 s would have wait-aware admission refuse the request that got through the budget.
    header = v2_header(IMAGES_PER_REQUEST * (4 + len(photo)), timeout_us=120_000_000)
    return (f"/v2/models/{args.model}/infer", [("Content-Type", "application/octet-stream"),
                                                ("Inference-Header-Content-Length", str(len(header)))], lambda: stream_body(header, photo))


def run_phase(phase, args, photo, idle):
    path, headers, body = requests_for(phase, args, photo)
    sampler = Sampler(args.pid)
    sampler.start()
    results = [None] * args.concurrency
    started = time.monotonic()

    def one(i):
        results[i] = post(args.url, path, headers, body())

    threads = [threading.Thread(target=one, args=(i,)) for i in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    peak = sampler.peak
    after = []
    quiet_started = time.monotonic()
    while time.monotonic() - quiet_started < QUIET_SECONDS and sampler.alive:
        time.sleep(0.5)
        try:
            after.append((round(time.monotonic() - quiet_started, 1), rss_mib(args.pid)))
        except (FileNotFoundError, RuntimeError):
            sampler.alive = False
    sampler.stopped = True
    statuses, examples = {}, {}
    for status, _, body in results:
        statuses[status] = statuses.get(status, 0) + 1
        examples.setdefault(str(status), body)
    back = next((t for t, rss in after if rss <= idle * 1.25), None)
    return {
        "phase": phase, "requests": args.concurrency, "seconds": round(elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "mib_sent": round(sum(s for _, s, _ in results) / (1 << 20)),
        "peak_rss_mib": round(peak), "rss_after_10s_mib": round(after[-1][1]) if after else None,
        "seconds_to_within_25pct_of_idle": back, "alive": sampler.alive,
        "example_answers": {k: v for k, v in examples.items() if k != "200"},
    }


def metric(url, name):
    try:
        text = urllib.request.urlopen(url + "/metrics", timeout=10).read().decode()
    except OSError:
        return None
    values = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(name + "{") or line.startswith(name + " ")]
    return float(values[0]) if values else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--photo", required=True)
    parser.add_argument("--model", default="m")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--phases", default="batch,claims,stream")
    parser.add_argument("--margin-mib", type=float, default=256,
                        help="RSS may pass idle + the request memory budget by this much (GC slack, Kestrel's buffers, decoding)")
    parser.add_argument("--json")
    args = parser.parse_args()
    photo = open(args.photo, "rb").read()

    # Warm every path the phases take, with small requests (single images, a batch of 8, a V2 request of 2, a claim),
    # then let the service settle: idle is the warmed service at rest.
    for _ in range(3):
        request = urllib.request.Request(f"{args.url}/v1/models/{args.model}/classify", data=photo, headers={"Content-Type": "image/jpeg"})
        urllib.request.urlopen(request, timeout=120).read()
    warm = [post(args.url, f"/v1/models/{args.model}/classify/batch", [("Content-Type", "multipart/form-data; boundary=warm")],
                 batch_body(photo, "warm", 8))]
    header = v2_header(2 * (4 + len(photo)), 2)
    warm.append(post(args.url, f"/v2/models/{args.model}/infer", [("Content-Type", "application/octet-stream"),
                                                                  ("Inference-Header-Content-Length", str(len(header)))], stream_body(header, photo, 2)))
    header = v2_header(CLAIM_BYTES)
    warm.append(post(args.url, f"/v2/models/{args.model}/infer", [("Content-Type", "application/octet-stream"),
                                                                  ("Inference-Header-Content-Length", str(len(header)))], iter([header])))
    print("warm-up answers: " + ", ".join(str(status) for status, _, _ in warm))
    time.sleep(5)
    idle = statistics.median(rss_mib(args.pid) for _ in range(10) if time.sleep(0.1) is None)
    budget = metric(args.url, "mobilevit_request_memory_capacity_bytes")
    args.rss_limit_mib = idle + (budget or 0) / (1 << 20) + args.margin_mib
    print(f"idle RSS {idle:.0f} MiB; request memory budget {(budget or 0) / (1 << 20):.0f} MiB; "
          f"RSS ceiling (idle + budget + {args.margin_mib:.0f} MiB margin) {args.rss_limit_mib:.0f} MiB")

    phases, failed = [], []
    for phase in args.phases.split(","):
        result = run_phase(phase, args, photo, idle)
        phases.append(result)
        print(json.dumps(result))
        if not result["alive"]:
            failed.append(f"{phase}: the process died")
            break
        bad = [s for s in result["statuses"] if not (s == "200" or s == "503" or s.startswith("4"))]
        if bad:
            failed.append(f"{phase}: answers {bad}")
        if result["peak_rss_mib"] > args.rss_limit_mib:
            failed.append(f"{phase}: peak RSS {result['peak_rss_mib']} MiB over {args.rss_limit_mib:.0f}")
        if result["seconds_to_within_25pct_of_idle"] is None:
            failed.append(f"{phase}: RSS not back within 25% of idle ({idle:.0f} MiB) in 10 s")
    refusals = metric(args.url, "mobilevit_request_memory_refusals_total") if phases and phases[-1]["alive"] else None
    summary = {"idle_rss_mib": round(idle), "budget_mib": round(budget / (1 << 20)) if budget else None, "rss_limit_mib": round(args.rss_limit_mib),
               "budget_refusals": refusals, "phases": phases, "failed": failed}
    if args.json:
        with open(args.json, "w") as out:
            json.dump(summary, out, indent=2)
    print("\n| phase | requests | answers | MiB sent | s | peak RSS MiB | RSS 10 s after | s to within 25% of idle | alive |")
    print("|---|---|---|---|---|---|---|---|---|")
    for p in phases:
        answers = ", ".join(f"{v} x {k}" for k, v in p["statuses"].items())
        print(f"| {p['phase']} | {p['requests']} | {answers} | {p['mib_sent']} | {p['seconds']} | {p['peak_rss_mib']} | "
              f"{p['rss_after_10s_mib']} | {p['seconds_to_within_25pct_of_idle']} | {p['alive']} |")
    print("FAILED: " + "; ".join(failed) if failed else "every rule held")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
