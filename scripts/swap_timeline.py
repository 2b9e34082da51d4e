#!/usr/bin/env python3
"""Where the slow answers of a swap run fall: reads the timeline that scripts/swap_under_load.py writes (--timeline;
scripts/bench-swap.sh keeps it as timeline.json) and counts the swap phases' answers slower than a threshold by when
they finished: while a version was loading (the control API's load call in progress), or how long after the last load
ended (the old version draining and being unloaded, the new one taking its first requests).

With --clusters N, also the seconds of the run (from its first request) in which N or more answers were slow, by phase.

Usage: scripts/swap_timeline.py TIMELINE [--slow-ms 40] [--clusters N]
"""
import argparse
import json

WINDOWS = ((0.1, "0-0.1 s after"), (0.3, "0.1-0.3 s after"), (1.0, "0.3-1 s after"), (2.0, "1-2 s after"), (float("inf"), "> 2 s after"))


def position(t, swaps):
    last = None
    for swap in swaps:
        if swap["began"] <= t <= swap["ended"]:
            return "while loading"
        if swap["ended"] < t:
            last = swap
    if last is None:
        return "before the first swap"
    since = t - last["ended"]
    return next(name for limit, name in WINDOWS if since < limit)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("timeline")
    parser.add_argument("--slow-ms", type=float, default=40)
    parser.add_argument("--clusters", type=int, help="list the seconds with at least this many slow answers")
    args = parser.parse_args()
    with open(args.timeline) as f:
        timeline = json.load(f)
    swaps = sorted(timeline["swaps"], key=lambda s: s["began"])
    answered, slow = {}, {}
    quiet = [(f - s) * 1000 for p, s, f, st in timeline["requests"] if st == 200 and p.startswith("quiet")]
    print(f"quiet phases: {len(quiet)} answers, {sum(q > args.slow_ms for q in quiet)} slower than {args.slow_ms:g} ms "
          f"({100 * sum(q > args.slow_ms for q in quiet) / max(1, len(quiet)):.1f}%)")
    for phase, scheduled, finished, status in timeline["requests"]:
        if status != 200 or not phase.startswith("swaps"):
            continue
        where = position(finished, swaps)
        answered[where] = answered.get(where, 0) + 1
        if (finished - scheduled) * 1000 > args.slow_ms:
            slow[where] = slow.get(where, 0) + 1
    total = sum(answered.values())
    print(f"swap phases: {total} answers, {sum(slow.values())} slower than {args.slow_ms:g} ms ({100 * sum(slow.values()) / max(1, total):.1f}%)")
    for where in ["while loading"] + [name for _, name in WINDOWS] + ["before the first swap"]:
        if where in answered:
            print(f"  {where:<22} {answered[where]:6d} answers, {slow.get(where, 0):5d} slow ({100 * slow.get(where, 0) / answered[where]:.1f}%)")
    if args.clusters:
        start = min(r[1] for r in timeline["requests"])
        seconds = {}
        for phase, scheduled, finished, status in timeline["requests"]:
            if status == 200 and (finished - scheduled) * 1000 > args.slow_ms:
                key = (int(finished - start), phase)
                seconds[key] = seconds.get(key, 0) + 1
        for (second, phase), count in sorted(seconds.items()):
            if count >= args.clusters:
                print(f"  second {second:4d} ({phase}): {count} slow answers")


if __name__ == "__main__":
    main()
