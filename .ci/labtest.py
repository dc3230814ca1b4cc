"""JupyterLab opens the notebooks with the project's kernel: `make labtest` (part of `make test`).

Starts `jupyter lab` headless on a free localhost port with a token and throwaway user settings (autosave off, so
nothing is written into the notebooks), drives Debian's headless chromium through chromedriver (Selenium, offline) to
open nbs/03_ppo.ipynb, checks through the server's API that its session runs the project's kernel (this venv's python),
runs the notebook's first cells from the keyboard (Shift+Enter), then a new cell that prints the kernel's interpreter and
a value the parameters cell set, and checks that output. It always stops the browser, the server and its kernels, and
ends with one line: `labtest: PASS: ...` or `labtest: FAIL: why`. Arguments after `--` go to `jupyter lab` (the
Makefile's LAB_ARGS, the same as `make lab`'s)."""
import argparse, json, os, secrets, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELLS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell'  # the cells of the notebook on screen
OUTPUTS = '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output'


class Fail(Exception): pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for(what: str, fn, timeout: float, every: float = 0.25):
    "Call `fn` until it returns something truthy; fail naming `what` after `timeout` seconds."
    end, last = time.monotonic() + timeout, None
    while True:
        try:
            if r := fn(): return r
            last = None
        except Fail: raise
        except Exception as e: last = e
        if time.monotonic() > end: raise Fail(f'timed out after {timeout:.0f} s waiting for {what}' + (f' ({type(last).__name__}: {last})' if last else ''))
        time.sleep(every)


