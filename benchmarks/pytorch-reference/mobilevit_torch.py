"""An independent MobileViT v1 in plain PyTorch, written from the paper and Hugging Face's module structure (same
parameter names as MobileViTForImageClassification), to check the C# builder and to produce a PyTorch ONNX export.

    python3 mobilevit_torch.py --variant s --weights model.safetensors --export model.onnx --logits logits.f32

Reads float32 safetensors (e.g. `mobilevit build-model --variant s --seed 7 --save-weights FILE`), runs the probe
input (2 x 3 x 256 x 256, value i = (i * 2654435761 mod 2^32) / 2^32, computed the same way by the C# test) and writes
its logits as float32 little-endian; --export writes torch.onnx.export's graph (opset 14, dynamic batch), as the
shared fixture's export was made. Needs only torch and numpy (Debian: apt-get install python3-torch).
"""
import argparse
import json
import math
import struct

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

VARIANTS = {
    "xxs": dict(hidden=[64, 80, 96], neck=[16, 16, 24, 48, 64, 80, 320], expand=2.0),
    "xs": dict(hidden=[96, 120, 144], neck=[16, 32, 48, 64, 80, 96, 384], expand=4.0),
    "s": dict(hidden=[144, 192, 240], neck=[16, 32, 64, 96, 128, 160, 640], expand=4.0),
}
HEADS, MLP_RATIO, PATCH, DEPTHS = 4, 2.0, 2, [2, 4, 3]


def make_divisible(value, divisor=8):
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, k, stride=1, groups=1, norm=True, act=True):
        super().__init__()
        self.convolution = nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False)
        self.normalization = nn.BatchNorm2d(cout, eps=1e-5) if norm else None
        self.act = act

    def forward(self, x):
        x = self.convolution(x)
        if self.normalization is not None:
            x = self.normalization(x)
        return F.silu(x) if self.act else x


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        mid = make_divisible(int(round(cin * expand)), 8)
        self.expand_1x1 = ConvLayer(cin, mid, 1)
        self.conv_3x3 = ConvLayer(mid, mid, 3, stride, groups=mid)
        self.reduce_1x1 = ConvLayer(mid, cout, 1, act=False)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.reduce_1x1(self.conv_3x3(self.expand_1x1(x)))
        return x + y if self.residual else y


class MobileNetLayer(nn.Module):
    def __init__(self, cin, cout, stride, stages, expand):
        super().__init__()
        self.layer = nn.ModuleList(InvertedResidual(cin if i == 0 else cout, cout, stride if i == 0 else 1, expand) for i in range(stages))

    def forward(self, x):
        for block in self.layer:
            x = block(x)
        return x


