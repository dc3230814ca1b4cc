"""Copy a finished run's evidence into results/: `python results/collect.py OUTPUT_DIR NAME "COMMAND"`.

Writes results/make-run/NAME/: manifest.json (every stage's settings, wall time, work and utilisation, the plan), report.json
and report.md (the evaluation), metrics.json (each training stage's metrics summary), and run.json: the command that
produced them, the commit, the date, the machine (CPU flags that matter, threads, the precision the run used, the matmul
peaks) and the library versions. The README's tables are regenerated from these files (results/readme_tables.py).
"""
from __future__ import annotations
import json, os, platform, shutil, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def machine() -> dict:
    "What decides this machine's speed: CPU model and flags, threads, precision, the measured matmul peaks."
    import torch
    from rlhf.models import device_policy, precision_name
    from rlhf.perf import matmul_peak
    flags = set()
    if Path('/proc/cpuinfo').exists():
        info = Path('/proc/cpuinfo').read_text()
        flags = set(next((l.split(':', 1)[1].split() for l in info.splitlines() if l.startswith('flags')), []))
        model = next((l.split(':', 1)[1].strip() for l in info.splitlines() if l.startswith('model name')), platform.processor())
    else: model = platform.processor()
    env = {k: os.environ[k] for k in ('ATEN_CPU_CAPABILITY', 'ONEDNN_MAX_CPU_ISA', 'MKL_ENABLE_INSTRUCTIONS', 'RLHF_PRECISION') if k in os.environ}
    return dict(cpu=model, avx512_bf16='avx512_bf16' in flags, avx2='avx2' in flags, threads=torch.get_num_threads(), env=env,
                precision=precision_name(device_policy()), torch=torch.__version__, python=platform.python_version(),
                fp32_gflops=round(matmul_peak(torch.float32) / 1e9), bf16_gflops=round(matmul_peak(torch.bfloat16) / 1e9))


def main(argv=None):
    out, name, command = (argv or sys.argv[1:])[:3]
    src, dst = Path(out), ROOT/'results'/'make-run'/name
    # the checkout's state before this run's files are written (they may replace committed ones), not counting them
    commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no', '--', '.', f':!{dst.relative_to(ROOT)}'], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(src/'manifest.json', dst/'manifest.json')
    for f in ('report.json', 'report.md'): shutil.copy(src/'reports'/f, dst/f)
    man = json.loads((src/'manifest.json').read_text())
    (dst/'metrics.json').write_text(json.dumps({st: r['summary'] for st, r in man['stages'].items() if 'summary' in r}, indent=1) + '\n')
    run = dict(command=command, commit=commit, uncommitted_changes=dirty, collected=time.strftime('%Y-%m-%d %H:%M %Z'), machine=machine())
    (dst/'run.json').write_text(json.dumps(run, indent=1) + '\n')
    print(f'wrote {dst.relative_to(ROOT)}: ' + ', '.join(sorted(p.name for p in dst.iterdir())))


if __name__ == '__main__': main()
