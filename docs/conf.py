"""Sphinx configuration of the docs site where Quarto is missing (`make docs`; with Quarto, `make docs` runs `nbdev-docs`).

`make docs` first has nbdev process the notebooks into `_proc/`, as it does for Quarto: front matter from the title cell,
`#| hide` cells dropped, exported cells and `show_doc` cells run so that each documented object's signature and docstring
are in the page (the notebooks' demonstrations and tests are not run). Then `sphinx-build -c docs _proc _docs` renders them:
- myst-nb reads the processed notebooks without executing them (`nb_execution_mode = 'off'`);
- sphinx-autoapi writes an API reference page for every module it finds in `rlhf/`, from the source, without importing it;
- sphinx-mathjax-offline copies MathJax 3 into the site, so equations render with no network.
`_nbdev_to_myst` below turns what nbdev leaves for Quarto into what myst-nb reads."""
import json, re, sys
from pathlib import Path

import yaml
from astroid.manager import AstroidManager
from nbdev.config import get_config

ROOT = Path(__file__).resolve().parent.parent
_cfg = get_config(ROOT)  # nbdev's settings, from pyproject.toml's [tool.nbdev] and [project]
DOC_URL = _cfg.get('doc_url') or ''  # nbdev links a documented name to DOC_URL + its page
GIT_BLOB = f"{(_cfg.get('git_url') or '').rstrip('/')}/blob/{_cfg.get('branch') or 'main'}/"  # where repository files outside the site are linked

project = _cfg.get('title') or _cfg.get('lib_name')
copyright = _cfg.get('copyright') or _cfg.get('author') or ''
html_title = project
extensions = ['myst_nb', 'autoapi.extension', 'sphinx.ext.mathjax', 'sphinx-mathjax-offline']
exclude_patterns = ['_*', '.*', '**/.ipynb_checkpoints']
html_theme = 'furo'
html_show_sourcelink = False
html_copy_source = False
default_role = 'code'  # docstrings are markdown: `x` is code, as in the notebooks (autoapi renders them as reStructuredText)

nb_execution_mode = 'off'  # the pages show prose, code and show_doc's API reference; demonstrations and tests are not run
nb_render_markdown_format = 'myst'  # show_doc's output is markdown with links and Pandoc attributes
myst_enable_extensions = ['dollarmath', 'amsmath', 'attrs_inline', 'colon_fence', 'smartquotes']
myst_heading_anchors = 4  # `page.ipynb#name` links reach show_doc's `### name` headings (a method's heading is its bare name)

autoapi_dirs = [str(_cfg.lib_path)]  # every module of the package, whatever its name: nothing to list by hand
autoapi_root = 'api'
autoapi_add_toctree_entry = False  # the home page's toctree below lists it
autoapi_options = ['members', 'undoc-members', 'show-inheritance', 'show-module-summary']
autoapi_member_order = 'bysource'


class _NotOurs(set):
    "Module names astroid skips: all but the package's own and the standard library's (inferring into torch and transformers took 2 minutes)."
    def __contains__(self, name): return name.split('.')[0] not in {_cfg.lib_path.name, *sys.stdlib_module_names}

AstroidManager.brain['module_denylist'] = _NotOurs()  # every AstroidManager() (autoapi makes its own) reads this
suppress_warnings = ['autoapi.python_import_resolution', 'myst.header']

