"""Where one model's evaluation time goes: `python results/experiments/eval_parts.py RUN_DIR MODEL [N_PROMPTS]`.
On RUN_DIR's test prompts, MODEL (sft, ppo, dpo, kto) answers as the eval stage has it answer (its decoding, 2 answers per prompt,
the states kept at the block it shares with SFT, the reward model and the judge); then, each timed apart: the KL pass (SFT's
log-probabilities of those answers from the kept states), the reward model's scores and the judge's. Appends a line to
eval_parts.jsonl. `PYTHONPATH=OLD_CHECKOUT` times an older commit's code. Run it on a quiet machine; under the AVX2 emulation variables and RLHF_PRECISION=fp32 for an ordinary laptop CPU."""
import json, os, subprocess, sys, time
from pathlib import Path
from rlhf.eval import EvalSettings, _load_lm, eval_prompts, reference_logprobs
from rlhf.lm import blocks_of, sample, trunk_depth
from rlhf.models import device_policy, precision_name, set_threads
from rlhf.reward import RewardModel

out, label = Path(sys.argv[1]), sys.argv[2]
pol = device_policy(); set_threads(pol)
s = EvalSettings(); d = s.decoding()
prompts = eval_prompts(out, 'test')[:int(sys.argv[3]) if len(sys.argv) > 3 else None]
ref, tok = _load_lm(str(out/'models'/'sft'), None)
model = ref if label == 'sft' else _load_lm(str(out/'models'/label), None)[0]
rm, judge = RewardModel.load(out/'models'/'reward'), RewardModel.load(out/'models'/'judge')
for r in (rm, judge): r.model.to(pol.dtype)
depth = min(trunk_depth(model, ref), trunk_depth(model, rm.model), trunk_depth(model, judge.model), len(blocks_of(model)) - 1)
T = {}
t = time.time()
a = sample(model, tok, [p for p in prompts for _ in range(s.samples)], d.max_new_tokens, d.temperature, d.top_p, d.seed, d.system,
           d.batch_size, capture=depth or None)
T['answers'] = time.time() - t
if label != 'sft':
    t = time.time(); reference_logprobs(ref, a, d.temperature, d.batch_size, model); T['kl'] = time.time() - t
t = time.time(); rm.score_samples(a, model, d.batch_size); T['reward_model'] = time.time() - t
t = time.time(); judge.score_samples(a, model, d.batch_size); T['judge'] = time.time() - t
import rlhf  # the commit of the rlhf imported (PYTHONPATH=an older checkout times that one)
commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=Path(rlhf.__file__).parent).stdout.strip()
res = dict(commit=commit, run=str(out), model=label, precision=precision_name(pol), env={k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY',) if k in os.environ},
           rows=len(a), tokens=sum(map(len, a.ids)), depth=depth, seconds={k: round(v, 2) for k, v in T.items()})
print(json.dumps(res))
with open(Path(__file__).with_name('eval_parts.jsonl'), 'a') as f: f.write(json.dumps(res) + '\n')
