"""Optimal transport (issue 4): 1-D, exact LP, point clouds, Sinkhorn, sliced.

Oracles: scipy.stats.wasserstein_distance (1-D, weights), POT (ot.emd2,
ot.wasserstein_1d, ot.sinkhorn / sinkhorn2 with method='sinkhorn_log',
ot.sliced_wasserstein_distance with the same projections), the dual LP
solved with scipy.optimize.linprog, finite differences for gradients, and
closed forms (translations, order statistics).

POT conventions differ from divlib's: ot.wasserstein_1d with p=2 and ot.emd2
with a squared Euclidean cost return W_2^2 (the tests take the root).
"""

from __future__ import annotations

import numpy as np
import ot
import pytest
import scipy.optimize as sopt
import scipy.stats as sst
import torch
from hypothesis import given
from hypothesis import strategies as st

from conftest import HYP, npy, seeds, simplex, sqdist
from divlib import (
    ConvergenceWarning,
    monge_map_1d,
    ot_cost,
    sliced_wasserstein,
    wasserstein_1d,
    wasserstein_discrete,
)
from divlib._transport import _random_directions

# == wasserstein_1d ==================================================================


@pytest.mark.parametrize("n,m", [(50, 50), (40, 70), (1, 9)])
def test_w1d_matches_scipy_unweighted(xp, n, m):
    rng = np.random.default_rng(0)
    u, v = rng.normal(size=n), rng.gamma(2.0, size=m)
    ref = sst.wasserstein_distance(u, v)
    assert np.isclose(npy(wasserstein_1d(xp(u), xp(v))), ref, rtol=1e-12, atol=1e-14)


def test_w1d_matches_scipy_weighted(xp):
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=30), rng.normal(1.0, 2.0, size=45)
    wu, wv = simplex(rng, 30, zeros=3), simplex(rng, 45)
    ref = sst.wasserstein_distance(u, v, wu, wv)
    got = wasserstein_1d(xp(u), xp(v), xp(wu), xp(wv))
    assert np.isclose(npy(got), ref, rtol=1e-12)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 1.5])
def test_w1d_matches_pot_power_p(xp, p):
    rng = np.random.default_rng(2)
    u, v = rng.normal(size=25), rng.uniform(-1, 3, size=35)
    wu, wv = simplex(rng, 25), simplex(rng, 35)
    ref = ot.wasserstein_1d(u, v, wu, wv, p=p) ** (1 / p)  # POT returns W_p^p
    assert np.isclose(npy(wasserstein_1d(xp(u), xp(v), xp(wu), xp(wv), p=p)), ref, rtol=1e-10)
    ref_eq = ot.wasserstein_1d(u[:20], v[:20], p=p) ** (1 / p)
    assert np.isclose(npy(wasserstein_1d(xp(u[:20]), xp(v[:20]), p=p)), ref_eq, rtol=1e-10)


def test_w1d_fast_path_equals_general_path():
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=200), rng.normal(size=200) * 2
    w = np.full(200, 1 / 200)
    for p in (1, 2):
        assert np.isclose(wasserstein_1d(u, v, p=p), wasserstein_1d(u, v, w, w, p=p), rtol=1e-12)


@HYP
@given(seed=seeds, c=st.floats(-50, 50), p=st.sampled_from([1, 2, 3]))
def test_w1d_translation(seed, c, p):
    x = np.random.default_rng(seed).normal(size=64)
    assert np.isclose(wasserstein_1d(x, x + c, p=p), abs(c), rtol=1e-9, atol=1e-9)


@HYP
@given(seed=seeds, p=st.sampled_from([1, 2]))
def test_w1d_metric_axioms(seed, p):
    rng = np.random.default_rng(seed)
    x, y, z = rng.normal(size=20), rng.normal(1, 2, size=31), rng.exponential(size=17)
    wx = simplex(rng, 20)
    dxy, dyx = wasserstein_1d(x, y, wx, None, p=p), wasserstein_1d(y, x, None, wx, p=p)
    assert np.isclose(dxy, dyx, rtol=1e-12, atol=1e-14)
    assert wasserstein_1d(x, x, wx, wx, p=p) == pytest.approx(0.0, abs=1e-12)
    assert wasserstein_1d(x, z, wx, None, p=p) <= dxy + wasserstein_1d(y, z, p=p) + 1e-12


