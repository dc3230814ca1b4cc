"""Decoding with and without MKL's packed GEMM (`rlhf.lm._packed_linears`), alternating in one process on a run's models:
PPO's rollout shape (8 training prompts x 4 answers, 48 tokens, one batch) and the evaluation's (the test prompts x 2 answers,
64 tokens, eval.batch_size). usage: python results/experiments/packed_ab.py RUN_DIR [REPS]  (on a quiet machine; under the AVX2
emulation variables and RLHF_PRECISION=fp32 for an ordinary laptop CPU). The policy's bottom blocks are frozen and served by
`frozen_casts`, as in PPO (its top `ppo.train_layers` train). Appends a line to packed_ab.jsonl."""
import json, os, sys, time
from pathlib import Path
import rlhf.lm as L
from rlhf.data import load_prompts
from rlhf.eval import EvalSettings
from rlhf.lm import blocks_of, frozen_casts
from rlhf.ppo import PPOSettings
from rlhf.models import device_policy, load_model, load_tokenizer, precision_name, set_threads

run, reps = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2
pol = device_policy(); set_threads(pol)
tok = load_tokenizer(run/'models'/'sft')
policy = load_model(run/'models'/('ppo' if (run/'models'/'ppo').exists() else 'sft'), dtype=pol.dtype)
policy.requires_grad_(False)
for b in blocks_of(policy)[-PPOSettings().train_layers:]: b.requires_grad_(True)  # PPO's trained top
e = EvalSettings()
shapes = {'ppo rollout (32 rows, 48 tokens)': ([p for p in load_prompts(run/'data'/'prompts_train.json')[:8] for _ in range(4)], 48, 32),
          'evaluation (135 prompts x 2, 64 tokens)': ([p for p in load_prompts(run/'data'/'prompts_test.json') for _ in range(e.samples)], e.max_new_tokens, e.batch_size)}
packs = L._mkl_packs
L.sample(policy, tok, ['Hi'], 4, 0.7)  # warm-up
res = {}
for name, (prompts, n, bs) in shapes.items():
    for rep in range(reps):
        for arm in ('plain', 'packed'):
            L._mkl_packs = packs if arm == 'packed' else (lambda: False)
            with frozen_casts(policy):
                t = time.perf_counter(); a = L.sample(policy, tok, prompts, n, 0.7, seed=0, batch_size=bs); dt = time.perf_counter() - t
            r = res.setdefault(name, {}).setdefault(arm, {'s': [], 'ids': a.ids})
            r['s'].append(round(dt, 2))
            print(f'{name} {arm}: {dt:.2f} s, {sum(map(len, a.ids))} tokens', flush=True)
L._mkl_packs = packs
out = {k: {'plain_s': v['plain']['s'], 'packed_s': v['packed']['s'], 'same_answers': sum(x == y for x, y in zip(v['plain']['ids'], v['packed']['ids'])),
           'answers': len(v['plain']['ids'])} for k, v in res.items()}
import subprocess
commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=Path(L.__file__).parent).stdout.strip()
rec = dict(code=commit, run=str(run), precision=precision_name(pol), env={k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY',) if k in os.environ}, shapes=out)
print(json.dumps(rec))
with open(Path(__file__).with_name('packed_ab.jsonl'), 'a') as f: f.write(json.dumps(rec) + '\n')
