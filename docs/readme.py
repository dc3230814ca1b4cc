"""Write README.md from the readme notebook (nbs/index.ipynb) without Quarto: `make readme` (and `make docs`).

The notebook goes through nbdev's own docs processors without running anything (front matter from the title cell,
`#| hide` cells dropped, cell options honoured), then becomes GitHub markdown: the title and summary, the markdown cells,
the code cells as fenced Python, and their text outputs. Links to other notebooks point at their pages in the hosted
docs (`Documentation` in pyproject.toml), links to files are made relative to the repository root."""
import argparse, json, os, posixpath, re, sys
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from fastcore.nbio import read_nb
from nbdev.config import get_config, nbpath2html

_re_ansi = re.compile(r'\x1B(?:[@-Z\\-_]|\[[0-?]*[ -/]*[@-~])')
_re_opt = re.compile(r'^#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_re_md_link = re.compile(r'(\]\()([^)\s]+)(\))')


def _text(v) -> str: return ''.join(v) if isinstance(v, list) else (v or '')


def processed(src: Path, root: Path) -> dict:
    "The notebook `src` processed by nbdev's docs processors except `exec_show_docs`: nothing runs."
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults, exec_show_docs
    old = os.getcwd()
    os.chdir(root)  # nbdev reads its configuration from the working directory
    try:
        nb = read_nb(src)
        NBProcessor(nb=nb, procs=[p for p in FilterDefaults().procs() if p is not exec_show_docs], rm_directives='quarto').process()
    finally: os.chdir(old)
    return json.loads(json.dumps(nb, default=lambda o: None))


def front_matter(nb: dict) -> dict:
    "The front matter nbdev put in the processed notebook's first raw cell."
    for c in nb.get('cells', []):
        s = _text(c.get('source')).strip()
        if c.get('cell_type') == 'raw' and s.startswith('---'):
            try: return yaml.safe_load(s.strip('-\n')) or {}
            except yaml.YAMLError: return {}
    return {}


def cell_options(source: str) -> tuple[dict, str]:
    "The `#| key: value` options at the top of a code cell, and the code without them."
    opts, lines = {}, source.splitlines()
    while lines and (m := _re_opt.match(lines[0])):
        opts[m.group(1)] = m.group(2).strip('"\'')
        lines.pop(0)
    return opts, '\n'.join(lines).strip('\n')


def _link(url: str, src_dir: str, doc_url: str) -> str:
    "A notebook's relative link as seen from the repository root (another notebook: its page in the hosted docs)."
    u = urlsplit(url)
    if u.scheme or u.netloc or not u.path: return url
    frag = f'#{u.fragment}' if u.fragment else ''
    target = posixpath.normpath(posixpath.join('nbs', src_dir, u.path))
    if u.path.endswith('.ipynb'):
        page = nbpath2html(Path(posixpath.relpath(target, 'nbs'))).as_posix()
        return (doc_url + page if doc_url else target) + frag
    return target + frag


def _outputs_md(outs: list) -> str:
    "The text outputs of a cell as plain fenced blocks (markdown outputs as they are)."
    res = []
    for o in outs:
        if o.get('output_type') == 'stream': t = _text(o.get('text'))
        elif 'text/markdown' in o.get('data', {}): res.append(_text(o['data']['text/markdown']).strip() + '\n'); continue
        else: t = _text(o.get('data', {}).get('text/plain'))
        if t.strip(): res.append(f'```\n{_re_ansi.sub("", t).rstrip()}\n```\n')
    return '\n'.join(res)


def readme_markdown(nb: dict,  # the processed readme notebook
                    src_dir: str = '',  # its folder relative to the notebooks folder ('' at the top)
                    doc_url: str = '',  # the hosted docs, for links to other notebooks ('' keeps them as files)
                   ) -> str:
    "The README text of a processed notebook."
    fm, parts = front_matter(nb), []
    if fm.get('title'): parts.append(f"# {fm['title']}\n")
    if fm.get('description'): parts.append(f"> {fm['description']}\n")
    for c in nb.get('cells', []):
        src = _text(c.get('source'))
        if c.get('cell_type') == 'markdown': parts.append(src.strip() + '\n')
        if c.get('cell_type') != 'code': continue
        opts, code = cell_options(src)
        if opts.get('include') == 'false': continue
        if code.strip() and opts.get('echo') != 'false': parts.append(f'```python\n{code}\n```\n')
        if opts.get('output') != 'false' and (outs := _outputs_md(c.get('outputs', []))): parts.append(outs)
    pieces = re.split(r'(^```.*?^```)', '\n'.join(parts), flags=re.MULTILINE | re.DOTALL)  # leave code blocks alone
    return ''.join(p if p.startswith('```') else _re_md_link.sub(lambda m: m.group(1) + _link(m.group(2), src_dir, doc_url) + m.group(3), p)
                   for p in pieces)


def write_readme(root: str | Path | None = None,  # the nbdev project (default: the one around the working directory)
                 dest: str | Path | None = None,  # where to write (default: README.md at the project root)
                ) -> Path:
    "Write README.md from the project's readme notebook."
    cfg = get_config(root)
    src = cfg.nbs_path/cfg.get('readme_nb', 'index.ipynb')
    if not src.exists(): raise FileNotFoundError(f'{src} not found: README.md is written from it')
    nb = processed(src, cfg.config_path)
    src_dir = src.parent.relative_to(cfg.nbs_path).as_posix()
    dest = Path(dest or cfg.config_path/'README.md')
    dest.write_text(readme_markdown(nb, '' if src_dir == '.' else src_dir, cfg.get('doc_url') or ''), encoding='utf-8')
    return dest


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', help='the nbdev project (default: the one around the working directory)')
    ap.add_argument('--output', help='where to write (default: README.md at the project root)')
    a = ap.parse_args()
    try: print(f'wrote {write_readme(a.root, a.output)}')
    except FileNotFoundError as e: sys.exit(f'docs/readme.py: error: {e}')
