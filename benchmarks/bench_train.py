"""Benchmark (not a test): training throughput of our SFT, reward, DPO and KTO stages against TRL's own defaults, in one run.

For each stage, three configurations train the embedded SmolLM2-135M on the shipped data, one after the other:
  ours         the trainer our stage function builds (`rlhf.sft.sft_trainer`, `rlhf.reward.reward_trainer`, and
               `train_dpo` / `train_kto`'s construction: shipped settings, row order, frozen lower blocks, precomputed
               reference log-probs, device-aware precision, log-probs of completion positions only, and for DPO and KTO
               the frozen lower blocks run once per sequence across the reference's and training's passes:
               `rlhf.training.shared_passes`), with `max_steps` set;
  ours-no-memo (DPO, KTO) the same without that memo (log-probs of completion positions only still): what it saves;
  trl-default  TRL's trainer with its default config (only `output_dir`, `max_steps`, `report_to='none'` and, on a CPU,
               `use_cpu=True` given: without it TRL's default `bf16=True` refuses to start on a machine without a GPU):
               bf16 autocast, gradient checkpointing, batch size 8, max_length 1024, full fine-tuning, and for DPO/KTO
               a reference model run at every step;
  trl-fp32     the same with `bf16=False, fp16=False`.
All three get the same records: the training split of the pipeline (eval_fraction 0.15, seed 42), in our stage's order, cut
(DPO, KTO) to the rows our stage trains on in that many steps. Each run makes 1 + `--steps` optimizer steps; the first is
a warm-up and is not timed. Checkpoint saves are suppressed in every configuration.

Tokens/s counts real (non-padding) tokens of the timed batches: attention-mask sums (the whole row when padding-free),
chosen and rejected rows for the pair stages, the main rows only for KTO (its mismatched KL rows and every reference pass
are work, not tokens). Time is counted in core seconds: the process's CPU time divided by torch's thread count. That is the
wall time when the run has its cores to itself, and it does not charge a run for the time it waited while other work held
the cores (under `nice` on a busy machine, wall-clock rates swing by 10x or more). It still inflates under heavy contention
(spin-waiting threads, shared caches: about 3x here with the load at 5), so trust a table whose `cpu` column (core seconds
over wall seconds) is near 100%; wall-clock rates are printed beside. A configuration that precomputes reference log-probs
before training pays for them: the precompute's time times the timed tokens' share of the precomputed tokens is added to
its training time.

The peak is the best of a few fp32 and bf16 `torch.matmul`s of 2048x2048, timed the same way at the start and at the end.
Achieved FLOP/s is 6·N·tokens/s, N the parameters that multiply activations (an untied input embedding is a lookup and does
not count): the model FLOPs of full fine-tuning. For a model with frozen blocks also (2·N + 4·N_trainable)·tokens/s: the
forward of every block and the backward of the trainable ones. Neither counts reference passes or recomputation. Both are
given as a fraction of the peak of the configuration's precision.

    python benchmarks/bench_train.py [--stages sft,reward,dpo,kto] [--steps N] [--configs ours,...] [--json out.json]

With the default 8 timed steps the three configurations of every stage took about 11 minutes on a quiet 2-core machine;
ours-no-memo adds two DPO and KTO runs (not yet timed).
"""
from __future__ import annotations
import argparse, gc, json, sys, tempfile, time
from contextlib import ExitStack, contextmanager, nullcontext, redirect_stdout
from pathlib import Path
import torch
from transformers import TrainerCallback
from transformers.utils import logging as hf_logging
from trl import DPOConfig, DPOTrainer, KTOConfig, KTOTrainer, RewardConfig, RewardTrainer, SFTConfig, SFTTrainer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rlhf.data import (load_feedback, load_instructions, load_preference_data, split_records, to_preference_dataset,
                       to_sft_dataset, to_unpaired_dataset)
