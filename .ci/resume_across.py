"""Resume across process counts: PPO on the tiny model checkpoints every iteration; phase `first` (launched with several processes)
stops after its checkpoint at iteration 2, phase `second` (any number of processes) resumes it and must end at iteration 4.
    accelerate launch --config_file configs/accelerate/cpu_2proc.yaml .ci/resume_across.py first DIR
    python .ci/resume_across.py second DIR"""
import sys, warnings
from pathlib import Path
from rlhf.data import load_prompts
from rlhf.ppo import PPOSettings, RuleReward, train_ppo
from rlhf.training import Manifest, TrainingMetricsTracker, processes

phase, out = sys.argv[1], Path(sys.argv[2])
prompts = load_prompts(Path(__file__).parents[1]/'example_inputs'/'rlhf'/'prompts.json')[:32]
cfg = PPOSettings(max_steps=4, batch_size=4, max_new_tokens=6, train_layers=1, save_steps=1, seed=3, learning_rate=1e-3)
calls = []

def gold(p, r):
    calls.append(1)
    if phase == 'first' and len(calls) == 3: raise SystemExit(3)  # stop in iteration 3: its checkpoint at 2 remains
    return [0.0] * len(r)

res = train_ppo(cfg, 'tiny', RuleReward(lambda p, r: -r.count('\n') / 8), prompts, out, gold_fn=gold)
if processes().is_main_process:
    steps = TrainingMetricsTracker(out/'metrics'/'ppo.jsonl').series('objective/scores')[0]
    assert res['steps'] == 4 and steps == [1, 2, 3, 4], (res['steps'], steps)
    assert Manifest(out).stage('ppo')['status'] == 'done' and Manifest(out).stage('ppo')['resumed_from'].endswith('checkpoint-2')
    print(f'resume_across: PASS ({processes().num_processes} process(es) resumed a checkpoint of another count at iteration 2, ended at 4)')
