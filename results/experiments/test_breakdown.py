"""Where the committed make-run reports' gains come from (a diagnosis: no setting is chosen from it): per model, the share of
answers cut at the length cap (no closing punctuation) and their mean reward against the complete ones', and each model's
gain over the reference by the source of the prompt (which input file it came from).
usage: python results/experiments/test_breakdown.py [RUN ...]   (default: the make-run reports of the dcd6306 and f5bdff5 commits);
appends one JSON line per run to results/experiments/test_breakdown.jsonl"""
import json, sys
from pathlib import Path
import numpy as np
ROOT, LOG = Path(__file__).resolve().parents[2], Path(__file__).resolve().parent
runs = sys.argv[1:] or ['cpu-fp32-xeon', 'cpu-fp32-avx2-xeon', 'cpu-fp32-xeon-f5bdff5', 'cpu-fp32-avx2-xeon-f5bdff5']
files = dict(instructions='instructions.json', preferences='preferences/preferences.json', feedback='feedback.json', prompts='prompts.json')
source = {}
for kind, f in files.items():
    for x in json.loads((ROOT/'example_inputs'/'rlhf'/f).read_text()):
        p = x if isinstance(x, str) else x.get('instruction') or x.get('prompt')
        source.setdefault(p.strip(), kind)
cut = lambda t: not t.rstrip().endswith(('.', '!', '?', ')', '"', '`', '*'))
out = []
for run in runs:
    r = json.loads((ROOT/'results'/'make-run'/run/'report.json').read_text())
    n, ref = len(r['prompts']), r['reference']
    kinds = np.array([source.get(p.strip(), '?') for p in r['prompts']])
    mean = lambda m: np.asarray(r['answer_scores'][m]).reshape(n, -1).mean(1)  # a prompt's answers are consecutive
    rec = dict(run=run, prompts={k: int((kinds == k).sum()) for k in files}, models={})
    for m, texts in r['answers'].items():
        s, c = np.asarray(r['answer_scores'][m]), np.array([cut(t) for t in texts])
        rec['models'][m] = dict(cut=round(c.mean(), 3), reward_cut=round(s[c].mean(), 3), reward_complete=round(s[~c].mean(), 3),
                                gain_by_source={k: round(float((mean(m) - mean(ref))[kinds == k].mean()), 3) for k in files} if m != ref else None)
    out.append(rec)
    print(json.dumps(rec))
with open(LOG/'test_breakdown.jsonl', 'a') as f:
    for rec in out: f.write(json.dumps(rec) + '\n')
