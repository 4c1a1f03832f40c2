"""Hostile-input table for the optimal-transport functions (issue 8).

Every public OT function x every argument x {nan, inf, negative, empty, wrong
shape, complex, integer tensor, bool, wrong type} -> the right value (checked
against an independent oracle: scipy's HiGHS on the full LP, POT's 1-D,
sliced and log-domain Sinkhorn solvers, np.interp) or an error of the right
class whose message names the argument.
"""

from __future__ import annotations

import warnings

import numpy as np
import ot
import pytest
import scipy.optimize as sopt
import torch

from divlib import (
    monge_map_1d,
    ot_cost,
    sinkhorn,
    sinkhorn_divergence,
    sliced_wasserstein,
    wasserstein_1d,
    wasserstein_discrete,
)
from divlib._transport import _random_directions

KINDS = [
    "nan",
    "inf",
    "negative",
    "empty",
    "wrong shape",
    "complex",
    "integer tensor",
    "bool",
    "wrong type",
]

# -- canonical inputs ------------------------------------------------------------------
U, V = np.array([0.0, 1.0, 3.0]), np.array([0.5, 2.0])
WU, WV = np.array([0.2, 0.3, 0.5]), np.array([0.6, 0.4])
X = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, -1.0]])
Y = np.array([[0.5, 1.0], [2.0, 0.0]])
MC = np.array([[1.0, 4.0], [0.0, 2.0], [3.0, 1.0]])


# -- independent oracles (all on float64 numpy) ------------------------------------------
def f64(v):
    if isinstance(v, torch.Tensor):
        v = v.detach().numpy()
    return np.asarray(v, dtype=np.float64)


def lp(a, b, M):
    """The full Kantorovich LP solved by scipy's HiGHS."""
    n, m = M.shape
    A = np.zeros((n + m, n * m))
    for i in range(n):
        A[i, i * m : (i + 1) * m] = 1.0
    for j in range(m):
        A[n + j, j::m] = 1.0
    res = sopt.linprog(
        M.ravel(), A_eq=A, b_eq=np.concatenate([a, b]), bounds=(0, None), method="highs"
    )
    assert res.status == 0
    return res.fun


def dist_p(x, y, p):
    x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
    return np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1)) ** p


def oracle_w1d(u_values, v_values, u_weights=None, v_weights=None, p=1):
    p = float(f64(p))
    wu = None if u_weights is None else f64(u_weights)
    wv = None if v_weights is None else f64(v_weights)
    return ot.wasserstein_1d(f64(u_values), f64(v_values), wu, wv, p=p) ** (1 / p)


def oracle_monge(u_values, v_values):
    u, v = np.sort(f64(u_values)), np.sort(f64(v_values))
    t = np.interp(0.5, u, (np.arange(u.size) + 0.5) / u.size)
    return np.interp(t, (np.arange(v.size) + 0.5) / v.size, v)


def oracle_ot_cost(a, b, M, max_iter=None):
    return lp(f64(a), f64(b), f64(M))


def oracle_discrete(x, y, a=None, b=None, p=2):
    x, y, p = f64(x), f64(y), float(f64(p))
    a = np.full(len(x), 1 / len(x)) if a is None else f64(a)
    b = np.full(len(y), 1 / len(y)) if b is None else f64(b)
    return lp(a, b, dist_p(x, y, p)) ** (1 / p)


def oracle_sliced(x, y, n_projections=50, p=2, seed=None):
    x, y = f64(x), f64(y)
    x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
    L, s = int(f64(n_projections)), int(f64(seed))
    theta = _random_directions(x.shape[1], L, s)
    return ot.sliced_wasserstein_distance(x, y, n_projections=L, p=float(f64(p)), projections=theta)


def oracle_sinkhorn(a, b, M, reg, max_iter=1000, tol=None):
    return ot.sinkhorn2(
        f64(a),
        f64(b),
        f64(M),
        float(f64(reg)),
        method="sinkhorn_log",
        numItermax=100000,
        stopThr=1e-13,
    )


