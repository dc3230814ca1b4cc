"""How much the reference's extra answers cut the noise of the tests (`eval.reference_samples`): the policies of a run answer the
dev prompts twice at generation seeds 0 and 1 (two independent draws); each seed's models are then compared per prompt with SFT's
2 answers of the same seed, and with SFT's 4 answers of both seeds. Prints and appends one JSON line per (seed, model) to
reference_answers.jsonl: the SD of the per-prompt differences, the gain, W/L and both tests' p.
usage: reference_answers.py RUN_DIR"""
import json, sys
from pathlib import Path
import numpy as np
from scipy import stats
ROOT = Path(__file__).resolve().parents[2]  # the repository
sys.path.insert(0, str(ROOT))
from rlhf.eval import EvalSettings, write_report
run = Path(sys.argv[1])
scores = {}
for seed in (0, 1):
    write_report(run, EvalSettings(split='dev', samples=2, reference_samples=2, seed=seed, examples=0))
    rep = json.loads((run/'reports'/'report.json').read_text())
    scores[seed] = {m: np.reshape(v, (rep['n_prompts'], -1)) for m, v in rep['answer_scores'].items()}
sft4 = np.concatenate([scores[0]['sft'], scores[1]['sft']], 1).mean(1)
for seed, sc in scores.items():
    for m in sc:
        if m == 'sft': continue
        rec = dict(run=str(run), seed=seed, model=m)
        for name, ref in (('sft2', sc['sft'].mean(1)), ('sft4', sft4)):
            d = sc[m].mean(1) - ref
            w, l = int((d > 0).sum()), int((d < 0).sum())
            rec[name] = dict(sd=round(float(d.std(ddof=1)), 3), gain=round(float(d.mean()), 3), wins=w, losses=l,
                             p_sign=float(stats.binomtest(w, w + l).pvalue), p_wilcoxon=float(stats.wilcoxon(d).pvalue))
        print(json.dumps(rec))
        with open(Path(__file__).parent/'reference_answers.jsonl', 'a') as f: f.write(json.dumps(rec) + '\n')
