"""Run every notebook's tests the way `nbdev-test` does (nbdev's own `test_nb`), two at a time,
and end with one readable line: `N passed, N failed` (counting notebooks). Extra flags: `--flags slow`."""
import argparse, os, sys
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from nbdev.config import get_config
from nbdev.test import test_nb


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument('notebooks', nargs='*', help='notebooks to test (default: all in nbs/)')
    ap.add_argument('--flags', default='', help='space-separated test flags to run that are skipped by default')
    ap.add_argument('--workers', type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args()
    cfg = get_config()
    files = [Path(f).absolute() for f in a.notebooks] or sorted(p.absolute() for p in cfg.nbs_path.glob('*.ipynb'))
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    # nbdev's own test_nb, referenced by module (a notebook run in a worker replaces that worker's __main__)
    run = partial(test_nb, skip_flags=skip, force_flags=a.flags.split(), basepath=str(cfg.config_path), cell_timeout=cfg.cell_timeout)
    os.chdir(cfg.nbs_path)
    with ProcessPoolExecutor(a.workers) as ex: res = list(ex.map(run, files))
    for fn, (ok, dt) in zip(files, res): print(f"{'PASS' if ok else 'FAIL'}  {fn.name:28s} {dt:6.1f}s")
    failed = [fn.name for fn, (ok, _) in zip(files, res) if not ok]
    print(f"{len(res) - len(failed)} passed, {len(failed)} failed")
    sys.exit(1 if failed else 0)