def oracle_divergence(x, y, reg, p=2, a=None, b=None, max_iter=1000, tol=None):
    x, y, p, eps = f64(x), f64(y), float(f64(p)), float(f64(reg))
    x, y = x.reshape(len(x), -1), y.reshape(len(y), -1)
    a = np.full(len(x), 1 / len(x)) if a is None else f64(a)
    b = np.full(len(y), 1 / len(y)) if b is None else f64(b)

    def ot_eps(u, w, C):
        P = ot.sinkhorn(u, w, C, eps, method="sinkhorn_log", numItermax=3000, stopThr=1e-10)
        nz = P > 0
        return (P * C).sum() + eps * (P[nz] * np.log(P[nz] / np.outer(u, w)[nz])).sum()

    return ot_eps(a, b, dist_p(x, y, p)) - 0.5 * (
        ot_eps(a, a, dist_p(x, x, p)) + ot_eps(b, b, dist_p(y, y, p))
    )


# -- the functions: canonical arguments, the role of each, the oracle ----------------------
def call_monge(u_values, v_values):
    return monge_map_1d(u_values, v_values)(np.array(0.5))


FUNCS = {
    "wasserstein_1d": (
        wasserstein_1d,
        oracle_w1d,
        dict(u_values=U, v_values=V, u_weights=WU, v_weights=WV, p=2),
        dict(u_values="values", v_values="values", u_weights="weights", v_weights="weights", p="p"),
    ),
    "monge_map_1d": (
        call_monge,
        oracle_monge,
        dict(u_values=U, v_values=V),
        dict(u_values="values", v_values="values"),
    ),
    "ot_cost": (
        ot_cost,
        oracle_ot_cost,
        dict(a=WU, b=WV, M=MC, max_iter=10**5),
        dict(a="hist", b="hist", M="cost", max_iter="max_iter"),
    ),
    "wasserstein_discrete": (
        wasserstein_discrete,
        oracle_discrete,
        dict(x=X, y=Y, a=WU, b=WV, p=2),
        dict(x="points", y="points", a="weights", b="weights", p="p"),
    ),
    "sliced_wasserstein": (
        sliced_wasserstein,
        oracle_sliced,
        dict(x=X, y=Y, n_projections=20, p=2, seed=3),
        dict(x="points", y="points", n_projections="n_projections", p="p", seed="seed"),
    ),
    "sinkhorn": (
        sinkhorn,
        oracle_sinkhorn,
        dict(a=WU, b=WV, M=MC, reg=0.5, max_iter=10**4, tol=1e-12),
        dict(a="hist", b="hist", M="cost", reg="reg", max_iter="max_iter", tol="tol"),
    ),
    "sinkhorn_divergence": (
        sinkhorn_divergence,
        oracle_divergence,
        dict(x=X, y=Y, reg=4.0, p=2, a=WU, b=WV, max_iter=10**4, tol=1e-12),
        dict(
            x="points",
            y="points",
            reg="reg",
            p="p",
            a="weights",
            b="weights",
            max_iter="max_iter",
            tol="tol",
        ),
    ),
}

VALUE = "value"  # the expectation "returns the oracle's value"
FINITE = "finite"  # "returns a finite number" (a legal setting that changes the answer)

ARRAY_ROLES = {"values", "weights", "points", "hist", "cost"}
SCALAR_LOW = {
    "p": ("p must be a number >= 1", -1.0),
    "reg": ("reg must be a number > 0", -0.5),
    "tol": ("tol must be a number > 0", -1e-9),
    "max_iter": ("max_iter must be an integer >= 1", -3),
    "n_projections": ("n_projections must be an integer >= 1", -2),
    "seed": ("seed must be an integer >= 0", -1),
}
INT_TENSOR = {"p": 2, "reg": 1, "tol": 1, "max_iter": 5000, "n_projections": 7, "seed": 4}


