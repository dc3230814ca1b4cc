"""Controlled sentiment generation (Rafailov et al. 2023, section 6.1) at laptop scale: continue movie-review openings, score the
continuations with a fixed sentiment lexicon (VADER) as the gold reward, and plot each algorithm's gold reward against its KL to
the starting policy. A benchmark of the `rlhf` package, not part of it: `nbs/10_sentiment.ipynb` explains and tests every piece,
`bench.py` runs it.
"""
from __future__ import annotations
import json, math, shutil, time, warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
import numpy as np
import torch
from matplotlib.figure import Figure
from transformers import TrainerCallback
from rlhf.data import RlhfError
from rlhf.models import load_model, load_tokenizer
from rlhf.lm import blocks_of, completion_logprobs, hidden_states, sample, shared_blocks
from rlhf.training import TrainingMetricsTracker, save_json, settings_dict
from rlhf.reward import RewardModel, RewardSettings, train_reward_model
from rlhf.ppo import FunctionReward, PPOSettings, RewardHackingWarning, train_ppo
from rlhf.grpo import GRPOSettings, train_grpo
from rlhf.dpo import DPOSettings, build_preferences, train_dpo
from rlhf.kto import KTOSettings, train_kto
from rlhf.eval import md_table, save_figure
from rlhf.stats import KL_ESTIMATOR, bootstrap_interval, kl_estimate, mean_interval, wilcoxon_test

__all__ = ['PROMPT_TEMPLATE', 'TUNED', 'ALGORITHMS', 'GOLD', 'NAMES', 'COLORS', 'MARKERS', 'load_openings', 'sentiment_prompts',
           'split_openings', 'vader_gold', 'SentimentSettings', 'sample_completions', 'build_feedback', 'PolicyEvaluator', 'EvalEvery',
           'ppo_callback', 'run_benchmark', 'algorithm_points', 'on_split', 'frontier', 'frontier_on', 'best_within', 'results_table',
           'table_markdown', 'dominance', 'comparison', 'plot_frontier', 'plot_proxy_vs_gold', 'summary_markdown', 'summarize']

PROMPT_TEMPLATE = 'Continue this movie review: {opening}'

def load_openings(path: str | Path, min_words: int = 2, max_words: int = 12) -> list[str]:
    "The openings in a JSON list, checked: unique, each `min_words` to `max_words` words."
    openings = json.loads(Path(path).read_text())
    bad = [o for o in openings if not isinstance(o, str) or not min_words <= len(o.split()) <= max_words]
    if bad: raise RlhfError(f'{path}: {len(bad)} openings are not strings of {min_words}-{max_words} words, e.g. {bad[0]!r}')
    if len(set(openings)) < len(openings): raise RlhfError(f'{path}: {len(openings) - len(set(openings))} duplicate openings')
    return openings

def sentiment_prompts(openings: list[str], template: str = PROMPT_TEMPLATE) -> list[str]:
    "The policy's prompts: each opening inside `template`."
    return [template.format(opening=o) for o in openings]

TUNED = 64  # the last openings of the shuffle: the held-out set that the settings were tuned on before the dev/test split, dev only since

