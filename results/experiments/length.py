"""The reward model's accuracy on the dev and test pairs, overall and where the chosen answer is the shorter, before and after a
length-residualised score (ODIN-like: the score minus its regression on word count, fitted on the training pairs' answers).
usage: length.py RUN_DIR"""
import json, sys, numpy as np
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from rlhf.reward import RewardModel
from rlhf.data import load_preference_data
from rlhf.stats import wilson_interval
base = sys.argv[1]
rm = RewardModel.load(f'{base}/models/reward')
def scored(split):
    P = load_preference_data(f'{base}/data/preferences_{split}.json')
    p = [r['prompt'] for r in P]
    c, r = np.array(rm.score(p, [x['chosen'] for x in P])), np.array(rm.score(p, [x['rejected'] for x in P]))
    lc, lr = np.array([len(x['chosen'].split()) for x in P]), np.array([len(x['rejected'].split()) for x in P])
    return c, r, lc, lr
D = {s: scored(s) for s in ('train', 'dev', 'test')}
c, r, lc, lr = D['train']
s_all, l_all = np.concatenate([c, r]), np.concatenate([lc, lr])
lam_odin = np.cov(s_all, l_all)[0, 1] / l_all.var()  # regression of score on words over the training answers
def acc(split, lam):
    c, r, lc, lr = D[split]
    w = (c - lam * lc) > (r - lam * lr)
    short = lc < lr
    return w.mean(), w[short].mean(), short.sum(), w.sum(), w[short].sum(), len(w)
print('lambda (residualised on train answers):', round(lam_odin, 4))
for split in ('dev', 'test'):
    for name, lam in (('none', 0.0), ('residualised', lam_odin)):
        a, s, n, k, ks, N = acc(split, lam)
        lo, hi = wilson_interval(k, N); slo, shi = wilson_interval(ks, n)
        print(f'{split:5s} {name:13s} accuracy {a:.3f} [{lo:.3f}, {hi:.3f}] (n {N}); chosen shorter {s:.3f} [{slo:.3f}, {shi:.3f}] (n {n})')
