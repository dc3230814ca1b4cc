"""Train PPO/GRPO on a base run (SFT + reward model) and evaluate the policy on the dev prompts every N iterations:
gain in reward-model score over the SFT model's answers (cached), wins, sign/Wilcoxon p, KL (k1 on the policy's answers).
usage: frontier.py BASE NAME EVERY [section.key=value ...]   (section: ppo or grpo)"""
import json, sys, time, copy
from pathlib import Path
import numpy as np, torch
ROOT = Path(__file__).resolve().parents[2]
LOG = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from rlhf.pipeline import load_settings
from rlhf.data import load_prompts
from rlhf.reward import RewardModel
from rlhf.models import load_model, load_tokenizer, device_policy
from rlhf.lm import sample, trunk_depth, blocks_of
from rlhf.eval import reference_logprobs
from rlhf.stats import paired_comparison, kl_estimate
from rlhf.ppo import train_ppo, make_reward
base, name, every, *sets = sys.argv[1:]
every = int(every)
stage = sets[0].split('.')[0] if sets else 'ppo'
S = load_settings(None, overrides=sets)
s = S[stage]
base = Path(base); out = Path('/tmp/front')/name
dev = load_prompts(base/'data'/'prompts_dev.json')
tok = load_tokenizer(str(base/'models'/'sft'))
pol = device_policy()
rm = RewardModel.load(base/'models'/'reward')
sft = load_model(str(base/'models'/'sft')).eval()
K, T = 2, 0.7
flat = [p for p in dev for _ in range(K)]
cache = base/f'sft_dev_scores_{K}.json'
if cache.exists(): sft_scores = json.loads(cache.read_text())
else:
    a = sample(sft, tok, flat, 64, T, seed=0, batch_size=64, capture=min(trunk_depth(sft, rm.model), 29))
    sft_scores = rm.score_samples(a, sft); cache.write_text(json.dumps(sft_scores))
sp = np.reshape(sft_scores, (len(dev), K)).mean(1)
log = []
def cb(step, policy, metrics):
    if step % every and step != s.max_steps: return
    t = time.time()
    with torch.random.fork_rng():
        a = sample(policy, tok, flat, 64, T, seed=0, batch_size=64, capture=min(trunk_depth(policy, rm.model), 29))
        sc = rm.score_samples(a, policy)
        lr = reference_logprobs(sft, a, T, 64, policy)
    kl = kl_estimate([sum(x) for x in a.logprobs], lr)['kl']
    pc = paired_comparison(np.reshape(sc, (len(dev), K)).mean(1), sp)
    rec = dict(name=name, step=step, gain=round(pc['gain'], 3), lo=round(pc['gain_low'], 3), hi=round(pc['gain_high'], 3), W=pc['wins'], L=pc['losses'],
               p_sign=round(pc['p_sign'], 4), p_wil=round(pc['p_wilcoxon'], 4), kl=round(kl, 2), words=round(float(np.mean([len(x.split()) for x in a.texts])), 1),
               train_score=round(metrics['objective/scores'], 3), sec=round(time.time() - t, 1), sets=sets)
    print(json.dumps(rec), flush=True)
    with open(LOG/'frontier.jsonl', 'a') as f: f.write(json.dumps(rec) + '\n')
reward = make_reward(s.reward, rm)
t0 = time.time()
res = train_ppo(s, str(base/'models'/'sft'), reward, load_prompts(base/'data'/'prompts_train.json'), out, callback=cb, stage=stage)
print('done', round(time.time() - t0), 's')
