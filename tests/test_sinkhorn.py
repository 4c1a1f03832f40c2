"""Entropic OT (divlib/_sinkhorn.py): sinkhorn and sinkhorn_divergence.

Oracles: POT's log-domain Sinkhorn (ot.sinkhorn / sinkhorn2 with
method='sinkhorn_log'), the exact LP (divlib.ot_cost, itself checked against
scipy's HiGHS in test_transport.py), finite differences and gradcheck for
gradients, and the closed-form limits (S_eps -> W_2^2 as eps -> 0).
"""

from __future__ import annotations

import warnings

import numpy as np
import ot
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import HYP, npy, seeds, simplex, sqdist
from divlib import (
    ConvergenceWarning,
    ot_cost,
    sinkhorn,
    sinkhorn_divergence,
    wasserstein_discrete,
)

# == sinkhorn ==========================================================================


@pytest.mark.parametrize("reg", [1.0, 0.1, 0.05])
def test_sinkhorn_matches_pot_log(xp, reg):
    rng = np.random.default_rng(13)
    a, b = simplex(rng, 30, zeros=2), simplex(rng, 40)
    M = sqdist(rng.normal(size=(30, 2)), rng.normal(size=(40, 2)))
    M /= M.max()
    ref = ot.sinkhorn2(a, b, M, reg, method="sinkhorn_log", numItermax=100000, stopThr=1e-12)
    cost, P = sinkhorn(xp(a), xp(b), xp(M), reg, max_iter=100000, tol=1e-12, return_plan=True)
    assert np.isclose(npy(cost), ref, rtol=1e-8, atol=1e-10)
    P_ref = ot.sinkhorn(a, b, M, reg, method="sinkhorn_log", numItermax=100000, stopThr=1e-12)
    assert np.allclose(npy(P), P_ref, atol=1e-9)


def test_sinkhorn_torch_pot_same_backend():
    rng = np.random.default_rng(14)
    a, b = torch.tensor(simplex(rng, 20)), torch.tensor(simplex(rng, 25))
    M = torch.tensor(rng.random((20, 25)))
    ref = ot.sinkhorn2(a, b, M, 0.1, method="sinkhorn_log", stopThr=1e-12, numItermax=10000)
    assert torch.isclose(sinkhorn(a, b, M, 0.1, tol=1e-12), ref, rtol=1e-8)


@HYP
@given(seed=seeds, n=st.integers(2, 12), m=st.integers(2, 12))
def test_sinkhorn_above_exact_and_converges_to_it(seed, n, m):
    rng = np.random.default_rng(seed)
    a, b, M = simplex(rng, n), simplex(rng, m), rng.random((n, m))
    exact = ot_cost(a, b, M)
    costs = [sinkhorn(a, b, M, reg, max_iter=20000, tol=1e-11) for reg in (1.0, 0.1, 0.01)]
    assert all(c >= exact - 1e-9 for c in costs)
    assert costs[0] >= costs[1] - 1e-9 >= costs[2] - 2e-9  # decreasing in reg
    assert costs[2] - exact < 0.01 * 4 * np.log(n * m)  # O(reg log(nm)) gap


@HYP
@given(seed=seeds)
def test_sinkhorn_plan_marginals(seed):
    rng = np.random.default_rng(seed)
    a, b, M = simplex(rng, 9, zeros=2), simplex(rng, 7), rng.random((9, 7))
    _, P = sinkhorn(a, b, M, 0.05, max_iter=20000, tol=1e-10, return_plan=True)
    assert np.allclose(P.sum(1), a, atol=1e-9) and np.allclose(P.sum(0), b, atol=1e-9)
    assert np.all(P[a == 0] == 0)


def test_sinkhorn_small_reg_does_not_underflow():
    # M / reg reaches 1000: the plain kernel exp(-M/reg) underflows to 0 in
    # float64 (and a kernel-domain Sinkhorn divides 0 by 0); the log domain does not
    rng = np.random.default_rng(15)
    a, b, M = simplex(rng, 8), simplex(rng, 8), rng.random((8, 8)) * 50
    reg = 0.05
    assert np.exp(-M / reg).min() == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it must converge
        c, P = sinkhorn(a, b, M, reg, max_iter=20000, tol=1e-6, return_plan=True)
    exact = ot_cost(a, b, M)
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(0), b, atol=1e-6)
    assert exact - 1e-9 <= c <= exact + reg * np.log(64)


