"""Benchmark (not a test): time per PPO iteration, split into generation / scoring / training, and generated tokens/s,
for our PPO (`rlhf.ppo.train_ppo`) and for TRL 1.10's `trl.experimental.ppo.PPOTrainer` (the last TRL release that had a PPO
trainer), on the same model, prompts, batch and generation length, in the same run; prints the ratio ours/peer.

Setting (the design notes' reference measurement): policy, reference, reward and value models all the embedded SmolLM2-135M,
fp32, batch 8 prompts, 48 new tokens, 4 PPO epochs of one minibatch, no gradient checkpointing, temperature 0.7, stop at EOS.
Our PPO runs three ways: `identical` does the peer's exact work (every block trained, a separate critic initialised from the
reward model); `value-head` also trains every block, with the critic a value head on the policy (lm-human-preferences' shared
trunk) instead of a second 135M model; `defaults` uses our shipped PPOSettings for everything else (the top blocks trained,
their frozen bottom computed once per rollout, a value head). The first iteration of every run is a warm-up and is not counted.
On a shared machine, use --rounds to alternate the runs, and read the per-iteration minimum as well as the mean.

TRL 1.10 is a peer, never a dependency of the project: the script installs it in its own virtual environment
(default /tmp/rlhf-peer-venv, or --peer-venv) with `pip install torch==2.13.0 trl==1.10.0 transformers==5.24.0 ...`
(TRL 1.10 requires transformers>=4.56.2, accelerate>=1.4, datasets>=4.7; torch is pinned to the CPU build on this machine's disk).

    python benchmarks/bench_ppo.py [--iterations 3] [--rounds 1] [--peer-venv DIR] [--json]
"""
from __future__ import annotations
import argparse, json, os, statistics, subprocess, sys, tempfile, textwrap, time
from pathlib import Path

PEER_REQUIREMENTS = ['torch==2.13.0', 'trl==1.10.0', 'transformers==5.24.0', 'accelerate==1.15.0', 'datasets==5.2.0']
BATCH, NEW_TOKENS, PPO_EPOCHS, TEMPERATURE, LR = 8, 48, 4, 0.7, 3e-6

# Runs inside the peer venv: TRL 1.10's PPOTrainer, timed by wrapping the module's generation and no-grad forward functions.
PEER_SCRIPT = textwrap.dedent(r'''
    import json, sys, time, torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification, AutoTokenizer, TrainerCallback
    import trl.experimental.ppo.ppo_trainer as T
    from trl.experimental.ppo import PPOConfig, PPOTrainer
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg['threads'])
    clock = {'generation': 0.0, 'scoring': 0.0, 'tokens': 0}
    def timed(fn, bucket):
        def wrapper(*a, **k):
            if bucket == 'scoring' and torch.is_grad_enabled(): return fn(*a, **k)  # training forward passes
            t = time.perf_counter(); out = fn(*a, **k); clock[bucket] += time.perf_counter() - t
            if bucket == 'generation':
                resp = out[0][:, a[1].shape[1]:]
                ended = (resp == cfg['eos']).int().cumsum(1)
                clock['tokens'] += int(((ended == 0) | ((ended == 1) & (resp == cfg['eos']))).sum())
            return out
        return wrapper
    T.batch_generation = timed(T.batch_generation, 'generation')
    T.get_reward, T.forward = timed(T.get_reward, 'scoring'), timed(T.forward, 'scoring')
    iters = []
    class Timer(TrainerCallback):
        def on_train_begin(self, *a, **k): self.t = time.perf_counter(); self.last = dict(clock)
        def on_step_end(self, *a, **k):
            now = time.perf_counter()
            rec = {k: clock[k] - self.last[k] for k in clock}
            rec['iteration'] = now - self.t
            iters.append(rec); self.t, self.last = now, dict(clock)
    path = cfg['model']
    tok = AutoTokenizer.from_pretrained(path, padding_side='left')
    load = lambda cls, **kw: cls.from_pretrained(path, dtype=torch.float32, **kw)
    torch.manual_seed(0)
    policy, ref = load(AutoModelForCausalLM), load(AutoModelForCausalLM)
    reward, value = load(AutoModelForSequenceClassification, num_labels=1), load(AutoModelForSequenceClassification, num_labels=1)
    ds = Dataset.from_dict({'input_ids': cfg['input_ids']})
    args = PPOConfig(output_dir=cfg['out'], per_device_train_batch_size=cfg['batch'], gradient_accumulation_steps=1, num_mini_batches=1,
                     num_ppo_epochs=cfg['epochs'], response_length=cfg['new_tokens'], total_episodes=len(cfg['input_ids']),
                     local_rollout_forward_batch_size=cfg['batch'], stop_token='eos', temperature=cfg['temperature'],
                     learning_rate=cfg['lr'], bf16=False, fp16=False, use_cpu=True, gradient_checkpointing=False, report_to='none',
                     save_strategy='no', logging_steps=1, num_sample_generations=0, seed=0, disable_tqdm=True)
    trainer = PPOTrainer(args=args, processing_class=tok, model=policy, ref_model=ref, reward_model=reward, value_model=value,
                         train_dataset=ds, eval_dataset=ds, callbacks=[Timer()])
    trainer.train()
    print('PEER_RESULT ' + json.dumps(iters))
''')