def split_openings(openings: list[str], n_dev: int, n_test: int, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    "(train, dev, test) openings of a seeded shuffle: dev the last `n_dev` (within the `TUNED` ones), test the `n_test` before those, train the rest."
    if n_dev > TUNED: raise RlhfError(f'n_dev = {n_dev}: the dev openings are the last {TUNED} of the shuffle (those tuned on); use at most {TUNED}')
    if n_test + TUNED >= len(openings): raise RlhfError(f'n_test = {n_test} leaves no training openings of {len(openings)}: lower n_test')
    order = np.random.default_rng(seed).permutation(len(openings))
    shuffled = [openings[i] for i in order]
    return shuffled[:-(TUNED + n_test)], shuffled[-n_dev:], shuffled[-(TUNED + n_test):-TUNED]

_VADER = []

def vader_gold(prompts: list[str], responses: list[str]) -> list[float]:
    "Gold reward of each response: VADER's compound sentiment score, in [-1, 1]."
    if not _VADER:
        try: from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
        except ImportError: raise RlhfError('the sentiment benchmark needs the vaderSentiment package: pip install vaderSentiment') from None
        _VADER.append(SentimentIntensityAnalyzer())
    return [float(_VADER[0].polarity_scores(r)['compound']) for r in responses]

@dataclass
class SentimentSettings:
    "Sizes and hyperparameters of the sentiment benchmark; each stage's own settings are nested."
    model: str = 'smollm2-135m'  # starting policy, reference, and the reward model's backbone
    n_dev: int = 64  # held-out openings that choose each algorithm's reported point (the ones tuned on before the split)
    n_test: int = 64  # held-out openings that nothing is chosen on: the reported table and frontiers
    n_train: int = 160  # training openings used (at most all that are not held out)
    k: int = 4  # completions sampled per training opening
    eval_samples: int = 2  # completions per held-out opening at each evaluation
    max_new_tokens: int = 24  # completion length limit, in tokens
    gen_batch_size: int = 32  # sequences per generation or scoring batch
    min_gap: float = 0.1  # a pair needs its two gold rewards at least this far apart
    reward_all_pairs: bool = True  # the reward model trains on every two samples of a prompt (InstructGPT's K-choose-2), DPO on best vs worst
    kto_threshold: float = 0.05  # KTO label: desirable iff the gold reward is >= this (VADER's 'positive' cut)
    kl_budget: float = 6.0  # the results table's KL budget, in nats per completion
    ppo_kl_targets: list = field(default_factory=lambda: [1.0, 3.0, 6.0])  # PPO runs: adaptive-KL targets (nats per completion)
    group_betas: list = field(default_factory=lambda: [0.01, 0.1, 0.5])  # GRPO and RLOO runs: fixed KL coefficients β, as their papers run them
    gold_beta: float = 0.1  # the GRPO and RLOO runs trained on the gold reward itself: their β (one of `group_betas`, to compare with)
    dpo_betas: list = field(default_factory=lambda: [0.05, 0.1, 0.3])  # DPO runs
    kto_betas: list = field(default_factory=lambda: [0.05, 0.1, 0.3])  # KTO runs
    eval_every: int = 10  # evaluate every N optimizer steps (PPO: iterations), and at the end
    seed: int = 0  # split, sampling and training seed
    keep_models: bool = False  # keep each run's trained model (135M parameters each) after its evaluation
    reward: RewardSettings = field(default_factory=lambda: RewardSettings(
        learning_rate=5e-4, epochs=2, train_layers=4, max_length=128, normalize_samples=64, normalize_temperature=1.0, save_steps=0))
    ppo: PPOSettings = field(default_factory=lambda: PPOSettings(
        max_steps=60, batch_size=8, learning_rate=5e-5, train_layers=4, temperature=1.0, missing_eos_penalty=0.0, adaptive_kl=True,
        kl_coef=0.1, kl_horizon=20, save_steps=0, advantage='gae', samples_per_prompt=1, ppo_epochs=4))  # classic PPO (critic, GAE), as the committed results ran  # a short horizon: β moves up to ±8% per iteration, so the targets part within 60 iterations
    grpo: GRPOSettings = field(default_factory=lambda: GRPOSettings(
        max_steps=30, batch_size=4, samples_per_prompt=4, learning_rate=5e-5, train_layers=4, temperature=1.0, missing_eos_penalty=0.0,
        kl_coef=0.1, save_steps=0, advantage='grpo', kl_in='loss', ppo_epochs=4))  # PPO's answers, updates and learning rate: 4 prompts x 4 answers for half the iterations; β times the k3 KL in the loss
    rloo: GRPOSettings = field(default_factory=lambda: GRPOSettings(
        max_steps=30, batch_size=4, samples_per_prompt=4, learning_rate=5e-5, train_layers=4, temperature=1.0, missing_eos_penalty=0.0,
        kl_coef=0.1, save_steps=0, advantage='rloo', kl_in='reward', ppo_epochs=4))  # as GRPO, with leave-one-out advantages and PPO's per-token KL penalty in the reward (Ahmadian et al. 2024)
    dpo: DPOSettings = field(default_factory=lambda: DPOSettings(epochs=3, learning_rate=2e-4, train_layers=4, save_steps=0))
    kto: KTOSettings = field(default_factory=lambda: KTOSettings(epochs=1.5, learning_rate=2e-4, train_layers=4, save_steps=0))

def sample_completions(model, tokenizer, prompts: list[str], k: int, s: SentimentSettings, seed: int = 0) -> list[dict]:
    "`k` sampled completions per prompt, as records {prompt, response}, the `k` of one prompt together."
    flat = [p for p in prompts for _ in range(k)]
    out = sample(model, tokenizer, flat, s.max_new_tokens, temperature=1.0, seed=seed, batch_size=s.gen_batch_size)
    return [{'prompt': p, 'response': t} for p, t in zip(out.prompts, out.texts)]

def build_feedback(samples: list[dict], gold: list[float], threshold: float = 0.05) -> list[dict]:
    "Every non-empty sample as a KTO row: label True iff its gold reward is >= `threshold`."
    return [{'prompt': r['prompt'], 'completion': r['response'], 'label': bool(g >= threshold), 'gold': g}
            for r, g in zip(samples, gold) if r['response'].strip()]

class PolicyEvaluator:
    "Mean gold reward and k1 sequence KL to `reference` of a policy's samples on each split's held-out prompts (and the proxy's scores if given)."
    def __init__(self, reference, tokenizer, splits: dict | list, s: SentimentSettings, gold_fn=vader_gold, reward_model=None,
                 frozen_blocks: int = 0):
        self.ref, self.tok, self.s, self.gold_fn, self.rm = reference.eval(), tokenizer, s, gold_fn, reward_model
        self.splits = {k: list(v) for k, v in splits.items()} if isinstance(splits, dict) else {'dev': list(splits)}  # name -> prompts
        self.frozen_blocks = frozen_blocks  # bottom blocks every evaluated policy keeps frozen (checked at each call)

    @torch.no_grad()
    def __call__(self, policy, keep_texts: int = 0) -> dict:
        "Evaluate `policy` on every split in one sampling pass: the first split's metrics at the top level, each other's under its name."
        names = list(self.splits)
        e, out, i = self._evaluate(policy, [p for k in names for p in self.splits[k]], keep_texts), {}, 0
        for k in names:
            j = i + len(self.splits[k]) * self.s.eval_samples
            out[k], i = self._metrics(e, i, j), j
        res = out[names[0]] | {k: out[k] for k in names[1:]}
        if keep_texts: res['examples'] = e['examples']
        return res

    def _evaluate(self, policy, prompts: list[str], keep_texts: int) -> dict:
        "Samples of `policy` for `prompts` with their gold rewards, sequence log-probs under policy and reference, and proxy scores."
        s, m = self.s, self.s.eval_samples
        n = shared_blocks(policy, self.ref, self.frozen_blocks)
        flat = [p for p in prompts for _ in range(m)]
        out = sample(policy, self.tok, flat, s.max_new_tokens, temperature=1.0, seed=s.seed, batch_size=s.gen_batch_size)
        dev, lr = next(self.ref.parameters()).device, []
        for i in range(0, len(flat), s.gen_batch_size):
            b = out.batch(list(range(i, min(i + s.gen_batch_size, len(flat)))), dev)
            lr += completion_logprobs(self.ref, b, 1.0, hidden_states(self.ref, b, stop=n) if n else None, n).sum(1).tolist()
        texts, lp = out.texts, [sum(x) for x in out.logprobs]
        gold = np.asarray(self.gold_fn(flat, texts), float)
        proxy = np.asarray(self.rm.score(flat, texts, s.gen_batch_size)) if self.rm is not None else None
        return dict(gold=gold, lp=np.asarray(lp), lr=np.asarray(lr), length=np.asarray([len(x) for x in out.ids], float), proxy=proxy,
                    examples=[dict(prompt=p, response=t, gold=float(g)) for p, t, g in list(zip(flat, texts, gold))[:keep_texts]])

    def _metrics(self, e: dict, i: int, j: int) -> dict:
        "Gold reward (mean, bootstrap interval, per prompt), KL with its interval and proxy of samples `i:j` of `_evaluate`'s result `e`."
        gold, m = e['gold'][i:j], self.s.eval_samples
        per_prompt = gold.reshape(-1, m).mean(1)
        lo, hi = bootstrap_interval(per_prompt, seed=self.s.seed)
        kl = kl_estimate(e['lp'][i:j].tolist(), e['lr'][i:j].tolist())
        res = dict(gold=float(gold.mean()), gold_low=lo, gold_high=hi, gold_per_prompt=per_prompt.tolist(), kl=kl['kl'],
                   kl_low=kl['ci_low'], kl_high=kl['ci_high'], kl_estimator=KL_ESTIMATOR, n=len(gold), length=float(e['length'][i:j].mean()))
        if e['proxy'] is not None:
            proxy = e['proxy'][i:j]
            res.update(proxy=float(proxy.mean()), proxy_gold_corr=float(np.corrcoef(proxy, gold)[0, 1]) if proxy.std() and gold.std() else 0.0)
        return res

class EvalEvery(TrainerCallback):
    "Evaluate the trained model with `evaluator` every `every` optimizer steps and at the last one, appending to `curve`."
    def __init__(self, evaluator: PolicyEvaluator, every: int, curve: list, run: str):
        self.evaluator, self.every, self.curve, self.run = evaluator, every, curve, run

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step % self.every == 0 or state.global_step == state.max_steps:
            self.curve.append(dict(run=self.run, step=state.global_step, **self.evaluator(model)))

def ppo_callback(evaluator: PolicyEvaluator, every: int, total: int, curve: list, run: str):
    "A `train_ppo` callback that evaluates every `every` iterations and at iteration `total`."
    def cb(step, policy, metrics):
        if step % every == 0 or step == total: curve.append(dict(run=run, step=step, **evaluator(policy)))
    return cb

def _log(msg: str): print(time.strftime('%H:%M:%S'), msg, flush=True)

def _settings_key(settings) -> str:
    "A short hash of the settings a run depends on (any JSON-able value; dataclasses by their fields)."
    import hashlib
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]

