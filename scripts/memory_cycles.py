#!/usr/bin/env python3
"""Memory across load/unload cycles: the service's resident set size while a model is unloaded and loaded again.

Run by scripts/bench-memory-cycles.sh against a running service (explicit control, control API on) whose repository
holds model M. Each cycle: unload M through the control API, wait until its versions have drained and been disposed
(the index no longer says LOADING, READY or UNLOADING), read RSS; load M again, classify every image once, read RSS.
Standard library only.
"""
import argparse
import http.client
import json
import sys
import time


def call(port, method, path, key, body=None, content_type="application/json"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {key}"}
    if body is not None:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if response.status != 200:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return data


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS")


def gc_committed_mib(port, key):
    """The managed heap's committed memory after the last collection, from /metrics (.NET runtime instrumentation; the key reads it)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {key}"})
    text = conn.getresponse().read().decode()
    for line in text.splitlines():
        if line.startswith("dotnet_gc_last_collection_memory_committed_size_bytes"):
            return float(line.split("}")[-1].split()[0] if "}" in line else line.split()[1]) / 1024 / 1024
    return None


def unloaded(port, key, model):
    index = json.loads(call(port, "POST", "/v2/repository/index", key, b""))
    return all(row["state"] == "UNAVAILABLE" for row in index if row["name"] == model)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--model", default="m")
    parser.add_argument("--cycles", type=int, default=50)
    parser.add_argument("--images", nargs="+", required=True)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    images = [open(p, "rb").read() for p in args.images]
    rows = []
    start = rss_mib(args.pid)
    print(f"RSS at start (model loaded): {start:.0f} MiB")
    for cycle in range(1, args.cycles + 1):
        started = time.perf_counter()
        call(args.port, "POST", f"/v2/repository/models/{args.model}/unload", args.key, b"{}")
        while not unloaded(args.port, args.key, args.model):
            time.sleep(0.1)
        rss_unloaded = rss_mib(args.pid)
        gc_unloaded = gc_committed_mib(args.port, args.key)
        call(args.port, "POST", f"/v2/repository/models/{args.model}/load", args.key, b"{}")
        for image in images:
            call(args.port, "POST", f"/v1/models/{args.model}/classify", args.key, image, "image/jpeg")
        rss_loaded = rss_mib(args.pid)
        gc_loaded = gc_committed_mib(args.port, args.key)
        rows.append({"cycle": cycle, "rss_unloaded_mib": rss_unloaded, "rss_loaded_mib": rss_loaded, "gc_committed_unloaded_mib": gc_unloaded,
                     "gc_committed_loaded_mib": gc_loaded, "seconds": time.perf_counter() - started})
        gc = lambda v: "-" if v is None else f"{v:.0f}"
        print(f"cycle {cycle:3d}: unloaded {rss_unloaded:7.0f} MiB (managed {gc(gc_unloaded)}), loaded {rss_loaded:7.0f} MiB (managed {gc(gc_loaded)}) "
              f"({rows[-1]['seconds']:.1f} s)")
    first, last = rows[0], rows[-1]
    summary = {
        "cycles": args.cycles, "rss_start_mib": start, "rows": rows,
        "loaded_growth": last["rss_loaded_mib"] / first["rss_loaded_mib"] - 1,
        "unloaded_growth": last["rss_unloaded_mib"] / first["rss_unloaded_mib"] - 1,
        "max_loaded_mib": max(r["rss_loaded_mib"] for r in rows),
    }
    with open(args.json, "w") as f:
        json.dump(summary, f, indent=2)
    print(f"after cycle 1: loaded {first['rss_loaded_mib']:.0f} MiB, unloaded {first['rss_unloaded_mib']:.0f} MiB")
    print(f"after cycle {args.cycles}: loaded {last['rss_loaded_mib']:.0f} MiB ({summary['loaded_growth']:+.1%}), "
          f"unloaded {last['rss_unloaded_mib']:.0f} MiB ({summary['unloaded_growth']:+.1%})")
    ok = abs(summary["loaded_growth"]) <= 0.10
    print("PASS (within 10%)" if ok else "FAIL (over 10%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
