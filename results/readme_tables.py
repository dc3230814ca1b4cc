"""The README's tables, regenerated from the results committed beside them.

A table in the readme notebook (nbs/index.ipynb, which README.md is written from) that comes from a results file is
preceded by a marker line naming the file and what to tabulate, e.g.

    <!-- table: results/make-run/avx512-bf16 stages -->

Kinds: `stages` (make run's stages: wall time against the plan, tokens, model FLOPs and their utilisation of the matmul peak,
from manifest.json), `eval` (the evaluation's summary, as `rlhf run` prints it, from report.json), `judges` (every
judge's verdicts and its agreement with the reward model, from report.json), `sentiment` (the gold-reward benchmark's best
points, chosen on dev and reported on test, from results.json), `generate` (benchmarks/bench_generate.py's JSON: the sampler against `model.generate`).

    python results/readme_tables.py --check   # exit 1, with a diff, when a table or README.md differs (make check-readme)
    python results/readme_tables.py --write   # rewrite the tables in the notebook, then README.md (make readme-tables)
"""
from __future__ import annotations
import argparse, difflib, json, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
NB = ROOT/'nbs'/'index.ipynb'
MARKER = re.compile(r'^<!-- table: (\S+) (\w+) -->$')


def _stages(d: Path) -> str:
    from rlhf.eval import md_table
    man = json.loads((d/'manifest.json').read_text())
    plan = man['stages'].get('plan', {})
    rows = []
    peak = max(r['perf']['peak_gflops'] for r in man['stages'].values() if 'perf' in r)  # the best measured in the run (each stage's is the best until its end)
    for st, rec in man['stages'].items():
        if 'perf' not in rec: continue
        p = rec['perf']
        rows.append([st, f"{p['seconds']:.0f}", f"{plan.get('planned_s', {}).get(st, float('nan')):.0f}", f"{p['tokens']:,}",
                     f"{p['tflop']:.1f}", f"{p['gflops']:.0f}", f"{p['gflops'] / peak:.0%}"])
    total = sum(r['perf']['seconds'] for r in man['stages'].values() if 'perf' in r)
    planned = sum(plan.get('planned_s', {}).values())
    rows.append(['**all**', f'**{total:.0f}**', f'**{planned:.0f}**' if planned else '–', '', '', '', ''])
    return md_table(['stage', 'wall s', 'planned s', 'tokens', 'TFLOP', 'GFLOP/s', f'of the {peak:.0f} GFLOP/s peak'], rows)


def _eval(d: Path) -> str:
    from rlhf.eval import summary_table
    rep = json.loads((d/'report.json').read_text())
    return summary_table(rep['summary'], confidence=rep['settings']['confidence'])


def _judges(d: Path) -> str:
    from rlhf.eval import _judge_rows, md_table
    rep = json.loads((d/'report.json').read_text())
    pct = f"{rep['settings']['confidence']:.0%}"
    out = []
    for name, j in rep.get('judges', {}).items():
        head, cells = _judge_rows(j, rep['reference'], pct)
        out.append(md_table(['judge'] + head, [[j['name']] + c for c in cells]))
    return '\n'.join(out) if out else '(no other judge in this run)'


def _sentiment(d: Path) -> str:
    sys.path.insert(0, str(ROOT/'benchmarks'/'sentiment'))
    from sentiment import on_split, results_table, table_markdown
    res = json.loads((d/'results.json').read_text())
    budget = res['settings']['kl_budget']
    return table_markdown(results_table(res, budget), on_split(res['start'], 'test'), budget)


def _generate(f: Path) -> str:
    from rlhf.eval import md_table
    res = json.loads(f.read_text())
    rows = [[r['decoding'], r['method'], r['answer_tokens'], f"{r['tokens_per_s']:.0f}", f"{r['tflop']:.2f}", f"{r['utilisation']:.0%}"] for r in res['rows']]
    return md_table(['decoding', 'method', 'answer tokens', 'tokens/s', 'TFLOP', f"of the {res['peak_gflops']:.0f} GFLOP/s {res['precision']} peak"], rows)


KINDS = {'stages': _stages, 'eval': _eval, 'judges': _judges, 'sentiment': _sentiment, 'generate': _generate}


def fill(text: str) -> str:
    "`text` with the table after every marker regenerated from its results."
    lines, out, i = text.split('\n'), [], 0
    while i < len(lines):
        out.append(lines[i])
        m = MARKER.match(lines[i].strip())
        i += 1
        if not m: continue
        path, kind = m.groups()
        if kind not in KINDS: sys.exit(f'readme_tables: unknown table kind {kind!r} in {lines[i - 1]!r}: use one of {", ".join(KINDS)}')
        while i < len(lines) and lines[i].startswith('|'): i += 1  # the old table
        out.extend(KINDS[kind](ROOT/path).split('\n'))
    return '\n'.join(out)


def _notebook() -> tuple[dict, list[str], list[str]]:
    nb = json.loads(NB.read_text())
    old = [''.join(c['source']) for c in nb['cells']]
    new = [fill(s) if c['cell_type'] == 'markdown' else s for c, s in zip(nb['cells'], old)]
    return nb, old, new


def _readme() -> str:
    from docs.readme import write_readme
    with tempfile.TemporaryDirectory() as t:
        return write_readme(ROOT, Path(t)/'README.md').read_text()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument('--check', action='store_true', help='fail when a table or README.md is not what the results say')
    g.add_argument('--write', action='store_true', help='rewrite the tables in nbs/index.ipynb and README.md')
    a = ap.parse_args(argv)
    nb, old, new = _notebook()
    if a.write:
        for c, s in zip(nb['cells'], new): c['source'] = s.splitlines(True)
        NB.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
        (ROOT/'README.md').write_text(_readme())
        print(f'wrote {NB.relative_to(ROOT)} and README.md')
        return
    diff = [l for o, n in zip(old, new) if o != n for l in difflib.unified_diff(o.split('\n'), n.split('\n'), 'index.ipynb', 'from results', lineterm='')]
    readme = (ROOT/'README.md').read_text()
    if not diff and readme != (r := _readme()):
        diff = list(difflib.unified_diff(readme.split('\n'), r.split('\n'), 'README.md', 'from nbs/index.ipynb', lineterm=''))
    if diff:
        print('\n'.join(diff[:80]))
        sys.exit('readme_tables: the README does not match the committed results: run `make readme-tables` (or fix the results)')
    n = sum(bool(MARKER.match(l.strip())) for s in old for l in s.split('\n'))
    print(f'readme_tables: {n} tables match their results; README.md matches nbs/index.ipynb')


if __name__ == '__main__': main()