def check(a, lab_args: list[str], tmp: Path) -> str:
    "Run the test; the PASS line's details, or raise `Fail`."
    t0 = time.monotonic()
    left = lambda cap: max(1.0, min(cap, a.timeout - (time.monotonic() - t0)))  # seconds for the next wait
    for exe in (a.chromium, a.chromedriver):
        if not Path(exe).exists(): raise Fail(f'{exe} not found (apt-get install chromium chromium-driver; `make labtest` does it)')
    port, token = free_port(), secrets.token_hex(16)
    base, log = f'http://127.0.0.1:{port}', tmp/'jupyter.log'

    def api(path: str, method: str = 'GET'):
        req = urllib.request.Request(f'{base}{path}', method=method, headers={'Authorization': f'token {token}'})
        with urllib.request.urlopen(req, timeout=5) as r: return json.loads(r.read() or b'null')

    settings = tmp/'lab-settings'/'@jupyterlab'/'docmanager-extension'
    settings.mkdir(parents=True)
    (settings/'plugin.jupyterlab-settings').write_text(json.dumps({'autosave': False}))
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(tmp/'config'), 'JUPYTER_RUNTIME_DIR': str(tmp/'runtime'), 'JUPYTER_DATA_DIR': str(tmp/'data'),
           'JUPYTERLAB_SETTINGS_DIR': str(tmp/'lab-settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(tmp/'workspaces'), 'SE_OFFLINE': 'true'}
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--ip=127.0.0.1', f'--port={port}', '--port-retries=0',
           f'--IdentityProvider.token={token}', *(['--allow-root'] if os.geteuid() == 0 else []), *lab_args]  # CI runs as root
    server = driver = None
    try:
        server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log.open('w'), stderr=subprocess.STDOUT,
                                  start_new_session=True)  # its own process group: the kernels it starts go down with it

        def up():
            if server.poll() is not None: raise Fail(f'jupyter lab exited with status {server.returncode}: {log.read_text()[-300:]}')
            return api('/api/status')
        wait_for('the JupyterLab server to answer', up, left(45))
        specs = api('/api/kernelspecs')['kernelspecs']
        if a.kernel not in specs: raise Fail(f'no kernelspec {a.kernel!r} (there are {sorted(specs)}); `make lab` installs it')
        if os.path.abspath(argv0 := specs[a.kernel]['spec']['argv'][0]) != os.path.abspath(sys.executable):
            raise Fail(f"kernel {a.kernel!r} runs {argv0}, not this venv's {sys.executable}")
        t_server = time.monotonic() - t0

        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By
        from selenium.webdriver.common.keys import Keys
        o = webdriver.ChromeOptions()
        o.binary_location = a.chromium
        for arg in ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', f'--user-data-dir={tmp/"chromium"}',
                    '--window-size=1400,1000']: o.add_argument(arg)
        driver = webdriver.Chrome(service=Service(a.chromedriver, log_output=str(tmp/'chromedriver.log')), options=o)
        driver.set_page_load_timeout(left(30))
        js = driver.execute_script
        keys = lambda *k: ActionChains(driver).send_keys(*k).perform()  # to the focused element, as a person types
        shift_enter = lambda: ActionChains(driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).perform()
        rel = a.notebook
        driver.get(f'{base}/lab/tree/{rel}?token={token}&reset')
        try:
            wait_for(f'{rel} to open', lambda: len(driver.find_elements(By.CSS_SELECTOR, CELLS)) >= a.cells, left(60))

            def session():
                if driver.find_elements(By.CSS_SELECTOR, '.jp-Dialog'): raise Fail(f'JupyterLab asked for a kernel instead of starting {a.kernel!r} by itself')
                s = [s for s in api('/api/sessions') if s.get('path') == rel and s.get('kernel')]
                return s and s[0]
            s = wait_for(f'a kernel session for {rel}', session, left(30))
            if s['kernel']['name'] != a.kernel: raise Fail(f"{rel} opened with kernel {s['kernel']['name']!r}, not {a.kernel!r}")
            wait_for('the kernel to be idle', lambda: api(f"/api/kernels/{s['kernel']['id']}")['execution_state'] == 'idle', left(30))
            t_open = time.monotonic() - t0

            cells = driver.find_elements(By.CSS_SELECTOR, CELLS)
            cells[0].find_element(By.CSS_SELECTOR, '.jp-InputPrompt').click()  # select the first cell, in command mode
            for _ in range(a.cells): shift_enter()
            code = [i for i, c in enumerate(cells[:a.cells]) if 'jp-CodeCell' in c.get_attribute('class')]

            def ran():
                p = [cells[i].find_element(By.CSS_SELECTOR, '.jp-InputArea-prompt').text.strip() for i in code]
                return all(x.startswith('[') and x.strip('[]: ').isdigit() for x in p) and p
            prompts = wait_for(f'its first {a.cells} cells to run (code cells {code})', ran, left(60))
            if errors := js(f"return [...document.querySelectorAll('{OUTPUTS}')].map(e => e.innerText).filter(t => /Traceback|Error/.test(t))"):
                raise Fail(f'a cell failed: {errors[0][:300]}')

            keys(Keys.ESCAPE, 'b')  # command mode, then a new cell below the last one run
            wait_for("the new cell's editor", lambda: driver.find_element(By.CSS_SELECTOR, '.jp-Cell.jp-mod-active .cm-content'), left(10)).click()
            keys("import sys; print('LABTEST', sys.executable, model_name)")
            shift_enter()
            printed = lambda: [l.split() for l in js(f"return [...document.querySelectorAll('{OUTPUTS}')].map(e => e.innerText).join('\\n')").splitlines()
                               if l.startswith('LABTEST ')]
            out = wait_for('the new cell to print', printed, left(30))[0]
            if os.path.abspath(out[1]) != os.path.abspath(sys.executable): raise Fail(f"the kernel runs {out[1]}, not this venv's {sys.executable}")
        finally:
            if a.screenshot:
                try: driver.save_screenshot(a.screenshot)
                except Exception: pass
        exe = os.path.relpath(sys.executable, ROOT)
        return (f"{rel} opened in JupyterLab with kernel {a.kernel!r} ({exe}); its first {a.cells} cells ran (prompts {' '.join(prompts)}) "
                f"and a new cell printed model_name={out[2]} from {exe}; server up {t_server:.1f} s, notebook open {t_open:.1f} s, "
                f"all {time.monotonic() - t0:.1f} s")
    finally:
        if driver:
            try: driver.quit()
            except Exception: pass
        if server:
            if server.poll() is None:
                try: api('/api/shutdown', 'POST')  # stops its kernels too
                except Exception: pass
                try: server.wait(10)
                except subprocess.TimeoutExpired: pass
            try: os.killpg(server.pid, signal.SIGKILL)  # whatever is left of the server's process group
            except ProcessLookupError: pass
            server.wait()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--notebook', default='nbs/03_ppo.ipynb', help='the notebook to open, relative to the repository')
    ap.add_argument('--cells', type=int, default=5, help='how many of its first cells to run')
    ap.add_argument('--kernel', default='rlhf', help='the kernelspec it must open with')
    ap.add_argument('--timeout', type=float, default=120, help='seconds for the whole test')
    ap.add_argument('--chromium', default=shutil.which('chromium') or '/usr/bin/chromium')
    ap.add_argument('--chromedriver', default=shutil.which('chromedriver') or '/usr/bin/chromedriver')
    ap.add_argument('--screenshot', metavar='PNG', help='save a screenshot of the notebook at the end')
    a, lab_args = ap.parse_known_args()
    lab_args = [x for x in lab_args if x != '--']
    nb = ROOT/a.notebook
    before = nb.read_bytes()
    tmp = Path(tempfile.mkdtemp(prefix='labtest-'))
    try: res = f'labtest: PASS: {check(a, lab_args, tmp)}'
    except Exception as e: res = f"labtest: FAIL: {'' if isinstance(e, Fail) else type(e).__name__ + ': '}{' '.join(str(e).split())[:400]}"
    finally: shutil.rmtree(tmp, ignore_errors=True)
    if nb.read_bytes() != before:
        nb.write_bytes(before)
        res = f'labtest: FAIL: {a.notebook} was changed on disk during the test (restored)'
    print(res, flush=True)
    return 0 if res.startswith('labtest: PASS') else 1


if __name__ == '__main__':
    sys.exit(main())
