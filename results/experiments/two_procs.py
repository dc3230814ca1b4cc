"""One process of 2 threads against 2 processes of 1 thread on a 2-core CPU: sampling (64 new tokens at temperature 0.7, 128
prompts in one process or 64 in each) and three training steps of a model; prints one JSON line per process.
usage (under the AVX2 emulation, as measured): export ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2 RLHF_PRECISION=fp32
  python two_procs.py MODEL_DIR 2 0 1                                                  # one process, 2 threads
  python two_procs.py MODEL_DIR 1 0 2 & python two_procs.py MODEL_DIR 1 1 2 & wait     # two processes, 1 thread each"""
import sys, time, json, torch
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]  # the repository
sys.path.insert(0, str(ROOT))
model_dir, threads, part, nparts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
from rlhf.models import load_model, load_tokenizer
from rlhf.lm import sample
tok, m = load_tokenizer(model_dir), load_model(model_dir)
prompts = json.loads((ROOT/'example_inputs'/'rlhf'/'prompts.json').read_text())
prompts = [p['prompt'] if isinstance(p, dict) else p for p in prompts][:128]
mine = prompts[part::nparts]
sample(m, tok, mine[:4], 8, 0.7)  # warm-up
t = time.perf_counter()
s = sample(m, tok, mine, 64, 0.7, batch_size=160)
dt = time.perf_counter() - t
n = sum(len(i) for i in s.ids)
x = torch.randint(100, 40000, (4 // nparts, 128))  # the same 4 x 128 tokens per step in all, split over the processes
m.train(); opt = torch.optim.AdamW(m.parameters(), lr=1e-6)
t2 = time.perf_counter()
for _ in range(3):
    out = m(input_ids=x, labels=x); out.loss.backward(); opt.step(); opt.zero_grad()
print(json.dumps(dict(threads=threads, part=part, rows=len(mine), tokens=n, decode_s=round(dt, 2), tok_s=round(n / dt, 1), train_s=round(time.perf_counter() - t2, 2))))
