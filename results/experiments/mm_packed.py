"""fp32 products of SmolLM2's shapes as a decoding step makes them: `F.linear` (MKL's x @ W.T) against MKL's packed GEMM
(`torch.ops.mkl._mkl_linear` on a weight reordered once, what `rlhf.lm._packed_linears` uses), for several row counts.
usage: python results/experiments/mm_packed.py [ROWS,...] [HINTS,...]   (defaults 8,32,64,135 and 1,128,4096: the row count each
pack is made for, `_mkl_reorder_linear_weight`'s batch_size; run on a quiet machine; under the AVX2
emulation variables for an ordinary laptop CPU). Each timing is the mean over 40 distinct weights (4 for the head), so they
come from memory as in a decoding step, not from the cache. Appends a line to mm_packed.jsonl."""
import json, os, sys, time
from pathlib import Path
import torch, torch.nn.functional as F
torch.set_num_threads(min(2, os.cpu_count()))
H, I, V = 576, 1536, 49152  # SmolLM2-135M: hidden, MLP, vocabulary
SHAPES = {'up (576 -> 1536)': (I, H), 'down (1536 -> 576)': (H, I), 'q (576 -> 576)': (H, H), 'head (576 -> 49152)': (V, H)}
rows = [int(r) for r in (sys.argv[1] if len(sys.argv) > 1 else '8,32,64,135').split(',')]
hints = [int(h) for h in (sys.argv[2] if len(sys.argv) > 2 else '1,128,4096').split(',')]

def per_call(fn, n_w, reps=5):
    for k in range(n_w): fn(k)  # warm-up
    t = time.perf_counter()
    for _ in range(reps):
        for k in range(n_w): fn(k)
    return (time.perf_counter() - t) / reps / n_w * 1e3

res = []
for name, (o, i) in SHAPES.items():
    n_w = 4 if o == V else 40
    Ws = [torch.randn(o, i) for _ in range(n_w)]
    P = {h: [torch.ops.mkl._mkl_reorder_linear_weight(w, h) for w in Ws] for h in hints}
    for M in rows:
        x = torch.randn(M, i)
        lin = per_call(lambda k: F.linear(x, Ws[k]), n_w)
        packed = {}
        for h in hints:
            assert torch.allclose(F.linear(x, Ws[0]), torch.ops.mkl._mkl_linear(x, P[h][0], Ws[0], None, M), atol=1e-3)
            packed[h] = per_call(lambda k: torch.ops.mkl._mkl_linear(x, P[h][k], Ws[k], None, M), n_w)
        res.append(dict(shape=name, rows=M, linear_ms=round(lin, 3), packed_ms={h: round(v, 3) for h, v in packed.items()}))
        print(f'{name:20s} {M:4d} rows: F.linear {lin:7.3f} ms, packed for ' + ', '.join(f'{h}: {v:7.3f} ms ({lin / v:.2f}x)' for h, v in packed.items()))
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?') if os.path.exists('/proc/cpuinfo') else '?'
rec = dict(cpu=cpu, capability=torch.backends.cpu.get_cpu_capability(), env={k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY', 'MKL_ENABLE_INSTRUCTIONS') if k in os.environ},
           torch=torch.__version__, results=res)
with open(Path(__file__).with_name('mm_packed.jsonl'), 'a') as f: f.write(json.dumps(rec) + '\n')
