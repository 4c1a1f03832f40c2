"""Time per training step of the three score matching losses, as the dimension grows.

One step = loss on a minibatch + backward + Adam update of a ``divlib.ScoreMLP``.
Exact (Hyvarinen) score matching needs the trace of the Jacobian of the score,
d backward passes; sliced score matching needs one Hessian-vector product and
denoising score matching none. The peer is a hand-written exact loss with
``torch.func`` (``vmap(jacrev)``: the whole Jacobian, vectorised): it removes
the Python loop but not the O(d) work.

Usage::

    .venv/bin/python benchmarks/bench_score.py            # d = 2, 10, 100
    .venv/bin/python benchmarks/bench_score.py --quick    # small sizes, a few seconds
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

import divlib


def exact_loss_torch_func(model, x):
    """Hyvarinen's loss with the full Jacobian from torch.func (the peer)."""
    from torch.func import jacrev, vmap

    jac = vmap(jacrev(lambda xi: model(xi[None])[0]))(x)  # (n, d, d)
    s = model(x)
    return torch.mean(torch.diagonal(jac, dim1=1, dim2=2).sum(1) + 0.5 * (s**2).sum(1))


def make_losses(sigma):
    return {
        "denoising": lambda m, x, g: divlib.denoising_score_matching_loss(m, x, sigma, generator=g),
        "sliced": lambda m, x, g: divlib.sliced_score_matching_loss(m, x, generator=g),
        "hyvarinen": lambda m, x, g: divlib.hyvarinen_loss(m, x),
        "exact (torch.func)": lambda m, x, g: exact_loss_torch_func(m, x),
    }


def time_step(loss_fn, d, batch, hidden, n_steps, repeats):
    """Median over ``repeats`` of the mean time of one training step (seconds)."""
    model = divlib.ScoreMLP(d, hidden=hidden, seed=0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, d, generator=torch.Generator().manual_seed(0))
    gen = torch.Generator().manual_seed(1)

    def step():
        loss = loss_fn(model, x, gen)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n_steps):
            step()
        times.append((time.perf_counter() - t0) / n_steps)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (CI smoke test)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        dims, batch, hidden, n_steps, repeats = (2, 10), 64, (32, 32), 5, 3
    else:
        dims, batch, hidden, n_steps, repeats = (2, 10, 100), 256, (128, 128), 20, 5
    losses = make_losses(sigma=0.1)
    print(
        f"ScoreMLP hidden={hidden}, batch={batch}, torch threads={args.threads}, "
        f"median of {repeats} x {n_steps} steps"
    )
    header = f"{'d':>4}  {'loss':<20}{'ms/step':>10}{'x denoising':>14}"
    print(header)
    print("-" * len(header))
    for d in dims:
        base = None
        for name, fn in losses.items():
            t = time_step(fn, d, batch, hidden, n_steps, repeats)
            base = base or t
            print(f"{d:>4}  {name:<20}{1e3 * t:>10.2f}{t / base:>14.1f}")
        print()


if __name__ == "__main__":
    main()
