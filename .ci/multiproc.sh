#!/usr/bin/env bash
# Several processes, for real: the smoke pipeline on the tiny model with 2 CPU processes (every stage, the evaluation included),
# one manifest and one report, the sharded evaluation equal to a single-process evaluation of the same models, and a PPO run
# checkpointed by 2 processes resumed by 1. Prints one PASS line per check; exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
CFG=configs/accelerate/cpu_2proc.yaml
t0=$(date +%s)
$BIN/rlhf run --smoke --model tiny --algorithm all --output-dir "$D/one" > "$D/one.log" 2>&1 || { tail -20 "$D/one.log"; exit 1; }
t1=$(date +%s)
$BIN/accelerate launch --config_file $CFG -m rlhf run --smoke --model tiny --algorithm all --output-dir "$D/two" > "$D/two.log" 2>&1 || { tail -30 "$D/two.log"; exit 1; }
t2=$(date +%s)
echo "multiproc: smoke pipeline with 1 process $((t1 - t0)) s, with 2 processes $((t2 - t1)) s"
$BIN/python - "$D" <<'PY'
import json, shutil, subprocess, sys
from pathlib import Path
d = Path(sys.argv[1]); two = d/'two'
stages = json.loads((two/'manifest.json').read_text())['stages']
assert all(v.get('status') == 'done' for v in stages.values()) and set(stages) >= {'data', 'sft', 'reward', 'ppo', 'grpo', 'dpo', 'kto', 'eval'}, stages
assert sorted(p.name for p in two.rglob('manifest.json')) == ['manifest.json'] and len(list(two.rglob('report.json'))) == 1
log = (d/'two.log').read_text()
assert log.count('== eval done') == 1 and log.count('rlhf run: ') == 1, 'every stage line printed once'
print('multiproc: PASS 2 processes ran every stage; one manifest, one report, every line printed once')
# the same models evaluated by one process: the same answers, the same scores and KL
single = d/'single'
shutil.copytree(two, single, ignore=shutil.ignore_patterns('reports'))
m = json.loads((single/'manifest.json').read_text()); m['stages'].pop('eval'); (single/'manifest.json').write_text(json.dumps(m))
subprocess.run([sys.executable, '-m', 'rlhf', 'run', '--stage', 'eval', '--algorithm', 'all', '--smoke', '--model', 'tiny', '--output-dir', str(single)], check=True,
               capture_output=True)
a, b = (json.loads((x/'reports'/'report.json').read_text()) for x in (two, single))
assert a['answers'] == b['answers'], 'answers differ between 2 processes and 1'
close = lambda x, y: all(abs(p - q) < 1e-4 for p, q in zip(x, y)) and len(x) == len(y)
assert all(close(a['answer_scores'][k], b['answer_scores'][k]) for k in a['answer_scores']), 'scores differ'
assert all(close(a['kl'][k]['per_sample'], b['kl'][k]['per_sample']) for k in a['kl']), 'KL differs'
assert [r['wins'] for r in a['summary'] if 'wins' in r] == [r['wins'] for r in b['summary'] if 'wins' in r]
print('multiproc: PASS the sharded evaluation equals a single-process one (same answers; scores and KL within 1e-4)')
PY
$BIN/accelerate launch --config_file $CFG .ci/resume_across.py first "$D/resume" > "$D/r1.log" 2>&1 && { echo "multiproc: FAIL the first phase should have stopped"; exit 1; } || true
$BIN/python .ci/resume_across.py second "$D/resume" > "$D/r2.log" 2>&1 || { tail -20 "$D/r2.log"; echo "multiproc: FAIL resume across process counts"; exit 1; }
grep "resume_across: PASS" "$D/r2.log" | sed 's/^resume_across/multiproc/'
grep -q "is resumed by 1" "$D/r2.log" || { echo "multiproc: FAIL no warning about the changed process count"; exit 1; }
