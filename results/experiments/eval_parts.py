"""Where one model's evaluation time goes: `python results/experiments/eval_parts.py RUN_DIR MODEL [N_PROMPTS [BATCH_SIZE]]`.
On RUN_DIR's test prompts, MODEL (base, sft, ppo, dpo, kto) answers as the eval stage has it answer (its decoding, 2 answers per
prompt, 1 for the base model; the states kept at the block it shares with SFT, the reward model and the judge); then, each timed
apart: the KL pass (SFT's log-probabilities of those answers from the kept states), the reward model's scores and the judge's. The
base model shares no block with them, so its answers are also scored the way the eval stage scores them since 2026-12-04: the
states of the reward model's bottom blocks in one pass (`keep_states`), then both judges' top blocks from them. Appends a line to
eval_parts.jsonl. `PYTHONPATH=OLD_CHECKOUT` times an older commit's code. Run it on a quiet machine; under the AVX2 emulation variables and RLHF_PRECISION=fp32 for an ordinary laptop CPU."""
import json, os, subprocess, sys, time
from pathlib import Path
from rlhf.eval import EvalSettings, _load_lm, eval_prompts, reference_logprobs
from rlhf.lm import blocks_of, sample, scoring_suffix, trunk_depth
from rlhf.models import device_policy, precision_name, set_threads
from rlhf.reward import RewardModel

out, label = Path(sys.argv[1]), sys.argv[2]
pol = device_policy(); set_threads(pol)
s = EvalSettings(**({'batch_size': int(sys.argv[4])} if len(sys.argv) > 4 else {})); d = s.decoding()
prompts = eval_prompts(out, 'test')[:int(sys.argv[3]) if len(sys.argv) > 3 and int(sys.argv[3]) else None]
ref, tok = _load_lm(str(out/'models'/'sft'), None)
model = ref if label == 'sft' else _load_lm('smollm2-135m' if label == 'base' else str(out/'models'/label), None)[0]
rm, judge = RewardModel.load(out/'models'/'reward'), RewardModel.load(out/'models'/'judge')
for r in (rm, judge): r.model.to(pol.dtype)
depth = min(trunk_depth(model, ref), trunk_depth(model, rm.model), trunk_depth(model, judge.model), len(blocks_of(model)) - 1)
T, extra = {}, {}
t = time.time()
a = sample(model, tok, [p for p in prompts for _ in range(s.base_samples if label == 'base' else s.samples)], d.max_new_tokens, d.temperature, d.top_p, d.seed, d.system,
           d.batch_size, capture=depth or None)
T['answers'] = time.time() - t
if label not in ('sft', 'base'):
    t = time.time(); reference_logprobs(ref, a, d.temperature, d.batch_size, model); T['kl'] = time.time() - t
t = time.time(); rm.score_samples(a, model, d.batch_size); T['reward_model'] = time.time() - t
t = time.time(); judge.score_samples(a, model, d.batch_size); T['judge'] = time.time() - t
if not depth:
    from rlhf.lm import keep_states  # the shared bottom once (absent before 2026-12-04)
    n = min(trunk_depth(rm.model, judge.model), len(blocks_of(rm.model)) - 1)
    t = time.time(); kept = keep_states(rm.model, a, n, scoring_suffix(rm.tokenizer, rm.system), d.batch_size); T['shared_bottom'] = time.time() - t
    t = time.time(); new = rm.score_samples(kept, rm.model, d.batch_size); T['reward_model_from_states'] = time.time() - t
    t = time.time(); judge.score_samples(kept, rm.model, d.batch_size); T['judge_from_states'] = time.time() - t
    extra['max_score_change'] = max(abs(x - y) for x, y in zip(new, rm.score_samples(a, model, d.batch_size)))
import rlhf  # the commit of the rlhf imported (PYTHONPATH=an older checkout times that one)
commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True, cwd=Path(rlhf.__file__).parent).stdout.strip()
res = dict(commit=commit, run=str(out), model=label, precision=precision_name(pol), env={k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY',) if k in os.environ},
           batch_size=d.batch_size, rows=len(a), tokens=sum(map(len, a.ids)), depth=depth, seconds={k: round(v, 2) for k, v in T.items()}, **extra)
print(json.dumps(res))
with open(Path(__file__).with_name('eval_parts.jsonl'), 'a') as f: f.write(json.dumps(res) + '\n')