@pytest.mark.parametrize("p", [1.0, 2.0])
def test_w1d_gradcheck(p):
    rng = np.random.default_rng(4)
    u = torch.tensor(rng.normal(size=7), requires_grad=True)
    v = torch.tensor(rng.normal(size=5) + 0.3, requires_grad=True)
    wu = torch.tensor(simplex(rng, 7))
    assert torch.autograd.gradcheck(lambda s, t: wasserstein_1d(s, t, wu, None, p=p), (u, v))
    v6 = torch.tensor(rng.normal(size=7) + 0.3, requires_grad=True)
    assert torch.autograd.gradcheck(lambda s, t: wasserstein_1d(s, t, p=p), (u, v6))


def test_w1d_torch_keeps_dtype_and_returns_tensor():
    x = torch.linspace(0, 1, 10, dtype=torch.float32)
    out = wasserstein_1d(x, x + 1)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert float(out) == pytest.approx(1.0, rel=1e-6)
    assert isinstance(wasserstein_1d(np.arange(3.0), np.arange(3.0) + 1), np.floating | np.ndarray)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(u_values=[], v_values=[1.0]), "u_values is empty"),
        (dict(u_values=[[1.0, 2.0]], v_values=[1.0]), "u_values must be a 1-D"),
        (dict(u_values=[1.0, np.nan], v_values=[1.0]), "u_values has 1 NaN"),
        (dict(u_values=[1.0], v_values=[np.inf]), "v_values has 1 infinite"),
        (
            dict(u_values=[1.0, 2.0], v_values=[1.0], u_weights=[1.2, -0.2]),
            "u_weights has 1 negative",
        ),
        (dict(u_values=[1.0, 2.0], v_values=[1.0], u_weights=[1.0, 1.0]), "u_weights sums to 2"),
        (dict(u_values=[1.0, 2.0], v_values=[1.0], u_weights=[1.0]), r"u_weights has shape \(1,\)"),
        (dict(u_values=[1.0, 2.0], v_values=[1.0], v_weights=[np.nan]), "v_weights has 1 NaN"),
        (dict(u_values=[1.0], v_values=[1.0], p=0.5), "p must be a number >= 1"),
    ],
)
def test_w1d_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        wasserstein_1d(**kwargs)


# == monge_map_1d ====================================================================


def test_monge_map_1d_maps_order_statistics(xp):
    rng = np.random.default_rng(5)
    u, v = rng.normal(size=40), rng.exponential(size=40)
    T = monge_map_1d(xp(u), xp(v))
    assert np.allclose(npy(T(xp(np.sort(u)))), np.sort(v), rtol=1e-12)
    assert isinstance(T(xp(u)), type(xp(u)))


def test_monge_map_1d_pushes_gaussian_to_gaussian():
    # true map between N(1, 2^2) and N(-3, 0.5^2): x -> -3 + (x - 1) / 4
    rng = np.random.default_rng(6)
    T = monge_map_1d(rng.normal(1, 2, size=20000), rng.normal(-3, 0.5, size=20000))
    grid = np.linspace(-2, 4, 13)
    assert np.allclose(T(grid), -3 + (grid - 1) / 4, atol=0.03)
    pushed = T(rng.normal(1, 2, size=20000))
    assert wasserstein_1d(pushed, rng.normal(-3, 0.5, size=20000)) < 0.02


@HYP
@given(seed=seeds)
def test_monge_map_1d_is_monotone(seed):
    rng = np.random.default_rng(seed)
    T = monge_map_1d(rng.normal(size=15), rng.standard_cauchy(size=23))
    t = T(np.sort(rng.normal(scale=3, size=100)))
    assert np.all(np.diff(t) >= 0)


