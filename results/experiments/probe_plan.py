"""The plan's probe against a finished run: `probe` three times in one process, decoding alone at the old probe's shape
(16 rows x 16 tokens) and at 32 x 32, then `plan_stages` on the run's data with each probe's rates, as a ratio of planned to
taken seconds per stage (the run's manifest). usage: python results/experiments/probe_plan.py RUN_DIR  (on a quiet machine).
Appends a line to probe_plan.jsonl."""
import json, sys, time
from pathlib import Path
from rlhf.lm import sample
from rlhf.models import device_policy, load_model, load_tokenizer, precision_name
from rlhf.perf import Work, probe
from rlhf.pipeline import load_settings, plan_stages

run = Path(sys.argv[1])
S = load_settings(Path(__file__).parents[2]/'settings.ini')
taken = json.loads((run/'manifest.json').read_text())['stages']['plan']['taken_s']
m, t = load_model(S['pipeline'].model_name), load_tokenizer(S['pipeline'].model_name)
out = dict(run=str(run), precision=precision_name(device_policy()), probes=[], decode={})
prompts = [f'Write about the number {i} in one sentence.' for i in range(32)]
for rows, new in [(16, 16), (32, 32)]:
    sample(m, t, prompts[:1], new, 1.0, seed=0, batch_size=1)
    with Work() as w: sample(m, t, prompts[:rows], new, 1.0, seed=0, batch_size=rows)
    out['decode'][f'{rows}x{new}'] = round(w.flops / w.seconds / 1e9)
for _ in range(3):
    s = time.time(); r = probe(m, t)
    plan = plan_stages(S, list(taken), m, t, r, run/'data')
    out['probes'].append(dict(seconds=round(time.time() - s, 1), train=round(r.train / 1e9), score=round(r.score / 1e9), decode=round(r.decode / 1e9),
                              planned_over_taken={k: round(plan[k] / taken[k], 2) for k in taken}, total=round(sum(plan.values()) / sum(taken.values()), 2)))
    print(out['probes'][-1], flush=True)
print(out['decode'])
with open(Path(__file__).with_name('probe_plan.jsonl'), 'a') as f: f.write(json.dumps(out) + '\n')