from rlhf.dpo import DPOSettings, dpo_config, dpo_rows
from rlhf.kto import KTOSettings, as_feedback, kto_config, kto_rows
from rlhf.models import device_policy, load_model, load_tokenizer, set_threads
from rlhf.reward import RewardSettings, reward_trainer
from rlhf.sft import SFTSettings, sft_trainer
from rlhf.training import NanGuard, compact_logprobs, lora_config, prepare_policy, quiet_trl, shared_passes
DATA = ROOT/'example_inputs'/'rlhf'
MODEL = 'smollm2-135m'
STAGES = ('sft', 'reward', 'dpo', 'kto')
CONFIGS = ('ours', 'ours-no-memo', 'trl-default', 'trl-fp32')
PAIRED = ('dpo', 'kto')  # the stages with reference passes to share


def clock() -> tuple[float, float]:
    "Wall-clock seconds and this process's CPU seconds (all its threads) now."
    return time.perf_counter(), time.process_time()


def core_seconds(cpu_s: float) -> float:
    "CPU seconds as seconds of all of torch's threads: the wall time the work takes when it has its cores to itself."
    return cpu_s / torch.get_num_threads()


def matmul_peak(dtype: torch.dtype, n: int = 2048, reps: int = 8) -> float:
    "Best FLOP/s of an n x n `torch.matmul` in `dtype`, timed in core seconds."
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float('inf')
    for _ in range(reps):
        t = clock()[1]
        a @ b
        best = min(best, core_seconds(clock()[1] - t))
    return 2 * n ** 3 / best


def measure_peaks(before: dict | None = None) -> dict:
    "fp32 and bf16 matmul peaks, keeping the best of `before` and now."
    now = {'fp32': matmul_peak(torch.float32), 'bf16': matmul_peak(torch.bfloat16)}
    return {k: max(v, (before or {}).get(k, 0.0)) for k, v in now.items()}


def real_tokens(inputs: dict) -> int:
    "Non-padding tokens of a batch: its attention mask, or every token of a padding-free row."
    mask = inputs.get('attention_mask')
    return int(mask.sum()) if mask is not None else inputs['input_ids'].numel()


class Meter(TrainerCallback):
    "Counts the real tokens of each optimizer step's batches and clocks each step; suppresses checkpoint saves."
    def __init__(self, trainer):
        self.tokens, self.ends = {}, {}  # step -> tokens, step -> clock() when it ended
        step = trainer.training_step
        def counted(model, inputs, *args, **kwargs):
            k = trainer.state.global_step + 1
            self.tokens[k] = self.tokens.get(k, 0) + real_tokens(inputs)
            return step(model, inputs, *args, **kwargs)
        trainer.training_step = counted
        trainer.add_callback(self)

    def on_step_end(self, args, state, control, **kwargs):
        self.ends[state.global_step] = clock()
        control.should_save = False

    def timed(self) -> list[tuple[int, float, float]]:
        "(tokens, wall seconds, CPU seconds) of every step after the first."
        return [(self.tokens[k], *(e - s for e, s in zip(self.ends[k], self.ends[k - 1]))) for k in sorted(self.ends) if k > 1]


@contextmanager
def timing(cls, name: str, spent: list):
    "Append (wall, CPU) seconds of every call of method `cls.name` to `spent` while inside."
    orig = getattr(cls, name)
    def timed(*args, **kwargs):
        t = clock()
        try: return orig(*args, **kwargs)
        finally: spent.append(tuple(e - s for e, s in zip(clock(), t)))
    setattr(cls, name, timed)
    try: yield spent
    finally: setattr(cls, name, orig)


def load_data() -> dict:
    "The training split of each shipped input, as the pipeline makes it."
    return {'sft': split_records(load_instructions(DATA/'instructions.json'))['train'],
            'prefs': split_records(load_preference_data(DATA/'preferences'/'preferences.json'))['train'],
            'feedback': split_records(load_feedback(DATA/'feedback.json'))['train']}


def trl_config(cls, out: str, steps: int, fp32: bool):
    "TRL's default config `cls` with only what a run needs (and fp32 if asked); on a CPU, its default bf16 needs `use_cpu`."
    return cls(output_dir=out, max_steps=steps, report_to='none', use_cpu=device_policy().device == 'cpu',
               **(dict(bf16=False, fp16=False) if fp32 else {}))


def build_sft(config: str, data: dict, steps: int, out: str, stack: ExitStack):
    "SFT: our `sft_trainer`, or TRL's `SFTTrainer` on the same prompt/completion records."
    if config == 'ours': return sft_trainer(SFTSettings(max_steps=steps), MODEL, data['sft'], out)
    tok = load_tokenizer(MODEL)
    return SFTTrainer(model=load_model(MODEL), args=trl_config(SFTConfig, out, steps, config == 'trl-fp32'),
                      train_dataset=to_sft_dataset(data['sft'], tok), processing_class=tok)


