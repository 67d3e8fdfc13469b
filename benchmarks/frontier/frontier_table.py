"""Aggregates benchmarks/frontier/frontier.sh's runs into one table (DIR/frontier.md) and its raw figures (DIR/frontier.json).

Per model: Dice on the held-out test subjects, mean +- sample sd over seeds (each seed's figure is the mean over test
subjects and classes, as 'e2enet evaluate' computes it), per class, HD95 and surface Dice; parameters and MACs at the patch
(dense, active = the paper's count, executed = what the exported ONNX graph computes) of the first seed's export; ONNX
Runtime CPU latency of that export (pruned and tuned; wall and process CPU time, medians); each relative to the plain
U-Net row. Standard library only.
"""
import argparse
import json
import os
import re
import statistics


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def mean_sd(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def fmt(mean, sd, digits=3):
    if mean is None:
        return "n/a"
    return f"{mean:.{digits}f} +- {sd:.{digits}f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--machine", default="")
    args = parser.parse_args()
    models, seeds = args.models.split(), args.seeds.split()

    rows = {}
    for model in models:
        runs = [os.path.join(args.out, "runs", f"{model}-seed{seed}") for seed in seeds]
        evaluations = [load(os.path.join(run, "test-evaluation.json")) for run in runs]
        labels = evaluations[0]["labels"]
        per_class = {}
        for label in labels:
            per_class[label] = mean_sd([next(c["dice"] for c in e["perClass"] if c["label"] == label) for e in evaluations])
        report = load(os.path.join(runs[0], "bundle", "report.json"))
        with open(os.path.join(runs[0], "bench.txt"), encoding="utf-8") as f:
            bench = f.read()
        result = dict(re.findall(r"(\S+)=([0-9.]+)", bench.strip().splitlines()[-1]))
        train_seconds = [int(open(os.path.join(run, "train-seconds")).read()) for run in runs]
        rows[model] = {
            "seeds": seeds,
            "dice_per_seed": [e["meanDice"] for e in evaluations],
            "dice": mean_sd([e["meanDice"] for e in evaluations]),
            "hd95": mean_sd([e["meanHd95"] for e in evaluations]),
            "surface_dice": mean_sd([e["meanSurfaceDice"] for e in evaluations]),
            "per_class": {str(k): v for k, v in per_class.items()},
            "parameters": report["totals"]["parameters"],
            "macs": report["totals"]["macs"],
            "unit": report["unit"],
            "sparsity": report["sparsity"],
            "latency_ms": float(result["tuned_ms"]),
            "latency_cpu_ms": float(result["tuned_cpu_ms"]),
            "train_seconds": train_seconds,
            "test_subjects": len(evaluations[0]["cases"]),
        }

    base = rows.get("FrontierUNet")
    lines = []
    lines.append(f"Held-out test subjects: {rows[models[0]]['test_subjects']} (dataset {args.data}); seeds {', '.join(seeds)}; machine: {args.machine}.")
    lines.append("")
    lines.append("| model | unit, S | Dice (mean +- sd over seeds) | vs U-Net | HD95 mm | params dense / active / executed | GMACs dense / active / executed | executed / dense | latency ms (wall, cpu) | U-Net / this (wall, cpu) | train s/run |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for model in models:
        r = rows[model]
        p, m = r["parameters"], r["macs"]
        delta = f"{r['dice'][0] - base['dice'][0]:+.3f}" if base and r["dice"][0] is not None else "n/a"
        speed = f"{base['latency_ms'] / r['latency_ms']:.2f}, {base['latency_cpu_ms'] / r['latency_cpu_ms']:.2f}" if base else "n/a"
        unit = "U-Net (dense)" if model == "FrontierUNet" else f"{r['unit']}, {r['sparsity']:g}"
        lines.append(
            f"| {model} | {unit} | {fmt(*r['dice'])} | {delta} | {fmt(*r['hd95'], digits=1)} | "
            f"{p['dense']:,} / {p['active']:,} / {p['executed']:,} | {m['dense'] / 1e9:.3f} / {m['active'] / 1e9:.3f} / {m['executed'] / 1e9:.3f} | "
            f"{m['executed'] / m['dense']:.0%} | {r['latency_ms']:.1f}, {r['latency_cpu_ms']:.1f} | {speed} | {statistics.mean(r['train_seconds']):.0f} |")
    lines.append("")
    labels = list(rows[models[0]]["per_class"].keys())
    lines.append("Dice per class (mean +- sd over seeds):")
    lines.append("")
    lines.append("| model | " + " | ".join(f"class {label}" for label in labels) + " |")
    lines.append("|---|" + "---|" * len(labels))
    for model in models:
        lines.append(f"| {model} | " + " | ".join(fmt(*rows[model]["per_class"][label], digits=2) for label in labels) + " |")
    lines.append("")
    if base and len(seeds) < 2:
        lines.append(f"One seed: no spread, so no verdict on any Dice difference (the frontier needs at least 3 seeds per row).")
    elif base:
        if len(seeds) < 3:
            lines.append(f"Only {len(seeds)} seeds: the spreads below are rough (the frontier needs at least 3 seeds per row).")
        lines.append("Within noise: a row whose Dice differs from the U-Net's by less than the larger of the two seed spreads:")
        for model in models:
            if model == "FrontierUNet":
                continue
            r = rows[model]
            spread = max(r["dice"][1], base["dice"][1])
            verdict = "within noise" if abs(r["dice"][0] - base["dice"][0]) < spread else ("better" if r["dice"][0] > base["dice"][0] else "worse")
            lines.append(f"- {model}: {r['dice'][0] - base['dice'][0]:+.3f} (spread {spread:.3f}): {verdict}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "frontier.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(args.out, "frontier.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