def hostile(role, name, good, kind):
    """(hostile value, expectation): expectation is VALUE, FINITE or (exception, regex)."""
    if role in ARRAY_ROLES:
        g = np.asarray(good, dtype=np.float64)
        if kind in ("nan", "inf"):
            h = g.copy()
            h.flat[0] = np.nan if kind == "nan" else np.inf
            word = "NaN" if kind == "nan" else "infinite"
            return h, (ValueError, f"{name} has 1 {word}")
        if kind == "negative":
            if role in ("weights", "hist"):
                h = g.copy()
                h[0], h[1] = -0.1, h[1] + h[0] + 0.1  # still sums to 1
                return h, (ValueError, f"{name} has 1 negative")
            return g - 10.0, VALUE  # values, points and costs may be negative
        if kind == "empty":
            h = np.zeros((0,) + g.shape[1:])
            if role == "weights":
                return h, (ValueError, rf"{name} has shape \(0,\) but there are \d points")
            if role == "cost":
                return h, (ValueError, r"M has shape \(0, 2\)")
            return h, (ValueError, f"{name} is empty")
        if kind == "wrong shape":
            if role == "values":
                return g[:, None], (ValueError, f"{name} must be a 1-D")
            if role == "points":
                return g[:, :, None], (ValueError, rf"{name} must have shape \(n, d\)")
            if role == "hist":
                return g[:, None], (ValueError, f"{name} must be a 1-D histogram")
            if role == "weights":
                return np.append(g, 0.0), (ValueError, rf"{name} has shape \({g.size + 1},\)")
            return g.T, (ValueError, r"M has shape \(2, 3\)")
        if kind == "complex":
            return g + 0j, (TypeError, f"{name} has dtype complex128")
        if kind == "integer tensor":
            if role in ("weights", "hist"):
                h = np.zeros(g.shape, dtype=np.int64)
                h[-1] = 1
                return torch.tensor(h), VALUE
            return torch.tensor(np.round(g).astype(np.int64)), VALUE
        if kind == "bool":
            return g > 0.5, (TypeError, f"{name} has dtype bool")
        if kind == "wrong type":
            return "abc", (TypeError, f"{name} has dtype <U3")
    # scalar settings
    if kind == "nan":
        return float("nan"), (ValueError, f"{name} must be a number, got NaN")
    if kind == "inf":
        if role == "tol":
            return float("inf"), FINITE  # stop at once: legal
        if role in ("p", "reg"):
            return float("inf"), (ValueError, f"{name} must be a number < inf")
        return float("inf"), (ValueError, f"{name} must be a whole number")
    if kind == "negative":
        msg, val = SCALAR_LOW[role]
        return val, (ValueError, msg)
    if kind == "empty":
        return np.array([]), (TypeError, f"{name} must be a single number")
    if kind == "wrong shape":
        return np.array([1.0, 2.0]), (TypeError, f"{name} must be a single number")
    if kind == "complex":
        return 2 + 0j, (TypeError, f"{name} must be a real number")
    if kind == "integer tensor":
        return torch.tensor(INT_TENSOR[role]), (FINITE if role == "tol" else VALUE)
    if kind == "bool":
        return True, (TypeError, f"{name} must be a real number")
    if kind == "wrong type":
        return "two", (TypeError, f"{name} must be a number, got 'two'")
    raise AssertionError(kind)


CASES = [(f, arg, kind) for f, (_, _, _, roles) in FUNCS.items() for arg in roles for kind in KINDS]


@pytest.mark.parametrize("fname,arg,kind", CASES, ids=[f"{f}-{a}-{k}" for f, a, k in CASES])
def test_hostile_input(fname, arg, kind):
    func, oracle, good, roles = FUNCS[fname]
    h, expect = hostile(roles[arg], arg, good[arg], kind)
    kwargs = dict(good, **{arg: h})
    if isinstance(expect, tuple):
        exc, match = expect
        with pytest.raises(exc, match=match):
            func(**kwargs)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a loose tol may not converge: legal, it warns
        got = func(**kwargs)
    got_f = float(f64(got))
    assert np.isfinite(got_f)
    if expect == VALUE:
        assert np.isclose(got_f, oracle(**kwargs), rtol=1e-6, atol=1e-9), (got_f, oracle(**kwargs))


def test_the_table_covers_every_public_ot_function():
    import divlib

    ot_api = {
        "wasserstein_1d",
        "monge_map_1d",
        "ot_cost",
        "wasserstein_discrete",
        "sliced_wasserstein",
        "sinkhorn",
        "sinkhorn_divergence",
    }
    assert ot_api <= set(divlib.__all__) and set(FUNCS) == ot_api
    assert len(CASES) == len(KINDS) * sum(len(r) for *_, r in FUNCS.values())


@pytest.mark.parametrize(
    "func,kwargs",
    [
        (ot_cost, dict(a=WU, b=WV, M=MC, return_plan="yes")),
        (sinkhorn, dict(a=WU, b=WV, M=MC, reg=1.0, return_plan=1)),
        (sinkhorn, dict(a=WU, b=WV, M=MC, reg=1.0, eps_scaling="no")),
        (sinkhorn_divergence, dict(x=X, y=Y, reg=1.0, eps_scaling=None)),
    ],
)
def test_switches_must_be_booleans(func, kwargs):
    name = [k for k in kwargs if k in ("return_plan", "eps_scaling")][0]
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        func(**kwargs)
