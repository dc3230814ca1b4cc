"""bf16 and fp32 matmul GFLOP/s of SmolLM2-135M's weight shapes (MLP 1536x576, attention 576x576, head 49152x576) at 32, 135 and 2,048 rows: F.linear, a prepacked mkldnn linear, mm with the weight transposed and contiguous. `python results/experiments/mm_shapes.py`."""
import torch, time, torch.utils.mkldnn, torch.nn.functional as F
torch.set_num_threads(2)
def t(f, n=50):
    for _ in range(3): f()
    s = time.perf_counter()
    for _ in range(n): f()
    return (time.perf_counter() - s) / n
for (o, i) in [(1536, 576), (576, 576), (49152, 576)]:
    W = torch.randn(o, i) / 24; Wb = W.bfloat16()
    lin = torch.nn.Linear(i, o, bias=False); lin.weight.data = Wb.clone(); lin.requires_grad_(False)
    mk = torch.utils.mkldnn.to_mkldnn(torch.nn.Linear(i, o, bias=False).requires_grad_(False), torch.bfloat16)
    for M in [32, 135, 2048]:
        x = torch.randn(M, i); xb = x.bfloat16()
        fl = 2 * M * i * o
        with torch.no_grad():
            a = t(lambda: F.linear(x, W)); b = t(lambda: F.linear(xb, Wb)); c = t(lambda: mk(xb))
            d = t(lambda: torch.mm(xb, Wb.t()))
            Wt = Wb.t().contiguous(); e = t(lambda: torch.mm(xb, Wt))
        print(f'{o}x{i} M={M}: fp32 {fl/a/1e9:.0f} bf16 {fl/b/1e9:.0f} mkldnn-packed {fl/c/1e9:.0f} mm(W.t) {fl/d/1e9:.0f} mm(Wt contiguous) {fl/e/1e9:.0f} GFLOP/s')
