#!/usr/bin/python3
"""E2ENet as PyTorch runs it, written from docs/method.md (not the authors' code), for side-by-side checks.

Two jobs:
  --golden DIR   prove it is the authors' network: load DIR/NAME.weights.pt (their state dict, their key names) and
                 reproduce DIR/NAME.io.pt (eval and ds0..ds3) for both golden cases; prints the relative errors.
  --bench        time inference (eval, no grad) and forward+backward (deep supervision, loss = sum_k w_k * mean(head_k))
                 of a configuration, medians after warm-up, peak RSS; the last line is 'result: ...' as e2enet bench prints.

Run it with Debian's python3-torch (PyTorch 1.13, CPU): /usr/bin/python3 benchmarks/e2enet_pytorch.py --bench ...
benchmarks/forward_vs_pytorch.sh runs this and 'e2enet bench forward' in the same run and prints the ratios.
"""
import argparse
import contextlib
import gc
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def depth_shift(x, offsets):
    """Chunks of ceil(C/S) channels; chunk k: out[d] = in[d - offsets[k]], zero fill (docs/method.md, "Restricted depth shift")."""
    channels, depth = x.shape[1], x.shape[2]
    chunk = -(-channels // len(offsets))
    out = torch.zeros_like(x)
    for k, offset in enumerate(offsets):
        start = k * chunk
        if start >= channels:
            break
        end = min(start + chunk, channels)
        if abs(offset) >= depth:
            continue
        if offset >= 0:
            out[:, start:end, offset:] = x[:, start:end, :depth - offset]
        else:
            out[:, start:end, :depth + offset] = x[:, start:end, -offset:]
    return out


class ConvDropoutNormNonlin(nn.Module):
    """depth shift -> Conv3d(1x3x3) -> InstanceNorm3d(affine) -> LeakyReLU(0.01); keys conv.*, instnorm.*."""

    def __init__(self, cin, cout, stride, offsets):
        super().__init__()
        self.offsets = offsets
        self.conv = nn.Conv3d(cin, cout, (1, 3, 3), stride=stride, padding=(0, 1, 1), bias=True)
        self.instnorm = nn.InstanceNorm3d(cout, eps=1e-5, affine=True)
        self.lrelu = nn.LeakyReLU(0.01, inplace=True)

    def forward(self, x):
        return self.lrelu(self.instnorm(self.conv(depth_shift(x, self.offsets))))


class StackedConvLayers(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.blocks = nn.Sequential(*blocks)

    def forward(self, x):
        return self.blocks(x)


class E2ENet(nn.Module):
    def __init__(self, in_ch, classes, base, max_feat, pools, offsets):
        super().__init__()
        widths = [min(base * 2 ** level, max_feat) for level in range(6)]
        self.widths, self.pools = widths, [tuple(p) for p in pools]
        block = lambda cin, cout, stride=1: ConvDropoutNormNonlin(cin, cout, stride, offsets)
        # Nodes released by encoder level s live in loc{5-s} / up{5-s}, coarsest level first (docs/method.md, "Parameter names").
        for z in range(5):
            s = 5 - z  # nodes with L + j = s
            nodes, ups = [], []
            for index, level in enumerate(range(s - 1, -1, -1)):
                concat = 2 * widths[level] + (widths[level - 1] if level >= 1 else 0)
                stacks = [StackedConvLayers([block(concat, widths[level])])]
                if s == 5:
                    stacks.append(StackedConvLayers([block(widths[level], widths[level])]))
                nodes.append(nn.Sequential(*stacks))
                ups.append(nn.ConvTranspose3d(widths[level + 1], widths[level], self.pools[level], stride=self.pools[level], bias=False))
            setattr(self, "loc%d" % z, nn.ModuleList(nodes))
            setattr(self, "up%d" % z, nn.ModuleList(ups))
        context = [StackedConvLayers([block(in_ch, widths[0]), block(widths[0], widths[0])])]
        for level in range(1, 5):
            context.append(StackedConvLayers([block(widths[level - 1], widths[level], self.pools[level - 1]), block(widths[level], widths[level])]))
        context.append(nn.Sequential(StackedConvLayers([block(widths[4], widths[5], self.pools[4])]), StackedConvLayers([block(widths[5], widths[5])])))
        self.conv_blocks_context = nn.ModuleList(context)
        self.seg_outputs = nn.ModuleList([nn.Conv3d(widths[k], classes, 1, bias=False) for k in range(4)])
        for module in self.modules():
            if isinstance(module, (nn.Conv3d, nn.ConvTranspose3d)):
                nn.init.kaiming_normal_(module.weight, a=0.01)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)

    def forward(self, x, deep_supervision=False):
        values = {}
        for level in range(6):
            x = self.conv_blocks_context[level](x)
            values[(level, 0)] = x
            for index, node_level in enumerate(range(level - 1, -1, -1)):
                stage = level - node_level
                z = 5 - level
                parts = [values[(node_level, stage - 1)], getattr(self, "up%d" % z)[index](values[(node_level + 1, stage - 1)])]
                if node_level >= 1:
                    pool = self.pools[node_level - 1]
                    parts.append(F.max_pool3d(values[(node_level - 1, stage - 1)], pool, pool))
                values[(node_level, stage)] = getattr(self, "loc%d" % z)[index](torch.cat(parts, 1))
        heads = [self.seg_outputs[k](values[(k, 5 - k)]) for k in range(4 if deep_supervision else 1)]
        return heads if deep_supervision else heads[0]


def relative_error(actual, expected):
    return ((actual - expected).abs().max() / expected.abs().max()).item()


def golden(folder):
    worst = 0.0
    for name in ("tiny_s3_dense", "tiny_s5_sparse_aniso"):
        config = json.load(open(os.path.join(folder, name + ".json")))
        net = E2ENet(config["in_ch"], config["classes"], config["base"], config["max_feat"], config["pools"], config["shift_offsets"])
        net.load_state_dict(torch.load(os.path.join(folder, name + ".weights.pt")), strict=True)
        io = torch.load(os.path.join(folder, name + ".io.pt"))
        with torch.no_grad():
            net.eval()
            errors = {"eval": relative_error(net(io["input"]), io["eval"])}
            net.train()
            for k, head in enumerate(net(io["input"], deep_supervision=True)):
                errors["ds%d" % k] = relative_error(head, io["ds%d" % k])
        worst = max(worst, max(errors.values()))
        print("golden %s: %s" % (name, ", ".join("%s %.2e" % item for item in errors.items())))
    print("golden: worst relative error %.2e (%s)" % (worst, "ok" if worst < 1e-4 else "MISMATCH"))
    return worst < 1e-4


def verify_saved(folder, name, state_dict_path, output_path):
    """A state dict and a forward output written by e2enet load in PyTorch and give the golden outputs."""
    config = json.load(open(os.path.join(folder, name + ".json")))
    net = E2ENet(config["in_ch"], config["classes"], config["base"], config["max_feat"], config["pools"], config["shift_offsets"])
    net.load_state_dict(torch.load(state_dict_path), strict=True)
    io = torch.load(os.path.join(folder, name + ".io.pt"))
    net.eval()
    with torch.no_grad():
        errors = {"state dict": relative_error(net(io["input"]), io["eval"])}
    if output_path:
        errors["output"] = relative_error(torch.load(output_path)["eval"], io["eval"])
    print("verify %s: %s" % (name, ", ".join("%s %.2e" % item for item in errors.items())))
    return max(errors.values()) < 1e-4


def resident(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def measure(name, warmup, repeat, step):
    gc.collect()
    baseline = resident("VmRSS:")
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass
    for i in range(warmup):
        start = time.perf_counter()
        step()
        print("bench: %s: warm-up %d/%d: %.1f ms" % (name, i + 1, warmup, (time.perf_counter() - start) * 1000), file=sys.stderr, flush=True)
    times, cpu = [], []
    for i in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - cpu_start) * 1000)
        print("bench: %s: run %d/%d: %.1f ms (cpu %.1f ms)" % (name, i + 1, repeat, times[-1], cpu[-1]), file=sys.stderr, flush=True)
    peak = resident("VmHWM:")
    print("%-17s median %9.1f ms  (min %.1f, max %.1f; %d runs; cpu %.1f ms)  peak RSS %.2f GiB (+%.2f GiB over the %.2f GiB before)"
          % (name, statistics.median(times), min(times), max(times), repeat, statistics.median(cpu), peak / 2 ** 30, max(0, peak - baseline) / 2 ** 30, baseline / 2 ** 30), flush=True)
    return statistics.median(times), peak, statistics.median(cpu)