def test_monge_map_1d_keeps_the_dtype_of_its_input():
    """float32 in, float32 out (numpy and torch); the values are the quantile map's
    (u uniform on {0, 1}, v on {2, 3}: T(0.5) = 2.5, T(1) = 3)."""
    T = monge_map_1d([0.0, 1.0], [2.0, 3.0])
    for x in (np.array([0.5, 1.0], dtype=np.float32), torch.tensor([0.5, 1.0])):
        y = T(x)
        assert y.dtype == x.dtype and type(y) is type(x)
        np.testing.assert_allclose(np.asarray(y), [2.5, 3.0])
    assert T(np.array([0.5, 1.0])).dtype == np.float64


def test_monge_map_1d_bad_inputs():
    with pytest.raises(ValueError, match="u_values is empty"):
        monge_map_1d([], [1.0])
    with pytest.raises(ValueError, match="v_values has 1 NaN"):
        monge_map_1d([1.0], [np.nan])


# == ot_cost ==========================================================================


def lp_oracle(a, b, M):
    """The full Kantorovich LP (all n m variables) solved by scipy's HiGHS: (cost, duals).

    An oracle independent of POT, which ot_cost calls. Tolerances at HiGHS's tightest.
    """
    n, m = M.shape
    A_eq = np.zeros((n + m, n * m))
    for i in range(n):
        A_eq[i, i * m : (i + 1) * m] = 1.0  # row sums: P 1 = a
    for j in range(m):
        A_eq[n + j, j::m] = 1.0  # column sums: P^T 1 = b
    res = sopt.linprog(
        M.ravel(),
        A_eq=A_eq,
        b_eq=np.concatenate([a, b]),
        bounds=(0, None),
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    assert res.status == 0, res.message
    return res.fun, res.eqlin.marginals


@pytest.mark.parametrize("n,m,zeros", [(12, 17, 0), (30, 30, 0), (25, 20, 4), (1, 5, 0)])
def test_ot_cost_matches_the_full_lp(xp, n, m, zeros):
    rng = np.random.default_rng(n + m)
    a, b = simplex(rng, n, zeros=zeros), simplex(rng, m)
    M = sqdist(rng.normal(size=(n, 3)), rng.normal(size=(m, 3)))
    cost, P = ot_cost(xp(a), xp(b), xp(M), return_plan=True)
    ref, _ = lp_oracle(a, b, M)
    assert np.isclose(npy(cost), ref, rtol=1e-8, atol=1e-12)
    P = npy(P)
    assert np.allclose(P.sum(1), a, atol=1e-12) and np.allclose(P.sum(0), b, atol=1e-12)
    assert P.min() >= 0 and np.isclose((P * M).sum(), npy(cost), rtol=1e-12)


def test_ot_cost_tiny_weights_and_large_costs_keep_exact_marginals():
    # weights down to ~1e-8 and costs up to 1e6, against the LP at HiGHS's tightest
    rng = np.random.default_rng(123)
    for t in range(30):
        n, m = rng.integers(2, 25, size=2)
        M = (
            rng.random((n, m)) * 1e6
            if t % 2
            else sqdist(rng.normal(size=(n, 2)), rng.normal(size=(m, 2)))
        )
        a, b = rng.random(n) ** 4, rng.random(m) ** 4
        a, b = a / a.sum(), b / b.sum()
        cost, P = ot_cost(a, b, M, return_plan=True)
        ref, _ = lp_oracle(a, b, M)
        assert abs(cost - ref) <= 1e-7 * max(1.0, abs(ref)), (t, cost, ref)
        assert np.abs(P.sum(1) - a).max() <= 1e-12 and np.abs(P.sum(0) - b).max() <= 1e-12, t
        assert P.min() >= 0


def test_ot_cost_1d_closed_form():
    # on the line with a convex cost the sorted (north-west corner) coupling is optimal:
    # the cost is the quantile integral, computed here by hand
    rng = np.random.default_rng(31)
    u, v = np.sort(rng.normal(size=9)), np.sort(rng.normal(size=14) + 0.5)
    a, b = simplex(rng, 9), simplex(rng, 14)
    levels = np.unique(np.concatenate([np.cumsum(a), np.cumsum(b)]))
    levels = levels[levels <= 1.0 - 1e-15]
    ts = np.concatenate([[0.0], levels, [1.0]])
    mids = (ts[:-1] + ts[1:]) / 2
    qu = u[np.searchsorted(np.cumsum(a), mids)]
    qv = v[np.minimum(np.searchsorted(np.cumsum(b), mids), 13)]
    for p in (1, 2, 3):
        ref = np.sum(np.diff(ts) * np.abs(qu - qv) ** p)
        M = np.abs(u[:, None] - v[None, :]) ** p
        assert np.isclose(ot_cost(a, b, M), ref, rtol=1e-10)


def test_ot_cost_uniform_square_is_a_permutation(xp):
    # uniform weights, n = m: the optimum is the assignment problem (Birkhoff), solved
    # independently by scipy's Hungarian method
    rng = np.random.default_rng(7)
    n = 40
    a = np.full(n, 1 / n)
    M = sqdist(rng.normal(size=(n, 2)), rng.normal(size=(n, 2)))
    cost, P = ot_cost(xp(a), xp(a), xp(M), return_plan=True)
    r, c = sopt.linear_sum_assignment(M)
    assert np.isclose(npy(cost), M[r, c].sum() / n, rtol=1e-12)
    P = npy(P)
    assert np.all((P == 0) | np.isclose(P, 1 / n)) and np.count_nonzero(P) == n


def test_ot_cost_unnormalised_equal_masses():
    rng = np.random.default_rng(8)
    a, b = 3 * simplex(rng, 6), 3 * simplex(rng, 9)
    M = rng.random((6, 9))
    assert np.isclose(ot_cost(a, b, M), lp_oracle(a, b, M)[0], rtol=1e-9)


def test_ot_cost_primal_equals_dual_lp():
    # dual: max a.f + b.g  s.t. f_i + g_j <= M_ij, solved independently by linprog
    rng = np.random.default_rng(9)
    n, m = 8, 11
    a, b, M = simplex(rng, n), simplex(rng, m), rng.random((n, m)) * 5
    A = np.zeros((n * m, n + m))
    for i in range(n):
        for j in range(m):
            A[i * m + j, i] = A[i * m + j, n + j] = 1.0
    res = sopt.linprog(-np.concatenate([a, b]), A_ub=A, b_ub=M.ravel(), bounds=(None, None))
    assert res.status == 0
    assert np.isclose(ot_cost(a, b, M), -res.fun, rtol=1e-9)


@HYP
@given(seed=seeds, n=st.integers(1, 9), m=st.integers(1, 9))
def test_ot_cost_plan_marginals_and_bounds(seed, n, m):
    rng = np.random.default_rng(seed)
    a, b, M = simplex(rng, n), simplex(rng, m), rng.random((n, m))
    cost, P = ot_cost(a, b, M, return_plan=True)
    assert np.allclose(P.sum(1), a, atol=1e-9) and np.allclose(P.sum(0), b, atol=1e-9)
    # the independent coupling is feasible, so it costs at least the optimum
    assert M.min() - 1e-12 <= cost <= a @ M @ b + 1e-12
    assert np.isclose(cost, lp_oracle(a, b, M)[0], rtol=1e-8, atol=1e-12)


def test_ot_cost_gradient_wrt_M_is_the_plan():
    rng = np.random.default_rng(10)
    a, b, M = simplex(rng, 6), simplex(rng, 8), rng.random((6, 8))
    Mt = torch.tensor(M, requires_grad=True)
    cost, P = ot_cost(torch.tensor(a), torch.tensor(b), Mt, return_plan=True)
    cost.backward()
    assert torch.allclose(Mt.grad, P)
    # envelope theorem against a central finite difference in a random direction
    D, h = rng.normal(size=M.shape), 1e-6
    fd = (ot_cost(a, b, M + h * D) - ot_cost(a, b, M - h * D)) / (2 * h)
    assert np.isclose(fd, (P.numpy() * D).sum(), rtol=1e-5, atol=1e-8)


def test_ot_cost_gradient_wrt_weights_is_the_centred_dual():
    # d cost / d a = u - mean(u), the dual potential of the LP: check it against a finite
    # difference along a mass-preserving direction (sum 0), and that it is centred
    rng = np.random.default_rng(12)
    a, b, M = simplex(rng, 6), simplex(rng, 8), rng.random((6, 8))
    at, bt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ga, gb = torch.autograd.grad(ot_cost(at, bt, torch.tensor(M)), (at, bt))
    assert abs(float(ga.sum())) < 1e-12 and abs(float(gb.sum())) < 1e-12
    D = rng.normal(size=6)
    D -= D.mean()
    h = 1e-7
    fd = (ot_cost(a + h * D, b, M) - ot_cost(a - h * D, b, M)) / (2 * h)
    assert np.isclose(fd, float(ga @ torch.tensor(D)), rtol=1e-5, atol=1e-9)
    # the duals from the independent LP give the same directional derivative
    _, y = lp_oracle(a, b, M)
    assert np.isclose(fd, y[:6] @ D, rtol=1e-5, atol=1e-9)


def test_ot_cost_solver_status_is_checked(monkeypatch):
    # POT returns a plan with only a warning when it fails: divlib must not
    import ot.lp

    real = ot.emd

    def fake(code):
        def emd(*args, **kwargs):
            G, log = real(*args, **kwargs)
            log["result_code"] = code
            return G, log

        return emd

    monkeypatch.setattr(ot, "emd", fake(0))  # infeasible
    with pytest.raises(RuntimeError, match="status 0"):
        ot_cost([0.3, 0.7], [0.5, 0.25, 0.25], np.ones((2, 3)))
    monkeypatch.setattr(ot, "emd", fake(3))  # iteration limit, with a feasible plan
    with pytest.warns(ConvergenceWarning, match="max_iter=7.*larger max_iter"):
        ot_cost([0.3, 0.7], [0.5, 0.25, 0.25], np.ones((2, 3)), max_iter=7)


def test_ot_cost_max_iter_is_passed_to_the_simplex():
    # a real iteration limit: 1 pivot cannot solve a 30 x 30 problem
    rng = np.random.default_rng(13)
    a, b, M = simplex(rng, 30), simplex(rng, 30), rng.random((30, 30))
    with pytest.raises(RuntimeError, match="max_iter=1 .*without a feasible plan.*max_iter=10"):
        ot_cost(a, b, M, max_iter=1)


@pytest.mark.parametrize(
    "a,b,M,match",
    [
        ([0.5, 0.5], [0.3, 0.3], np.ones((2, 2)), "a sums to 1 but b sums to 0.6"),
        (
            [0.5, 0.5],
            [1.0],
            np.ones((2, 2)),
            r"M has shape \(2, 2\) but a has n = 2 and b has m = 1",
        ),
        ([1.2, -0.2], [1.0], np.ones((2, 1)), "a has 1 negative"),
        ([1.0], [np.nan], np.ones((1, 1)), "b has 1 NaN"),
        ([], [1.0], np.ones((0, 1)), "a is empty"),
        ([[1.0]], [1.0], np.ones((1, 1)), "a must be a 1-D"),
        ([0.0, 0.0], [0.0], np.ones((2, 1)), "a sums to 0"),
        ([1.0], [1.0], [[np.inf]], "M has 1 infinite"),
    ],
)
def test_ot_cost_bad_inputs(a, b, M, match):
    with pytest.raises(ValueError, match=match):
        ot_cost(a, b, M)


# == wasserstein_discrete ==============================================================


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_wasserstein_discrete_matches_pot(xp, p):
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(20, 3)), rng.normal(size=(15, 3)) + 0.5
    a, b = simplex(rng, 20), simplex(rng, 15)
    M = ot.dist(x, y, metric="euclidean") ** p
    ref = ot.emd2(a, b, M) ** (1 / p)
    assert np.isclose(npy(wasserstein_discrete(xp(x), xp(y), xp(a), xp(b), p=p)), ref, rtol=1e-8)


