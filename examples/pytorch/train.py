"""The PyTorch side of deploying a PyTorch-trained model with wasm-lstm.

Trains a next-value forecaster on noisy sums of two sines (generated here, seeded): a 2-layer
nn.LSTM (batch_first, hidden 32) reading 50 steps, then nn.Linear(32, 1) on the last step's
output. Saves, with no dependency beyond torch:

  model.safetensors      the state_dict (lstm.weight_ih_l0 ..., head.weight, head.bias), F32
  reference.safetensors  64 held-out inputs x [64, 50, 1] and this model's predictions y [64, 1],
                         which deploy.mjs compares with wasm-lstm's

    /usr/bin/python3 examples/pytorch/train.py [--out DIR] [--steps N]

safetensors is written by hand (an 8-byte little-endian header length, a JSON header, the raw
little-endian bytes), the format `safetensors.torch.save_file` writes, so the pip package is not needed.
"""
import argparse
import json
import math
import struct
from pathlib import Path

import torch
from torch import nn

T, HIDDEN, LAYERS = 50, 32, 2


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=HIDDEN, num_layers=LAYERS, batch_first=True)
        self.head = nn.Linear(HIDDEN, 1)

    def forward(self, x):  # x [B, T, 1] -> [B, 1]
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


def sines(n, generator):
    """x [n, T, 1]: a + b with random frequencies and phases, plus noise; y [n, 1]: the next value."""
    t = torch.arange(T + 1, dtype=torch.float32)
    f = torch.rand(n, 2, generator=generator) * 0.25 + 0.05
    p = torch.rand(n, 2, generator=generator) * 2 * math.pi
    s = 0.5 * torch.sin(f[:, :1] * t + p[:, :1]) + 0.5 * torch.sin(f[:, 1:] * t + p[:, 1:])
    s = s + 0.02 * torch.randn(n, T + 1, generator=generator)
    return s[:, :T, None], s[:, T:]


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, tensor in tensors.items():
        data = tensor.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(tensor.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)  # the header is padded with spaces to a multiple of 8
    Path(path).write_bytes(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', default=str(Path(__file__).parent))
    parser.add_argument('--steps', type=int, default=400)  # CI runs 60: the check is the export, not the fit
    args = parser.parse_args()
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = Forecaster()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for step in range(args.steps):
        x, y = sines(64, g)
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    model.eval()
    x, y = sines(64, g)
    with torch.no_grad():
        pred = model(x)
    rmse = torch.sqrt(nn.functional.mse_loss(pred, y)).item()
    naive = torch.sqrt(nn.functional.mse_loss(x[:, -1], y)).item()
    out = Path(args.out)
    save_safetensors(out / 'model.safetensors', model.state_dict())
    save_safetensors(out / 'reference.safetensors', {'x': x, 'y': pred, 'target': y})
    print(json.dumps({'torch': torch.__version__, 'steps': args.steps, 'rmse': rmse, 'naiveRmse': naive,
                      'parameters': sorted(model.state_dict().keys())}))


if __name__ == '__main__':
    main()