def bench(args):
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    device = torch.device(args.device)
    if args.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True
    pools = [[int(v) for v in p.split(",")] for p in args.pools.split(";")] if args.pools else [[2, 2, 2]] * 5
    offsets = list(range(-(args.shift // 2), args.shift // 2 + 1))
    net = E2ENet(args.in_ch, args.classes, args.base, args.max_feat, pools, offsets).to(device)
    patch = [int(v) for v in args.patch.split(",")]
    where = "CPU" if device.type == "cpu" else "CUDA (%s, cuDNN benchmark %s%s)" % (
        torch.cuda.get_device_name(device), "on" if args.cudnn_benchmark else "off", ", fp16 autocast" if args.amp else ", fp32")
    print("model            E2ENet (PyTorch %s, from docs/method.md), %s parameters" % (torch.__version__, format(sum(p.numel() for p in net.parameters()), ",")))
    print("input            %d x %d x %s float32, %s, %d threads" % (args.batch, args.in_ch, "x".join(map(str, patch)), where, torch.get_num_threads()))
    x = torch.randn(args.batch, args.in_ch, *patch, device=device)
    weights = [8 / 15, 4 / 15, 2 / 15, 1 / 15]
    synchronize = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    autocast = (lambda: torch.autocast("cuda", dtype=torch.float16)) if args.amp else contextlib.nullcontext

    def inference():
        with torch.no_grad(), autocast():
            net(x)
        synchronize()

    def training():
        net.zero_grad(set_to_none=False)
        with autocast():
            heads = net(x, deep_supervision=True)
            loss = sum(h.float().mean() * w for h, w in zip(heads, weights))
        loss.backward()
        synchronize()

    def gpu_peak(step_name):
        if device.type == "cuda":
            print("%-17s GPU peak allocated %.2f GiB" % (step_name, torch.cuda.max_memory_allocated(device) / 2 ** 30), flush=True)
            torch.cuda.reset_peak_memory_stats(device)

    net.eval()
    forward_ms, forward_peak, forward_cpu = measure("forward", args.warmup, args.repeat, inference)
    gpu_peak("forward")
    net.train()
    train_ms, train_peak, train_cpu = measure("forward+backward", args.warmup, args.repeat, training)
    gpu_peak("forward+backward")
    print("result: forward_ms=%.1f forward_backward_ms=%.1f forward_peak_mib=%.0f forward_backward_peak_mib=%.0f forward_cpu_ms=%.1f forward_backward_cpu_ms=%.1f"
          % (forward_ms, train_ms, forward_peak / 2 ** 20, train_peak / 2 ** 20, forward_cpu, train_cpu))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--golden", help="folder with the golden cases: tests/data/golden")
    parser.add_argument("--bench", action="store_true")
    parser.add_argument("--verify-saved", metavar="STATE_DICT", help="with --golden and --case: load this state dict (written by e2enet) strictly and check the golden eval")
    parser.add_argument("--verify-output", metavar="OUT_PT", help="with --verify-saved: also check the 'eval' of this e2enet forward output")
    parser.add_argument("--case", default="tiny_s5_sparse_aniso")
    parser.add_argument("--in-ch", type=int, default=1)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--base", type=int, default=48)
    parser.add_argument("--max-feat", type=int, default=320)
    parser.add_argument("--pools", default="", help="e.g. '1,2,2;2,2,2;2,2,2;2,2,2;1,2,2' (default [2,2,2] x 5)")
    parser.add_argument("--shift", type=int, default=3, help="shift groups S")
    parser.add_argument("--patch", default="32,64,64")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--cudnn-benchmark", action="store_true", help="with --device cuda: torch.backends.cudnn.benchmark = True")
    parser.add_argument("--amp", action="store_true", help="with --device cuda: fp16 autocast (mixed precision)")
    args = parser.parse_args()
    ok = True
    if args.golden and args.verify_saved:
        ok = verify_saved(args.golden, args.case, args.verify_saved, args.verify_output)
    elif args.golden:
        ok = golden(args.golden)
    if args.bench:
        bench(args)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