def build_reward(config: str, data: dict, steps: int, out: str, stack: ExitStack):
    "Reward model: our `reward_trainer`, or TRL's `RewardTrainer` on a fresh score head and the same pairs."
    if config == 'ours': return reward_trainer(RewardSettings(max_steps=steps), MODEL, data['prefs'], out)[0]
    tok = load_tokenizer(MODEL)
    args = trl_config(RewardConfig, out, steps, config == 'trl-fp32')
    ds = to_preference_dataset(data['prefs'], tok)
    return RewardTrainer(model=load_model(MODEL, head='score'), args=args, train_dataset=ds, processing_class=tok)


def policy_for(config: str, s, stack: ExitStack | None = None):
    "Tokenizer and policy: ours through `prepare_policy` (lower blocks frozen; for DPO/KTO inside `shared_passes`, or without its memo), TRL's the whole model."
    if not config.startswith('ours'): return load_tokenizer(MODEL), load_model(MODEL)
    tok, policy = prepare_policy(MODEL, s)
    if stack is not None: stack.enter_context(shared_passes(policy, {}) if config == 'ours' else compact_logprobs())
    return tok, policy


def build_dpo(config: str, data: dict, steps: int, out: str, stack: ExitStack):
    "DPO: the trainer `train_dpo` builds, or TRL's `DPOTrainer` (its own reference model) on the same pairs."
    s = DPOSettings(max_steps=steps)
    tok, policy = policy_for(config, s, stack)
    ds = to_preference_dataset(dpo_rows(data['prefs'], s, tok), tok, s.system)
    if not config.startswith('ours'):
        args = trl_config(DPOConfig, out, steps, config == 'trl-fp32')
        return DPOTrainer(policy, args=args, processing_class=tok, train_dataset=ds)
    cfg = dpo_config(s, out)
    cfg.train_sampling_strategy = 'sequential'
    with quiet_trl(DPOTrainer.__module__):
        return DPOTrainer(policy, args=cfg, processing_class=tok, train_dataset=ds, peft_config=lora_config(s),
                          callbacks=[NanGuard()])


def build_kto(config: str, data: dict, steps: int, out: str, stack: ExitStack):
    "KTO: the trainer `train_kto` builds, or TRL's `KTOTrainer` (its own reference model) on the same rows."
    s = KTOSettings(max_steps=steps)
    rows = kto_rows(as_feedback(data['feedback']), s)
    tok, policy = policy_for(config, s, stack)
    ds = to_unpaired_dataset(rows, tok, s.system)
    if not config.startswith('ours'):
        args = trl_config(KTOConfig, out, steps, config == 'trl-fp32')
        return KTOTrainer(policy, args=args, processing_class=tok, train_dataset=ds)
    n_d = sum(r['label'] for r in rows)
    cfg = kto_config(s, out, n_d, len(rows) - n_d, n_rows=len(rows))
    with quiet_trl(KTOTrainer.__module__):
        return KTOTrainer(policy, args=cfg, processing_class=tok, train_dataset=ds, peft_config=lora_config(s),
                          callbacks=[NanGuard()])


BUILDERS = {'sft': build_sft, 'reward': build_reward, 'dpo': build_dpo, 'kto': build_kto}


def matmul_params(model) -> tuple[int, int]:
    "Parameters that multiply activations (all, trainable): the input embedding counts only as a tied output head."
    emb, head = model.get_input_embeddings().weight, model.get_output_embeddings()
    params = [p for p in model.parameters() if p is not emb or (head is not None and head.weight is emb)]
    return sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad)


def setup_notes(trainer) -> str:
    "The settings that decide a configuration's cost, in a few words."
    a = trainer.args
    ref = ('precomputed ref' if getattr(a, 'precompute_ref_log_probs', False) else
           'ref model per step' if getattr(trainer, 'ref_model', None) else '')
    bits = [f'bs {a.per_device_train_batch_size}', f'len {a.max_length}', 'packed' if getattr(a, 'packing', False) else '',
            'grad-ckpt' if a.gradient_checkpointing else '', ref]
    return ', '.join(b for b in bits if b)


