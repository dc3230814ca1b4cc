"""Benchmark (not a test): our KV-cached sampler (`rlhf.lm.sample`) against `transformers`' `model.generate`, in one run.

Both answer the same prompts (the pipeline's dev prompts, rendered with the chat template) with the embedded
SmolLM2-135M, at the same batch size and answer cap, greedy and sampled (temperature 0.7), in the precision the
pipeline uses on this device (bf16 autocast where it is native, else fp32; `RLHF_PRECISION` overrides):
  sample    length-sorted batches, finished rows dropped from the batch, stop per row at an end token;
  generate  `model.generate` on the same batches (same rows, left-padded), `do_sample` and `temperature` as asked,
            the end tokens of the generation config, KV cache on (its default).
Tokens/s counts answer tokens (up to and including the end token) over wall time; the model FLOPs are counted by
`rlhf.perf.Work` (every linear map that ran, padding included) and given as a share of the matmul peak measured in the same
process for the same precision. Greedy answers are compared token for token (they agree up to ties in the arg-max and
the batch's numerical noise). Each configuration runs once untimed first (warm-up).

    python benchmarks/bench_generate.py [--prompts 64] [--batch-size 32] [--max-new-tokens 64] [--json out.json]
    python benchmarks/bench_generate.py --batch-sizes 32,64,128,256 --answers-per-prompt 2 --prompts 128 [--json out.json]

The second form times only the sampler at temperature 0.7 on each batch size, every prompt answered `--answers-per-prompt`
times as the evaluation does (the rows of one prompt share its prefill): what `eval.batch_size` was chosen on.

About 3 minutes on a quiet 2-core machine with the defaults.
"""
from __future__ import annotations
import argparse, json, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rlhf.data import load_prompts
from rlhf.lm import autocast, end_tokens, length_batches, prompt_ids, sample
from rlhf.models import device_policy, load_model, load_tokenizer, precision_name
from rlhf.perf import Work, peak_of
from rlhf.pipeline import load_settings, prepare


def hf_generate(model, tok, prompts: list[str], max_new_tokens: int, temperature: float, batch_size: int, seed: int = 0) -> list[list[int]]:
    "`model.generate`'s answer ids for `prompts`, in the same length-sorted batches as `sample` (left-padded)."
    rendered = [prompt_ids(tok, p) for p in prompts]
    ends, out = end_tokens(model, tok), [None] * len(prompts)
    torch.manual_seed(seed)
    for idx in length_batches([len(r) for r in rendered], batch_size):
        width = max(len(rendered[i]) for i in idx)
        ids = torch.tensor([[tok.pad_token_id] * (width - len(rendered[i])) + rendered[i] for i in idx], device=model.device)
        mask = (torch.arange(width, device=model.device)[None] >= torch.tensor([width - len(rendered[i]) for i in idx], device=model.device)[:, None]).long()
        kw = dict(do_sample=True, temperature=temperature, top_p=1.0, top_k=0) if temperature else dict(do_sample=False)
        with torch.no_grad():
            gen = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, eos_token_id=ends,
                                 pad_token_id=tok.pad_token_id, **kw)[:, width:]
        for row, i in zip(gen.tolist(), idx):
            cut = next((k + 1 for k, t in enumerate(row) if t in ends), len(row))
            out[i] = row[:cut]
    return out


def timed(fn):
    "(result, work) of `fn()`, counted by `Work`."
    with Work() as w: r = fn()
    return r, w


