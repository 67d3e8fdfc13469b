"""Aggregates benchmarks/frontier/frontier.sh's runs into one table (DIR/frontier.md) and its raw figures (DIR/frontier.json).

Per model: Dice on the held-out test subjects, mean +- sample sd over seeds (each seed's figure is the mean over test
subjects and classes, as 'e2enet evaluate' computes it), per class, HD95 and surface Dice; parameters and MACs at the patch
(dense, active = the paper's count, executed = what the exported ONNX graph computes) of the first seed's export; ONNX
Runtime CPU latency of that export (pruned and tuned; wall and process CPU time, medians); each relative to the plain
U-Net row; and the comparisons the hardware-aware sparsity issue is judged on (each unit against the kernel unit at the
same S: within 0.01, or within one standard deviation when the spread is larger). A seed whose run is missing is left
out of its row (the row says how many seeds it has); cost columns read n/a where no export was measured (runs trained
elsewhere, e.g. benchmarks/gpu/frontier-gpu.sh, before frontier.sh exported them). Standard library only.
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


# Below this best mean Dice no row has learned the task: differences between rows are noise, whatever the seed spread.
UNTRAINED = 0.2


def fusion_of(run, report):
    """The fusion unit and S of a run: from its export's report, else from the canonical model.e2e the run saved."""
    if report:
        return report["unit"], report["sparsity"]
    path = os.path.join(run, "model.e2e")
    if not os.path.isfile(path):
        return None, None
    with open(path, encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"\n  fusion (.*?)\n  \w", text, re.S)
    if not block:
        return None, None
    sparsity = re.search(r"sparsity ([0-9.]+)", block.group(1))
    unit = re.search(r"unit (\w+)", block.group(1))
    return (unit.group(1) if unit else "kernel"), (float(sparsity.group(1)) if sparsity else 0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--models", required=True)
    parser.add_argument("--seeds", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--machine", default="")
    parser.add_argument("--trained-on", default="", help="where the runs were trained, when not on --machine")
    args = parser.parse_args()
    models, seeds = args.models.split(), args.seeds.split()

    rows = {}
    for model in models:
        runs = [os.path.join(args.out, "runs", f"{model}-seed{seed}") for seed in seeds]
        runs = [run for run in runs if os.path.isfile(os.path.join(run, "test-evaluation.json"))]
        if not runs:
            continue
        evaluations = [load(os.path.join(run, "test-evaluation.json")) for run in runs]
        labels = evaluations[0]["labels"]
        per_class = {}
        for label in labels:
            per_class[label] = mean_sd([next(c["dice"] for c in e["perClass"] if c["label"] == label) for e in evaluations])
        report_path = os.path.join(runs[0], "bundle", "report.json")
        report = load(report_path) if os.path.isfile(report_path) else None
        bench_path = os.path.join(runs[0], "bench.txt")
        result = {}
        if os.path.isfile(bench_path):
            with open(bench_path, encoding="utf-8") as f:
                result = dict(re.findall(r"(\S+)=([0-9.]+)", f.read().strip().splitlines()[-1]))
        train_seconds = [int(open(os.path.join(run, "train-seconds")).read()) for run in runs]
        unit, sparsity = fusion_of(runs[0], report)
        rows[model] = {
            "seeds": [run.rsplit("-seed", 1)[1] for run in runs],
            "dice_per_seed": [e["meanDice"] for e in evaluations],
            "dice": mean_sd([e["meanDice"] for e in evaluations]),
            "hd95": mean_sd([e["meanHd95"] for e in evaluations]),
            "surface_dice": mean_sd([e["meanSurfaceDice"] for e in evaluations]),
            "per_class": {str(k): v for k, v in per_class.items()},
            "parameters": report["totals"]["parameters"] if report else None,
            "macs": report["totals"]["macs"] if report else None,
            "unit": unit,
            "sparsity": sparsity,
            "latency_ms": float(result["tuned_ms"]) if "tuned_ms" in result else None,
            "latency_cpu_ms": float(result["tuned_cpu_ms"]) if "tuned_cpu_ms" in result else None,
            "train_seconds": train_seconds,
            "test_subjects": len(evaluations[0]["cases"]),
        }
    models = [model for model in models if model in rows]
    if not models:
        raise SystemExit(f"frontier_table: no run with a test evaluation under {args.out}/runs")

    base = rows.get("FrontierUNet")
    lines = []
    trained = f"; trained on {args.trained_on}" if args.trained_on else ""
    lines.append(f"Held-out test subjects: {rows[models[0]]['test_subjects']} (dataset {args.data}); seeds {', '.join(seeds)}; machine: {args.machine}{trained}.")
    lines.append("")
    lines.append("| model | unit, S | seeds | Dice (mean +- sd over seeds) | vs U-Net | HD95 mm | params dense / active / executed | GMACs dense / active / executed | executed / dense | latency ms (wall, cpu) | U-Net / this (wall, cpu) | train s/run |")
    lines.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for model in models:
        r = rows[model]
        p, m = r["parameters"], r["macs"]
        delta = f"{r['dice'][0] - base['dice'][0]:+.3f}" if base and r["dice"][0] is not None else "n/a"
        timed = r["latency_ms"] is not None
        speed = f"{base['latency_ms'] / r['latency_ms']:.2f}, {base['latency_cpu_ms'] / r['latency_cpu_ms']:.2f}" if base and timed and base["latency_ms"] else "n/a"
        unit = "U-Net (dense)" if model == "FrontierUNet" else (f"{r['unit']}, {r['sparsity']:g}" if r["unit"] else "n/a")
        cost = (f"{p['dense']:,} / {p['active']:,} / {p['executed']:,} | {m['dense'] / 1e9:.3f} / {m['active'] / 1e9:.3f} / {m['executed'] / 1e9:.3f} | "
                f"{m['executed'] / m['dense']:.0%}") if p else "n/a | n/a | n/a"
        latency = f"{r['latency_ms']:.1f}, {r['latency_cpu_ms']:.1f}" if timed else "n/a"
        lines.append(
            f"| {model} | {unit} | {len(r['seeds'])} | {fmt(*r['dice'])} | {delta} | {fmt(*r['hd95'], digits=1)} | "
            f"{cost} | {latency} | {speed} | {statistics.mean(r['train_seconds']):.0f} |")
    lines.append("")
    labels = list(rows[models[0]]["per_class"].keys())
    lines.append("Dice per class (mean +- sd over seeds):")
    lines.append("")
    lines.append("| model | " + " | ".join(f"class {label}" for label in labels) + " |")
    lines.append("|---|" + "---|" * len(labels))
    for model in models:
        lines.append(f"| {model} | " + " | ".join(fmt(*rows[model]["per_class"][label], digits=2) for label in labels) + " |")
    lines.append("")
    fewest = min(len(rows[model]["seeds"]) for model in models)
    best = max(rows[model]["dice"][0] for model in models)
    if best < UNTRAINED:
        lines.append(f"**Not trained enough to compare**: the best row's mean Dice is {best:.3f} (< {UNTRAINED}); the recipe is too short "
                     "for these subjects, so the verdicts below are noise between untrained networks, not a comparison of units.")
        lines.append("")
    if base and fewest < 2:
        lines.append(f"One seed: no spread, so no verdict on any Dice difference (the frontier needs at least 3 seeds per row).")
    elif base:
        if fewest < 3:
            lines.append(f"Some rows have {fewest} seeds: their spreads are rough (the frontier needs at least 3 seeds per row).")
        lines.append("Within noise: a row whose Dice differs from the U-Net's by less than the larger of the two seed spreads:")
        for model in models:
            if model == "FrontierUNet":
                continue
            r = rows[model]
            spread = max(r["dice"][1], base["dice"][1])
            verdict = "within noise" if abs(r["dice"][0] - base["dice"][0]) < spread else ("better" if r["dice"][0] > base["dice"][0] else "worse")
            lines.append(f"- {model}: {r['dice'][0] - base['dice'][0]:+.3f} (spread {spread:.3f}): {verdict}")
    # The bar for a new unit: Dice within 0.01 of the kernel unit at the same S (mean over seeds), or within one
    # standard deviation when the seed spread is larger than 0.01.
    kernels = {rows[m]["sparsity"]: m for m in models if rows[m]["unit"] == "kernel" and rows[m]["sparsity"]}
    against = [(m, kernels[rows[m]["sparsity"]]) for m in models
               if rows[m]["unit"] not in (None, "kernel") and rows[m]["sparsity"] in kernels and m != "FrontierUNet"]
    if against:
        lines.append("")
        lines.append("Against the kernel unit at the same S (bar: within 0.01, or within one sd when the spread is larger):")
        for model, kernel in against:
            r, k = rows[model], rows[kernel]
            diff = r["dice"][0] - k["dice"][0]
            spread = max(r["dice"][1], k["dice"][1])
            bar = max(0.01, spread)
            verdict = "meets the bar" if abs(diff) <= bar or diff > 0 else "below the bar"
            lines.append(f"- {model} vs {kernel}: {diff:+.3f} (spread {spread:.3f}, bar {bar:.3f}): {verdict}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "frontier.md"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(args.out, "frontier.json"), "w", encoding="utf-8") as f:
        json.dump(rows, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