@HYP
@given(seed=seeds, p=st.sampled_from([1, 2]))
def test_wasserstein_discrete_translation_and_1d(seed, p):
    rng = np.random.default_rng(seed)
    x, c = rng.normal(size=(12, 2)), rng.normal(size=2) * 3
    assert np.isclose(wasserstein_discrete(x, x + c, p=p), np.linalg.norm(c), rtol=1e-7)
    u, v = rng.normal(size=9), rng.normal(size=13)
    assert np.isclose(wasserstein_discrete(u, v, p=p), wasserstein_1d(u, v, p=p), rtol=1e-7)


@HYP
@given(seed=seeds)
def test_wasserstein_discrete_metric_axioms(seed):
    rng = np.random.default_rng(seed)
    x, y, z = rng.normal(size=(7, 2)), rng.normal(size=(9, 2)), rng.normal(size=(5, 2)) + 1
    dxy = wasserstein_discrete(x, y)
    assert np.isclose(dxy, wasserstein_discrete(y, x), rtol=1e-9)
    assert wasserstein_discrete(x, x) == pytest.approx(0.0, abs=1e-12)
    assert wasserstein_discrete(x, z) <= dxy + wasserstein_discrete(y, z) + 1e-9


def test_wasserstein_discrete_gradient_is_finite():
    rng = np.random.default_rng(12)
    x = torch.tensor(rng.normal(size=(10, 2)), requires_grad=True)
    y = torch.tensor(rng.normal(size=(10, 2)))
    for p in (1.0, 2.0):
        (g,) = torch.autograd.grad(wasserstein_discrete(x, y, p=p), x)
        assert torch.isfinite(g).all() and g.abs().sum() > 0
    (g,) = torch.autograd.grad(wasserstein_discrete(x, x.detach(), p=1.0), x)
    assert torch.isfinite(g).all()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(x=np.ones((3, 2)), y=np.ones((3, 3))), "d = 2 dimensions but y in d = 3"),
        (dict(x=np.ones((3, 2)), y=np.ones((3, 2)), a=[0.5, 0.5, 0.5]), "a sums to 1.5"),
        (dict(x=np.ones((0, 2)), y=np.ones((3, 2))), "x is empty"),
        (dict(x=np.ones((2, 2, 2)), y=np.ones((3, 2))), r"x must have shape \(n, d\)"),
        (dict(x=np.ones((2, 2)), y=np.ones((3, 2)), p=0), "p must be a number >= 1"),
    ],
)
def test_wasserstein_discrete_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        wasserstein_discrete(**kwargs)


