#!/usr/bin/env python3
"""Summarises a scripts/bench-sizes.sh run: per photo and per size class, the server's preprocessing time per arm
against Pillow's in the same round (median over rounds of the per-round ratio), and throughput per size class.
Writes OUT/sizes.json and prints the tables. Usage: summarise_sizes.py OUT"""
import json
import pathlib
import statistics
import sys


def load(path):
    return json.loads(path.read_text()) if path.exists() else None


def main():
    out = pathlib.Path(sys.argv[1])
    rounds = sorted(out.glob("round*"), key=lambda p: int(p.name[5:]))
    arms = []
    for path in sorted(rounds[0].glob("*-c1.json")):
        arms.append(path.name[:-len("-c1.json")])
    order = ["before", "previous", "exact", "fast"]
    arms.sort(key=lambda a: order.index(a) if a in order else 9)

    images = {}
    size_of = {}
    for r in rounds:
        pillow = load(r / "pillow.json")["images"]
        for arm in arms:
            c1 = load(r / f"{arm}-c1.json")
            if c1 is None:
                continue
            for image in c1["images"]:
                size_of[image["name"]] = image["sizeClass"]
            for point in c1["points"]:
                name = point["images"]
                entry = images.setdefault(name, {"pillow": {"prepMs": [], "decodeMs": [], "floorMs": []}, "arms": {}})
                if arm == arms[0]:
                    for key in ("prepMs", "decodeMs", "floorMs"):
                        entry["pillow"][key].append(pillow[name][key])
                    entry["width"], entry["height"] = pillow[name]["width"], pillow[name]["height"]
                a = entry["arms"].setdefault(arm, {"prepMs": [], "ratio": []})
                a["prepMs"].append(point["meanPreprocessMs"])
                a["ratio"].append(point["meanPreprocessMs"] / pillow[name]["prepMs"])

    throughput, cpu_ms = {}, {}
    for r in rounds:
        for arm in arms:
            for path in sorted(r.glob(f"{arm}-c8*.json")):
                cpu = path.with_suffix(".cpu")
                for point in load(path).get("points", []):
                    throughput.setdefault(point["images"], {}).setdefault(arm, []).append(point["throughput"])
                    if cpu.exists() and point["completed"]:
                        cpu_ms.setdefault(point["images"], {}).setdefault(arm, []).append(
                            float(cpu.read_text()) * 1000 / point["completed"])

    med = statistics.median
    summary = {"rounds": len(rounds), "arms": arms, "images": {}, "classes": {}}
    for name, entry in sorted(images.items(), key=lambda kv: kv[1]["width"] * kv[1]["height"]):
        summary["images"][name] = {
            "width": entry["width"], "height": entry["height"], "sizeClass": size_of[name],
            "pillow": {k: med(v) for k, v in entry["pillow"].items()},
            "arms": {arm: {"prepMs": med(a["prepMs"]), "ratioToPillow": med(a["ratio"])} for arm, a in entry["arms"].items()},
        }
    for size in dict.fromkeys(size_of[n] for n in summary["images"]):
        members = [v for v in summary["images"].values() if v["sizeClass"] == size]
        summary["classes"][size] = {
            "images": len(members),
            "pillowPrepMs": statistics.mean(m["pillow"]["prepMs"] for m in members),
            "pillowFloorMs": statistics.mean(m["pillow"]["floorMs"] for m in members),
            "arms": {arm: {
                "prepMs": statistics.mean(m["arms"][arm]["prepMs"] for m in members),
                "ratioToPillowMedian": med(m["arms"][arm]["ratioToPillow"] for m in members),
                "throughput": med(throughput.get(size, {}).get(arm, [float("nan")])),
                "throughputRounds": throughput.get(size, {}).get(arm, []),
                "serverCpuMsPerImage": med(cpu_ms.get(size, {}).get(arm, [float("nan")])),
            } for arm in arms},
        }
    # Per round, the ratios the targets are stated in: each from points of the same round.
    per_round = []
    for i, r in enumerate(rounds):
        pillow = load(r / "pillow.json")["images"]
        row = {"round": i + 1}
        for arm in arms:
            c1 = {p["images"]: p["meanPreprocessMs"] for p in load(r / f"{arm}-c1.json")["points"]}
            typical = [c1[n] / pillow[n]["prepMs"] for n in c1 if size_of[n] == "<1MP"]
            large = [c1[n] / pillow[n]["prepMs"] for n in c1 if size_of[n] == ">=6MP"]
            row[f"{arm}TypicalMedianXPillow"] = med(typical) if typical else None
            row[f"{arm}12MPXPillow"] = med(large) if large else None
            for path in sorted(r.glob(f"{arm}-c8*.json")):
                for p in load(path)["points"]:
                    row[f"{arm}Throughput{p['images']}"] = p["throughput"]
                    cpu = path.with_suffix(".cpu")
                    if cpu.exists() and p["completed"]:
                        row[f"{arm}CpuMsPerImage{p['images']}"] = float(cpu.read_text()) * 1000 / p["completed"]
        # Each arm against the earlier builds measured in the same round: before (the baseline of the targets) and
        # previous (the commit before the latest change).
        for ref in (a for a in ("before", "previous") if a in arms):
            label = ref.capitalize()
            for size in throughput:
                if not row.get(f"{ref}Throughput{size}"):
                    continue
                for arm in arms:
                    if arm == ref or (ref == "previous" and arm == "before"):
                        continue
                    row[f"{arm}ThroughputVs{label}{size}"] = row[f"{arm}Throughput{size}"] / row[f"{ref}Throughput{size}"]
                    if row.get(f"{arm}CpuMsPerImage{size}") and row.get(f"{ref}CpuMsPerImage{size}"):
                        row[f"{arm}CpuPerImage{label}Over{size}"] = row[f"{ref}CpuMsPerImage{size}"] / row[f"{arm}CpuMsPerImage{size}"]
            for kind in ("TypicalMedianXPillow", "12MPXPillow"):
                for arm in arms:
                    if arm != ref and arm != "before" and row.get(f"{arm}{kind}") and row.get(f"{ref}{kind}"):
                        row[f"{arm}PrepVs{label}{kind[:-7]}"] = row[f"{arm}{kind}"] / row[f"{ref}{kind}"]
        per_round.append(row)
    summary["perRound"] = per_round
    peaks = {arm: [float(f.read_text()) / 1024 for r in rounds if (f := r / f"{arm}.peak-rss-kb").exists()] for arm in arms}
    summary["peakRssMiB"] = {arm: med(v) for arm, v in peaks.items() if v}
    summary["targets"] = {key: med([row[key] for row in per_round if row.get(key) is not None])
                          for key in per_round[0] if key != "round" and ("XPillow" in key or "Vs" in key or "Over" in key)}
    decoders = {}
    for r in rounds:
        text = (r / "decoders.txt").read_text() if (r / "decoders.txt").exists() else ""
        image = None
        for line in text.splitlines():
            if not line.startswith(" "):
                image = line.split()[0]
            elif line.split()[1:2] == [] or not line.split()[1].replace(".", "").isdigit():
                continue
            else:
                decoders.setdefault(image, {}).setdefault(line.split()[0], []).append(float(line.split()[1]))
    summary["decodersMs"] = {image: {name: med(v) for name, v in by.items()} for image, by in decoders.items()}
    (out / "sizes.json").write_text(json.dumps(summary, indent=1))

    print(f"{'photo':28}{'size':>11}{'pillow ms':>11}{'1/8 ms':>8}" + "".join(f"{arm + ' ms':>13}{'x pillow':>9}" for arm in arms))
    for name, v in summary["images"].items():
        row = f"{name:28}{v['width']:>5}x{v['height']:<5}{v['pillow']['prepMs']:>11.2f}{v['pillow']['floorMs']:>8.2f}"
        for arm in arms:
            row += f"{v['arms'][arm]['prepMs']:>13.2f}{v['arms'][arm]['ratioToPillow']:>9.2f}"
        print(row)
    print()
    print(f"{'class':10}{'photos':>7}{'pillow ms':>11}" + "".join(f"{arm + ' ms':>13}{'x pillow':>9}{'img/s c=8':>11}{'cpu ms/img':>11}" for arm in arms))
    for size, v in summary["classes"].items():
        row = f"{size:10}{v['images']:>7}{v['pillowPrepMs']:>11.2f}"
        for arm in arms:
            a = v["arms"][arm]
            row += f"{a['prepMs']:>13.2f}{a['ratioToPillowMedian']:>9.2f}{a['throughput']:>11.1f}{a['serverCpuMsPerImage']:>11.1f}"
        print(row)

    if summary["decodersMs"]:
        print()
        names = list(next(iter(summary["decodersMs"].values())))
        print(f"{'JPEG decode, median ms':28}" + "".join(f"{n:>12}" for n in names))
        for image, by in summary["decodersMs"].items():
            print(f"{image:28}" + "".join(f"{by.get(n, float('nan')):>12.2f}" for n in names))
    if summary["peakRssMiB"]:
        print()
        print("peak RSS of each arm's process over all its points, median MiB: "
              + ", ".join(f"{arm} {mib:.0f}" for arm, mib in summary["peakRssMiB"].items()))
    print()
    print("per round (ratios of points in the same round), and their medians:")
    keys = [k for k in per_round[0] if k != "round" and ("XPillow" in k or "Vs" in k or "Over" in k)]
    for key in keys:
        values = " ".join(f"{row[key]:6.2f}" if row.get(key) is not None else "     -" for row in per_round)
        print(f"  {key:34}{values}   median {summary['targets'][key]:.2f}")


if __name__ == "__main__":
    main()