class SelfAttention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)

    def forward(self, x):
        b, n, c = x.shape
        heads = lambda t: t.view(b, n, HEADS, c // HEADS).permute(0, 2, 1, 3)
        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(c // HEADS)
        context = torch.matmul(torch.softmax(scores, dim=-1), v)
        return context.permute(0, 2, 1, 3).reshape(b, n, c)


class Dense(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.dense = nn.Linear(cin, cout)


class Attention(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.attention = SelfAttention(hidden)
        self.output = Dense(hidden, hidden)

    def forward(self, x):
        return self.output.dense(self.attention(x))


class TransformerLayer(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        inner = int(hidden * MLP_RATIO)
        self.attention = Attention(hidden)
        self.intermediate = Dense(hidden, inner)
        self.output = Dense(inner, hidden)
        self.layernorm_before = nn.LayerNorm(hidden, eps=1e-5)
        self.layernorm_after = nn.LayerNorm(hidden, eps=1e-5)

    def forward(self, x):
        x = x + self.attention(self.layernorm_before(x))
        return x + self.output.dense(F.silu(self.intermediate.dense(self.layernorm_after(x))))


class Transformer(nn.Module):
    def __init__(self, hidden, depth):
        super().__init__()
        self.layer = nn.ModuleList(TransformerLayer(hidden) for _ in range(depth))


class MobileViTLayer(nn.Module):
    def __init__(self, cin, cout, hidden, depth, expand):
        super().__init__()
        self.downsampling_layer = InvertedResidual(cin, cout, 2, expand)
        self.conv_kxk = ConvLayer(cout, cout, 3)
        self.conv_1x1 = ConvLayer(cout, hidden, 1, norm=False, act=False)
        self.transformer = Transformer(hidden, depth)
        self.layernorm = nn.LayerNorm(hidden, eps=1e-5)
        self.conv_projection = ConvLayer(hidden, cout, 1)
        self.fusion = ConvLayer(2 * cout, cout, 3)

    def forward(self, x):
        x = self.downsampling_layer(x)
        residual = x
        y = self.conv_1x1(self.conv_kxk(x))
        b, c, h, w = y.shape
        rows, cols = h // PATCH, w // PATCH
        # unfold: [B, C, rows, ph, cols, pw] -> [B * ph * pw, rows * cols, C]
        patches = y.reshape(b, c, rows, PATCH, cols, PATCH).permute(0, 3, 5, 2, 4, 1).reshape(b * PATCH * PATCH, rows * cols, c)
        for layer in self.transformer.layer:
            patches = layer(patches)
        patches = self.layernorm(patches)
        y = patches.reshape(b, PATCH, PATCH, rows, cols, c).permute(0, 5, 3, 1, 4, 2).reshape(b, c, h, w)
        y = self.conv_projection(y)
        return self.fusion(torch.cat([residual, y], dim=1))


class Encoder(nn.Module):
    def __init__(self, v):
        super().__init__()
        n, e = v["neck"], v["expand"]
        self.layer = nn.ModuleList([
            MobileNetLayer(n[0], n[1], 1, 1, e),
            MobileNetLayer(n[1], n[2], 2, 3, e),
            *(MobileViTLayer(n[i + 2], n[i + 3], v["hidden"][i], DEPTHS[i], e) for i in range(3)),
        ])


class Backbone(nn.Module):
    def __init__(self, v):
        super().__init__()
        n = v["neck"]
        self.conv_stem = ConvLayer(3, n[0], 3, stride=2)
        self.encoder = Encoder(v)
        self.conv_1x1_exp = ConvLayer(n[5], n[6], 1)


class MobileViTForImageClassification(nn.Module):
    def __init__(self, variant):
        super().__init__()
        v = VARIANTS[variant]
        self.mobilevit = Backbone(v)
        self.classifier = nn.Linear(v["neck"][6], 1000)

    def forward(self, pixel_values):
        x = self.mobilevit.conv_stem(pixel_values)
        for layer in self.mobilevit.encoder.layer:
            x = layer(x)
        x = self.mobilevit.conv_1x1_exp(x)
        return self.classifier(x.mean(dim=[-2, -1]))


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", (name, entry["dtype"])
        start, end = entry["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(data[start:end], dtype="<f4").copy().reshape(entry["shape"]))
    return tensors


def probe_input(batch=2):
    i = np.arange(batch * 3 * 256 * 256, dtype=np.uint64)
    values = ((i * np.uint64(2654435761)) % np.uint64(2 ** 32)).astype(np.float64) / 2.0 ** 32
    return torch.from_numpy(values.astype(np.float32).reshape(batch, 3, 256, 256))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variant", choices=VARIANTS, required=True)
    parser.add_argument("--weights", required=True, help="float32 safetensors with HF MobileViTForImageClassification names")
    parser.add_argument("--logits", help="write the probe input's logits here (float32, [2, 1000])")
    parser.add_argument("--export", help="write torch.onnx.export's graph here (opset 14, dynamic batch)")
    args = parser.parse_args()

    model = MobileViTForImageClassification(args.variant).eval()
    missing, unexpected = model.load_state_dict(read_safetensors(args.weights), strict=False)
    missing = [m for m in missing if not m.endswith("num_batches_tracked")]
    if missing or unexpected:
        raise SystemExit(f"weights do not match the {args.variant} layout: missing {missing[:5]}, unexpected {unexpected[:5]}")

    with torch.no_grad():
        if args.logits:
            model(probe_input()).numpy().astype("<f4").tofile(args.logits)
        if args.export:
            torch.onnx.export(model, probe_input(1), args.export, opset_version=14, input_names=["pixel_values"],
                              output_names=["logits"], dynamic_axes={"pixel_values": {0: "batch_size"}, "logits": {0: "batch_size"}})


if __name__ == "__main__":
    main()