# == sliced_wasserstein ==================================================================


@pytest.mark.parametrize("n,m", [(60, 60), (50, 80)])
@pytest.mark.parametrize("p", [1, 2])
def test_sliced_matches_pot_same_projections(xp, n, m, p):
    rng = np.random.default_rng(22)
    x, y = rng.normal(size=(n, 3)), rng.normal(size=(m, 3)) + 0.4
    theta = _random_directions(3, 40, 123)
    ref = ot.sliced_wasserstein_distance(x, y, n_projections=40, p=p, projections=theta)
    got = sliced_wasserstein(xp(x), xp(y), n_projections=40, p=p, seed=123)
    assert np.isclose(npy(got), ref, rtol=1e-10)


def test_sliced_directions_are_unit_and_seeded():
    th = _random_directions(4, 100, 0)
    assert np.allclose(np.linalg.norm(th, axis=0), 1.0)
    rng = np.random.default_rng(23)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(30, 4))
    s0, s1 = sliced_wasserstein(x, y, seed=0), sliced_wasserstein(x, y, seed=0)
    assert s0 == s1 and s0 != sliced_wasserstein(x, y, seed=1)


@HYP
@given(seed=seeds, p=st.sampled_from([1, 2]))
def test_sliced_below_wasserstein_and_exact_in_1d(seed, p):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(25, 2)) * 2
    assert sliced_wasserstein(x, y, p=p, seed=seed) <= wasserstein_discrete(x, y, p=p) + 1e-9
    u, v = rng.normal(size=20), rng.normal(size=25)
    assert np.isclose(
        sliced_wasserstein(u, v, p=p, n_projections=3, seed=seed), wasserstein_1d(u, v, p=p)
    )


