# A wasm-lstm model file (.safetensors, docs/model-format.md) from a PyTorch nn.LSTM + nn.Linear,
# readable by `await Sequential.load(bytes)`. Needs only torch (the file is written by hand).
# Usage: python3 scripts/torch_to_wasm_lstm.py OUT.safetensors
import json, struct, sys
import torch
from torch import nn


def write_model(path, lstm: nn.LSTM, fc: nn.Linear, return_sequences=False):
    """return_sequences=False: fc reads the top layer's last h (PyTorch: h_n[-1]; bidirectional: cat(h_n[-2], h_n[-1]))."""
    assert lstm.batch_first and lstm.proj_size == 0, "wasm-lstm is batch-first and has no projections"
    cfg = {"inputSize": lstm.input_size, "hiddenSize": lstm.hidden_size, "numLayers": lstm.num_layers,
           "bidirectional": lstm.bidirectional, "returnSequences": return_sequences}
    arch = [{"kind": "LSTM", "config": cfg},
            {"kind": "Dense", "config": {"inputSize": fc.in_features, "outputSize": fc.out_features, "activation": "linear"}}]
    tensors = {**{f"layers.0.{k}": v for k, v in lstm.state_dict().items()}, **{f"layers.1.{k}": v for k, v in fc.state_dict().items()}}
    header = {"__metadata__": {"format": "wasm-lstm/1", "architecture": json.dumps(arch), "compile": "null"}}
    blobs, at = [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()  # F32, little-endian
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)  # pad the header to 8 bytes (the format allows trailing spaces)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    torch.manual_seed(0)
    write_model(sys.argv[1], nn.LSTM(3, 16, num_layers=2, batch_first=True), nn.Linear(16, 1))
