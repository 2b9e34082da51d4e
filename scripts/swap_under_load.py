#!/usr/bin/env python3
"""Swap under load: an open-loop client at a fraction of capacity while a model is swapped between two versions.

Run by scripts/bench-swap.sh against a running service whose repository holds model M with versions 1 and 2 (two
differently seeded graphs, so their answers differ) and whose control API is on. Standard library only.

1. Reference answers: every benchmark image is classified with each version pinned (/v1/models/M/versions/V/classify),
   both versions serving; then the policy becomes [1].
2. Capacity: a closed loop of CONCURRENCY clients for CAPACITY_SECONDS on the default route; requests/s.
3. Rounds, arms interleaved (ABBA): a quiet phase (no swap) and a swap phase (SWAPS_PER_ROUND swaps, one every SWAP_EVERY
   seconds, alternating the version policy between [1] and [2] through POST /v2/repository/models/M/load), each of
   PHASE_SECONDS, both under the same open-loop load at FRACTION x capacity. Latency counts from the scheduled send time,
   so a stalled server cannot hide its queue in the client (no coordinated omission).
4. Checks: no answer but 200, none lost (every scheduled request answered), every answer equal to exactly one version's
   reference (top-5 classes and scores) and naming that version; p99 of the swap phases against the quiet phases.
"""
import argparse
import http.client
import json
import os
import queue
import statistics
import sys
import threading
import time


