"""Decoding with `_one_query_attention` against transformers' SDPA, in one process, alternating: the evaluation's shape (MODEL's
2 answers to each of RUN_DIR's test prompts at T=0.7, at most 64 tokens, states kept at block 22) and PPO's rollout shape (4 answers
to each of 8 training prompts, at most 48 tokens). usage: decode_attention.py RUN_DIR MODEL [REPEATS]. Appends to decode_attention.jsonl.
Run it on a quiet machine; under the AVX2 emulation variables and RLHF_PRECISION=fp32 for an ordinary laptop CPU."""
import contextlib, json, os, subprocess, sys, time
from pathlib import Path
import rlhf.lm as lm
from rlhf.data import load_prompts
from rlhf.eval import EvalSettings, _load_lm, eval_prompts
from rlhf.models import device_policy, precision_name, set_threads

out, label = Path(sys.argv[1]), sys.argv[2]
repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 2
pol = device_policy(); set_threads(pol)
d = EvalSettings().decoding()
model, tok = _load_lm(str(out/'models'/label), None)
shapes = {'eval': ([p for p in eval_prompts(out, 'test') for _ in range(2)], 64, 22),
          'rollout': ([p for p in load_prompts(out/'data'/'prompts_train.json')[:8] for _ in range(4)], 48, None)}
switch = lm._decoding_attention
arms = {'sdpa': lambda m: contextlib.nullcontext(), 'one_query': switch}
res = {f'{s}/{a}': [] for s in shapes for a in arms}
same = {}
for r in range(repeats):
    for s, (prompts, n, cap) in shapes.items():
        got = {}
        for a, ctx in arms.items():
            lm._decoding_attention = ctx
            t = time.time()
            got[a] = lm.sample(model, tok, prompts, n, d.temperature, d.top_p, d.seed, d.system, d.batch_size, capture=cap)
            res[f'{s}/{a}'].append(round(time.time() - t, 2))
        same[s] = sum(x == y for x, y in zip(got['sdpa'].ids, got['one_query'].ids)), len(prompts)
lm._decoding_attention = switch
commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=Path(lm.__file__).parent).stdout.strip()
rec = dict(commit=commit, run=str(out), model=label, precision=precision_name(pol),
           env={k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY',) if k in os.environ}, seconds=res,
           identical_answers={s: f'{a} of {b}' for s, (a, b) in same.items()})
print(json.dumps(rec))
with open(Path(__file__).with_name('decode_attention.jsonl'), 'a') as f: f.write(json.dumps(rec) + '\n')
