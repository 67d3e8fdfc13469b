#!/usr/bin/python3
"""nnU-Net's plain 3D U-Net (the network users pick today), exported to ONNX for `e2enet bench export`.

The configuration is the one docs/method.md measures ("Reference timings of the authors' code"): an AMOS-like full-resolution plan of
dynamic_network_architectures' PlainConvUNet, written here from that description:
  6 stages, widths 32, 64, 128, 256, 320, 320; 3x3x3 convolutions with bias, padding 1;
  strides 1, 2, 2, 2, 2, 2 (the first convolution of each stage strides);
  2 convolutions per stage in the encoder and in the decoder, each conv -> InstanceNorm3d(eps 1e-5, affine) -> LeakyReLU(0.01);
  decoder stage: ConvTranspose3d(kernel = stride, bias) from the stage below, concatenated with the skip, then 2 convolutions;
  a 1x1x1 segmentation convolution (with bias) per decoder stage (deep supervision), of which inference uses the last.
With 1 input channel and 16 classes it has 31,206,864 parameters (checked below), as docs/method.md states.

Usage (Debian's python3-torch, PyTorch 1.13, CPU):
  /usr/bin/python3 benchmarks/onnx/plain_unet.py --out unet.onnx [--in-channels 1] [--classes 16] [--patch 32,64,64] [--opset 17]
Prints one JSON line: {"parameters": ..., "inferenceParameters": ..., "macs": ..., "patch": [...], "onnx": "..."}.
Weights are random (He init, as nnU-Net initialises): timing does not depend on their values.
"""
import argparse
import inspect
import json
import sys
import warnings

import torch
from torch import nn

WIDTHS = [32, 64, 128, 256, 320, 320]
STRIDES = [1, 2, 2, 2, 2, 2]


class ConvNormAct(nn.Module):
    """conv (3x3x3, bias) -> instance norm (affine, eps 1e-5) -> leaky ReLU (0.01)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv3d(cin, cout, 3, stride=stride, padding=1, bias=True)
        self.norm = nn.InstanceNorm3d(cout, eps=1e-5, affine=True)
        self.act = nn.LeakyReLU(0.01, inplace=True)

    def forward(self, x):
        return self.act(self.norm(self.conv(x)))


def stage(cin, cout, stride):
    return nn.Sequential(ConvNormAct(cin, cout, stride), ConvNormAct(cout, cout, 1))


class PlainUNet(nn.Module):
    def __init__(self, in_channels, classes, deep_supervision=False):
        super().__init__()
        self.deep_supervision = deep_supervision
        self.encoder = nn.ModuleList()
        cin = in_channels
        for width, stride in zip(WIDTHS, STRIDES):
            self.encoder.append(stage(cin, width, stride))
            cin = width
        self.up = nn.ModuleList()
        self.decoder = nn.ModuleList()
        self.seg = nn.ModuleList()
        for s in range(len(WIDTHS) - 1, 0, -1):
            below, skip = WIDTHS[s], WIDTHS[s - 1]
            self.up.append(nn.ConvTranspose3d(below, skip, STRIDES[s], stride=STRIDES[s], bias=True))
            self.decoder.append(stage(2 * skip, skip, 1))
            self.seg.append(nn.Conv3d(skip, classes, 1, bias=True))
        for m in self.modules():
            if isinstance(m, (nn.Conv3d, nn.ConvTranspose3d)):
                nn.init.kaiming_normal_(m.weight, a=0.01)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        skips = []
        for s in self.encoder:
            x = s(x)
            skips.append(x)
        x = skips[-1]
        outputs = []
        for k, (up, dec, seg) in enumerate(zip(self.up, self.decoder, self.seg)):
            x = dec(torch.cat((up(x), skips[-(k + 2)]), 1))
            if self.deep_supervision or k == len(self.up) - 1:
                outputs.append(seg(x))
        return outputs[::-1] if self.deep_supervision else outputs[-1]


def macs(model, in_channels, patch):
    """Multiply-accumulates of every convolution (transposed ones included) of one inference, with hooks."""
    total = [0]

    def conv_hook(module, inputs, output):
        k = module.weight[0, 0].numel()
        if isinstance(module, nn.ConvTranspose3d):
            total[0] += module.in_channels * module.out_channels * k * inputs[0][0, 0].numel()
        else:
            total[0] += module.in_channels * module.out_channels * k * output[0, 0].numel()

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, (nn.Conv3d, nn.ConvTranspose3d))]
    with torch.no_grad():
        model(torch.zeros(1, in_channels, *patch))
    for h in hooks:
        h.remove()
    return total[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the ONNX file to write")
    parser.add_argument("--in-channels", type=int, default=1)
    parser.add_argument("--classes", type=int, default=16)
    parser.add_argument("--patch", default="32,64,64", help="D,H,W (each divisible by 32)")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    patch = [int(v) for v in args.patch.split(",")]
    if len(patch) != 3 or any(p % 32 for p in patch):
        sys.exit("plain_unet.py: error: --patch must be D,H,W, each divisible by 32 (five stride-2 stages)")
    torch.manual_seed(args.seed)
    model = PlainUNet(args.in_channels, args.classes).eval()
    parameters = sum(p.numel() for p in model.parameters())
    # The segmentation layers of the four coarser decoder stages are training-only (deep supervision).
    inference_parameters = parameters - sum(p.numel() for seg in model.seg[:-1] for p in seg.parameters())
    x = torch.randn(1, args.in_channels, *patch)
    # InstanceNorm3d without running statistics normalises with the instance's own statistics in every mode, which is
    # what ONNX InstanceNormalization computes; PyTorch 1.13 warns about "train=True" for it all the same.
    warnings.filterwarnings("ignore", message=".*instance_norm.*")
    axes = {0: "batch", 2: "depth", 3: "height", 4: "width"}
    # PyTorch 2.9 and later export through torch.export (dynamo=True, needing onnxscript) unless told otherwise; the
    # TorchScript exporter gives the same graph on every version that has the switch and on the 1.13 that has not.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    torch.onnx.export(model, x, args.out, opset_version=args.opset, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": axes, "logits": axes}, do_constant_folding=True, **legacy)
    print(json.dumps({"parameters": parameters, "inferenceParameters": inference_parameters,
                      "macs": macs(model, args.in_channels, patch), "patch": patch, "onnx": args.out}))


if __name__ == "__main__":
    main()
