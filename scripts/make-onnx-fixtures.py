#!/usr/bin/python3
"""Regenerates test/fixtures/onnx: recurrent models exported by torch.onnx.export, and PyTorch's
own outputs for them (torch.json), which test/onnx-torch.test.ts compares OnnxSession against.

    /usr/bin/python3 scripts/make-onnx-fixtures.py      # Debian's python3-torch and python3-onnx

Covers opsets 9 to 17, with and without dynamic_axes: stacked and bidirectional LSTM with a
Linear + softmax head, a time-major GRU with a per-step head, plain RNNs (tanh, relu), an
Embedding model (int64 token ids), explicit initial states, packed sequences (sequence_lens,
both directions) and a model that exercises the element-wise ops (Tanh, Sigmoid, Mul, Sub, Div,
Relu, Flatten, Gemm, LogSoftmax, Cast, Add). Dynamic models get a second case with another
batch and length. Weights come from torch.manual_seed, so the files are reproducible.
"""
import io
import json
import os
import warnings

import onnx
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

warnings.filterwarnings('ignore')
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx')


class Classifier(torch.nn.Module):
    """LSTM (stacked, bidirectional, batch-first) -> last step -> Linear -> softmax."""

    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(3, 5, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = torch.nn.Linear(10, 4)

    def forward(self, x):
        y, _ = self.rnn(x)
        return torch.softmax(self.fc(y[:, -1]), -1)


class Tagger(torch.nn.Module):
    """GRU (two layers, time-major) -> Linear per step -> log_softmax."""

    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(3, 6, num_layers=2)
        self.fc = torch.nn.Linear(6, 3)

    def forward(self, x):
        y, _ = self.rnn(x)
        return torch.log_softmax(self.fc(y), -1)


class PlainRNN(torch.nn.Module):
    def __init__(self, nonlinearity, bidirectional):
        super().__init__()
        self.rnn = torch.nn.RNN(3, 5, nonlinearity=nonlinearity, batch_first=True, bidirectional=bidirectional)

    def forward(self, x):
        y, h = self.rnn(x)
        return y, h


class Embedded(torch.nn.Module):
    """Embedding (token ids) -> LSTM -> Linear -> sigmoid on every step."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(20, 4)
        self.rnn = torch.nn.LSTM(4, 6, batch_first=True)
        self.fc = torch.nn.Linear(6, 3)

    def forward(self, ids):
        y, _ = self.rnn(self.emb(ids))
        return torch.sigmoid(self.fc(y))


class WithState(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)

    def forward(self, x, h0, c0):
        y, (h, c) = self.rnn(x, (h0, c0))
        return y, h, c


class Packed(torch.nn.Module):
    """pack_padded_sequence -> LSTM/GRU -> pad_packed_sequence: exports as sequence_lens."""

    def __init__(self, cell, bidirectional):
        super().__init__()
        self.rnn = cell(3, 4, batch_first=True, bidirectional=bidirectional)

    def forward(self, x, lengths):
        p = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        y, h = self.rnn(p)
        if isinstance(h, tuple):
            h = h[0]
        y, _ = pad_packed_sequence(y, batch_first=True, total_length=x.shape[1])
        return y, h


class Mix(torch.nn.Module):
    """The element-wise and reshaping ops around a GRU (fixed length 5)."""

    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.GRU(3, 4, batch_first=True)
        self.fc = torch.nn.Linear(4 * 5, 2)

    def forward(self, x):
        y, _ = self.rnn(x)
        a = torch.tanh(y) * torch.sigmoid(y) - y / 2
        b = torch.relu(a).flatten(1)
        return torch.log_softmax(self.fc(b), -1) + x.shape[1]


def tensor_json(t):
    return {'shape': list(t.shape), 'data': t.detach().reshape(-1).tolist(), 'type': str(t.dtype).replace('torch.', '')}


def export(name, model, inputs, input_names, output_names, opset, dynamic, cases):
    model.eval()
    f = io.BytesIO()
    kw = {'dynamic_axes': dynamic} if dynamic else {}
    torch.onnx.export(model, inputs, f, opset_version=opset, input_names=input_names, output_names=output_names, **kw)
    data = f.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data))
    with open(os.path.join(OUT, f'{name}.onnx'), 'wb') as out:
        out.write(data)
    ops = sorted({n.op_type for n in onnx.load_from_string(data).graph.node})
    runs = []
    with torch.no_grad():
        for case in cases:
            result = model(*case)
            result = result if isinstance(result, tuple) else (result,)
            runs.append({
                'inputs': {n: tensor_json(t) for n, t in zip(input_names, case)},
                'outputs': {n: tensor_json(t) for n, t in zip(output_names, result)},
            })
    print(f'{name}: opset {opset}, {"dynamic" if dynamic else "static"}, {len(data)} bytes, ops {", ".join(ops)}')
    return {'file': f'{name}.onnx', 'opset': opset, 'dynamic': bool(dynamic), 'ops': ops, 'runs': runs}


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(7)
    g = torch.Generator().manual_seed(11)
    rand = lambda *s: torch.rand(*s, generator=g) * 2 - 1  # noqa: E731
    fixtures = []

    clf = Classifier()
    for opset in (9, 11, 13, 17):
        for dyn in (False, True):
            d = {'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch'}} if dyn else None
            cases = [(rand(2, 5, 3),)] + ([(rand(3, 7, 3),)] if dyn else [])
            fixtures.append(export(f'lstm_classifier_op{opset}{"_dyn" if dyn else ""}', clf, cases[0], ['x'], ['y'], opset, d, cases))

    tag = Tagger()
    for opset, dyn in ((10, True), (14, False)):
        d = {'x': {0: 'steps', 1: 'batch'}, 'y': {0: 'steps', 1: 'batch'}} if dyn else None
        cases = [(rand(5, 2, 3),)] + ([(rand(8, 1, 3),)] if dyn else [])
        fixtures.append(export(f'gru_tagger_op{opset}{"_dyn" if dyn else ""}', tag, cases[0], ['x'], ['y'], opset, d, cases))

    for nl, bidi, opset, dyn in (('relu', True, 12, True), ('relu', True, 16, False), ('tanh', False, 9, False)):
        m = PlainRNN(nl, bidi)
        d = {'x': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch', 1: 'steps'}, 'h': {1: 'batch'}} if dyn else None
        cases = [(rand(2, 6, 3),)] + ([(rand(4, 3, 3),)] if dyn else [])
        name = f'rnn_{nl}{"_bidi" if bidi else ""}_op{opset}{"_dyn" if dyn else ""}'
        fixtures.append(export(name, m, cases[0], ['x'], ['y', 'h'], opset, d, cases))

    emb = Embedded()
    for opset, dyn in ((11, True), (15, False)):
        d = {'ids': {0: 'batch', 1: 'steps'}, 'y': {0: 'batch', 1: 'steps'}} if dyn else None
        cases = [(torch.randint(0, 20, (2, 6), generator=g),)] + ([(torch.randint(0, 20, (1, 9), generator=g),)] if dyn else [])
        fixtures.append(export(f'embedding_lstm_op{opset}{"_dyn" if dyn else ""}', emb, cases[0], ['ids'], ['y'], opset, d, cases))

    st = WithState()
    d = {'x': {0: 'batch', 1: 'steps'}, 'h0': {1: 'batch'}, 'c0': {1: 'batch'}, 'y': {0: 'batch', 1: 'steps'}}
    cases = [(rand(2, 5, 3), rand(2, 2, 4), rand(2, 2, 4)), (rand(3, 4, 3), rand(2, 3, 4), rand(2, 3, 4))]
    fixtures.append(export('lstm_initial_state_op13_dyn', st, cases[0], ['x', 'h0', 'c0'], ['y', 'h', 'c'], 13, d, cases))

    for cell, bidi, opset in ((torch.nn.LSTM, False, 13), (torch.nn.LSTM, True, 14), (torch.nn.GRU, True, 17)):
        m = Packed(cell, bidi)
        d = {'x': {0: 'batch', 1: 'steps'}, 'lengths': {0: 'batch'}, 'y': {0: 'batch', 1: 'steps'}, 'h': {1: 'batch'}}
        # torch's export of packed sequences bakes the traced batch size into its initial states
        # (onnxruntime rejects another batch size too), so the second case varies the length only.
        cases = [(rand(3, 6, 3), torch.tensor([6, 2, 4])), (rand(3, 4, 3), torch.tensor([1, 4, 3]))]
        name = f'packed_{cell.__name__.lower()}{"_bidi" if bidi else ""}_op{opset}_dyn'
        fixtures.append(export(name, m, cases[0], ['x', 'lengths'], ['y', 'h'], opset, d, cases))

    mix = Mix()
    for opset, dyn in ((9, False), (13, True)):
        d = {'x': {0: 'batch'}, 'y': {0: 'batch'}} if dyn else None
        cases = [(rand(2, 5, 3),)] + ([(rand(4, 5, 3),)] if dyn else [])
        fixtures.append(export(f'mixed_ops_op{opset}{"_dyn" if dyn else ""}', mix, cases[0], ['x'], ['y'], opset, d, cases))

    with open(os.path.join(OUT, 'torch.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'onnx': onnx.__version__, 'fixtures': fixtures}, f)
    print(f'{len(fixtures)} fixtures, torch {torch.__version__}, onnx {onnx.__version__}')


if __name__ == '__main__':
    main()