def train(stage: str, config: str, data: dict, steps: int) -> tuple:
    "Build one trainer and train it 1 + `steps` steps: the trainer, its `Meter` and the (wall, CPU) seconds of its precompute."
    spent = []
    with tempfile.TemporaryDirectory() as out, timing(DPOTrainer, '_precompute_ref_logps', spent), \
            timing(KTOTrainer, '_precompute_ref_logps', spent), redirect_stdout(sys.stderr), ExitStack() as stack:
        trainer = BUILDERS[stage](config, data, steps + 1, out, stack)
        meter = Meter(trainer)
        with compact_logprobs() if config.startswith('ours') else nullcontext(): trainer.train()  # as `rlhf.training.fit` trains
    return trainer, meter, spent


def run_config(stage: str, config: str, data: dict, steps: int) -> dict:
    "Train one configuration and return its numbers."
    trainer, meter, spent = train(stage, config, data, steps)
    timed = meter.timed()
    tokens, wall, cpu = (sum(x[i] for x in timed) for i in range(3))
    share = tokens / sum(meter.tokens.values())  # the precomputed rows are the rows trained on, the warm-up step's too
    ref_wall, ref_cpu = (share * sum(x[i] for x in spent) for i in range(2))
    n, n_train = matmul_params(trainer.model)
    mixed = trainer.accelerator.mixed_precision
    res = dict(stage=stage, config=config, precision='fp32' if mixed == 'no' else mixed, setup=setup_notes(trainer),
               steps=len(timed), tokens=tokens, step_tokens=[x[0] for x in timed], wall_s=wall, cpu_s=cpu, ref_wall_s=ref_wall,
               ref_cpu_s=ref_cpu, ref_total_wall_s=sum(x[0] for x in spent), threads=torch.get_num_threads(), params=n,
               trainable=n_train, tokens_per_s=tokens / core_seconds(cpu + ref_cpu),
               train_tokens_per_s=tokens / core_seconds(cpu), wall_tokens_per_s=tokens / (wall + ref_wall),
               cpu_share=core_seconds(cpu + ref_cpu) / (wall + ref_wall))
    del trainer
    gc.collect()
    return res


def add_ratios(rows: list[dict], peaks: dict):
    "Each configuration's tokens/s (core-second and wall) over TRL default's and TRL fp32's, and its shares of the peak."
    by = {r['config']: r for r in rows}
    for r in rows:
        peak = peaks.get(r['precision'], peaks['fp32'])
        r['mfu_6n'] = 6 * r['params'] * r['tokens_per_s'] / peak
        r['mfu_2n4t'] = (2 * r['params'] + 4 * r['trainable']) * r['tokens_per_s'] / peak
        for ref in ('trl-default', 'trl-fp32', 'ours-no-memo'):
            for k in ('tokens_per_s', 'wall_tokens_per_s'):
                if ref in by: r[f'{k}_vs_{ref}'] = r[k] / by[ref][k]


def ratio(r: dict, ref: str) -> str:
    "'core seconds (wall)' ratio text ('-' where `ref` did not run)."
    return f"{r[f'tokens_per_s_vs_{ref}']:.2f}x ({r[f'wall_tokens_per_s_vs_{ref}']:.2f}x)" if f'tokens_per_s_vs_{ref}' in r else '-'