def _cached_run(out: Path, name: str, fn, log=_log, settings=None) -> dict:
    "The saved result of run `name` if it ran with these `settings`, else `fn()` timed (wall and CPU seconds of this process) and saved (dict with 'curve', 'wall_s', 'cpu_s', 'settings_key')."
    path, key = out/'curves'/f'{name}.json', _settings_key(settings)
    if path.exists():
        res = json.loads(path.read_text())
        if res.get('settings_key') == key: return res
        log(f'{name}: its settings changed since it ran: running it again')
        shutil.rmtree(out/name, ignore_errors=True)  # its checkpoints belong to the old settings
    log(f'{name}: start')
    t, c = time.time(), time.process_time()
    res = fn()
    res['wall_s'], res['cpu_s'], res['settings_key'] = round(time.time() - t, 1), round(time.process_time() - c, 1), key
    save_json(path, res)
    log(f"{name}: done in {res['wall_s']:.0f} s (CPU {res['cpu_s']:.0f} s); last point gold {res['curve'][-1]['gold']:.3f}, KL {res['curve'][-1]['kl']:.2f}")
    return res

def _drop_model(run_dir: Path, keep: bool):
    if not keep:
        for d in (run_dir/'models').glob('*'):
            if d.name != 'reward': shutil.rmtree(d, ignore_errors=True)