def test_sliced_torch_gradient():
    rng = np.random.default_rng(24)
    x = torch.tensor(rng.normal(size=(8, 2)), requires_grad=True)
    y = torch.tensor(rng.normal(size=(6, 2)))
    assert torch.autograd.gradcheck(
        lambda s: sliced_wasserstein(s, y, n_projections=5, seed=0), (x,)
    )


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(n_projections=0), "n_projections must be an integer >= 1"),
        (dict(n_projections=2.5), "n_projections must be a whole number"),
        (dict(p=0.9), "p must be a number >= 1"),
    ],
)
def test_sliced_bad_inputs(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sliced_wasserstein(np.ones((3, 2)), np.zeros((4, 2)), **kwargs)
    with pytest.raises(ValueError, match="y has 1 NaN"):
        sliced_wasserstein(np.ones((3, 2)), [[0.0, np.nan]])


def test_w1d_tied_cdf_levels_and_zero_weights():
    # levels that coincide exactly (1/4, 1/2, 3/4 in both) and zero weights (repeated
    # levels): the merge of the CDFs must pair the right quantiles; closed form by hand
    u, wu = np.array([0.0, 1.0, 2.0, 3.0]), np.full(4, 0.25)
    v, wv = np.array([10.0, 5.0, 20.0]), np.array([0.5, 0.0, 0.5])
    # quantiles: u on quarters 0,1,2,3; v = 10 on [0, 1/2), 20 on [1/2, 1)
    ref2 = 0.25 * (10**2 + 9**2 + 18**2 + 17**2)
    assert np.isclose(wasserstein_1d(u, v, wu, wv, p=2), np.sqrt(ref2), rtol=1e-14)
    assert np.isclose(wasserstein_1d(v, u, wv, wu, p=2), np.sqrt(ref2), rtol=1e-14)
    assert np.isclose(wasserstein_1d(u, v, wu, wv, p=1), 0.25 * (10 + 9 + 18 + 17), rtol=1e-14)


# == regression tests of issue 8 (each failed on the code before it) ======================


def test_issue8_class2_float_list_next_to_integer_tensor_is_not_truncated():
    # [0.5, 1.5] against the integer tensor [0, 1]: the sorted gaps are 0.5 and 0.5, so
    # W_2 = 0.5 (the old code cast the list to int64: [0, 1] vs [0, 1] -> 0)
    out = wasserstein_1d([0.5, 1.5], torch.tensor([0, 1]), p=2)
    # the one dtype policy: neither a list nor an integer tensor sets the dtype
    assert out.dtype == torch.get_default_dtype() and float(out) == pytest.approx(0.5, rel=1e-12)
    out = wasserstein_1d(np.array([0.5, 1.5]), torch.tensor([0, 1]), p=2)  # float64 ndarray
    assert out.dtype == torch.float64 and float(out) == pytest.approx(0.5, rel=1e-15)
    out = wasserstein_1d(torch.tensor([0, 1]), [0.25, 1.75], p=1)
    assert float(out) == pytest.approx(0.5, rel=1e-12)


def test_issue8_mixed_float32_float64_int_tensors():
    # torch's internal dtype errors before; now promoted to the wider floating dtype
    rng = np.random.default_rng(50)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(25, 2)) + 1.0
    ref = sliced_wasserstein(x, y, seed=0)
    got = sliced_wasserstein(torch.tensor(x, dtype=torch.float32), torch.tensor(y), seed=0)
    assert got.dtype == torch.float64 and np.isclose(float(got), ref, rtol=1e-6)
    xi = torch.tensor(np.round(x * 10).astype(np.int64))
    got = sliced_wasserstein(xi, torch.tensor(y), seed=0)
    assert np.isclose(float(got), sliced_wasserstein(np.round(x * 10), y, seed=0), rtol=1e-12)
    u, v = rng.normal(size=30), rng.normal(size=40)
    got = wasserstein_1d(torch.tensor(u, dtype=torch.float32), torch.tensor(v), p=2)
    assert got.dtype == torch.float64
    assert np.isclose(
        float(got), wasserstein_1d(u.astype(np.float32).astype(float), v, p=2), rtol=1e-12
    )
    # float32 alone stays float32 (numpy and torch)
    assert wasserstein_1d(u.astype(np.float32), v.astype(np.float32)).dtype == np.float32
    assert (
        sliced_wasserstein(x.astype(np.float32), y.astype(np.float32), seed=0).dtype == np.float32
    )


