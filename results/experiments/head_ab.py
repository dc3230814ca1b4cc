"""The language-model head and log-softmax of one evaluation batch (135 rows x 64 answer positions, a third of them padding,
SmolLM2's 49,152-word vocabulary and 576-wide states): on full logits (TRL's `selective_log_softmax`), with `rlhf.lm.chunked_logprobs` (what `head_logprobs` runs)
at several chunk sizes, and with TRL's `ChunkedLogProbFunction` on the same positions. Appends one JSON line to head_ab.jsonl.
    python results/experiments/head_ab.py          # this CPU's precision (bf16 where native)
    python results/experiments/head_ab.py --fp32   # run it under the AVX2 emulation env vars for an ordinary laptop CPU
    python results/experiments/head_ab.py --train  # a DPO step's head instead: 16 rows of 128 positions, 40 of them labelled,
                                                   # forward and backward under autocast, TRL's fused head (compact) against ours"""
import json, platform, sys, time
from pathlib import Path
import torch
from trl.kernels import ChunkedLogProbFunction
from trl.trainer.utils import selective_log_softmax
from rlhf.lm import chunked_logprobs
from rlhf.models import device_policy, set_threads

fp32 = '--fp32' in sys.argv
pol = device_policy(); set_threads(pol)
dt = torch.float32 if fp32 or not pol.bf16 else torch.bfloat16
V, H, B, R = 49152, 576, 135, 64
g = torch.Generator().manual_seed(0)
head = torch.nn.Linear(H, V, bias=False).requires_grad_(False)
head.weight.data = (torch.randn(V, H, generator=g) / 24).to(dt)
h, ids = torch.randn(B, R, H, generator=g).to(dt), torch.randint(0, V, (B, R), generator=g)
mask = torch.ones(B, R); mask[:, 50:] = 0; mask[::3, 25:] = 0
sel = mask.bool()

def timed(fn, reps=3):
    out, ts = None, []
    for _ in range(reps):
        t = time.perf_counter(); out = fn(); ts.append(time.perf_counter() - t)
    return out, [round(x, 2) for x in ts]

if '--train' in sys.argv:  # TRL's fused head, labelled positions only, with its torch fallback and with ours (`compact_logprobs`)
    import trl.trainer.utils as U
    from rlhf.training import _ChunkedHead
    W32 = head.weight.float().requires_grad_(True)
    B, T = 16, 128
    h0, ids = torch.randn(B, T, H, generator=g), torch.randint(0, V, (B, T), generator=g)
    sel = torch.zeros(B, T, dtype=torch.bool); sel[:, 60:100] = True
    res = dict(cpu=platform.processor() or platform.machine(), dtype=str(dt), step='train', positions=int(sel.sum()), seconds={})
    for name, fn in (("TRL ChunkedLogProbFunction", U._ChunkedLogProbFunction), ('chunked_logprobs', _ChunkedHead(U._ChunkedLogProbFunction))):
        def step():
            with torch.autocast('cpu', torch.bfloat16, enabled=dt == torch.bfloat16):
                x = h0.clone().requires_grad_(True)
                lp = fn.apply(x[sel], W32, None, ids[sel], 1.0, 32768, None, 1.0, ('entropy',))[0]
                lp.sum().backward()
        res['seconds'][name] = timed(step)[1]
    print(json.dumps(res, indent=1))
    with open(Path(__file__).with_name('head_ab.jsonl'), 'a') as f: f.write(json.dumps(res) + '\n')
    sys.exit()

res = dict(cpu=platform.processor() or platform.machine(), dtype=str(dt), positions=int(mask.sum()), of=B * R, seconds={}, maxdiff={})
with torch.no_grad():
    ref, res['seconds']['full logits'] = timed(lambda: selective_log_softmax(head(h).float(), ids, 0.7) * mask)
    for mb in (8, 16, 32, 64):
        o, res['seconds'][f'head_logprobs {mb} MB'] = timed(lambda: torch.zeros(B, R).masked_scatter(sel, chunked_logprobs(head, h[sel], ids[sel], V, 0.7, max_bytes=mb << 20)['log_probs']))
        res['maxdiff'][f'head_logprobs {mb} MB'] = (o - ref).abs().max().item()
    trl = lambda: torch.zeros(B, R).masked_scatter(sel, ChunkedLogProbFunction.apply(h[sel], head.weight, None, ids[sel], 0.7, 32768, None, 1.0, ())[0])
    o, res['seconds']['TRL ChunkedLogProbFunction'] = timed(trl)
    res['maxdiff']['TRL ChunkedLogProbFunction'] = (o - ref).abs().max().item()
print(json.dumps(res, indent=1))
with open(Path(__file__).with_name('head_ab.jsonl'), 'a') as f: f.write(json.dumps(res) + '\n')
