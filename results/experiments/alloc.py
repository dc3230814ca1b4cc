"""Fresh memory against arithmetic on one evaluation batch of fp32 logits (135 x 64 x 49,152, 1.7 GB): a division into a new tensor, the same in place, and allocating and filling one. `python results/experiments/alloc.py` (add THP_MEM_ALLOC_ENABLE=1 for huge-page-aligned allocations)."""
import torch, time
torch.set_num_threads(2)
L = torch.randn(135, 64, 49152)
for rep in range(3):
    t = time.perf_counter(); y = L / 0.7; t1 = time.perf_counter() - t
    t = time.perf_counter(); L.div_(0.7); t2 = time.perf_counter() - t
    t = time.perf_counter(); z = torch.empty_like(L); z.fill_(1.0); t3 = time.perf_counter() - t
    del y, z
    print(f'div new {t1:.2f}s  div_ in place {t2:.2f}s  empty+fill {t3:.2f}s  ({L.numel()*4/1e9:.2f} GB)')