def run_benchmark(s: SentimentSettings, openings, output_dir: str | Path, gold_fn=vader_gold, log=_log) -> dict:
    "Run the whole benchmark (resumable) with gold reward `gold_fn`; returns {settings, start, data, reward, runs: {name: {algorithm, curve, ...}}, wall_s}."
    t0, c0, out = time.time(), time.process_time(), Path(output_dir)
    openings = load_openings(openings) if isinstance(openings, (str, Path)) else list(openings)
    train_o, dev_o, test_o = split_openings(openings, s.n_dev, s.n_test, s.seed)
    train_p, splits = sentiment_prompts(train_o[:s.n_train]), {'dev': sentiment_prompts(dev_o), 'test': sentiment_prompts(test_o)}
    tok, ref = load_tokenizer(s.model), load_model(s.model).eval().requires_grad_(False)
    trained = [x.train_layers for x in (s.ppo, s.grpo, s.rloo, s.dpo, s.kto)]
    frozen = len(blocks_of(ref)) - max(trained) if min(trained) > 0 else 0  # bottom blocks no run trains
    ev = PolicyEvaluator(ref, tok, splits, s, gold_fn, frozen_blocks=frozen)
    common = {k: v for k, v in settings_dict(s).items() if k not in ('ppo', 'grpo', 'rloo', 'dpo', 'kto', 'ppo_kl_targets', 'group_betas',
                                                                      'gold_beta', 'dpo_betas', 'kto_betas', 'keep_models')}
    start = _cached_run(out, 'start', lambda: {'curve': [dict(run='start', step=0, **ev(ref, keep_texts=s.n_dev * s.eval_samples))]}, log, common)

    data_path = out/'data.json'
    if data_path.exists(): data = json.loads(data_path.read_text())
    else:
        log(f'sampling {s.k} completions for each of {len(train_p)} training prompts')
        t, c = time.time(), time.process_time()
        samples = sample_completions(ref, tok, train_p, s.k, s, seed=s.seed + 1)
        gold = gold_fn([r['prompt'] for r in samples], [r['response'] for r in samples])
        ex = start['curve'][0]['examples']
        data = dict(samples=[r | {'gold': g} for r, g in zip(samples, gold)], preferences=build_preferences(samples, gold, s.min_gap),
                    feedback=build_feedback(samples, gold, s.kto_threshold), sampling_s=round(time.time() - t, 1),
                    sampling_cpu_s=round(time.process_time() - c, 1),
                    eval_preferences=build_preferences(ex, [r['gold'] for r in ex], s.min_gap) if s.eval_samples > 1 else [])
        save_json(data_path, data)
    prefs, fb = data['preferences'], data['feedback']
    rm_pairs = build_preferences(data['samples'], [r['gold'] for r in data['samples']], s.min_gap, all_pairs=True) if s.reward_all_pairs else prefs
    log(f"{len(prefs)} pairs for DPO, {len(rm_pairs)} for the reward model, {len(fb)} feedback rows ({sum(r['label'] for r in fb)} desirable)")

    rm_dir = out/'reward'
    rs = replace(s.reward, normalize_max_new_tokens=s.max_new_tokens, normalize_temperature=1.0, seed=s.seed)  # normalised on π's own samples
    c, cpu_file = time.process_time(), rm_dir/'cpu_s.json'
    rm_res = train_reward_model(rs, s.model, rm_pairs, rm_dir, data['eval_preferences'] or None)
    if not rm_res.get('skipped'): save_json(cpu_file, round(time.process_time() - c, 1))
    rm_cpu = json.loads(cpu_file.read_text())
    rm = RewardModel.load(rm_res['path'])
    ev_rm = PolicyEvaluator(ref, tok, splits, s, gold_fn, reward_model=rm, frozen_blocks=frozen)
    gold_reward = FunctionReward(gold_fn, 'gold')
    runs = {}

    def online(name, algo, st, reward, trainer, every):
        "One run of PPO, GRPO or RLOO against `reward`, evaluated every `every` iterations."
        def go():
            curve = []
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always', RewardHackingWarning)
                res = trainer(st, s.model, reward, train_p, out/name, gold_fn=gold_fn, callback=ppo_callback(ev_rm, every, st.max_steps, curve, name))
            stage = 'ppo' if trainer is train_ppo else 'grpo'
            tr = TrainingMetricsTracker(out/name/'metrics'/f'{stage}.jsonl')
            _drop_model(out/name, s.keep_models)
            series = {k: tr.series(k)[1] for k in ('objective/scores', 'objective/gold', 'gold/correlation', 'gold/hacking', 'objective/kl',
                                                    'objective/kl_coef')}
            return dict(algorithm=algo, param=dict(kl_target=st.kl_target) if st.adaptive_kl else dict(beta=st.kl_coef), curve=curve, train=series, steps=res['steps'],
                        hacking_warnings=[str(w.message) for w in caught if issubclass(w.category, RewardHackingWarning)])
        key = dict(common, run=settings_dict(st), reward='gold' if reward is gold_reward else settings_dict(rs))
        runs[name] = _cached_run(out, name, go, log, key)

    episodes = lambda st: st.batch_size * st.samples_per_prompt  # answers per iteration
    groups = (('grpo', s.grpo), ('rloo', s.rloo))
    online_runs = [(f'ppo-kl{t:g}', 'ppo', s.ppo, dict(kl_target=float(t), adaptive_kl=True), rm, train_ppo) for t in s.ppo_kl_targets]
    online_runs += [(f'{a}-beta{b:g}', a, base, dict(kl_coef=float(b), adaptive_kl=False), rm, train_grpo) for a, base in groups for b in s.group_betas]
    online_runs += [(f'{a}-gold', f'{a}-gold', base, dict(kl_coef=float(s.gold_beta), adaptive_kl=False), gold_reward, train_grpo) for a, base in groups]
    for name, algo, base, kl, reward, trainer in online_runs:
        st = replace(base, **kl, seed=s.seed, max_new_tokens=s.max_new_tokens, temperature=1.0, top_p=1.0)
        every = max(1, s.eval_every * episodes(s.ppo) // episodes(st))  # PPO's evaluation points, in answers sampled
        online(name, algo, st, reward, trainer, every)
    for algo, betas, trainer, base, rows in (('dpo', s.dpo_betas, train_dpo, s.dpo, prefs), ('kto', s.kto_betas, train_kto, s.kto, fb)):
        for b in betas:
            name, st = f'{algo}-beta{b:g}', replace(base, beta=float(b), seed=s.seed)
            def go(name=name, st=st, trainer=trainer, rows=rows, algo=algo, b=b):
                curve = []
                res = trainer(st, s.model, rows, out/name, callbacks=[EvalEvery(ev, s.eval_every, curve, name)])
                _drop_model(out/name, s.keep_models)
                return dict(algorithm=algo, param=dict(beta=b), curve=curve, steps=res['steps'])
            runs[name] = _cached_run(out, name, go, log, dict(common, run=settings_dict(st)))
    rm_info = {k: rm_res.get('eval', {}).get(k) for k in ('accuracy', 'ranking_accuracy', 'n')} | {'wall_s': rm_res.get('wall_s'), 'cpu_s': rm_cpu}
    return dict(settings=settings_dict(s), start=start['curve'][0], data=dict(n_pairs=len(prefs), n_reward_pairs=len(rm_pairs), n_feedback=len(fb),
                n_desirable=sum(r['label'] for r in fb), sampling_s=data['sampling_s'], sampling_cpu_s=data['sampling_cpu_s'], n_train_prompts=len(train_p), n_dev_prompts=len(splits['dev']),
                n_test_prompts=len(splits['test']),
                mean_gold_samples=float(np.mean([r['gold'] for r in data['samples']]))), reward=rm_info, runs=runs,
                start_wall_s=start['wall_s'], start_cpu_s=start['cpu_s'], wall_s=round(time.time() - t0, 1), cpu_s=round(time.process_time() - c0, 1))

ALGORITHMS = ('ppo', 'grpo', 'rloo', 'dpo', 'kto')  # trained on what the gold reward labelled once (a reward model, pairs, labels)
GOLD = ('grpo-gold', 'rloo-gold')  # trained on the gold reward itself (a verifiable reward): the gap between learned and true reward
NAMES = {'ppo': 'PPO', 'grpo': 'GRPO', 'rloo': 'RLOO', 'dpo': 'DPO', 'kto': 'KTO', 'grpo-gold': 'GRPO on gold', 'rloo-gold': 'RLOO on gold'}

def algorithm_points(res: dict, algorithm: str) -> list[dict]:
    "Every evaluation point of `algorithm`'s runs, and the starting policy (KL 0)."
    return [res['start']] + [p for r in res['runs'].values() if r['algorithm'] == algorithm for p in r['curve']]

def on_split(point: dict, split: str) -> dict:
    "An evaluation point's metrics on `split`: 'dev' (the top level) or 'test' (its 'test' entry), with its run and step."
    return point if split == 'dev' else dict(point[split], run=point.get('run'), step=point.get('step'))

def frontier(points: list[dict]) -> list[dict]:
    "The upper envelope of `points`: those whose gold reward beats every point of lower or equal KL, by increasing KL."
    out, best = [], -math.inf
    for p in sorted(points, key=lambda p: (p['kl'], -p['gold'])):
        if p['gold'] > best: out.append(p); best = p['gold']
    return out

def frontier_on(res: dict, algorithm: str, split: str = 'test') -> list[dict]:
    "`algorithm`'s frontier chosen on the dev openings, each point's metrics on `split`."
    return [on_split(p, split) for p in frontier(algorithm_points(res, algorithm))]

def best_within(points: list[dict], budget: float) -> dict | None:
    "The point of highest gold reward among those with KL <= `budget`."
    ok = [p for p in points if p['kl'] <= budget]
    return max(ok, key=lambda p: p['gold']) if ok else None

def results_table(res: dict, budget: float | None = None, split: str = 'test') -> list[dict]:
    "Per algorithm: its best point at KL <= `budget` (default: the settings') on the dev openings, reported on `split` with intervals and the paired test against the start."
    budget = res['settings']['kl_budget'] if budget is None else budget
    s0, rows = np.asarray(on_split(res['start'], split)['gold_per_prompt']), []
    for a in ALGORITHMS + GOLD:
        pts = [p for p in algorithm_points(res, a) if p.get('run') != 'start']
        if not pts: continue
        b = best_within(pts, budget)
        if b is None: rows.append(dict(algorithm=a, run=None)); continue
        r = on_split(b, split)
        d = np.asarray(r['gold_per_prompt']) - s0
        gain = mean_interval(d)
        rows.append(dict(algorithm=a, run=b['run'], step=b['step'], dev_gold=b['gold'], dev_kl=b['kl'], kl=r['kl'], kl_low=r['kl_low'],
                         kl_high=r['kl_high'], gold=r['gold'], gold_low=r['gold_low'], gold_high=r['gold_high'], gain=gain['mean'],
                         gain_low=gain['ci_low'], gain_high=gain['ci_high'], p_wilcoxon=wilcoxon_test(r['gold_per_prompt'], s0), n_prompts=len(d)))
    return rows

def table_markdown(rows: list[dict], start: dict, budget: float) -> str:
    "The results table in Markdown (95% intervals in brackets); `start` is the starting policy's point on the reported split."
    f = lambda v, lo, hi, d=3: f'{v:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]'
    body = [['start (SmolLM2-135M)', '–', '–', f(0.0, start['kl_low'], start['kl_high'], 2), f(start['gold'], start['gold_low'], start['gold_high']), '–', '–']]
    for r in rows:
        name = NAMES.get(r['algorithm'], r['algorithm'])
        if r['run'] is None: body.append([name, f'no point at KL <= {budget:g}', '–', '–', '–', '–', '–']); continue
        body.append([name, f"{r['run']} @ step {r['step']}", f"{r['dev_gold']:.3f} at KL {r['dev_kl']:.2f}", f(r['kl'], r['kl_low'], r['kl_high'], 2),
                     f(r['gold'], r['gold_low'], r['gold_high']), f(r['gain'], r['gain_low'], r['gain_high'], 3), f"{r['p_wilcoxon']:.1e}"])
    return md_table(['algorithm', f'point chosen on dev (KL <= {budget:g} nats)', 'dev gold', 'test KL (k1, nats)', 'test gold reward',
                     'test gain over start', 'p (Wilcoxon, paired)'], body)

def _envelope(points: list[dict], x: float) -> float:
    return max((p['gold'] for p in points if p['kl'] <= x), default=-math.inf)

def dominance(points_a: list[dict], points_b: list[dict], n_grid: int = 50) -> dict:
    """How frontier a compares with frontier b as the best gold reward within a KL budget x, for every budget from the later first trained
    point to the further last one (past its last point an algorithm keeps its best): share of grid points where a is higher, largest gaps."""
    trained = lambda ps: [p['kl'] for p in ps if p['kl'] > 0 and p.get('run') != 'start']  # the start's estimate is ~0, not 0
    ka, kb = trained(points_a), trained(points_b)
    if not (ka and kb): return dict(kl_min=0.0, kl_max=0.0, share_a_higher=0.0, share_b_higher=0.0, max_gap_a=0.0, max_gap_b=0.0)
    lo, hi = max(min(ka), min(kb)), max(ka + kb)
    d = np.asarray([_envelope(points_a, x) - _envelope(points_b, x) for x in np.linspace(lo, hi, n_grid)])
    return dict(kl_min=float(lo), kl_max=float(hi), share_a_higher=float((d > 0).mean()), share_b_higher=float((d < 0).mean()),
                max_gap_a=float(max(d.max(), 0)) + 0.0, max_gap_b=float(max(-d.min(), 0)) + 0.0)  # + 0.0: no -0.0

def comparison(dm: dict, a: str, b: str) -> str:
    "One sentence on `dominance`'s result `dm` of frontier `a` against frontier `b`."
    if dm['kl_max'] <= 0: return f"{a} and {b} have no trained points to compare."
    if f"{dm['kl_min']:.2f}" == f"{dm['kl_max']:.2f}":  # one budget: each one's best gold within it
        lead = f"{a}'s by {dm['max_gap_a']:.3f}" if dm['max_gap_a'] > 0 else f"{b}'s by {dm['max_gap_b']:.3f}"
        return f"At a KL budget of {dm['kl_max']:.2f} nats (the only one where both have a trained point), the higher best gold within it is {lead}."
    return (f"At KL budgets {dm['kl_min']:.2f}–{dm['kl_max']:.2f} nats (from where both have a trained point; the best gold within each "
            f"budget), {a} is higher at {dm['share_a_higher']:.0%} of them (largest lead {dm['max_gap_a']:.3f}) and {b} at "
            f"{dm['share_b_higher']:.0%} (largest lead {dm['max_gap_b']:.3f}).")

COLORS = {'ppo': 'tab:blue', 'grpo': 'tab:purple', 'rloo': 'tab:brown', 'dpo': 'tab:orange', 'kto': 'tab:green', 'grpo-gold': 'tab:pink',
          'rloo-gold': 'tab:gray'}
MARKERS = 'osD^v<>'

def plot_frontier(res: dict, budget: float | None = None, split: str = 'test') -> Figure:
    "Gold reward against KL(π ‖ π_ref) on `split`: every evaluation point, and each algorithm's frontier (its points chosen on dev)."
    fig = Figure(figsize=(8, 5), layout='constrained')
    ax = fig.subplots()
    st = on_split(res['start'], split)
    for a in ALGORITHMS + GOLD:
        names = [n for n, r in res['runs'].items() if r['algorithm'] == a]
        for i, n in enumerate(names):
            c = [on_split(p, split) for p in res['runs'][n]['curve']]
            ax.plot([0] + [p['kl'] for p in c], [st['gold']] + [p['gold'] for p in c], color=COLORS[a], lw=0.8, alpha=0.3)
            ax.scatter([p['kl'] for p in c], [p['gold'] for p in c], color=COLORS[a], marker=MARKERS[i % len(MARKERS)], alpha=0.45, s=18)
        if names:
            fr = frontier_on(res, a, split)
            ax.plot([p['kl'] for p in fr], [p['gold'] for p in fr], color=COLORS[a], lw=2, ls='--' if a in GOLD else '-',
                    marker='.', label=f'{NAMES[a]} frontier')
    ax.errorbar([0], [st['gold']], yerr=[[st['gold'] - st['gold_low']], [st['gold_high'] - st['gold']]], fmt='k*', ms=10, capsize=3, label='start')
    budget = res['settings']['kl_budget'] if budget is None else budget
    ax.axvline(budget, color='grey', ls=':', lw=1, label=f'KL budget {budget:g}')
    ax.set_xlabel(f'KL(π ‖ π_ref) per completion, nats (k1 estimate, {split} openings)')
    ax.set_ylabel(f'mean gold reward (VADER compound, {split} openings)')
    ax.set_title('Controlled sentiment generation: gold reward vs KL (frontier points chosen on dev)')
    ax.legend(fontsize=7, ncol=2, loc='lower right')
    return fig

def _trained(res: dict) -> dict:
    "The online runs (PPO, GRPO, RLOO) that trained on the learned reward model, by algorithm."
    return {a: {n: r for n, r in res['runs'].items() if r['algorithm'] == a and r.get('train')} for a in ('ppo', 'grpo', 'rloo')}

def plot_proxy_vs_gold(res: dict) -> Figure | None:
    "Per online run on the reward model: proxy and gold reward of the training samples per iteration, their correlation, and hacking alarms."
    rows = [rs for rs in _trained(res).values() if rs]
    if not rows: return None
    ncol = max(len(r) for r in rows)
    fig = Figure(figsize=(4 * ncol, 3.2 * len(rows)), layout='constrained')
    axes = np.atleast_2d(fig.subplots(len(rows), ncol, squeeze=False))
    for row, runs in zip(axes, rows):
        for ax, (n, r) in zip(row, runs.items()):
            tr = r['train']
            proxy, gold = np.asarray(tr['objective/scores']), np.asarray(tr['objective/gold'])
            steps = np.arange(1, len(proxy) + 1)
            ax.plot(steps, proxy, color='tab:purple', label='proxy (reward model, normalised)')
            ax2 = ax.twinx()
            ax2.plot(steps, gold, color='tab:red', label='gold (VADER)')
            for s_, h in zip(steps, tr['gold/hacking']):
                if h: ax.axvspan(s_ - 0.5, s_ + 0.5, color='red', alpha=0.15, lw=0)
            corr = float(np.corrcoef(proxy, gold)[0, 1]) if len(proxy) > 2 and proxy.std() and gold.std() else float('nan')
            ax.set_title(f'{n}: corr of step means {corr:.2f}', fontsize=9)
            ax.set_xlabel('iteration'); ax.set_ylabel('proxy', color='tab:purple'); ax2.set_ylabel('gold', color='tab:red')
    fig.suptitle('Reward-model score vs gold reward on the same training samples (red bands: hacking alarm)', fontsize=10)
    return fig

def _verdict(dm: dict, tol: float, a: str = 'DPO', b: str = 'PPO') -> str:
    "An honest sentence about frontier `a` against `b`; leads up to `tol` (the points' typical interval half-width) are noise."
    if dm['kl_max'] <= 0: return 'cannot be compared: one of the algorithms never moved away from the starting policy'
    if dm['share_b_higher'] == 0 and dm['max_gap_a'] > tol: return f"{a}'s frontier is at or above {b}'s at every budget"
    if dm['share_a_higher'] == 0 and dm['max_gap_b'] > tol: return f"{b}'s frontier is at or above {a}'s at every budget"
    if max(dm['max_gap_a'], dm['max_gap_b']) <= tol: return 'the two frontiers are within noise of each other'
    lead = a if dm['share_a_higher'] > dm['share_b_higher'] else b
    return f'neither frontier dominates; {lead} is higher at more of the budgets'

def summary_markdown(res: dict, wall: dict | None = None) -> str:
    "The benchmark's results as Markdown: setup, table, frontier comparisons, reward model, hacking monitor, wall times."
    s, budget, d = res['settings'], res['settings']['kl_budget'], res['data']
    rows = results_table(res)
    fr = {a: frontier_on(res, a) for a in ALGORITHMS + GOLD if any(r['algorithm'] == a for r in res['runs'].values())}
    tol = float(np.median([(p['gold_high'] - p['gold_low']) / 2 for a in fr for p in fr[a][1:]] or [0.0]))  # typical interval half-width
    def versus(a, b):
        if a not in fr or b not in fr: return ''
        dm = dominance(fr[a], fr[b])
        return f"**{NAMES[a]} vs {NAMES[b]}**: {comparison(dm, NAMES[a], NAMES[b])} Verdict: {_verdict(dm, tol, NAMES[a], NAMES[b])}."
    pairs = [('dpo', 'ppo'), ('grpo', 'ppo'), ('rloo', 'ppo'), ('grpo', 'rloo'), ('kto', 'ppo'), ('kto', 'dpo'), ('grpo-gold', 'grpo'), ('rloo-gold', 'rloo')]
    lines = [f"# Controlled sentiment generation: results ({wall.get('size', '') if wall else ''})".replace(' ()', ''), '',
             f"Policy and reference: `{s['model']}`. {d['n_train_prompts']} training openings × {s['k']} samples "
             f"(mean gold {d['mean_gold_samples']:.3f}) gave {d['n_pairs']} best-vs-worst pairs (gap >= {s['min_gap']}) for DPO, "
             f"{d['n_reward_pairs']} pairs for the reward model ({'every two samples of an opening' if s['reward_all_pairs'] else 'the same'}) that PPO, "
             f"GRPO and RLOO train against, and {d['n_feedback']} KTO rows ({d['n_desirable']} desirable: VADER compound >= {s['kto_threshold']}). "
             f"GRPO and RLOO also ran once on the gold reward itself. Evaluation at every {s['eval_every']} steps (the group methods: at the same "
             f"number of sampled answers), {s['eval_samples']} samples per opening at temperature 1, {s['max_new_tokens']} new tokens at most, "
             f"on two disjoint sets of held-out openings: {d['n_dev_prompts']} **dev** openings (the ones the settings were tuned on) choose "
             f"each algorithm's point and frontier, {d['n_test_prompts']} **test** openings that nothing was chosen on report them. "
             f"Gold reward: VADER compound of the completion. KL: {KL_ESTIMATOR}.", '',
             f"## Best gold reward at KL <= {budget:g} nats: chosen on dev, reported on test", '',
             table_markdown(rows, on_split(res['start'], 'test'), budget), '',
             'Intervals: 95% bootstrap over test openings (gold), t interval (KL, gain). The p-value is the paired Wilcoxon signed-rank test '
             'of per-opening mean gold rewards against the starting policy on the test openings. The KL budget is applied on dev, so a '
             'chosen point can lie a little above it on test.', '',
             '## Frontiers on the test openings', '', '![frontier](frontier.png)', '',
             f"Each frontier's points are chosen on dev (its upper envelope there) and drawn and compared at their test values. Leads smaller "
             f"than {tol:.3f}, the median half-width of those points' 95% intervals, count as noise. The DPO paper (Rafailov et al. 2023, "
             "fig. 2) found DPO's frontier above PPO's.", '']
    lines += [f'- {x}' for x in (versus(a, b) for a, b in pairs) if x] + ['']
    rm = res['reward']
    lines += ['## Reward model and reward hacking', '',
              f"Reward model accuracy on held-out best-vs-worst pairs (dev openings): {rm['accuracy']:.3f} (n = {rm['n']})." if rm.get('accuracy') is not None
              else 'Reward model: no held-out pairs.', '', '![proxy vs gold](proxy_vs_gold.png)', '']
    hdr, body = ['run', 'final β', 'corr(proxy, gold) on held-out samples, last eval', 'hacking alarms (iterations)', 'warnings'], []
    for runs in _trained(res).values():
        for n, r in runs.items():
            last = r['curve'][-1]
            body.append([n, f"{r['train']['objective/kl_coef'][-1]:.3f}", f"{last.get('proxy_gold_corr', float('nan')):.2f}",
                         str(int(sum(r['train']['gold/hacking']))), str(len(r['hacking_warnings']))])
    if body: lines += [md_table(hdr, body), '']
    parts = [['start-policy evaluation', res['start_wall_s'], res['start_cpu_s']], ['sampling the training data', d['sampling_s'], d['sampling_cpu_s']],
             ['reward model', rm.get('wall_s') or 0, rm.get('cpu_s') or 0]] + [[n, r['wall_s'], r['cpu_s']] for n, r in res['runs'].items()]
    lines += ['## Wall time', '', 'CPU seconds are the benchmark process\'s own (user + system, all threads): on a shared machine they show '
              'the work done, while wall time also shows how long others held the cores.', '',
              md_table(['part', 'wall s', 'CPU s'], [[p, f'{w:.0f}', f'{c:.0f}'] for p, w, c in parts] +
                       [['sum of the parts', f'{sum(w for _, w, _ in parts):.0f}', f'{sum(c for _, _, c in parts):.0f}'],
                        ['this invocation (the parts it did not find done)', f"{res['wall_s']:.0f}", f"{res['cpu_s']:.0f}"]]), '']
    return '\n'.join(lines)

def summarize(res: dict, results_dir: str | Path, wall: dict | None = None) -> Path:
    "Write results.md, results.json, frontier.png and proxy_vs_gold.png to `results_dir`."
    d = Path(results_dir); d.mkdir(parents=True, exist_ok=True)
    save_figure(plot_frontier(res), d/'frontier.png')
    fig = plot_proxy_vs_gold(res)
    if fig is not None: save_figure(fig, d/'proxy_vs_gold.png')
    (d/'results.md').write_text(summary_markdown(res, wall))
    save_json(d/'results.json', dict(res, table=results_table(res), wall=wall or {}))
    return d