def print_table(rows: list[dict]):
    "One stage's table."
    r0 = rows[0]
    print(f"\n== {r0['stage']}: {r0['steps']} timed steps after 1 warm-up; N = {r0['params'] / 1e6:.1f}M matmul parameters")
    print(f"{'config':12s} {'prec':5s} {'tok/s':>6s} {'w/o ref':>7s} {'wall':>6s} {'cpu':>4s} {'ref s':>5s} "
          f"{'vs TRL default':>15s} {'vs TRL fp32':>15s} {'6N/peak':>7s} {'2N+4Nt/peak':>11s}  setup")
    for r in rows:
        frozen = f"{r['mfu_2n4t']:11.1%}" if r['trainable'] < r['params'] else f"{'(= 6N)':>11s}"
        print(f"{r['config']:12s} {r['precision']:5s} {r['tokens_per_s']:6.1f} {r['train_tokens_per_s']:7.1f} "
              f"{r['wall_tokens_per_s']:6.1f} {r['cpu_share']:4.0%} {core_seconds(r['ref_cpu_s']):5.1f} "
              f"{ratio(r, 'trl-default'):>15s} {ratio(r, 'trl-fp32'):>15s} {r['mfu_6n']:7.1%} {frozen}  "
              f"{r['setup']}, {r['trainable'] / r['params']:.0%} trainable, {r['tokens']} tokens")
    ours = next((r for r in rows if r['config'] == 'ours'), None)
    if ours and 'tokens_per_s_vs_trl-default' in ours and 'tokens_per_s_vs_trl-fp32' in ours:
        ok = ours['tokens_per_s_vs_trl-default'] >= 1.5 and ours['tokens_per_s_vs_trl-fp32'] >= 1.0
        print(f"target ours >= 1.5x TRL default and >= 1.0x TRL fp32: {'met' if ok else 'NOT met'}")
    if ours and 'tokens_per_s_vs_ours-no-memo' in ours:
        print(f"the trunk memo: ours {ratio(ours, 'ours-no-memo')} ours-no-memo's tokens/s")


LEGEND = """tok/s: real tokens per core second (CPU time / threads), the reference precompute's share included; w/o ref: without
it; wall: per wall-clock second; cpu: core seconds / wall seconds (below 100%: the run waited for cores other work held);
ref s: core seconds of the precompute charged to the timed steps. vs: ratios of tok/s (of wall tok/s). 6N/peak: 6·N·tok/s,
full-fine-tuning model FLOPs; 2N+4Nt/peak: forward of every block and backward of the trainable ones (Nt); both against the
matmul peak of the configuration's precision. Both count every block's forward for every row: ours skips the frozen blocks of
a sequence the reference's precompute already ran, so for DPO and KTO they count work it did not do."""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--stages', default=','.join(STAGES), help='comma-separated subset of ' + ','.join(STAGES))
    ap.add_argument('--steps', type=int, default=8, help='timed optimizer steps per configuration (after 1 warm-up step)')
    ap.add_argument('--configs', default=','.join(CONFIGS), help='comma-separated subset of ' + ','.join(CONFIGS))
    ap.add_argument('--json', metavar='PATH', help='also write every number to this JSON file')
    a = ap.parse_args()
    stages = [s.strip() for s in a.stages.split(',') if s.strip()]
    if bad := [s for s in stages if s not in STAGES]:
        ap.error(f"unknown stage(s) {', '.join(bad)}: choose from {', '.join(STAGES)}")
    configs = [c.strip() for c in a.configs.split(',') if c.strip()]
    if bad := [c for c in configs if c not in CONFIGS]:
        ap.error(f"unknown configuration(s) {', '.join(bad)}: choose from {', '.join(CONFIGS)}")
    t0 = time.time()
    pol = device_policy()
    threads = set_threads(pol)
    hf_logging.set_verbosity_error()
    peaks, data = measure_peaks(), load_data()
    runs = {st: [] for st in stages}
    for st in stages:
        for c in [c for c in configs if c != 'ours-no-memo' or st in PAIRED]:
            print(f'[{time.time() - t0:5.0f} s] {st} / {c} ...', file=sys.stderr, flush=True)
            runs[st].append(run_config(st, c, data, a.steps))
    peaks = measure_peaks(peaks)
    wall = time.time() - t0
    print(f"device {pol.device}, {threads} threads, device policy bf16={pol.bf16}; matmul peak 2048x2048 (best at start and end, "
          f"per core second): fp32 {peaks['fp32'] / 1e9:.1f} GFLOP/s, bf16 {peaks['bf16'] / 1e9:.1f} GFLOP/s\n{LEGEND}")
    for rows in runs.values():
        add_ratios(rows, peaks)
        print_table(rows)
    print(f'\nwall time {wall:.0f} s')
    if a.json:
        results = [r for rows in runs.values() for r in rows]
        Path(a.json).write_text(json.dumps({'peaks': peaks, 'threads': threads, 'wall_s': wall, 'results': results}, indent=1))


if __name__ == '__main__':
    main()
