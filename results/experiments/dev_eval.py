"""Evaluate the policies of a run directory on the dev split (no base model) and print/append one JSON line per model
(with the held-out judge's gain, W/L and p-values where the run has one: models/judge).
usage: dev_eval.py RUN_DIR TAG [samples] [--fp32]"""
import json, os, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]  # the repository
LOG = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
run, tag = sys.argv[1], sys.argv[2]
k = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3].isdigit() else 2
from rlhf.eval import EvalSettings, write_report
from rlhf.perf import Work
t = time.time()
judges = 'judge' if Path(run, 'models', 'judge', 'config.json').exists() else ''
with Work() as w: rows = write_report(run, EvalSettings(split='dev', samples=k, examples=0, judges=judges))
print(f'dev eval {time.time() - t:.0f}s {w.flops/1e12:.1f} TFLOP')
rep = json.load(open(f'{run}/reports/report.json'))
for r in rows:
    if r['model'] == 'sft': continue
    rec = dict(tag=tag, model=r['model'], samples=k, **{x: r.get(x) for x in ('gain', 'gain_low', 'gain_high', 'wins', 'ties', 'losses', 'p_sign', 'p_wilcoxon', 'kl', 'words', 'reward')})
    rec['sft_words'] = next(x['words'] for x in rows if x['model'] == 'sft')
    if judges: rec['judge'] = {x: rep['judges']['judge']['results'][r['model']][x] for x in ('gain', 'wins', 'losses', 'p_sign', 'p_wilcoxon')}
    print(json.dumps(rec))
    with open(LOG/'dev.jsonl', 'a') as f: f.write(json.dumps(rec) + '\n')
