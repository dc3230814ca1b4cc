"""Every page of the built docs site (`make docs`, in `_docs/`) in headless Chromium: it loads with no JavaScript error, every
image has loaded, MathJax has typeset every equation (no raw TeX left in the prose), and it has a heading.
A full-page screenshot of each page goes to --shots for a person to look at.

    python .ci/docscheck.py [--site _docs] [--shots DIR]      # make docscheck; exit 1 naming each page and what is wrong
"""
from __future__ import annotations
import argparse, json, re, shutil, sys, time
from pathlib import Path

RAW_TEX = re.compile(r'\$\$|\\\(|\\\[|\\begin\{|\\frac|\\mathbb|\\sum_')  # what an equation MathJax did not typeset leaves behind
STATE = """const prose = (document.querySelector('article') || document.body).cloneNode(true);
prose.querySelectorAll('pre, code, .highlight, mjx-container').forEach(e => e.remove());  // code may hold backslashes; typeset math is done
return {
  math: document.querySelectorAll('mjx-container').length,
  pending: document.querySelectorAll('.math:not(:has(mjx-container))').length,
  images: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
  h1: (document.querySelector('h1') || {}).textContent || '',
  text: prose.textContent,
  height: document.documentElement.scrollHeight};"""


def driver():
    from selenium import webdriver
    o = webdriver.ChromeOptions()
    for a in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--window-size=1280,900'): o.add_argument(a)
    o.binary_location = shutil.which('chromium') or shutil.which('chromium-browser') or ''
    o.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=shutil.which('chromedriver')), options=o)


def check(d, page: Path, shots: Path | None, name: str) -> tuple[dict, list[str]]:
    "Load `page` and wait for MathJax; returns what it found and the problems."
    d.get(page.resolve().as_uri())
    if d.execute_script("return typeof MathJax !== 'undefined' && !!(MathJax.startup && MathJax.startup.promise)"):
        d.execute_async_script("const done = arguments[arguments.length - 1]; MathJax.startup.promise.then(() => done(1), () => done(0));")
    s = d.execute_script(STATE)
    errors = [e['message'] for e in d.get_log('browser') if e['level'] == 'SEVERE']
    tex = sorted(set(RAW_TEX.findall(s['text'])))
    problems = [f'JavaScript error: {e}' for e in errors] + [f'image not loaded: {i}' for i in s['images']]
    if tex: problems.append(f"equations left untypeset (raw TeX {', '.join(tex)} in the text)")
    if s['pending']: problems.append(f"{s['pending']} math elements without typeset output")
    if not s['h1'].strip(): problems.append('no heading')
    if shots:
        d.set_window_size(1280, min(max(s['height'], 900), 16000))
        time.sleep(0.2)
        d.save_screenshot(str(shots/f'{name}.png'))
        d.set_window_size(1280, 900)
    return dict(page=str(page), title=s['h1'].strip().rstrip('#¶ '), equations=s['math'], height=s['height']), problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--site', default='_docs', help='the built site (default _docs)')
    ap.add_argument('--shots', default=None, help='write a full-page screenshot of each page here')
    a = ap.parse_args()
    site = Path(a.site)
    pages = sorted(p for p in site.rglob('*.html') if not {'_static', '_sources', '_images'} & set(p.relative_to(site).parts)
                   and p.name not in ('genindex.html', 'search.html', 'py-modindex.html'))
    if not pages: sys.exit(f'{site}: no pages: build the site first (make docs)')
    shots = Path(a.shots) if a.shots else None
    if shots: shots.mkdir(parents=True, exist_ok=True)
    d, bad, rows = driver(), {}, []
    try:
        for p in pages:
            info, problems = check(d, p, shots, '_'.join(p.relative_to(site).with_suffix('').parts))
            rows.append(info)
            if problems: bad[str(p)] = problems
    finally:
        d.quit()
    for r in rows: print(f"{r['equations']:4d} equations  {r['page']}  ({r['title']})")
    print(f'{len(rows)} pages, {sum(r["equations"] for r in rows)} typeset equations' + (f', screenshots in {shots}' if shots else ''))
    if shots: (shots/'pages.json').write_text(json.dumps(rows, indent=1))
    for p, probs in bad.items(): print(f'{p}: ' + '; '.join(probs), file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