def test_sinkhorn_gradcheck():
    rng = np.random.default_rng(16)
    a = torch.tensor(simplex(rng, 4), requires_grad=True)
    b = torch.tensor(simplex(rng, 5))
    M = torch.tensor(rng.random((4, 5)), requires_grad=True)
    f = lambda a_, M_: sinkhorn(a_ / a_.sum(), b, M_, 0.5, max_iter=5000, tol=1e-14)
    assert torch.autograd.gradcheck(f, (a, M), atol=1e-6)


def test_sinkhorn_warns_when_not_converged():
    rng = np.random.default_rng(17)
    a, b, M = simplex(rng, 10), simplex(rng, 10), rng.random((10, 10))
    with pytest.warns(ConvergenceWarning, match="max_iter=3.*reg=0.01"):
        c = sinkhorn(a, b, M, 0.01, max_iter=3)
    assert issubclass(ConvergenceWarning, UserWarning) and np.isfinite(c)


_H = ([0.5, 0.5], [0.5, 0.5], np.ones((2, 2)))


@pytest.mark.parametrize(
    "args,kwargs,exc,match",
    [
        (_H + (0.0,), {}, ValueError, "reg must be a number > 0, got 0.0"),
        (_H + (-1.0,), {}, ValueError, "reg must be a number > 0"),
        (_H + (np.nan,), {}, ValueError, "reg must be a number, got NaN"),
        (_H + (np.inf,), {}, ValueError, "reg must be a number < inf"),
        (_H + ("x",), {}, TypeError, "reg must be a number, got 'x'"),
        (_H + (1j,), {}, TypeError, "reg must be a real number"),
        (([0.5, 0.5], [0.4, 0.5], np.ones((2, 2)), 1.0), {}, ValueError, "same total mass"),
        (([0.5, 0.5], [1.0], np.ones((2, 2)), 1.0), {}, ValueError, r"M has shape \(2, 2\)"),
        (_H + (1.0,), {"max_iter": 0}, ValueError, "max_iter must be an integer >= 1, got 0"),
        (_H + (1.0,), {"max_iter": None}, TypeError, "max_iter must be a number, got None"),
        (_H + (1.0,), {"max_iter": 2.5}, ValueError, "max_iter must be a whole number"),
        (_H + (1.0,), {"tol": np.nan}, ValueError, "tol must be a number, got NaN"),
        (_H + (1.0,), {"tol": -1e-9}, ValueError, "tol must be a number > 0"),
        (_H + (1.0,), {"tol": "small"}, TypeError, "tol must be a number"),
        (([1.5, -0.5], [1.0], np.ones((2, 1)), 1.0), {}, ValueError, "a has 1 negative"),
    ],
)
def test_sinkhorn_bad_inputs(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sinkhorn(*args, **kwargs)


def test_sinkhorn_mass_check_is_relative():
    # class 3: masses 1e-7 and 2e-7 differ by a factor 2, though by only 1e-7 in absolute
    with pytest.raises(ValueError, match="a sums to 1e-07 but b sums to 2e-07"):
        sinkhorn([5e-8, 5e-8], [1e-7, 1e-7], np.ones((2, 2)), 1.0)
    # equal tiny masses are fine, and the cost scales with the mass
    rng = np.random.default_rng(40)
    a, b, M = simplex(rng, 4), simplex(rng, 5), rng.random((4, 5))
    c1 = sinkhorn(a, b, M, 0.2, tol=1e-12)
    assert np.isclose(sinkhorn(1e-7 * a, 1e-7 * b, M, 0.2, tol=1e-12), 1e-7 * c1, rtol=1e-8)


@pytest.mark.parametrize("where", ["a", "b"])
def test_sinkhorn_zero_weight_has_finite_gradient(where):
    # class 6: log(0) used to give d/da = 0 * inf = NaN at a zero weight
    rng = np.random.default_rng(41)
    a, b, M = simplex(rng, 4, zeros=1), simplex(rng, 5, zeros=1), rng.random((4, 5))
    at = torch.tensor(a, requires_grad=True)
    bt = torch.tensor(b, requires_grad=True)
    Mt = torch.tensor(M, requires_grad=True)
    c = sinkhorn(at, bt, Mt, 0.3, max_iter=5000, tol=1e-13)
    grads = torch.autograd.grad(c, (at, bt, Mt))
    assert all(torch.isfinite(g).all() for g in grads)
    # gradcheck at the zero weight itself, along the weight that is zero
    w = at if where == "a" else bt
    i = int(np.flatnonzero((a if where == "a" else b) == 0)[0])

    def f(t):
        ww = w.detach().clone()
        ww[i] = t[0]
        ww = ww / ww.sum()
        args = (ww, bt.detach()) if where == "a" else (at.detach(), ww)
        return sinkhorn(*args, Mt.detach(), 0.3, max_iter=5000, tol=1e-13)

    # one-sided: gradcheck perturbs by 1e-6 on both sides, so start just above 0
    assert torch.autograd.gradcheck(
        f, (torch.tensor([1e-5], dtype=torch.float64, requires_grad=True),), atol=1e-5
    )
    t0, t1 = (torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in (0.0, 1e-9))
    (g0,) = torch.autograd.grad(f(t0), t0)
    (g1,) = torch.autograd.grad(f(t1), t1)
    assert torch.isfinite(g0).all() and torch.allclose(g0, g1, rtol=1e-5)


def test_sinkhorn_float32_in_float32_out_and_no_warning_by_default():
    rng = np.random.default_rng(42)
    x, y = rng.normal(size=(50, 2)), rng.normal(size=(60, 2))
    M = sqdist(x, y).astype(np.float32)
    a, b = np.full(50, 1 / 50, np.float32), np.full(60, 1 / 60, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        c = sinkhorn(a, b, M, 0.1)
        ct = sinkhorn(torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(M), 0.1)
    assert c.dtype == np.float32 and ct.dtype == torch.float32
    ref = sinkhorn(a.astype(float), b.astype(float), M.astype(float), 0.1)
    assert np.isclose(c, ref, rtol=1e-4) and np.isclose(float(ct), ref, rtol=1e-4)


def test_sinkhorn_eps_scaling_same_answer_fewer_iterations():
    rng = np.random.default_rng(43)
    a, b = simplex(rng, 30), simplex(rng, 30)
    M = sqdist(rng.normal(size=(30, 2)), rng.normal(size=(30, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        c1 = sinkhorn(a, b, M, 0.01, max_iter=20000, tol=1e-10)
        c2 = sinkhorn(a, b, M, 0.01, max_iter=20000, tol=1e-10, eps_scaling=True)
    assert np.isclose(c1, c2, rtol=1e-7)
    with pytest.warns(ConvergenceWarning, match="max_iter=300"):
        sinkhorn(a, b, M, 0.01, max_iter=300, tol=1e-10)


# == sinkhorn_divergence =================================================================


def entropic_ot_pot(a, b, C, eps):
    """OT_eps(a, b) = <P, C> + eps KL(P || a x b) from POT's log-domain plan."""
    P = ot.sinkhorn(a, b, C, eps, method="sinkhorn_log", numItermax=20000, stopThr=1e-12)
    nz = P > 0
    return (P * C).sum() + eps * (P[nz] * np.log(P[nz] / np.outer(a, b)[nz])).sum()


@pytest.mark.parametrize("p", [1, 2])
def test_sinkhorn_divergence_matches_pot_construction(xp, p):
    rng = np.random.default_rng(18)
    x, y = rng.normal(size=(15, 2)), rng.normal(size=(20, 2)) * 0.7 + 0.5
    a, b = simplex(rng, 15), simplex(rng, 20)
    eps = 0.5

    def C(s, t):
        return ot.dist(s, t, metric="euclidean") ** p

    ref = entropic_ot_pot(a, b, C(x, y), eps) - 0.5 * (
        entropic_ot_pot(a, a, C(x, x), eps) + entropic_ot_pot(b, b, C(y, y), eps)
    )
    got = sinkhorn_divergence(
        xp(x), xp(y), reg=eps, p=p, a=xp(a), b=xp(b), tol=1e-12, max_iter=20000
    )
    assert np.isclose(npy(got), ref, rtol=1e-7, atol=1e-9)


@HYP
@given(seed=seeds, p=st.sampled_from([1, 2]), reg=st.sampled_from([0.05, 0.3, 2.0]))
def test_sinkhorn_divergence_nonnegative_symmetric_zero_on_diagonal(seed, p, reg):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(10, 2)), rng.normal(size=(14, 2)) + rng.normal(size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        sxy = sinkhorn_divergence(x, y, reg=reg, p=p, max_iter=3000, tol=1e-10)
        syx = sinkhorn_divergence(y, x, reg=reg, p=p, max_iter=3000, tol=1e-10)
        sxx = sinkhorn_divergence(x, x.copy(), reg=reg, p=p)
    assert sxy >= -1e-9 and np.isclose(sxy, syx, rtol=1e-5, atol=1e-8)
    assert abs(sxx) < 1e-12


def test_sinkhorn_divergence_tends_to_w2_squared():
    rng = np.random.default_rng(19)
    x, y = rng.normal(size=(15, 2)), rng.normal(size=(15, 2)) + 1.0
    w22 = wasserstein_discrete(x, y) ** 2
    gaps = [
        abs(sinkhorn_divergence(x, y, reg=r, max_iter=50000, tol=1e-9) - w22)
        for r in (1.0, 0.1, 0.01)
    ]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.01 * w22


def test_sinkhorn_divergence_gradient_matches_finite_differences():
    rng = np.random.default_rng(20)
    x, y = rng.normal(size=(12, 2)), rng.normal(size=(9, 2)) + 0.5
    xt = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(
        sinkhorn_divergence(xt, torch.tensor(y), reg=0.3, tol=1e-13, max_iter=10**5), xt
    )
    D, h = rng.normal(size=x.shape), 1e-5

    def S(z):
        return sinkhorn_divergence(z, y, reg=0.3, tol=1e-13, max_iter=10**5)

    fd = (S(x + h * D) - S(x - h * D)) / (2 * h)
    assert np.isclose((g.numpy() * D).sum(), fd, rtol=1e-6, atol=1e-9)


def test_sinkhorn_divergence_warns_when_not_converged():
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        sinkhorn_divergence(x, y, reg=0.01, max_iter=2)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(reg=0.0), ValueError, "reg must be a number > 0"),
        (dict(reg=-0.1), ValueError, "reg must be a number > 0"),
        (dict(reg=None), TypeError, "reg must be a number, got None"),
        (dict(reg=0.1, a=np.full(4, 0.3)), ValueError, "a sums to 1.2"),
        (dict(reg=0.1, b=[0.5, 0.5]), ValueError, r"b has shape \(2,\) but there are 5 points"),
        (dict(reg=0.1, p=0.5), ValueError, "p must be a number >= 1"),
        (dict(reg=0.1, max_iter=0), ValueError, "max_iter must be an integer >= 1"),
        (dict(reg=0.1, max_iter=None), TypeError, "max_iter must be a number, got None"),
        (dict(reg=0.1, max_iter=1.5), ValueError, "max_iter must be a whole number"),
        (dict(reg=0.1, tol=np.nan), ValueError, "tol must be a number, got NaN"),
        (dict(reg=0.1, tol=-1.0), ValueError, "tol must be a number > 0"),
    ],
)
def test_sinkhorn_divergence_bad_inputs(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        sinkhorn_divergence(np.ones((4, 2)), np.zeros((5, 2)), **kwargs)
    with pytest.raises(ValueError, match="d = 2 dimensions but y in d = 3"):
        sinkhorn_divergence(np.ones((4, 2)), np.zeros((5, 3)), reg=1.0)


def test_sinkhorn_divergence_never_mentions_M():
    # the user passed no M: every error names x, y, a, b or a setting
    bad = [
        dict(x=np.ones((4, 2)), y=np.zeros((5, 3))),
        dict(x=np.ones((4, 2)), y=np.zeros((0, 2))),
        dict(x=[[np.nan, 1.0]], y=np.zeros((5, 2))),
        dict(x=np.ones((4, 2)), y=np.zeros((5, 2)), b=np.ones(5)),
    ]
    for kw in bad:
        with pytest.raises(ValueError) as info:
            sinkhorn_divergence(reg=1.0, **kw)
        assert "M " not in str(info.value) and "M has" not in str(info.value)


@pytest.mark.parametrize("which", ["a", "b"])
def test_sinkhorn_divergence_zero_weight_has_finite_gradient(which):
    # class 6: a zero weight gave a NaN gradient (d log w / dw = inf times 0)
    rng = np.random.default_rng(44)
    x, y = rng.normal(size=(6, 2)), rng.normal(size=(5, 2)) + 0.5
    a, b = (
        simplex(rng, 6, zeros=1 if which == "a" else 0),
        simplex(rng, 5, zeros=1 if which == "b" else 0),
    )
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    S = sinkhorn_divergence(xt, yt, reg=1.0, a=at, b=bt, tol=1e-12, max_iter=10**4)
    grads = torch.autograd.grad(S, (xt, yt, at, bt))
    assert all(torch.isfinite(g).all() for g in grads)
    # the weight gradient agrees with a one-sided finite difference along a direction
    # that moves mass onto the zero weight (and keeps the sum 1)
    w = a if which == "a" else b
    i0, i1 = int(np.flatnonzero(w == 0)[0]), int(np.argmax(w))
    D = np.zeros_like(w)
    D[i0], D[i1] = 1.0, -1.0
    g = (grads[2] if which == "a" else grads[3]).numpy()
    h = 1e-6

    def S_np(ww):
        kw = dict(a=ww, b=b) if which == "a" else dict(a=a, b=ww)
        return float(sinkhorn_divergence(x, y, reg=1.0, tol=1e-12, max_iter=10**4, **kw))

    fd = (S_np(w + h * D) - S_np(w)) / h
    assert np.isclose(fd, g @ D, rtol=1e-3, atol=1e-5)


def test_sinkhorn_divergence_float32_and_mixed_dtypes():
    rng = np.random.default_rng(45)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(25, 2)) + 1.0
    ref = sinkhorn_divergence(x, y, reg=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        s32 = sinkhorn_divergence(x.astype(np.float32), y.astype(np.float32), reg=0.5)
        t32 = sinkhorn_divergence(
            torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.float32), reg=0.5
        )
    assert s32.dtype == np.float32 and t32.dtype == torch.float32
    assert np.isclose(s32, ref, rtol=1e-3) and np.isclose(float(t32), ref, rtol=1e-3)
    mixed = sinkhorn_divergence(torch.tensor(x, dtype=torch.float32), torch.tensor(y), reg=0.5)
    assert mixed.dtype == torch.float64 and np.isclose(float(mixed), ref, rtol=1e-6)
    ints = sinkhorn_divergence(torch.tensor([[0, 0], [1, 0]]), torch.tensor([[0.0, 1.0]]), reg=0.5)
    assert ints.dtype == torch.get_default_dtype() and torch.isfinite(ints)


def test_sinkhorn_divergence_extreme_scales():
    # class 4: homogeneity, S(sx, sy; s^2 reg) = s^2 S(x, y; reg), at s = 1e-150 and 1e100
    rng = np.random.default_rng(46)
    x, y = rng.normal(size=(8, 2)), rng.normal(size=(7, 2)) + 1.0
    ref = sinkhorn_divergence(x, y, reg=0.5, tol=1e-10)
    for s in (2.0**-500, 2.0**330):
        got = sinkhorn_divergence(s * x, s * y, reg=0.5 * s**2, tol=1e-10)
        assert np.isclose(got / s**2, ref, rtol=1e-8), s


# -- issue 17: the iteration count through a public option (as POT's log=True) -------


def test_sinkhorn_log_reports_the_iterations_it_ran():
    import warnings

    from divlib import ConvergenceWarning, sinkhorn

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(25, 2))
    M = ((x[:, None] - y[None]) ** 2).sum(-1)
    a, b = np.full(20, 1 / 20), np.full(25, 1 / 25)
    cost, info = sinkhorn(a, b, M, 0.5, log=True)
    assert cost == sinkhorn(a, b, M, 0.5)
    n = info["n_iter"]
    assert n >= 1 and info["n_iter_total"] == n and info["err"] < 1e-9
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exactly n iterations suffice
        sinkhorn(a, b, M, 0.5, max_iter=n)
    if n > 1:
        with pytest.warns(ConvergenceWarning):
            sinkhorn(a, b, M, 0.5, max_iter=n - 1)
    _, P, info = sinkhorn(a, b, M, 0.5, eps_scaling=True, return_plan=True, log=True)
    assert P.shape == (20, 25) and info["n_iter_total"] > info["n_iter"]