def sweep(model, tok, prompts: list[str], a, pol, peak: float):
    "The sampler's tokens/s at T=0.7 at each of `a.batch_sizes`, each prompt answered `a.answers_per_prompt` times."
    rep, rows = [p for p in prompts for _ in range(a.answers_per_prompt)], []
    print(f'{a.model} on {pol.device}, {precision_name(pol)}, {torch.get_num_threads()} threads; matmul peak {peak / 1e9:.0f} GFLOP/s; '
          f'{len(prompts)} prompts x {a.answers_per_prompt} answers at T=0.7, at most {a.max_new_tokens} new tokens')
    with autocast(pol.device): sample(model, tok, prompts[:8], 8, 0.7, batch_size=8)  # warm-up
    for bs in [int(x) for x in a.batch_sizes.split(',')]:
        with autocast(pol.device): ids, w = timed(lambda: sample(model, tok, rep, a.max_new_tokens, 0.7, batch_size=bs).ids)
        n = sum(len(x) for x in ids)
        rows.append(dict(batch_size=bs, answer_tokens=n, seconds=round(w.seconds, 2), tokens_per_s=round(n / w.seconds, 1),
                         tflop=round(w.flops / 1e12, 3), utilisation=round(w.utilisation(peak), 3)))
        print(f'batch {bs:4d}: {n:6d} answer tokens in {w.seconds:6.1f} s = {n / w.seconds:7.1f} tok/s, {100 * rows[-1]["utilisation"]:4.1f}% of peak', flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(dict(model=a.model, device=pol.device, precision=precision_name(pol), threads=torch.get_num_threads(),
                                                peak_gflops=round(peak / 1e9, 1), max_new_tokens=a.max_new_tokens, prompts=len(prompts),
                                                answers_per_prompt=a.answers_per_prompt, sweep=rows), indent=1))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--prompts', type=int, default=64)
    ap.add_argument('--batch-size', type=int, default=32)
    ap.add_argument('--max-new-tokens', type=int, default=64)
    ap.add_argument('--model', default='smollm2-135m')
    ap.add_argument('--json', default='')
    ap.add_argument('--batch-sizes', default='', help='comma-separated: time only the sampler (T=0.7) at each')
    ap.add_argument('--answers-per-prompt', type=int, default=2, help='with --batch-sizes: answers to each prompt')
    a = ap.parse_args(argv)
    pol = device_policy()
    data = Path('/tmp/rlhf_bench_generate_data')
    if not (data/'data'/'prompts_dev.json').exists(): prepare(load_settings(ROOT/'settings.ini'), data)
    prompts = load_prompts(data/'data'/'prompts_dev.json')[:a.prompts]
    tok, model = load_tokenizer(a.model), load_model(a.model).eval()
    peak = peak_of(pol)
    if a.batch_sizes: return sweep(model, tok, prompts, a, pol, peak)
    print(f'{a.model} on {pol.device}, {precision_name(pol)}, {torch.get_num_threads()} threads; matmul peak {peak / 1e9:.0f} GFLOP/s; '
          f'{len(prompts)} prompts, batch {a.batch_size}, at most {a.max_new_tokens} new tokens')
    rows, greedy = [], {}
    for temperature in (0.0, 0.7):
        for name in ('sample', 'generate'):
            def go():
                with autocast(pol.device):
                    if name == 'sample': return sample(model, tok, prompts, a.max_new_tokens, temperature, batch_size=a.batch_size).ids
                    return hf_generate(model, tok, prompts, a.max_new_tokens, temperature, a.batch_size)
            go()  # warm-up
            ids, w = timed(go)
            n = sum(len(x) for x in ids)
            if not temperature: greedy[name] = ids
            rows.append(dict(decoding='greedy' if not temperature else f'T={temperature}', method=name, answer_tokens=n,
                             seconds=round(w.seconds, 2), tokens_per_s=round(n / w.seconds, 1), tflop=round(w.flops / 1e12, 3),
                             utilisation=round(w.utilisation(peak), 3)))
            r = rows[-1]
            print(f"{r['decoding']:>7} {name:>8}: {n:5d} answer tokens in {w.seconds:6.1f} s = {r['tokens_per_s']:7.1f} tok/s, "
                  f"{r['tflop']:.2f} TFLOP, {100 * r['utilisation']:4.1f}% of peak", flush=True)
    same = sum(x == y for x, y in zip(greedy['sample'], greedy['generate']))
    for t in ('greedy', 'T=0.7'):
        s, g = [r for r in rows if r['decoding'] == t]
        print(f'{t}: sample is {s["tokens_per_s"] / g["tokens_per_s"]:.2f}x generate')
    print(f'greedy answers identical token for token: {same}/{len(prompts)}')
    if a.json:
        Path(a.json).write_text(json.dumps(dict(model=a.model, device=pol.device, precision=precision_name(pol), threads=torch.get_num_threads(),
                                                peak_gflops=round(peak / 1e9, 1), batch_size=a.batch_size, max_new_tokens=a.max_new_tokens,
                                                prompts=len(prompts), greedy_identical=same, rows=rows), indent=1))


if __name__ == '__main__': main()