_re_opt = re.compile(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$')
_re_link = re.compile(r'(!?\[[^\]]*\]\()([^)\s]+)(\))')
_re_rule = re.compile(r'^---$', re.MULTILINE)


def _text(v) -> str: return ''.join(v) if isinstance(v, list) else (v or '')


_CELL_KEYS = {'cell_type', 'id', 'metadata', 'source', 'outputs', 'execution_count', 'attachments'}
def _md(source: str, cid: str) -> dict: return {'cell_type': 'markdown', 'id': cid, 'metadata': {}, 'source': source}


def _front(cells: list) -> dict:
    "The YAML front matter nbdev put in the processed notebook's raw cell."
    for c in cells:
        s = _text(c.get('source')).strip()
        if c.get('cell_type') == 'raw' and s.startswith('---'): return yaml.safe_load(s.strip('-\n')) or {}
    return {}


_PAGES: dict = {}

def _pages(srcdir) -> dict:
    "nbdev's page name (`ppo.html`) of each processed notebook -> its notebook (`03_ppo.ipynb`)."
    if not _PAGES:
        for p in Path(srcdir).glob('*.ipynb'):
            try: out = _front(json.loads(p.read_text(encoding='utf-8')).get('cells', [])).get('output-file')
            except ValueError: out = None
            _PAGES[out or p.with_suffix('.html').name] = p.name
    return _PAGES


def _fix_links(md: str, pages: dict) -> str:
    "nbdev's links into the hosted docs become links to this site's notebooks; relative links out of the notebooks folder go to the repository."
    def fix(m):
        url = m.group(2)
        if DOC_URL and url.startswith(DOC_URL):
            page, _, frag = url[len(DOC_URL):].partition('#')
            if page.removesuffix('.md') in pages: url = pages[page.removesuffix('.md')] + (f"#{frag.rsplit('.', 1)[-1]}" if frag else '')
        elif url.startswith('../') and not m.group(1).startswith('!') and GIT_BLOB.startswith('http'): url = GIT_BLOB + url[3:]  # images: Sphinx copies them
        return m.group(1) + url + m.group(3)
    return _re_link.sub(fix, md)


def _nbdev_to_myst(app, docname, source):
    "Rewrite a processed notebook for myst-nb: title and description from the front matter, Quarto's `#|` options as myst-nb's tags, links to pages of this site; the home page gets the site's table of contents."
    if Path(app.env.doc2path(docname)).suffix != '.ipynb': return
    nb, pages = json.loads(source[0]), _pages(app.srcdir)
    nb['metadata'].setdefault('kernelspec', {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'})  # nbdev-clean removed it
    fm = _front(nb['cells'])
    cells = []
    if fm.get('title'): cells.append(_md(f"# {fm['title']}" + (f"\n\n> {fm['description']}" if fm.get('description') else ''), 'nbdev-title'))
    for c in nb['cells']:
        if c['cell_type'] == 'raw': continue
        c = {k: v for k, v in c.items() if k in _CELL_KEYS}  # nbdev's own fields (`has_sd`) are not nbformat's
        c.get('metadata', {}).pop('execution', None)
        if c['cell_type'] == 'markdown': c['source'] = _fix_links(_text(c['source']), pages)
        if c['cell_type'] == 'code':
            lines, opts = _text(c['source']).splitlines(), {}
            while lines and (m := _re_opt.match(lines[0])): opts[m.group(1)] = m.group(2).strip('"\''); lines.pop(0)
            c['source'] = '\n'.join(lines)
            tags = c.setdefault('metadata', {}).setdefault('tags', [])
            if opts.get('include') == 'false': continue
            if opts.get('echo') == 'false': tags.append('remove-input')
            if opts.get('output') == 'false': tags.append('remove-output')
            for o in c.get('outputs', []):
                if 'text/markdown' in o.get('data', {}):  # show_doc's: its rule as HTML (docutils allows a `---` rule only between sections)
                    o['data']['text/markdown'] = _re_rule.sub('<hr>', _fix_links(_text(o['data']['text/markdown']), pages))
        cells.append(c)
    if docname == app.config.root_doc:
        docs = sorted(Path(p).stem for p in pages.values() if Path(p).stem != docname)
        toc = '\n'.join(['```{toctree}', ':hidden:', '', *docs, f'API reference <api/{_cfg.lib_path.name}/index>', '```'])
        cells.append(_md(toc, 'site-toctree'))
    nb['cells'] = cells
    source[0] = json.dumps(nb)


def _output_folder(app):
    "myst-nb writes the notebooks' output files beside the site (in its parent folder, the repository here): into `_proc/` instead."
    app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(Path(app.srcdir)/'.jupyter_execute'))


def setup(app):
    app.connect('builder-inited', _output_folder, priority=900)  # after myst-nb's own (500)
    app.connect('source-read', _nbdev_to_myst)