def test_issue8_class3_mass_check_is_relative():
    # a has mass 1e-7, b 2e-7: no coupling exists; the old absolute check let it pass
    with pytest.raises(ValueError, match="a sums to 1e-07 but b sums to 2e-07"):
        ot_cost([5e-8, 5e-8], [1e-7, 1e-7], np.ones((2, 2)))
    # equal tiny masses are fine: the cost scales with the mass (1e-7 x the LP of a, b)
    rng = np.random.default_rng(51)
    a, b, M = simplex(rng, 5), simplex(rng, 7), rng.random((5, 7))
    assert np.isclose(ot_cost(1e-7 * a, 1e-7 * b, M), 1e-7 * lp_oracle(a, b, M)[0], rtol=1e-8)
    # large masses: a relative difference of 1e-9 is rounding, accepted
    assert np.isclose(
        ot_cost(1e6 * a, 1e6 * b * (1 + 1e-9), M), 1e6 * lp_oracle(a, b, M)[0], rtol=1e-7
    )


@pytest.mark.parametrize("s", [1e-200, 1e-150, 1e150, 1e300])
def test_issue8_class4_w1d_homogeneous_at_extreme_scales(s):
    # W_p(0, s) = s: the old code gave 0 at 1e-200 (s^2 underflows) and inf at 1e300
    for p in (1, 2, 3):
        assert wasserstein_1d([0.0], [s], p=p) == pytest.approx(s, rel=1e-12, abs=0)
    rng = np.random.default_rng(52)
    u, v = rng.normal(size=30), rng.normal(size=20)
    ref = wasserstein_1d(u, v, p=2)
    assert wasserstein_1d(s * u, s * v, p=2) == pytest.approx(s * ref, rel=1e-12, abs=0)
    if s < 1e200:  # W_2 of the clouds: the squared distances still fit in float64 / s^2
        x, y = rng.normal(size=(6, 2)), rng.normal(size=(5, 2))
        assert wasserstein_discrete(s * x, s * y) == pytest.approx(
            s * wasserstein_discrete(x, y), rel=1e-10, abs=0
        )
        assert sliced_wasserstein(s * x, s * y, seed=0) == pytest.approx(
            s * sliced_wasserstein(x, y, seed=0), rel=1e-10, abs=0
        )


def test_issue8_class5_complex_is_refused_not_truncated():
    # the old code dropped the imaginary part (numpy) or propagated it
    with pytest.raises(TypeError, match="u_values has dtype complex128"):
        wasserstein_1d(np.array([0.0, 1j]), [0.0, 1.0])
    with pytest.raises(TypeError, match="M has dtype complex"):
        ot_cost([1.0], [1.0], torch.tensor([[1 + 1j]]))
    with pytest.raises(TypeError, match="x has dtype bool"):
        sliced_wasserstein(np.ones((3, 2), dtype=bool), np.ones((3, 2)))


def test_issue8_ot_cost_negative_costs():
    # POT's simplex reports an infeasible problem for these costs: divlib shifts them
    rng = np.random.default_rng(53)
    a, b, M = simplex(rng, 4), simplex(rng, 6), rng.random((4, 6)) - 10.0
    cost, P = ot_cost(a, b, M, return_plan=True)
    assert np.isclose(cost, lp_oracle(a, b, M)[0], rtol=1e-10)
    assert np.allclose(P.sum(1), a, atol=1e-14) and np.allclose(P.sum(0), b, atol=1e-14)