def classify(conn, path, image, key):
    conn.request("POST", path, body=image, headers={"Content-Type": "image/jpeg", "Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    return response.status, response.read()


def gc_pause(host, port, key):
    """Seconds the service's runtime has spent paused for garbage collection so far, and its gen2 collections (/metrics)."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    text = response.read().decode()
    pause, gen2 = 0.0, 0
    for line in text.splitlines():
        if line.startswith("dotnet_gc_pause_time_seconds_total"):
            pause += float(line.rsplit(" ", 1)[1])
        elif line.startswith("dotnet_gc_collections_total") and 'gen2' in line:
            gen2 += int(float(line.rsplit(" ", 1)[1]))
    return pause, gen2


def answer_of(body):
    """The version that answered and its top-5 (index, score) pairs."""
    parsed = json.loads(body)
    return parsed["version"], [(p["index"], p["score"]) for p in parsed["predictions"]]


def same(a, b):
    return len(a) == len(b) and all(i == j and abs(s - t) <= 1e-4 for (i, s), (j, t) in zip(a, b))


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


class Load:
    """An open loop: a scheduler hands each request, with its scheduled time, to a pool of workers with their own connections."""

    def __init__(self, host, port, path, images, key, workers):
        self.host, self.port, self.path, self.images, self.key = host, port, path, images, key
        self.jobs = queue.Queue()
        self.results = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]
        for thread in self.threads:
            thread.start()

    def work(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        while True:
            job = self.jobs.get()
            if job is None:
                return
            phase, scheduled, index = job
            try:
                status, body = classify(conn, self.path, self.images[index], self.key)
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
                status, body = None, str(e).encode()
            finished = time.perf_counter()
            with self.lock:
                self.results.append((phase, scheduled, finished, index, status, body))

    def run(self, phase, rate, seconds, counter):
        interval = 1.0 / rate
        start = time.perf_counter()
        n = 0
        while True:
            scheduled = start + n * interval
            if scheduled - start >= seconds:
                return n
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            self.jobs.put((phase, scheduled, counter[0] % len(self.images)))
            counter[0] += 1
            n += 1

    def drain(self, expected):
        while True:
            with self.lock:
                if len(self.results) >= expected:
                    return
            time.sleep(0.05)


def capacity(host, port, path, images, key, concurrency, seconds):
    done = []
    stop = time.perf_counter() + seconds

    def client(k):
        conn = http.client.HTTPConnection(host, port, timeout=60)
        n = 0
        while time.perf_counter() < stop:
            status, _ = classify(conn, path, images[(k + n) % len(images)], key)
            if status == 200:
                n += 1
        done.append(n)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def swap(host, port, model, version, key):
    conn = http.client.HTTPConnection(host, port, timeout=300)
    config = json.dumps({"version_policy": {"specific": {"versions": [version]}}})
    started = time.perf_counter()
    conn.request("POST", f"/v2/repository/models/{model}/load", body=json.dumps({"parameters": {"config": config}}),
                 headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise SystemExit(f"swap to version {version} failed: {response.status} {body!r}")
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--model", default="m")
    parser.add_argument("--key", required=True)
    parser.add_argument("--images", nargs="+", required=True)
    parser.add_argument("--fraction", type=float, default=0.7)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--swaps-per-round", type=int, default=5)
    parser.add_argument("--swap-every", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--capacity-seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--json", required=True)
    parser.add_argument("--timeline", help="also write every request (phase, scheduled, finished, status) and every swap, for analysis")
    args = parser.parse_args()
    host = "127.0.0.1"
    path = f"/v1/models/{args.model}/classify?topK=5"
    images = [open(p, "rb").read() for p in args.images]

    conn = http.client.HTTPConnection(host, args.port, timeout=60)
    reference = {}
    for version in (1, 2):
        for index, image in enumerate(images):
            status, body = classify(conn, f"/v1/models/{args.model}/versions/{version}/classify?topK=5", image, args.key)
            if status != 200:
                raise SystemExit(f"reference answer of version {version} failed: {status} {body!r}")
            reference[(version, index)] = answer_of(body)[1]
    distinct = sum(not same(reference[(1, i)], reference[(2, i)]) for i in range(len(images)))
    print(f"reference answers: {len(images)} images x 2 versions; {distinct} of {len(images)} differ between the versions")

    # From here one version serves at a time, version 1 first.
    swap(host, args.port, args.model, 1, args.key)

    # Warm the JIT and the batcher on the serving version, then measure capacity.
    capacity(host, args.port, path, images, args.key, args.concurrency, 5)
    rate_capacity = capacity(host, args.port, path, images, args.key, args.concurrency, args.capacity_seconds)
    rate = args.fraction * rate_capacity
    print(f"capacity: {rate_capacity:.1f} req/s at concurrency {args.concurrency}; open loop at {rate:.1f} req/s ({args.fraction:.0%})")

    load = Load(host, args.port, path, images, args.key, args.workers)
    phase_seconds = args.swaps_per_round * args.swap_every
    counter = [0]
    scheduled_total = 0
    swaps = []
    version = 1
    loads = []
    gc_phases = []
    for round_ in range(1, args.rounds + 1):
        # ABBA: the arm that goes first alternates, so a drift in the machine's load falls on both arms alike.
        for arm in (("quiet", "swaps") if round_ % 2 else ("swaps", "quiet")):
            phase = f"{arm}-{round_}"
            loads.append((phase, os.getloadavg()[0]))
            gc_before = gc_pause(host, args.port, args.key)
            if arm == "quiet":
                scheduled_total += load.run(phase, rate, phase_seconds, counter)
                gc_phases.append((phase, gc_before, gc_pause(host, args.port, args.key)))
                continue
            swapper_done = threading.Event()

            def swapper():
                nonlocal version
                for k in range(args.swaps_per_round):
                    target_time = time.perf_counter() + args.swap_every
                    version = 2 if version == 1 else 1
                    began = time.perf_counter()
                    seconds = swap(host, args.port, args.model, version, args.key)
                    swaps.append({"round": round_, "to": version, "seconds": seconds, "began": began, "ended": began + seconds})
                    delay = target_time - time.perf_counter()
                    if delay > 0 and k < args.swaps_per_round - 1:
                        time.sleep(delay)
                swapper_done.set()

            thread = threading.Thread(target=swapper)
            thread.start()
            scheduled_total += load.run(phase, rate, phase_seconds, counter)
            thread.join()
            gc_phases.append((phase, gc_before, gc_pause(host, args.port, args.key)))
    load.drain(scheduled_total)
    for _ in load.threads:
        load.jobs.put(None)

    results = load.results
    failures = [r for r in results if r[4] != 200]
    mismatched = 0
    by_version = {1: 0, 2: 0}
    for phase, scheduled, finished, index, status, body in results:
        if status != 200:
            continue
        served, top5 = answer_of(body)
        matches = [v for v in (1, 2) if same(reference[(v, index)], top5)]
        if matches != [served] and not (len(matches) == 2 and served in matches):
            mismatched += 1
        by_version[served] = by_version.get(served, 0) + 1
    latency = {"quiet": [], "swaps": []}
    per_round = []
    for round_ in range(1, args.rounds + 1):
        figures = {}
        for arm in ("quiet", "swaps"):
            values = [(f - s) * 1000 for (p, s, f, _, st, _) in results if p == f"{arm}-{round_}" and st == 200]
            latency[arm].extend(values)
            figures[arm] = percentile(values, 0.99)
        per_round.append({"round": round_, "p99_quiet_ms": figures["quiet"], "p99_swaps_ms": figures["swaps"],
                          "ratio": figures["swaps"] / figures["quiet"]})
    # Within the swap phases: requests that finished while a version was loading, against those that did not.
    def loading(t):
        return any(w["began"] <= t <= w["ended"] for w in swaps)
    during = [(f - sc) * 1000 for (p, sc, f, _, st, _) in results if p.startswith("swaps") and st == 200 and loading(f)]
    between = [(f - sc) * 1000 for (p, sc, f, _, st, _) in results if p.startswith("swaps") and st == 200 and not loading(f)]
    summary = {
        "capacity_rps": rate_capacity, "rate_rps": rate, "fraction": args.fraction, "rounds": args.rounds,
        "swaps": len(swaps), "swap_seconds_median": statistics.median(s["seconds"] for s in swaps),
        "swap_seconds_max": max(s["seconds"] for s in swaps),
        "scheduled": scheduled_total, "answered": len(results), "lost": scheduled_total - len(results),
        "non_2xx": len(failures), "answers_by_version": by_version, "answers_not_from_exactly_one_version": mismatched,
        "p50_quiet_ms": percentile(latency["quiet"], 0.5), "p99_quiet_ms": percentile(latency["quiet"], 0.99),
        "p50_swaps_ms": percentile(latency["swaps"], 0.5), "p99_swaps_ms": percentile(latency["swaps"], 0.99),
        "p99_ratio": percentile(latency["swaps"], 0.99) / percentile(latency["quiet"], 0.99),
        "p99_ratio_median_of_rounds": statistics.median(r["ratio"] for r in per_round),
        "p99_while_loading_ms": percentile(during, 0.99), "p50_while_loading_ms": percentile(during, 0.5), "answered_while_loading": len(during),
        "p99_between_loads_ms": percentile(between, 0.99), "p50_between_loads_ms": percentile(between, 0.5),
        "per_round": per_round, "load_average_at_phase_starts": loads,
        "gc": {arm: {"pause_ms": sum((a[0] - b[0]) * 1000 for p, b, a in gc_phases if p.startswith(arm)),
                     "gen2_collections": sum(a[1] - b[1] for p, b, a in gc_phases if p.startswith(arm))} for arm in ("quiet", "swaps")},
        "failures": [{"status": r[4], "body": r[5][:200].decode(errors="replace")} for r in failures[:10]],
    }
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=2)
    if args.timeline:
        with open(args.timeline, "w") as f:
            json.dump({"swaps": swaps, "requests": [(p, sc, fi, st) for (p, sc, fi, _, st, _) in results]}, f)
    print(f"swaps: {len(swaps)} (median {summary['swap_seconds_median']:.2f} s, max {summary['swap_seconds_max']:.2f} s to load, warm and switch)")
    print(f"requests: {scheduled_total} scheduled, {len(results)} answered, {summary['lost']} lost, {len(failures)} not 200")
    print(f"answers by version: {by_version}; not from exactly one version: {mismatched}")
    print(f"latency quiet: p50 {summary['p50_quiet_ms']:.1f} ms, p99 {summary['p99_quiet_ms']:.1f} ms")
    print(f"latency swaps: p50 {summary['p50_swaps_ms']:.1f} ms, p99 {summary['p99_swaps_ms']:.1f} ms")
    print(f"within swap phases: while a version loads p50 {summary['p50_while_loading_ms']:.1f} ms, p99 {summary['p99_while_loading_ms']:.1f} ms "
          f"({len(during)} answers); between loads p50 {summary['p50_between_loads_ms']:.1f} ms, p99 {summary['p99_between_loads_ms']:.1f} ms")
    print(f"p99 swaps / quiet: {summary['p99_ratio']:.2f} (pooled), {summary['p99_ratio_median_of_rounds']:.2f} (median of rounds: "
          + ", ".join(f"{r['ratio']:.2f}" for r in per_round) + ")")
    print("garbage collection: " + "; ".join(f"{arm} phases paused {g['pause_ms']:.0f} ms, {g['gen2_collections']} gen2"
                                              for arm, g in summary["gc"].items()))
    print("load average at phase starts: " + ", ".join(f"{p} {x:.1f}" for p, x in loads))
    ok = summary["lost"] == 0 and not failures and mismatched == 0 and summary["p99_ratio"] <= 2
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