def ensure_peer(venv: Path) -> Path:
    "The Python of a virtual environment with TRL 1.10, created (once) at `venv`."
    py = venv/'bin'/'python'
    probe = [str(py), '-c', 'import trl, sys; sys.exit(trl.__version__ != "1.10.0")']
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0: return py
    print(f'creating the peer environment in {venv} (TRL 1.10, once) ...', file=sys.stderr)
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True)
    subprocess.run([str(py), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', *PEER_REQUIREMENTS], check=True)
    return py


def run_peer(py: Path, model_dir: str, input_ids: list, eos: int, threads: int) -> list[dict]:
    "Per-iteration times of TRL 1.10's PPOTrainer."
    with tempfile.TemporaryDirectory() as out:
        cfg = dict(model=model_dir, input_ids=input_ids, out=out, batch=BATCH, epochs=PPO_EPOCHS, new_tokens=NEW_TOKENS,
                   temperature=TEMPERATURE, lr=LR, eos=eos, threads=threads)
        env = {**os.environ, 'TOKENIZERS_PARALLELISM': 'false', 'PYTHONWARNINGS': 'ignore'}
        r = subprocess.run([str(py), '-c', PEER_SCRIPT, json.dumps(cfg)], capture_output=True, text=True, env=env)
    line = next((l for l in r.stdout.splitlines() if l.startswith('PEER_RESULT ')), None)
    if r.returncode or line is None: raise RuntimeError(f'the TRL 1.10 peer failed:\n{r.stderr[-3000:]}')
    return [{'generation': d['generation'], 'scoring': d['scoring'], 'training': d['iteration'] - d['generation'] - d['scoring'],
             'iteration': d['iteration'], 'tokens': d['tokens']} for d in json.loads(line[len('PEER_RESULT '):])]


def run_ours(prompts: list[str], iterations: int, mode: str) -> list[dict]:
    "Per-iteration times of our PPO, from its metrics file."
    from rlhf.ppo import PPOSettings, train_ppo
    from rlhf.reward import RewardModel
    from rlhf.training import TrainingMetricsTracker
    import torch
    common = dict(max_steps=iterations, batch_size=BATCH, max_new_tokens=NEW_TOKENS, ppo_epochs=PPO_EPOCHS, temperature=TEMPERATURE,
                  precision='fp32', gradient_checkpointing=False, save_steps=0, seed=0)
    if mode in ('identical', 'value-head'):  # the peer's work: every block trained, one minibatch, its learning rate
        common.update(train_layers=0, critic='reward' if mode == 'identical' else 'head', mini_batches=1, grad_accum=1, learning_rate=LR,
                      missing_eos_penalty=0.0)
    torch.manual_seed(0)
    rm = RewardModel.from_lm('smollm2-135m')
    with tempfile.TemporaryDirectory() as out:
        train_ppo(PPOSettings(**common), 'smollm2-135m', rm, prompts, out)
        recs = TrainingMetricsTracker(Path(out)/'metrics'/'ppo.jsonl').records
    return [{'generation': r['time/generation_s'], 'scoring': r['time/scoring_s'], 'training': r['time/training_s'],
             'iteration': r['time/iteration_s'], 'tokens': r['rollout/response_length'] * BATCH} for r in recs]


def summarise(iters: list[dict]) -> dict:
    "Mean seconds per iteration (and the fastest iteration), and generated tokens per generation second."
    out = {k: statistics.mean(d[k] for d in iters) for k in ('generation', 'scoring', 'training', 'iteration')}
    out['iteration_min'] = min(d['iteration'] for d in iters)
    out['tokens_per_s'] = sum(d['tokens'] for d in iters) / sum(d['generation'] for d in iters)
    out['n'] = len(iters)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--iterations', type=int, default=3, help='PPO iterations per run (the first is a warm-up)')
    ap.add_argument('--rounds', type=int, default=1, help='alternate peer and ours this many times (for a noisy machine)')
    ap.add_argument('--peer-venv', default=os.environ.get('RLHF_PEER_VENV', '/tmp/rlhf-peer-venv'))
    ap.add_argument('--skip-peer', action='store_true', help='time our PPO only')
    ap.add_argument('--json', action='store_true', help='print one JSON object')
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from rlhf.data import load_prompts, split_records
    from rlhf.lm import render_prompt
    from rlhf.models import available_cores, load_tokenizer, resolve_model
    prompts = split_records(load_prompts(Path(__file__).resolve().parents[1]/'example_inputs'/'rlhf'/'prompts.json'), 0.15, 42)[0]
    prompts = (prompts * (1 + BATCH * a.iterations // len(prompts)))[:BATCH * a.iterations]
    tok = load_tokenizer('smollm2-135m')
    input_ids = [tok(render_prompt(tok, p), add_special_tokens=False)['input_ids'] for p in prompts]
    py = None if a.skip_peer else ensure_peer(Path(a.peer_venv))
    modes = ('identical', 'value-head', 'defaults')
    runs = {k: [] for k in ('peer', *modes)}
    for _ in range(a.rounds):
        if py: runs['peer'] += run_peer(py, resolve_model('smollm2-135m'), input_ids, tok.eos_token_id, available_cores())[1:]
        for mode in modes: runs[mode] += run_ours(prompts, a.iterations, mode)[1:]
    res = {k: summarise(v) for k, v in runs.items() if v}
    if 'peer' in res:
        for mode in modes:
            res[f'ratio_{mode}'] = res[mode]['iteration'] / res['peer']['iteration']
            res[f'ratio_{mode}_min'] = res[mode]['iteration_min'] / res['peer']['iteration_min']
    if a.json: print(json.dumps(res)); return
    print(f"PPO iteration on smollm2-135m, fp32, batch {BATCH} prompts, {NEW_TOKENS} new tokens, {PPO_EPOCHS} PPO epochs "
          f"({available_cores()} cores; mean of {a.rounds * (a.iterations - 1)} iterations after warm-up)")
    print(f"{'run':32s} {'generation':>11s} {'scoring':>9s} {'training':>9s} {'iteration':>10s} {'fastest':>9s} {'gen tok/s':>10s}")
    names = {'peer': 'TRL 1.10 PPOTrainer', 'identical': 'ours, identical work', 'value-head': 'ours, all blocks, value head',
             'defaults': 'ours, shipped defaults'}
    for k, r in res.items():
        if k in names:
            print(f"{names[k]:32s} {r['generation']:10.1f}s {r['scoring']:8.1f}s {r['training']:8.1f}s {r['iteration']:9.1f}s "
                  f"{r['iteration_min']:8.1f}s {r['tokens_per_s']:10.1f}")
    for mode in modes:
        if f'ratio_{mode}' in res:
            print(f"ratio ours/peer ({names[mode]}): {res[f'ratio_{mode}']:.2f}x mean, {res[f'ratio_{mode}_min']:.2f}x fastest  (target <= 0.70x)")


if __name__ == '__main__':
    main()
