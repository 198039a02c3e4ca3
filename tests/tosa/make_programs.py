"""Writes tests/tosa/torch_*.mlir: TOSA programs of small real networks,
exported from PyTorch (seeded random weights) by torch-mlir's TOSA output.
tests/suite/tosa.rs converts each and compares it with MLIR's own TOSA lowering.

Not run by CI (torch is a large install); the programs are committed. Pinned:
    python -m venv /tmp/tm && /tmp/tm/bin/pip install -r tests/tosa/requirements.txt
    /tmp/tm/bin/python tests/tosa/make_programs.py
"""
import pathlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch_mlir import fx
from torch_mlir.compiler_utils import OutputType

OUT = pathlib.Path(__file__).resolve().parent


class SmallCnn(nn.Module):
    """conv, batch norm, ReLU, max pooling, a linear head."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.fc = nn.Linear(8 * 4 * 4, 10)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.max_pool2d(y, 2)
        y = F.relu(self.conv2(y))
        return self.fc(y.flatten(1))


class ResidualBlock(nn.Module):
    """ResNet basic blocks (one with a strided 1x1 shortcut), global average pooling."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1, bias=False)
        self.bn0 = nn.BatchNorm2d(8)
        self.a1, self.b1 = nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.a2, self.b2 = nn.Conv2d(8, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.c1, self.d1 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16)
        self.c2, self.d2 = nn.Conv2d(16, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)
        self.short = nn.Conv2d(8, 16, 1, stride=2, bias=False)
        self.fc = nn.Linear(16, 5)

    def forward(self, x):
        x = F.relu(self.bn0(self.stem(x)))
        y = F.relu(self.b1(self.a1(x)))
        x = F.relu(x + self.b2(self.a2(y)))
        y = F.relu(self.d1(self.c1(x)))
        x = F.relu(self.short(x) + self.d2(self.c2(y)))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


class InvertedResidual(nn.Module):
    """MobileNetV2-style: expand 1x1, depthwise 3x3, ReLU6, project, residual; hardswish."""

    def __init__(self):
        super().__init__()
        self.expand = nn.Conv2d(8, 24, 1)
        self.dw = nn.Conv2d(24, 24, 3, padding=1, groups=24)
        self.project = nn.Conv2d(24, 8, 1)
        self.dw2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8)

    def forward(self, x):
        y = F.relu6(self.expand(x))
        y = F.relu6(self.dw(y))
        y = x + self.project(y)
        return F.hardswish(self.dw2(y))


class EncoderLayer(nn.Module):
    """A transformer encoder layer: multi-head attention, layer norms, GELU MLP."""

    def __init__(self, d=16, heads=2):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        split = lambda z: z.reshape(b, t, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(q), split(k), split(v)
        att = torch.softmax(q @ k.transpose(-1, -2) / (d // self.heads) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Decoder(nn.Module):
    """A segmentation-style decoder: transposed convolution, concat, bilinear upsampling, sigmoid."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(8, 4, 2, stride=2)
        self.conv = nn.Conv2d(8, 4, 3, padding=1)
        self.head = nn.Conv2d(4, 2, 1)

    def forward(self, x, skip):
        y = torch.cat([F.relu(self.up(x)), skip], dim=1)
        y = F.relu(self.conv(y))
        # (nearest upsampling has no TOSA lowering in torch-mlir)
        y = F.interpolate(y, scale_factor=2, mode="bilinear", align_corners=False)
        return torch.sigmoid(self.head(y))


NETS = [
    ("torch_small_cnn", SmallCnn, [(1, 3, 16, 16)]),
    ("torch_resnet_blocks", ResidualBlock, [(1, 3, 8, 8)]),
    ("torch_inverted_residual", InvertedResidual, [(1, 8, 8, 8)]),
    ("torch_encoder_layer", EncoderLayer, [(2, 5, 16)]),
    ("torch_decoder", Decoder, [(1, 8, 4, 4), (1, 4, 8, 8)]),
]


def main():
    for name, cls, shapes in NETS:
        torch.manual_seed(0)
        net = cls().eval()
        # Non-trivial batch-norm statistics, so folding them is tested.
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
        args = [torch.randn(*s) for s in shapes]
        module = fx.export_and_import(net, *args, output_type=OutputType.TOSA, func_name=name)
        text = f"// {cls.__doc__}\n// Exported by torch-mlir from PyTorch; weights seeded (tests/tosa/make_programs.py).\n"
        (OUT / f"{name}.mlir").write_text(text + str(module))
        print(f"wrote {name}.mlir")


if __name__ == "__main__":
    main()
