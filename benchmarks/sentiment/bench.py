"""Controlled sentiment generation (Rafailov et al. 2023, section 6.1) at laptop scale: PPO, GRPO, RLOO, DPO and KTO on
the embedded SmolLM2-135M, scored by the VADER sentiment lexicon as the gold reward, each summarised by its gold-reward vs KL frontier.
Everything is in `sentiment.py` beside this script (explained in nbs/10_sentiment.ipynb); this script picks a size and writes the results.

    python benchmarks/sentiment/bench.py [--quick] [--out DIR] [--work DIR]

--out (default benchmarks/sentiment/results/SIZE) receives frontier.png, proxy_vs_gold.png, results.md and results.json;
--work (default /tmp/rlhf-sentiment-{quick,default}) holds the runs, their curves and the reward model. A run whose curve is
in --work is not repeated, so an interrupted benchmark resumes where it stopped; delete --work to start afresh.
Sizes: --quick took 70 minutes of wall time summed over its 19 parts on a 2-core AVX2 CPU in fp32 (results/quick/results.md
lists each part); the default size trains on 3x the openings for 5x the steps and has not been run with the dev/test split.
"""
from __future__ import annotations
import argparse, json, time
from dataclasses import replace
from pathlib import Path
from rlhf.models import set_threads
from sentiment import SentimentSettings, run_benchmark, summarize

HERE = Path(__file__).parent


def settings(size: str) -> SentimentSettings:
    "The benchmark's settings at `size` ('quick' or 'default')."
    s = SentimentSettings()  # the default size
    if size == 'default': return s
    return replace(s, n_dev=32, n_test=64, n_train=48, k=4, eval_samples=2, max_new_tokens=20, eval_every=6, ppo_kl_targets=[0.5, 1.0, 2.0],
                   reward=replace(s.reward, normalize_samples=32),
                   ppo=replace(s.ppo, max_steps=12, learning_rate=1e-4, kl_horizon=16),
                   grpo=replace(s.grpo, max_steps=6, learning_rate=1e-4), rloo=replace(s.rloo, max_steps=6, learning_rate=1e-4),
                   dpo=replace(s.dpo, epochs=2, learning_rate=5e-4), kto=replace(s.kto, epochs=0.5, learning_rate=5e-4))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='the quick size (about 70 minutes on a 2-core AVX2 CPU)')
    ap.add_argument('--out', default=None, help='where the results go (default benchmarks/sentiment/results/SIZE)')
    ap.add_argument('--work', default=None, help='where the runs go (default /tmp/rlhf-sentiment-SIZE)')
    ap.add_argument('--openings', default=str(HERE/'openings.json'), help='the movie-review openings (a JSON list)')
    a = ap.parse_args()
    size = 'quick' if a.quick else 'default'
    set_threads()
    t = time.time()
    res = run_benchmark(settings(size), a.openings, Path(a.work or f'/tmp/rlhf-sentiment-{size}'))
    out = summarize(res, a.out or HERE/'results'/size, dict(size=size, total_s=round(time.time() - t, 1)))
    print((out/'results.md').read_text())


if __name__ == '__main__':
    main()
