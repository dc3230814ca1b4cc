"""The decoding changes of 2026-12-03, each against what it replaced, in one process: `decode_ab.py RUN_DIR [--fp32]`.

On RUN_DIR's SFT model and training prompts (nothing here is evaluated, only timed), the minimum wall time of 3 repeats of:
  casts    PPO's rollout shape (8 prompts x 4 answers, 48 tokens, T 0.7): fp32 weights, top 4 blocks trainable, under bf16
           autocast, with and without `frozen_casts` (bf16 only: without autocast there is no cast);
  draw     128 and 32 rows x 64 tokens in the inference precision: the old draw (full log-softmax, fresh tensors) and
           `DynamicCache` / the new draw and `DynamicCache` / the new draw and the roomy cache;
  batches  135 prompts x 2 answers, the evaluation's shape: the old fixed chunks of 128 / balanced at 128 / balanced at 160.
Appends one JSON line to decode_ab.jsonl beside this file. About 6 minutes in bf16 and 8 in fp32 on 2 cores; run nothing else.
"""
import contextlib, json, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import torch
from transformers import DynamicCache
import rlhf.lm as L
from rlhf.data import load_prompts
from rlhf.models import device_policy, load_model, load_tokenizer, precision_name
from rlhf.training import freeze_below

run, fp32 = Path(sys.argv[1]), '--fp32' in sys.argv
if fp32: import os; os.environ['RLHF_PRECISION'] = 'fp32'
pol = device_policy()
sft, tok = str(run/'models'/'sft'), load_tokenizer(str(run/'models'/'sft'))
prompts = load_prompts(run/'data'/'prompts_train.json')


def old_draw(logits, temperature, top_p, uniform):
    "The draw before: a full log-softmax, then exp and cumsum, each a fresh (B, V) tensor."
    logp = (logits / (temperature or 1.0)).log_softmax(-1)
    if not temperature: nxt = logits.argmax(-1)
    else:
        probs = logp.exp() if top_p >= 1 else L._nucleus(logp.exp(), top_p)
        cdf = probs.cumsum(-1)
        nxt = torch.searchsorted(cdf, uniform[:, None] * cdf[:, -1:]).clamp(max=cdf.shape[1] - 1).squeeze(-1)
    return nxt, logp.gather(-1, nxt[:, None]).squeeze(-1)

def old_batches(lengths, batch_size):
    "The batches before: fixed chunks of `batch_size` by increasing length."
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]

new = dict(draw=L._draw, cache=L._roomy_cache, batches=L.length_batches)
plain_cache = lambda model, room: DynamicCache(config=model.config)

def best(fn, n=3):
    ts = []
    for _ in range(n):
        t = time.time(); fn(); ts.append(time.time() - t)
    return round(min(ts), 2)

def with_parts(draw, cache, batches, fn):
    L._draw, L._roomy_cache, L.length_batches = draw, cache, batches
    try: return fn()
    finally: L._draw, L._roomy_cache, L.length_batches = new['draw'], new['cache'], new['batches']

out = dict(precision=precision_name(pol), threads=torch.get_num_threads(), run=str(run))
if pol.bf16:
    m = freeze_below(load_model(sft, device='cpu'), 4).eval()
    rows = [p for p in prompts[:8] for _ in range(4)]
    def rollout():
        with torch.autocast('cpu', torch.bfloat16): L.sample(m, tok, rows, 48, 0.7, seed=0, batch_size=len(rows))
    rollout()
    out['casts'] = {'autocast recasts': best(rollout)}
    with L.frozen_casts(m): out['casts']['frozen_casts'] = best(rollout)
    print(out['casts'], flush=True)
    del m
m = load_model(sft, device='cpu', dtype=pol.dtype).eval()
L.sample(m, tok, prompts[:8], 8, 0.7)  # warm-up
out['draw'] = {}
for n in (128, 32):
    rows = [p for p in prompts[:n // 2] for _ in range(2)]
    go = lambda: L.sample(m, tok, rows, 64, 0.7, seed=0, batch_size=n)
    out['draw'][f'{n} rows'] = {'old draw, concatenating cache': best(lambda: with_parts(old_draw, plain_cache, new['batches'], go)),
                                'new draw, concatenating cache': best(lambda: with_parts(new['draw'], plain_cache, new['batches'], go)),
                                'new draw, roomy cache': best(go)}
    print(n, out['draw'][f'{n} rows'], flush=True)
rows = [p for p in prompts[:135] for _ in range(2)]
go = lambda bs: (lambda: L.sample(m, tok, rows, 64, 0.7, seed=0, batch_size=bs))
out['batches'] = {'chunks of 128': best(lambda: with_parts(new['draw'], new['cache'], old_batches, go(128)), 2),
                  'balanced, at most 128': best(go(128), 2), 'balanced, at most 160': best(go(160), 2)}
print(out['batches'], flush=True)
with open(Path(__file__).resolve().parent/'decode_ab.jsonl', 'a') as f: f.write(json.dumps(out) + '\n')
