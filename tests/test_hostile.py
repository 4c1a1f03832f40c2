"""Hostile input for the information measures, f-divergences, Gaussians and estimators.

The table: every public function of part A x every array argument x {NaN, inf,
negative, empty, wrong shape, complex, integer tensor, bool, wrong type (a string,
None)} and every scalar argument x {NaN, inf, negative, zero, non-integer, complex,
bool, string, None}. Each case either gives the right value, or raises an error
whose message names the argument (``pytest.raises(..., match=name)``).

"Right value" for a legitimate hostile value (an integer tensor, a negative mean,
``base=None``...) is checked against an independent computation: closed forms,
scipy, ``torch.distributions``, or the function on the same numbers given as a
float64 ndarray when that path is itself checked against an oracle (the ``ORACLES``
at the end, and the module tests).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg as sla
import scipy.special as sps
import torch

import divlib
from conftest import npy

# -- the functions and their arguments ------------------------------------------------

P = np.array([0.2, 0.3, 0.5])
Q = np.array([0.4, 0.4, 0.2])
M0, M1 = np.array([0.5, -1.0]), np.array([1.5, 0.25])
C0 = np.array([[2.0, 0.3], [0.3, 1.0]])
C1 = np.array([[1.0, -0.2], [-0.2, 0.5]])
RNG = np.random.default_rng(8)
X = RNG.normal(size=(40, 2))
Y = RNG.normal(size=(30, 2)) + 0.5
LOG_P = -0.5 * np.linspace(-2, 2, 9) ** 2 - 0.5 * math.log(2 * math.pi)
LOG_Q = -0.5 * (np.linspace(-2, 2, 9) - 0.3) ** 2 - 0.5 * math.log(2 * math.pi)


def xlogx(t):
    nx = divlib.get_backend(t)
    return nx.xlogy(t, t)


def monge_apply(*args):
    return divlib.gaussian_monge_map(*args)([[0.3, -0.7], [1.0, 2.0]])  # a list: weak dtype


#: name -> (function, {argument: (kind, good value)}, keyword arguments)
FUNCS = {
    "entropy": (divlib.entropy, {"p": ("dist", P)}, {}),
    "cross_entropy": (divlib.cross_entropy, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "kl_divergence": (divlib.kl_divergence, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "js_divergence": (divlib.js_divergence, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "js_distance": (divlib.js_distance, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "renyi_divergence": (
        lambda p, q, **kw: divlib.renyi_divergence(p, q, kw.pop("alpha", 2.0), **kw),
        {"p": ("dist", P), "q": ("dist", Q)},
        {},
    ),
    "f_divergence": (
        lambda p, q, **kw: divlib.f_divergence(p, q, kw.pop("f", xlogx), **kw),
        {"p": ("dist", P), "q": ("dist", Q)},
        {},
    ),
    "total_variation": (divlib.total_variation, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "hellinger": (divlib.hellinger, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "chi2_divergence": (divlib.chi2_divergence, {"p": ("dist", P), "q": ("dist", Q)}, {}),
    "kl_gaussian": (
        divlib.kl_gaussian,
        {"m0": ("mean", M0), "C0": ("cov", C0), "m1": ("mean", M1), "C1": ("cov", C1)},
        {},
    ),
    "gaussian_w2": (
        divlib.gaussian_w2,
        {"m0": ("mean", M0), "C0": ("cov", C0), "m1": ("mean", M1), "C1": ("cov", C1)},
        {},
    ),
    "gaussian_monge_map": (
        monge_apply,
        {"m0": ("mean", M0), "C0": ("cov", C0), "m1": ("mean", M1), "C1": ("cov", C1)},
        {},
    ),
    "fisher_divergence_gaussian": (
        divlib.fisher_divergence_gaussian,
        {"m0": ("mean", M0), "C0": ("cov", C0), "m1": ("mean", M1), "C1": ("cov", C1)},
        {},
    ),
    "knn_kl_divergence": (divlib.knn_kl_divergence, {"x": ("samples", X), "y": ("samples", Y)}, {}),
    "mc_kl": (divlib.mc_kl, {"log_p": ("logp", LOG_P), "log_q": ("logq", LOG_Q)}, {}),
}


def call(fname, **override):
    f, args, kw = FUNCS[fname]
    values = {k: v for k, (_, v) in args.items()}
    kwargs = dict(kw)
    for k, v in override.items():
        if k in values:
            values[k] = v
        else:
            kwargs[k] = v
    return f(*values.values(), **kwargs)


# -- independent oracles for the good call -----------------------------------------------


def _tv_mvn(m, C):
    return torch.distributions.MultivariateNormal(torch.tensor(m), torch.tensor(C))


def _w2_textbook(m0, C0, m1, C1):
    r0 = sla.sqrtm(C0).real
    cross = sla.sqrtm(r0 @ C1 @ r0).real
    return math.sqrt(np.sum((m0 - m1) ** 2) + np.trace(C0 + C1 - 2 * cross))


def _monge_textbook(m0, C0, m1, C1, x):
    r0 = sla.sqrtm(C0).real
    r0i = np.linalg.inv(r0)
    A = r0i @ sla.sqrtm(r0 @ C1 @ r0).real @ r0i
    return m1 + (x - m0) @ A.T


def _fisher_textbook(m0, C0, m1, C1):
    D = np.linalg.inv(C1) - np.linalg.inv(C0)
    u = np.linalg.solve(C1, m0 - m1)
    return np.trace(D @ C0 @ D) + u @ u


def _knn_brute(x, y, k=1):
    from scipy.spatial.distance import cdist

    n, d = x.shape
    dxx = np.sort(cdist(x, x), axis=1)[:, k]  # column 0 is the point itself
    dxy = np.sort(cdist(x, y), axis=1)[:, k - 1]
    return d * np.mean(np.log(dxy / dxx)) + math.log(y.shape[0] / (n - 1))


ORACLES = {
    "entropy": lambda p: np.sum(sps.entr(p)),
    "cross_entropy": lambda p, q: -np.sum(p * np.log(q)),
    "kl_divergence": lambda p, q: sps.rel_entr(p, q).sum(),
    "js_divergence": lambda p, q: (
        sps.rel_entr(p, (p + q) / 2).sum() / 2 + sps.rel_entr(q, (p + q) / 2).sum() / 2
    ),
    "js_distance": lambda p, q: math.sqrt(
        sps.rel_entr(p, (p + q) / 2).sum() / 2 + sps.rel_entr(q, (p + q) / 2).sum() / 2
    ),
    "renyi_divergence": lambda p, q: math.log(np.sum(p**2 / q)),
    "f_divergence": lambda p, q: sps.rel_entr(p, q).sum(),
    "total_variation": lambda p, q: 0.5 * np.abs(p - q).sum(),
    "hellinger": lambda p, q: math.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)),
    "chi2_divergence": lambda p, q: np.sum((p - q) ** 2 / q),
    "kl_gaussian": lambda m0, C0, m1, C1: float(
        torch.distributions.kl_divergence(_tv_mvn(m0, C0), _tv_mvn(m1, C1))
    ),
    "gaussian_w2": _w2_textbook,
    "gaussian_monge_map": lambda m0, C0, m1, C1: _monge_textbook(
        m0, C0, m1, C1, np.array([[0.3, -0.7], [1.0, 2.0]])
    ),
    "fisher_divergence_gaussian": _fisher_textbook,
    "knn_kl_divergence": _knn_brute,
    "mc_kl": lambda lp, lq: np.mean(np.expm1(lq - lp) - (lq - lp)),
}


def oracle(fname, **override):
    _, args, _ = FUNCS[fname]
    values = {
        k: np.asarray(npy(override.get(k, v)), dtype=np.float64) for k, (_, v) in args.items()
    }
    with np.errstate(divide="ignore"):  # q_i = 0 < p_i: the oracle's inf is the right value
        return ORACLES[fname](*values.values())


@pytest.mark.parametrize("fname", sorted(FUNCS))
def test_good_call_matches_an_independent_oracle(fname):
    np.testing.assert_allclose(npy(call(fname)), oracle(fname), rtol=1e-9, atol=1e-12)


# -- hostile array arguments ----------------------------------------------------------


def _with(value, idx, new):
    a = np.array(value, dtype=np.float64)
    a[idx] = new
    return a


def _first(a):
    return (0,) * np.ndim(a)


def hostile_arrays(kind, name, good, single=False):
    """(label, value, expected) for one array argument; expected is an exception class
    (the message must name the argument) or "value" (the right value is checked)."""
    i0 = _first(good)
    cases = [
        ("nan", _with(good, i0, np.nan), ValueError),
        ("complex", np.asarray(good) + 1j, TypeError),
        ("complex tensor", torch.tensor(np.asarray(good) + 0j), TypeError),
        ("bool", np.asarray(good) > 0, TypeError),
        ("bool tensor", torch.tensor(np.asarray(good) > 0), TypeError),
        ("string", "abc", TypeError),
        ("None", None, TypeError),
        ("object", np.array([object()] * 2, dtype=object), TypeError),
        ("bfloat16", torch.tensor(np.asarray(good)).to(torch.bfloat16), TypeError),
    ]
    inf = ("+inf", _with(good, i0, np.inf), ValueError)
    if kind == "dist":
        cases += [
            inf,
            ("negative", np.array([-0.1, 0.6, 0.5]), ValueError),
            ("empty", np.zeros(0), ValueError),
            ("wrong shape", np.array([0.5, 0.5]), "value" if single else ValueError),
            ("scalar", 0.5, ValueError),
            ("integer tensor", torch.tensor([0, 1, 0]), "value"),
            ("integer array", np.array([0, 0, 1]), "value"),
        ]
    elif kind == "mean":
        cases += [
            inf,
            ("negative", -np.abs(good) - 1.0, "value"),
            ("empty", np.zeros(0), ValueError),
            ("wrong shape", np.zeros((2, 2)), ValueError),
            ("wrong dimension", np.zeros(3), ValueError),
            ("integer tensor", torch.tensor([1, -2]), "value"),
        ]
    elif kind == "cov":
        cases += [
            ("+inf", np.array([[np.inf, 0.0], [0.0, 1.0]]), ValueError),
            ("negative", -np.asarray(good), ValueError),  # not positive definite
            ("not symmetric", np.array([[1.0, 0.5], [0.0, 1.0]]), ValueError),
            ("empty", np.zeros((0, 0)), ValueError),
            ("wrong shape", np.eye(3), ValueError),
            ("integer tensor", torch.tensor([[2, 1], [1, 3]]), "value"),
        ]
    elif kind == "samples":
        cases += [
            inf,
            ("negative", -np.asarray(good), "value"),
            ("empty", np.zeros((0, 2)), ValueError),
            ("wrong shape", np.zeros((4, 2, 2)), ValueError),
            ("wrong dimension", np.zeros((10, 3)), ValueError),
            (
                "integer tensor",
                torch.tensor(np.round(4 * np.asarray(good))).to(torch.int64),
                "value",
            ),
        ]
    elif kind in ("logp", "logq"):
        cases += [
            ("+inf", _with(good, 0, np.inf), ValueError),
            ("negative", np.asarray(good) - 3.0, "value"),  # log densities are often negative
            ("empty", np.zeros(0), ValueError),
            ("wrong shape", np.zeros(4), ValueError),
            ("scalar", -1.0, ValueError),
            ("integer tensor", torch.tensor(np.round(np.asarray(good))).to(torch.int64), "value"),
        ]
        if kind == "logp":
            cases.append(("-inf", _with(good, 0, -np.inf), ValueError))
    return cases


ARRAY_CASES = [
    pytest.param(fname, name, label, value, expected, id=f"{fname}-{name}-{label}")
    for fname, (_, args, _) in sorted(FUNCS.items())
    for name, (kind, good) in args.items()
    for label, value, expected in hostile_arrays(kind, name, good, single=len(args) == 1)
]


def _expected_value(fname, name, value):
    """The right value for a legitimate hostile input, from the oracles."""
    return oracle(fname, **{name: value})


@pytest.mark.parametrize("fname,name,value_label,value,expected", ARRAY_CASES)
def test_hostile_array_argument(fname, name, value_label, value, expected):
    if expected == "value":
        got = call(fname, **{name: value})
        if fname == "knn_kl_divergence" and value_label == "integer tensor":
            # rounded samples have ties: compare with the same numbers as float64
            want = npy(call(fname, **{name: npy(value).astype(np.float64)}))
        else:
            want = _expected_value(fname, name, value)
        np.testing.assert_allclose(npy(got), want, rtol=1e-7, atol=1e-10)
        return
    with pytest.raises(expected, match=rf"\b{name}\b"):
        call(fname, **{name: value})


# -- hostile scalar arguments -----------------------------------------------------------

BAD_TYPES = [
    ("string", "2", TypeError),
    ("bool", True, TypeError),
    ("complex", 2j, TypeError),
    ("array", np.array([1.0, 2.0]), TypeError),
]

#: (function, argument, value label, value, expected); expected is an exception class
#: or a float (the right value)
SCALAR_CASES = []
for _f in [
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "js_distance",
    "renyi_divergence",
]:
    for _label, _v, _e in [
        ("nan", math.nan, ValueError),
        ("inf", math.inf, ValueError),
        ("negative", -2.0, ValueError),
        ("zero", 0.0, ValueError),
        ("one", 1.0, ValueError),
        ("None (nats)", None, "nats"),
    ] + BAD_TYPES:
        SCALAR_CASES.append((_f, "base", _label, _v, _e))
for _f in [f for f in FUNCS if FUNCS[f][1].get("p", ("",))[0] == "dist" or f == "mc_kl"]:
    for _label, _v, _e in [
        ("nan", math.nan, ValueError),
        ("non-integer", 0.5, ValueError),
        ("out of range", 5, ValueError),
        ("None", None, TypeError),
        ("string", "-1", TypeError),
        ("bool", True, TypeError),
    ]:
        SCALAR_CASES.append((_f, "axis", _label, _v, _e))
    if _f != "mc_kl":
        for _label, _v in [("string", "yes"), ("None", None), ("int", 1)]:
            SCALAR_CASES.append((_f, "normalize", _label, _v, TypeError))
for _label, _v, _e in [
    ("nan", math.nan, ValueError),
    ("negative", -1.0, ValueError),
    ("zero", 0.0, ValueError),
    ("None", None, TypeError),
    ("inf (max log-ratio)", math.inf, float(np.log(np.max(P / Q)))),
    ("huge", 1e300, float(np.log(np.max(P / Q)))),
] + BAD_TYPES:
    SCALAR_CASES.append(("renyi_divergence", "alpha", _label, _v, _e))
for _label, _v, _e in [
    ("nan", math.nan, ValueError),
    ("-inf", -math.inf, ValueError),
    ("None (inf)", None, float(sps.rel_entr(P, Q).sum())),
    ("inf", math.inf, float(sps.rel_entr(P, Q).sum())),
] + BAD_TYPES:
    SCALAR_CASES.append(("f_divergence", "f_prime_inf", _label, _v, _e))
for _label, _v, _e in [
    ("nan", math.nan, ValueError),
    ("inf", math.inf, ValueError),
    ("negative", -1, ValueError),
    ("zero", 0, ValueError),
    ("non-integer", 1.5, ValueError),
    ("None", None, TypeError),
    ("too large", 40, ValueError),
    ("float 2.0", 2.0, "k=2"),
] + BAD_TYPES:
    SCALAR_CASES.append(("knn_kl_divergence", "k", _label, _v, _e))
for _label, _v in [("unknown", "k4"), ("None", None), ("number", 3)]:
    SCALAR_CASES.append(("mc_kl", "estimator", _label, _v, ValueError))


@pytest.mark.parametrize(
    "fname,name,label,value,expected",
    SCALAR_CASES,
    ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in SCALAR_CASES],
)
def test_hostile_scalar_argument(fname, name, label, value, expected):
    if expected == "nats":
        np.testing.assert_allclose(npy(call(fname, **{name: value})), npy(call(fname)), rtol=1e-15)
    elif expected == "k=2":
        np.testing.assert_allclose(call(fname, k=value), _knn_brute(X, Y, k=2), rtol=1e-9)
    elif isinstance(expected, float):
        np.testing.assert_allclose(npy(call(fname, **{name: value})), expected, rtol=1e-9)
    else:
        with pytest.raises(expected, match=rf"\b{name}\b"):
            call(fname, **{name: value})


# -- the callable f of f_divergence ------------------------------------------------------


@pytest.mark.parametrize(
    "f,error,match",
    [
        ("kl", TypeError, "f must be callable"),
        (None, TypeError, "f must be callable"),
        (lambda t: float(np.sum(t * 0)), TypeError, r"f returned float"),
        (lambda t: np.zeros(5), ValueError, r"f returned shape \(5,\)"),
        (lambda t: torch.zeros(t.shape, dtype=torch.float64), TypeError, "f returned Tensor"),
        (lambda t: (t - 1) ** 2 + 1j, TypeError, r"f\(t\) has dtype complex"),
        (lambda t: t, ValueError, r"f\(1\) = 1 but an f-divergence needs f\(1\) = 0"),
    ],
    ids=["string", "None", "python float", "wrong shape", "wrong kind", "complex", "f(1) != 0"],
)
def test_hostile_f(f, error, match):
    with pytest.raises(error, match=match):
        divlib.f_divergence(P, Q, f)


def test_f_written_once_serves_both_backends():
    # the same generator, through divlib.get_backend, on numpy and on torch
    want = sps.rel_entr(P, Q).sum()
    assert abs(float(divlib.f_divergence(P, Q, xlogx)) - want) < 1e-14
    got = divlib.f_divergence(torch.tensor(P), torch.tensor(Q), xlogx)
    assert isinstance(got, torch.Tensor) and abs(float(got) - want) < 1e-14


# -- mixed numpy/torch and float32 for every function ----------------------------------

TORCH_OUT = sorted(f for f in FUNCS if f != "knn_kl_divergence")  # knn returns a float


def _as(value, kind):
    a = np.asarray(value, dtype=np.float64)
    return {
        "t32": torch.tensor(a, dtype=torch.float32),
        "t64": torch.tensor(a),
        "n32": a.astype(np.float32),
        "n64": a,
        "list": a.tolist(),
    }[kind]


KIND_DTYPE = {
    "t32": torch.float32,
    "t64": torch.float64,
    "n32": torch.float32,
    "n64": torch.float64,
}


def expected_dtype(kinds):
    """The policy, written out: torch if a tensor is given; floating inputs promote,
    lists do not count; nothing floating: float64 (numpy) or torch's default."""
    floats = [KIND_DTYPE[k] for k in kinds if k in KIND_DTYPE]
    torch_out = any(k.startswith("t") for k in kinds)
    if not floats:
        return torch.get_default_dtype() if torch_out else np.float64
    dt = torch.float64 if torch.float64 in floats else torch.float32
    if torch_out:
        return dt
    return np.float64 if dt == torch.float64 else np.float32


@pytest.mark.parametrize("fname", TORCH_OUT)
@pytest.mark.parametrize(
    "kinds",
    [
        ("t32", "t32"),
        ("t32", "list"),
        ("t32", "n64"),
        ("n64", "t32"),
        ("t64", "n32"),
        ("n32", "n32"),
        ("n32", "list"),
        ("n64", "n32"),
        ("list", "list"),
        ("list", "t64"),
    ],
    ids="-".join,
)
def test_mixed_kinds_promote_and_give_the_right_value(fname, kinds):
    # the first array argument in one kind, all the others in the second
    _, args, _ = FUNCS[fname]
    names = list(args)
    kinds = kinds[: len(names)] if len(names) == 1 else kinds
    override = {n: _as(args[n][1], kinds[0] if i == 0 else kinds[1]) for i, n in enumerate(names)}
    got = call(fname, **override)
    dtype = expected_dtype(kinds)
    assert got.dtype == dtype, (fname, kinds, got.dtype)
    low = any(k.endswith("32") for k in kinds)  # float32 inputs carry 7 digits
    tol = 1e-5 if low else 1e-9
    np.testing.assert_allclose(npy(got), oracle(fname), rtol=tol, atol=tol)
