"""Run one stage variant on a copy of a base run directory and print its manifest summary as one JSON line.
usage: variant.py BASE_DIR NAME STAGE [--set k=v ...] [--fp32]
BASE_DIR: a finished run (rlhf run --stage reward --output-dir BASE_DIR); the copy goes to $RLHF_VARIANTS/NAME (default /tmp/var);
--fp32: the AVX2/fp32 emulation of an ordinary laptop CPU. Appends to results/experiments/results.jsonl."""
import json, os, shutil, subprocess, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]  # the repository
LOG = Path(__file__).resolve().parent
base, name, stage, *rest = sys.argv[1:]
fp32 = '--fp32' in rest
sets = [x for x in rest if x not in ('--fp32', '--set')]
out = Path(os.environ.get('RLHF_VARIANTS', '/tmp/var'))/name
if not out.exists():
    shutil.copytree(base, out, ignore=shutil.ignore_patterns('checkpoints', 'reports'))
env = dict(os.environ)
if fp32: env.update(ATEN_CPU_CAPABILITY='avx2', ONEDNN_MAX_CPU_ISA='AVX2', MKL_ENABLE_INSTRUCTIONS='AVX2', RLHF_PRECISION='fp32')
cmd = [str(ROOT/'.venv'/'bin'/'rlhf'), 'run', '--stage', stage, '--output-dir', str(out)] + [a for s in sets for a in ('--set', s)]
t = time.time()
p = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True)
wall = time.time() - t
m = json.loads((out/'manifest.json').read_text())['stages'].get(stage, {})
keep = {k: m.get(k) for k in ('status', 'wall_s', 'steps', 'perf')}
ev = m.get('eval') or {}
keep['eval'] = {k: v for k, v in ev.items() if not isinstance(v, (list, dict))}
rec = dict(name=name, stage=stage, sets=sets, fp32=fp32, wall=round(wall, 1), rc=p.returncode, **keep)
if p.returncode: rec['stderr'] = p.stderr[-2000:]
print(json.dumps(rec))
with open(LOG/'results.jsonl', 'a') as f: f.write(json.dumps(rec) + '\n')
