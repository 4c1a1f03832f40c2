"""Information measures between discrete distributions (issue 3).

Oracles: scipy.special.rel_entr, scipy.stats.entropy / chisquare,
scipy.spatial.distance.jensenshannon (squared), cityblock, euclidean,
torch.distributions.kl_divergence, closed forms (Bernoulli) and identities
between the measures (Renyi of order 1/2 and 2, f-divergence generators).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.spatial.distance as ssd
import scipy.special as sps
import scipy.stats as sst
import torch
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import divlib
from conftest import HYP, npy
from divlib import (
    chi2_divergence,
    cross_entropy,
    entropy,
    f_divergence,
    hellinger,
    js_distance,
    js_divergence,
    kl_divergence,
    renyi_divergence,
    total_variation,
)

LOG2 = math.log(2.0)


# -- helpers ------------------------------------------------------------------------


def rand_dist(rng, shape, zeros=0.0):
    """Random distributions along the last axis, with a fraction of zeros."""
    w = rng.random(shape)
    if zeros:
        w[rng.random(shape) < zeros] = 0.0
        w[..., 0] += 0.1  # at least one positive entry per row
    return w / w.sum(axis=-1, keepdims=True)


@st.composite
def dist_pairs(draw, n_max=8, zeros=True, k=2):
    """k distributions on the same n outcomes (zeros allowed unless zeros=False)."""
    n = draw(st.integers(2, n_max))
    lo = 0.0 if zeros else 1e-3
    out = []
    for _ in range(k):
        w = draw(hnp.arrays(np.float64, n, elements=st.floats(lo, 1.0)))
        assume(w.sum() > 1e-3)
        out.append(w / w.sum())
    return out


def xlogx(t):
    """t log t with 0 log 0 = 0, for ndarrays and tensors (the KL generator)."""
    return torch.special.xlogy(t, t) if isinstance(t, torch.Tensor) else sps.xlogy(t, t)


# Named functions of (p, q) that take the common keyword arguments.
TWO_ARG = {
    "kl_divergence": kl_divergence,
    "cross_entropy": cross_entropy,
    "js_divergence": js_divergence,
    "js_distance": js_distance,
    "total_variation": total_variation,
    "hellinger": hellinger,
    "chi2_divergence": chi2_divergence,
    "renyi_0.5": lambda p, q, **kw: renyi_divergence(p, q, 0.5, **kw),
    "renyi_2": lambda p, q, **kw: renyi_divergence(p, q, 2.0, **kw),
    "renyi_inf": lambda p, q, **kw: renyi_divergence(p, q, math.inf, **kw),
    "f_div_kl": lambda p, q, **kw: f_divergence(p, q, xlogx, **kw),
}
DIVERGENCES = {k: v for k, v in TWO_ARG.items() if k != "cross_entropy"}


def _ratio_overflows(p, q):
    """Some p_i / q_i with q_i > 0 beyond float64: f_divergence refuses to guess."""
    with np.errstate(divide="ignore", over="ignore"):
        return bool(np.any((q > 0) & np.isinf(p / np.where(q > 0, q, 1.0))))


# -- oracles ----------------------------------------------------------------------


def test_kl_matches_scipy_rel_entr_batched(xp):
    rng = np.random.default_rng(0)
    p, q = rand_dist(rng, (6, 11), zeros=0.3), rand_dist(rng, (6, 11))
    got = npy(kl_divergence(xp(p), xp(q)))
    assert got.shape == (6,)
    np.testing.assert_allclose(got, sps.rel_entr(p, q).sum(axis=-1), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got, sst.entropy(p, q, axis=-1), rtol=1e-12, atol=1e-15)


def test_kl_matches_torch_categorical():
    rng = np.random.default_rng(1)
    p, q = rand_dist(rng, (5, 7)), rand_dist(rng, (5, 7))
    P = torch.distributions.Categorical(probs=torch.tensor(p))
    Q = torch.distributions.Categorical(probs=torch.tensor(q))
    expected = torch.distributions.kl_divergence(P, Q).numpy()
    np.testing.assert_allclose(npy(kl_divergence(p, q)), expected, rtol=1e-10)
    np.testing.assert_allclose(
        npy(kl_divergence(q, p)), torch.distributions.kl_divergence(Q, P).numpy(), rtol=1e-10
    )


@pytest.mark.parametrize("a,b", [(0.3, 0.6), (0.01, 0.99), (0.5, 0.5), (0.9, 0.2)])
def test_kl_bernoulli_closed_form(xp, a, b):
    closed = a * math.log(a / b) + (1 - a) * math.log((1 - a) / (1 - b))
    got = float(kl_divergence(xp([a, 1 - a]), xp([b, 1 - b])))
    assert got == pytest.approx(closed, rel=1e-12, abs=1e-15)


def test_cross_entropy_is_entropy_plus_kl(xp):
    rng = np.random.default_rng(2)
    p, q = rand_dist(rng, (4, 9), zeros=0.3), rand_dist(rng, (4, 9))
    expected = sst.entropy(p, axis=-1) + sst.entropy(p, q, axis=-1)
    np.testing.assert_allclose(npy(cross_entropy(xp(p), xp(q))), expected, rtol=1e-12)
    np.testing.assert_allclose(
        npy(cross_entropy(xp(p), xp(q), base=2)), expected / LOG2, rtol=1e-12
    )
    # torch's categorical log-likelihood: -sum p log q
    logits = torch.log(torch.tensor(q))
    expected_t = -(torch.tensor(p) * torch.log_softmax(logits, -1)).sum(-1).numpy()
    np.testing.assert_allclose(npy(cross_entropy(xp(p), xp(q))), expected_t, rtol=1e-12)


@pytest.mark.parametrize("base", [None, 2.0, 10.0])
def test_js_matches_scipy_jensenshannon_squared(xp, base):
    rng = np.random.default_rng(3)
    p, q = rand_dist(rng, (5, 8), zeros=0.3), rand_dist(rng, (5, 8), zeros=0.3)
    expected = ssd.jensenshannon(p, q, base=base, axis=-1) ** 2
    np.testing.assert_allclose(npy(js_divergence(xp(p), xp(q), base=base)), expected, rtol=1e-10)
    np.testing.assert_allclose(
        npy(js_distance(xp(p), xp(q), base=base)), np.sqrt(expected), rtol=1e-10
    )


def test_js_near_identical_is_tiny_not_nan(xp):
    rng = np.random.default_rng(4)
    p = rand_dist(rng, (1000,))
    q = p * (1 + 1e-13 * rng.standard_normal(p.shape))
    q /= q.sum()
    for f in (js_divergence, js_distance):
        v = float(f(xp(p), xp(q)))
        assert math.isfinite(v) and v >= 0.0
    assert float(js_divergence(xp(p), xp(q))) < 1e-14
    assert float(js_divergence(xp(p), xp(p))) == 0.0
    assert float(js_distance(xp(p), xp(p))) == 0.0


def test_total_variation_oracles(xp):
    rng = np.random.default_rng(5)
    p, q = rand_dist(rng, (4, 6), zeros=0.3), rand_dist(rng, (4, 6), zeros=0.3)
    got = npy(total_variation(xp(p), xp(q)))
    np.testing.assert_allclose(got, [ssd.cityblock(a, b) / 2 for a, b in zip(p, q)], rtol=1e-12)
    # TV = max_A |p(A) - q(A)|, attained at A = {p > q}
    np.testing.assert_allclose(got, np.maximum(p - q, 0).sum(-1), rtol=1e-12)


def test_hellinger_oracles(xp):
    rng = np.random.default_rng(6)
    p, q = rand_dist(rng, (4, 6), zeros=0.3), rand_dist(rng, (4, 6), zeros=0.3)
    got = npy(hellinger(xp(p), xp(q)))
    expected = [ssd.euclidean(np.sqrt(a), np.sqrt(b)) / math.sqrt(2) for a, b in zip(p, q)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    bhattacharyya = np.sqrt(p * q).sum(-1)
    np.testing.assert_allclose(got, np.sqrt(1 - bhattacharyya), rtol=1e-8)
    assert np.all((got >= 0) & (got <= 1))


def test_chi2_matches_scipy_chisquare(xp):
    rng = np.random.default_rng(7)
    p, q = rand_dist(rng, (10,), zeros=0.3), rand_dist(rng, (10,))
    expected = sst.chisquare(p, q).statistic
    assert float(chi2_divergence(xp(p), xp(q))) == pytest.approx(expected, rel=1e-12)
    assert float(chi2_divergence(xp(p), xp(q))) == pytest.approx(np.sum(p**2 / q) - 1, rel=1e-10)


def test_renyi_against_definition_and_identities(xp):
    rng = np.random.default_rng(8)
    p, q = rand_dist(rng, (3, 7)), rand_dist(rng, (3, 7))
    P, Q = xp(p), xp(q)
    for alpha in (0.1, 0.5, 0.9, 1.5, 2.0, 7.0):
        direct = np.log(np.sum(p**alpha * q ** (1 - alpha), -1)) / (alpha - 1)
        np.testing.assert_allclose(npy(renyi_divergence(P, Q, alpha)), direct, rtol=1e-10)
    # D_1 = KL, D_1/2 = -2 log(1 - H^2), D_2 = log(1 + chi^2), D_inf = log max p/q
    np.testing.assert_allclose(
        npy(renyi_divergence(P, Q, 1)), sst.entropy(p, q, axis=-1), rtol=1e-12
    )
    h = ssd.cdist(np.sqrt(p), np.sqrt(q)).diagonal() / math.sqrt(2)
    np.testing.assert_allclose(npy(renyi_divergence(P, Q, 0.5)), -2 * np.log(1 - h**2), rtol=1e-10)
    chi2 = np.array([sst.chisquare(a, b).statistic for a, b in zip(p, q)])
    np.testing.assert_allclose(npy(renyi_divergence(P, Q, 2)), np.log1p(chi2), rtol=1e-10)
    np.testing.assert_allclose(
        npy(renyi_divergence(P, Q, math.inf)), np.log(np.max(p / q, -1)), rtol=1e-12
    )
    np.testing.assert_allclose(
        npy(renyi_divergence(P, Q, 2, base=2)), np.log1p(chi2) / LOG2, rtol=1e-10
    )


def test_renyi_zero_handling(xp):
    p, q = xp([0.5, 0.5, 0.0]), xp([0.5, 0.0, 0.5])  # p > 0 = q at outcome 1
    # alpha < 1: that outcome contributes 0, finite value -log(sum p^a q^(1-a)) / (1 - a)
    a = 0.5
    expected = math.log(0.5**a * 0.5 ** (1 - a)) / (a - 1)
    assert float(renyi_divergence(p, q, a)) == pytest.approx(expected, rel=1e-12)
    for a in (1.0, 2.0, math.inf):
        assert float(renyi_divergence(p, q, a)) == math.inf
    disjoint_p, disjoint_q = xp([1.0, 0.0]), xp([0.0, 1.0])
    for a in (0.3, 1.0, 3.0, math.inf):
        assert float(renyi_divergence(disjoint_p, disjoint_q, a)) == math.inf


def test_f_divergence_generators(xp):
    rng = np.random.default_rng(9)
    p, q = rand_dist(rng, (3, 6), zeros=0.3), rand_dist(rng, (3, 6))
    P, Q = xp(p), xp(q)
    lib = torch if isinstance(P, torch.Tensor) else np
    xlogx = (lambda t: torch.special.xlogy(t, t)) if lib is torch else (lambda t: sps.xlogy(t, t))
    np.testing.assert_allclose(
        npy(f_divergence(P, Q, xlogx)), sst.entropy(p, q, axis=-1), rtol=1e-10
    )
    # f = -log t, f'(inf) = 0 gives the reverse KL(q || p): inf here, as q > 0 = p somewhere
    with np.errstate(divide="ignore"):
        rev = npy(f_divergence(P, Q, lambda t: -lib.log(t), f_prime_inf=0.0))
        np.testing.assert_array_equal(rev, np.full(3, np.inf))
        # swapping the arguments: KL(p || q), the zeros of p now sit in the "q" slot (limit 0)
        np.testing.assert_allclose(
            npy(f_divergence(Q, P, lambda t: -lib.log(t), f_prime_inf=0.0)),
            sst.entropy(p, q, axis=-1),
            rtol=1e-10,
        )
    np.testing.assert_allclose(
        npy(f_divergence(P, Q, lambda t: lib.abs(t - 1) / 2, f_prime_inf=0.5)),
        np.abs(p - q).sum(-1) / 2,
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        npy(f_divergence(P, Q, lambda t: (t - 1) ** 2)), np.sum(p**2 / q, -1) - 1, rtol=1e-10
    )
    np.testing.assert_allclose(
        npy(f_divergence(P, Q, lambda t: (lib.sqrt(t) - 1) ** 2 / 2, f_prime_inf=0.5)),
        npy(hellinger(P, Q)) ** 2,
        rtol=1e-10,
    )


def test_f_divergence_q_zero_limits(xp):
    p, q = xp([0.5, 0.5, 0.0]), xp([0.5, 0.0, 0.5])
    lib = torch if isinstance(p, torch.Tensor) else np
    tv = lambda t: lib.abs(t - 1) / 2
    # default f'(inf) = inf: p > 0 = q gives inf
    assert float(f_divergence(p, q, tv)) == math.inf
    # f'(inf) = 1/2 recovers TV = 0.5 exactly
    assert float(f_divergence(p, q, tv, f_prime_inf=0.5)) == pytest.approx(0.5, abs=1e-15)
    # both zero: the term is 0 whatever f'(inf) is
    both0_p, both0_q = xp([0.5, 0.5, 0.0]), xp([0.5, 0.5, 0.0])
    assert float(f_divergence(both0_p, both0_q, tv)) == 0.0


# -- edge cases ---------------------------------------------------------------------


def test_zeros_in_p_finite_zeros_in_q_inf(xp):
    p, q = xp([0.5, 0.5, 0.0]), xp([0.25, 0.25, 0.5])
    assert float(kl_divergence(p, q)) == pytest.approx(LOG2, rel=1e-14)
    assert float(cross_entropy(p, q)) == pytest.approx(math.log(4), rel=1e-14)
    assert float(chi2_divergence(p, q)) == pytest.approx(1.0, rel=1e-14)
    for f in (kl_divergence, cross_entropy, chi2_divergence):
        assert float(f(q, p)) == math.inf
    for f in (js_divergence, js_distance, total_variation, hellinger):
        assert math.isfinite(float(f(q, p)))
    assert not np.isnan(npy(kl_divergence(q, p)))


def test_disjoint_supports(xp):
    p, q = xp([0.3, 0.7, 0.0, 0.0]), xp([0.0, 0.0, 0.6, 0.4])
    assert float(js_divergence(p, q)) == pytest.approx(LOG2, rel=1e-14)
    assert float(js_divergence(p, q, base=2)) == pytest.approx(1.0, rel=1e-14)
    assert float(js_distance(p, q, base=2)) == pytest.approx(1.0, rel=1e-14)
    assert float(total_variation(p, q)) == pytest.approx(1.0, rel=1e-14)
    assert float(hellinger(p, q)) == pytest.approx(1.0, rel=1e-14)
    assert float(kl_divergence(p, q)) == math.inf


def test_tiny_epsilons(xp):
    eps = 1e-300
    p, q = np.array([1 - eps, eps]), np.array([eps, 1 - eps])  # 1 - eps == 1.0
    expected = sps.rel_entr(p, q).sum()
    assert math.isfinite(expected)
    assert float(kl_divergence(xp(p), xp(q))) == pytest.approx(expected, rel=1e-12)
    assert float(js_divergence(xp(p), xp(q))) == pytest.approx(LOG2, rel=1e-12)
    # subnormal q: p / q overflows float64, the answer does not
    p, q = np.array([0.5, 0.5]), np.array([1.0, 1e-320])
    expected = 0.5 * (math.log(0.5) + (math.log(0.5) - math.log(1e-320)))
    assert float(kl_divergence(xp(p), xp(q))) == pytest.approx(expected, rel=1e-12)
    assert float(renyi_divergence(xp(p), xp(q), math.inf)) == pytest.approx(
        math.log(0.5) - math.log(1e-320), rel=1e-12
    )


def test_batched_broadcast_and_axis(xp):
    rng = np.random.default_rng(10)
    p, q = rand_dist(rng, (2, 3, 5), zeros=0.2), rand_dist(rng, (5,))
    for name, f in TWO_ARG.items():
        got = npy(f(xp(p), xp(q)))
        assert got.shape == (2, 3), name
        loop = np.array([[npy(f(xp(p[i, j]), xp(q))) for j in range(3)] for i in range(2)])
        np.testing.assert_allclose(got, loop, rtol=1e-12, atol=1e-15, err_msg=name)
        # the same distributions laid along axis 0
        moved = npy(f(xp(np.moveaxis(p, -1, 0)), xp(q[:, None, None]), axis=0))
        np.testing.assert_allclose(moved, got, rtol=1e-12, atol=1e-15, err_msg=name)


def test_base_two(xp):
    rng = np.random.default_rng(11)
    p, q = rand_dist(rng, (4, 5)), rand_dist(rng, (4, 5))
    for f in (kl_divergence, cross_entropy, js_divergence):
        np.testing.assert_allclose(
            npy(f(xp(p), xp(q), base=2)), npy(f(xp(p), xp(q))) / LOG2, rtol=1e-13
        )
    assert float(kl_divergence(xp([1.0, 0.0]), xp([0.5, 0.5]), base=2)) == pytest.approx(
        1.0, rel=1e-14
    )


def test_numpy_and_torch_types():
    rng = np.random.default_rng(12)
    p, q = rand_dist(rng, (3, 4)), rand_dist(rng, (3, 4))
    for name, f in TWO_ARG.items():
        out = f(p, q)
        assert isinstance(out, (np.ndarray, np.floating)) and out.dtype == np.float64, name
        t32 = f(torch.tensor(p, dtype=torch.float32), torch.tensor(q, dtype=torch.float32))
        assert isinstance(t32, torch.Tensor) and t32.dtype == torch.float32, name
        np.testing.assert_allclose(t32.numpy(), out, rtol=1e-4, atol=1e-6, err_msg=name)
        mixed = f(torch.tensor(p), q)  # numpy q follows the tensor
        assert isinstance(mixed, torch.Tensor) and mixed.dtype == torch.float64, name


def test_import_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, divlib; divlib.kl_divergence([.5, .5], [.2, .8]); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- gradients ---------------------------------------------------------------------


GRAD_FUNCS = {k: v for k, v in TWO_ARG.items() if k != "f_div_kl"}
GRAD_FUNCS["f_div_chi2"] = lambda p, q, **kw: f_divergence(p, q, lambda t: (t - 1) ** 2, **kw)


@pytest.mark.parametrize("name", sorted(GRAD_FUNCS))
def test_gradcheck_positive_inputs(name):
    f = GRAD_FUNCS[name]
    rng = np.random.default_rng(13)
    p = torch.tensor(rand_dist(rng, (2, 5)), requires_grad=True)
    q = torch.tensor(rand_dist(rng, (2, 5)), requires_grad=True)
    # eps well inside the 1e-6 tolerance of "sums to 1"
    assert torch.autograd.gradcheck(lambda a, b: f(a, b), (p, q), eps=1e-7, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(GRAD_FUNCS))
def test_gradients_finite_where_p_has_zeros(name):
    f = GRAD_FUNCS[name]
    p = torch.tensor([0.5, 0.0, 0.3, 0.2, 0.0], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.1, 0.2, 0.3, 0.2, 0.2], dtype=torch.float64, requires_grad=True)
    value = f(p, q)
    gp, gq = torch.autograd.grad(value, (p, q))
    assert torch.isfinite(value)
    assert torch.isfinite(gp).all() and torch.isfinite(gq).all(), name


def test_kl_gradient_matches_analytic():
    p = torch.tensor([0.5, 0.0, 0.5], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64, requires_grad=True)
    gp, gq = torch.autograd.grad(kl_divergence(p, q), (p, q))
    # d/dq_i sum p log(p/q) = -p_i / q_i; d/dp_i = log(p_i/q_i) + 1 where p_i > 0
    np.testing.assert_allclose(gq.numpy(), [-2.5, 0.0, -1.0], rtol=1e-12)
    np.testing.assert_allclose(gp.numpy()[[0, 2]], [math.log(2.5) + 1, 1.0], rtol=1e-12)
    assert gp[1] == 0.0


# -- properties (hypothesis) ------------------------------------------------------------


# found by hypothesis: q is p up to ~1e-78, so sum p log(p/q) rounds to -5e-214
_NEAR_EQUAL = [
    np.array([1.0, 1.62084623e-216, 0.0]),
    np.array([1.0, 1.56272101e-78, 1.56272101e-78]),
]


@HYP
@given(dist_pairs())
@example(_NEAR_EQUAL)
def test_nonnegative_and_identity(pq):
    p, q = pq
    for name, f in DIVERGENCES.items():
        if name == "f_div_kl" and _ratio_overflows(p, q):  # refused, not a silent inf
            with pytest.raises(ValueError, match="overflows"):
                f(p, q)
            continue
        if name == "f_div_kl":
            # the generic f_divergence returns its raw sum, so that a non-convex f
            # shows a negative value: it is >= 0 up to rounding only
            assert float(f(p, q)) >= -1e-12, name
        else:
            assert float(f(p, q)) >= 0.0, name
        assert float(f(p, p)) == pytest.approx(0.0, abs=1e-12), name


@HYP
@given(dist_pairs())
def test_js_symmetric_and_bounded(pq):
    p, q = pq
    js_pq, js_qp = float(js_divergence(p, q)), float(js_divergence(q, p))
    assert js_pq == pytest.approx(js_qp, abs=1e-15)
    assert 0.0 <= js_pq <= LOG2
    assert 0.0 <= float(js_divergence(p, q, base=2)) <= 1.0
    with np.errstate(invalid="ignore"):
        ref = ssd.jensenshannon(p, q) ** 2
    if np.isnan(ref):  # scipy takes sqrt of a rounding-negative JS for (near-)identical p, q
        assert np.allclose(p, q) and js_pq == 0.0
    elif np.isinf(ref):  # scipy's mixture (5e-324 + 0) / 2 underflows to 0: not a JS
        assert js_pq <= LOG2 * float(total_variation(p, q)) + 1e-300
    else:
        assert js_pq == pytest.approx(ref, abs=1e-12)


@HYP
@given(dist_pairs(k=3))
def test_triangle_inequality(pqr):
    p, q, r = pqr
    for d in (js_distance, hellinger, total_variation):
        assert float(d(p, r)) <= float(d(p, q)) + float(d(q, r)) + 1e-12, d.__name__


@HYP
@given(dist_pairs())
@example(_NEAR_EQUAL)
def test_pinsker(pq):
    p, q = pq
    assert float(total_variation(p, q)) <= math.sqrt(float(kl_divergence(p, q)) / 2) + 1e-12


@HYP
@given(dist_pairs(zeros=False))
def test_renyi_tends_to_kl_and_is_monotone(pq):
    p, q = pq
    kl = float(kl_divergence(p, q))
    for a in (1 - 1e-5, 1 + 1e-5):
        assert float(renyi_divergence(p, q, a)) == pytest.approx(kl, rel=1e-3, abs=1e-8)
    alphas = [0.05, 0.3, 0.5, 0.9, 1.0, 1.2, 2.0, 5.0, 30.0, math.inf]
    values = [float(renyi_divergence(p, q, a)) for a in alphas]
    assert all(b >= a - 1e-10 for a, b in zip(values, values[1:])), values


@HYP
@given(dist_pairs())
def test_numpy_torch_agree(pq):
    p, q = pq
    for name, f in TWO_ARG.items():
        if name == "f_div_kl" and _ratio_overflows(p, q):  # both refuse it
            continue
        a = npy(f(p, q))
        b = npy(f(torch.tensor(p), torch.tensor(q)))
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15, err_msg=name)


@HYP
@given(dist_pairs(zeros=False))
def test_kl_bounds_chi2_and_js_bounds_tv(pq):
    # KL <= log(1 + chi2);  JS <= TV log 2  (Lin 1991)
    p, q = pq
    assert float(kl_divergence(p, q)) <= math.log1p(float(chi2_divergence(p, q))) + 1e-12
    assert float(js_divergence(p, q)) <= LOG2 * float(total_variation(p, q)) + 1e-12


# -- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TWO_ARG))
@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_bad_inputs_raise(name, backend):
    f = TWO_ARG[name]
    conv = (lambda a: torch.tensor(a, dtype=torch.float64)) if backend == "torch" else np.asarray
    good = conv([0.5, 0.5])
    cases = [
        (
            ([0.5, 0.7, -0.2], [0.2, 0.3, 0.5]),
            r"p has 1 negative entry \(smallest -0\.2\); probabilities must be >= 0",
        ),
        (([0.2, 0.3, 0.5], [0.5, 0.7, -0.2]), r"q has 1 negative entry"),
        (([0.5, np.nan], [0.5, 0.5]), r"p has 1 NaN entry"),
        (([0.5, 0.5], [np.inf, 0.5]), r"q has 1 infinite entry"),
        (([0.5, 0.6], [0.5, 0.5]), r"p sums to 1\.1 along axis -1, not 1.*normalize=True"),
        (([0.5, 0.5], [0.2, 0.2]), r"q sums to 0\.4"),
        (
            ([0.5, 0.5], [0.2, 0.3, 0.5]),
            r"p has 2 outcomes and q has 3 along axis -1; both must be over the same outcomes",
        ),
        (([], []), r"p is empty"),
        ((0.5, 0.5), r"p is a scalar"),
        (([[1.0]], [[0.5, 0.5]]), r"p has 1 outcomes and q has 2"),
    ]
    for (p, q), msg in cases:
        with pytest.raises(ValueError, match=msg):
            f(conv(p), conv(q))
    with pytest.raises(ValueError, match=r"p sums to 1\.1"):
        f(conv([[0.5, 0.5], [0.5, 0.6]]), good)  # one bad row in a batch


@pytest.mark.parametrize("f", [kl_divergence, cross_entropy, js_divergence, js_distance])
def test_bad_base_raises(f):
    with pytest.raises(ValueError, match="base must be a positive number other than 1"):
        f([0.5, 0.5], [0.5, 0.5], base=1)
    with pytest.raises(ValueError, match="base must be a number > 0, got -2"):
        f([0.5, 0.5], [0.5, 0.5], base=-2)
    with pytest.raises(ValueError, match="base must be a number < inf"):
        f([0.5, 0.5], [0.5, 0.5], base=math.inf)
    with pytest.raises(TypeError, match="base must be a number, got '2'"):
        f([0.5, 0.5], [0.5, 0.5], base="2")


@pytest.mark.parametrize(
    "alpha,error",
    [
        (0, ValueError),
        (-1.0, ValueError),
        (float("nan"), ValueError),
        ("two", TypeError),
        (None, TypeError),
        (True, TypeError),
        (1j, TypeError),
    ],
)
def test_bad_alpha_raises(alpha, error):
    with pytest.raises(error, match="alpha must be"):
        renyi_divergence([0.5, 0.5], [0.5, 0.5], alpha)


def test_bad_renyi_base_raises_even_at_alpha_not_one():
    with pytest.raises(ValueError, match="base must be"):
        renyi_divergence([0.5, 0.5], [0.5, 0.5], 2.0, base=0)


def test_bad_f_raises():
    p, q = [0.5, 0.5], [0.2, 0.8]
    with pytest.raises(ValueError, match=r"f\(1\) = 1 but an f-divergence needs f\(1\) = 0"):
        f_divergence(p, q, lambda t: t)
    with pytest.raises(TypeError, match="f must be callable"):
        f_divergence(p, q, "kl")
    with pytest.raises(ValueError, match="f_prime_inf must be a number, got NaN"):
        f_divergence(p, q, lambda t: (t - 1) ** 2, f_prime_inf=float("nan"))


@pytest.mark.parametrize("name", sorted(TWO_ARG))
def test_normalize_opt_in(name, xp):
    f = TWO_ARG[name]
    w, v = np.array([1.0, 3.0, 0.0]), np.array([2.0, 1.0, 1.0])
    got = npy(f(xp(w), xp(v), normalize=True))
    np.testing.assert_allclose(
        got, npy(f(xp(w / w.sum()), xp(v / v.sum()))), rtol=1e-12, err_msg=name
    )
    with pytest.raises(ValueError, match="sums to 0 along axis -1; it cannot be normalised"):
        f(xp([0.0, 0.0, 0.0]), xp(v), normalize=True)


def test_inputs_not_modified():
    rng = np.random.default_rng(14)
    p, q = rand_dist(rng, (50,), zeros=0.3), rand_dist(rng, (50,), zeros=0.3)
    p0, q0 = p.copy(), q.copy()
    for f in TWO_ARG.values():
        f(p, q)
    np.testing.assert_array_equal(p, p0)
    np.testing.assert_array_equal(q, q0)


def test_entropy_matches_scipy():
    # entropy is the model function; a cross-check that it still agrees with scipy
    p = rand_dist(np.random.default_rng(15), (3, 6), zeros=0.3)
    np.testing.assert_allclose(npy(entropy(p)), sst.entropy(p, axis=-1), rtol=1e-12)


def test_torch_paths_with_and_without_graph_agree():
    # tensors that record a graph take torch ops, the others numpy's kernel
    rng = np.random.default_rng(16)
    p = rand_dist(rng, (4, 9), zeros=0.3)
    q = rand_dist(rng, (4, 9), zeros=0.3)  # some p_i > 0 = q_i: inf rows
    q[0] = p[0]  # one finite row, zeros shared with p
    for f in (kl_divergence, js_divergence, cross_entropy):
        plain = f(torch.tensor(p), torch.tensor(q)).numpy()
        graph = f(torch.tensor(p, requires_grad=True), torch.tensor(q)).detach().numpy()
        np.testing.assert_allclose(graph, plain, rtol=1e-13, atol=0)
        np.testing.assert_allclose(plain, npy(f(p, q)), rtol=1e-13, atol=0)
    assert np.isinf(npy(kl_divergence(p, q))).any() and np.isfinite(npy(kl_divergence(p, q))[0])


# -- regressions of issue 8 (each fails on the code before it) --------------------------


@pytest.mark.parametrize(
    "f",
    [
        kl_divergence,
        cross_entropy,
        js_divergence,
        total_variation,
        hellinger,
        chi2_divergence,
        lambda p, q, axis: renyi_divergence(p, q, 2.0, axis=axis),
    ],
    ids=["kl", "cross_entropy", "js", "tv", "hellinger", "chi2", "renyi"],
)
def test_1d_argument_is_aligned_with_axis(f, xp):
    # class 1: q of shape (n,) next to P of shape (n, m) with axis=0 compares each
    # column of P with q (it used to be broadcast along the last axis instead)
    P = np.array([[0.1, 0.7, 0.5], [0.9, 0.3, 0.5]])  # three distributions in columns
    q = np.array([0.4, 0.6])
    want = [float(npy(f(xp(P[:, j]), xp(q), axis=-1))) for j in range(3)]
    np.testing.assert_allclose(npy(f(xp(P), xp(q), axis=0)), want, rtol=1e-12)
    np.testing.assert_allclose(
        npy(f(xp(q), xp(P), axis=0)),
        [float(npy(f(xp(q), xp(P[:, j]), axis=-1))) for j in range(3)],
        rtol=1e-12,
    )


def test_misaligned_nd_arguments_are_refused():
    P = np.full((2, 3, 4), 0.5)
    with pytest.raises(ValueError, match=r"axis 0 of p has no counterpart in q"):
        kl_divergence(P, np.full((3, 4), 0.25), axis=0)
    with pytest.raises(ValueError, match=r"axis = 3 is out of range"):
        kl_divergence(P, P, axis=3)


def test_mixed_types_promote_never_truncate():
    # class 2: an integer tensor next to a float list is promoted to a float
    p = torch.tensor([1, 0])
    got = kl_divergence(p, [0.25, 0.75])
    assert got.dtype == torch.get_default_dtype()
    assert abs(float(got) - math.log(4)) < 1e-6
    got = cross_entropy([0.5, 0.5], torch.tensor([1, 0]))  # q int tensor: log 0 = inf
    assert math.isinf(float(got))
    # float32 in -> float32 out; a numpy float64 array next to it -> float64
    p32 = torch.tensor([0.2, 0.8], dtype=torch.float32)
    assert kl_divergence(p32, p32 * 0 + 0.5).dtype == torch.float32
    assert kl_divergence(p32, [0.5, 0.5]).dtype == torch.float32
    assert kl_divergence(p32, np.array([0.5, 0.5])).dtype == torch.float64
    assert kl_divergence(np.float32([0.2, 0.8]), np.float32([0.5, 0.5])).dtype == np.float32


def test_entropy_normalize_does_not_overflow():
    # class 4: the total 2e308 overflows; dividing by the max first does not
    assert abs(float(entropy([1e308, 1e308], normalize=True)) - math.log(2)) < 1e-15
    assert abs(float(entropy([1e-320, 1e-320, 2e-320], normalize=True)) - 1.5 * math.log(2)) < 1e-12
    np.testing.assert_allclose(
        npy(kl_divergence([1e308, 1e308], [0.5e308, 1.5e308], normalize=True)),
        sps.rel_entr([0.5, 0.5], [0.25, 0.75]).sum(),
        rtol=1e-14,
    )


@pytest.mark.parametrize("f", [entropy, lambda p: kl_divergence(p, p)], ids=["entropy", "kl"])
def test_complex_bool_refused_naming_the_argument(f):
    # class 5: the imaginary part used to be dropped (or propagated)
    with pytest.raises(TypeError, match=r"p has dtype complex128"):
        f(np.array([0.5, 0.5]) + 0.1j)
    with pytest.raises(TypeError, match=r"p has dtype bool"):
        f(np.array([True, False]))
    with pytest.raises(TypeError, match=r"p has dtype complex"):
        f(torch.tensor([0.5, 0.5], dtype=torch.complex64))
    with pytest.raises(TypeError, match=r"p has dtype bfloat16"):
        f(torch.tensor([0.5, 0.5], dtype=torch.bfloat16))


def renyi_exact(p, q, alpha, dps=80):
    """D_alpha with mpmath at ``dps`` digits, on the exact binary values of p, q and alpha
    (p and q normalised exactly)."""
    import mpmath as mp

    with mp.workdps(dps):
        P = [mp.mpf(float(v)) for v in p]
        Q = [mp.mpf(float(v)) for v in q]
        # the distributions the float vectors stand for: sum 1 exactly (0.1 + ... + 0.4
        # is 1 + 1e-17 in binary, which near alpha = 1 would dominate the exact value)
        P = [v / mp.fsum(P) for v in P]
        Q = [v / mp.fsum(Q) for v in Q]
        if alpha == math.inf:
            return float(mp.log(max(a / b for a, b in zip(P, Q) if a > 0)))
        a = mp.mpf(alpha)
        s = mp.fsum(x**a * y ** (1 - a) for x, y in zip(P, Q) if x > 0 and y > 0)
        return float(mp.log(s) / (a - 1))


RENYI_ALPHAS = [
    1e-300,
    1e-3,
    0.3,
    0.5 - 1e-12,
    0.5,
    0.9,
    1 - 1e-3,
    1 - 1e-8,
    1 - 1e-12,
    1 - 1e-15,
    1 + 1e-15,
    1 + 1e-12,
    1 + 1e-8,
    1.1,
    1.5,
    1.5 + 1e-12,
    2.0,
    10.0,
    1e3,
    1e8,
    1e15,
    1e100,
    1e300,
    math.inf,
]


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_renyi_against_mpmath_and_monotone(backend):
    # class 7: near alpha = 1 the plain formula lost every digit (0.22 instead of
    # KL = 0.095 at 1 - 1e-15); at huge alpha it overflowed to inf or NaN
    conv = np.asarray if backend == "numpy" else torch.tensor
    p = np.array([0.1, 0.2, 0.3, 0.4])
    q = np.array([0.25, 0.25, 0.25, 0.25])
    got = [float(npy(renyi_divergence(conv(p), conv(q), a))) for a in RENYI_ALPHAS]
    want = [renyi_exact(p, q, a) for a in RENYI_ALPHAS]
    np.testing.assert_allclose(got, want, rtol=1e-10)
    assert all(b >= a * (1 - 1e-13) for a, b in zip(got, got[1:])), got  # non-decreasing
    kl = float(kl_divergence(p, q))
    assert abs(got[RENYI_ALPHAS.index(1 - 1e-15)] - kl) < 1e-13


def test_renyi_zeros_in_the_band_and_beyond():
    # q_i = 0 < p_i: finite below 1 (the supports overlap), inf above; disjoint: inf
    p, q = np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])
    for a in (0.3, 0.5, 0.9, 1 - 1e-9):
        np.testing.assert_allclose(
            float(renyi_divergence(p, q, a)), renyi_exact(p, q, a), rtol=1e-10
        )
    for a in (1 + 1e-9, 1.2, 2.0, 1e10, math.inf):
        assert float(renyi_divergence(p, q, a)) == math.inf
    for a in (0.2, 0.7, 1.3, 5.0):
        assert float(renyi_divergence([1.0, 0.0], [0.0, 1.0], a)) == math.inf


def test_near_one_sum_message_shows_the_digits():
    with pytest.raises(ValueError, match=r"p sums to 1\.0000015 along axis -1, not 1"):
        kl_divergence([0.5, 0.5000015], [0.5, 0.5])


def test_scalars_are_refused_the_same_way():
    for f in (entropy, lambda p: kl_divergence(p, [0.5, 0.5]), lambda p: hellinger(p, [0.5, 0.5])):
        with pytest.raises(
            ValueError, match=r"p is a scalar; a distribution needs an axis of outcomes"
        ):
            f(0.5)
    with pytest.raises(ValueError, match=r"log_p is a scalar"):
        divlib.mc_kl(-1.0, [-1.0, -2.0])


def test_float32_sums_use_a_float32_tolerance():
    # a float32 vector normalised in float32 sums to 1 within float32 rounding only
    rng = np.random.default_rng(3)
    w = rng.random(100_000).astype(np.float32)
    p = w / w.sum(dtype=np.float32)
    assert np.isfinite(float(kl_divergence(p, p)))
    assert float(kl_divergence(torch.from_numpy(p), torch.from_numpy(p))) == 0.0


def test_one_pass_kernel_agrees_with_the_general_path():
    # 1-D inputs take the one-pass kernel; a batch of one row takes the general path
    rng = np.random.default_rng(4)
    for zeros in (0.0, 0.3):
        p, q = rand_dist(rng, (70_001,), zeros=zeros), rand_dist(rng, (70_001,), zeros=0.0)
        one = float(kl_divergence(p, q))
        np.testing.assert_allclose(one, sps.rel_entr(p, q).sum(), rtol=1e-12)
        np.testing.assert_allclose(one, float(kl_divergence(p[None], q[None])[0]), rtol=1e-12)
    q[5] = 0.0
    q /= q.sum()
    p[5] = 0.1
    p /= p.sum()
    assert float(kl_divergence(p, q)) == math.inf  # x > 0 = y: the general path's inf
    with pytest.raises(ValueError, match="q has 1 negative entry"):
        kl_divergence(p, np.where(np.arange(p.size) == 3, -q[3], q + 2 * q[3] / p.size))


@pytest.mark.parametrize("alpha", [0.2, 0.5, 0.9, 1 - 1e-9, 1.3, 1.5, 2.0, 50.0, math.inf])
def test_renyi_gradcheck_in_every_form(alpha):
    # the three forms (below, in and above the KL band) and the max-log-ratio limit
    p = torch.tensor([0.1, 0.2, 0.3, 0.4], dtype=torch.float64, requires_grad=True)
    q = torch.tensor([0.3, 0.3, 0.2, 0.2], dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda a, b: renyi_divergence(a, b, alpha, normalize=True), (p, q)
    )
    p0 = torch.tensor([0.0, 0.2, 0.3, 0.5], dtype=torch.float64, requires_grad=True)
    grads = torch.autograd.grad(renyi_divergence(p0, q, alpha), (p0, q))
    assert all(torch.isfinite(g).all() for g in grads)


# -- issue 17: silent wrong answers and crashes -------------------------------------


def test_renyi_huge_alpha_in_float32_is_the_max_log_ratio():
    p, q = torch.tensor([0.2, 0.5, 0.3]), torch.tensor([0.4, 0.4, 0.2])
    D = renyi_divergence(p, q, 1e39)
    assert torch.isfinite(D) and float(D) == pytest.approx(math.log(1.5), rel=1e-5)


def test_reversed_numpy_view_next_to_a_tensor():
    q = np.array([0.5, 0.3, 0.2])[::-1]
    D = kl_divergence(torch.tensor([0.2, 0.3, 0.5]), q)
    assert float(D) == pytest.approx(0.0, abs=1e-6)


def test_a_differentiated_scalar_setting_is_refused_not_silently_zero():
    p, q = torch.tensor([0.2, 0.5, 0.3]), torch.tensor([0.4, 0.4, 0.2])
    with pytest.raises(TypeError, match="alpha is a tensor being differentiated"):
        torch.func.grad(lambda a: renyi_divergence(p, q, a))(torch.tensor(2.0))


def test_js_with_a_subnormal_entry_is_about_zero():
    # found by hypothesis: the mixture (5e-324 + 0) / 2 underflowed to 0 and the
    # clip turned the resulting inf into log 2
    p, q = np.array([1.0, 0.0]), np.array([1.0, 5e-324])
    assert float(js_divergence(p, q)) == pytest.approx(0.0, abs=1e-300)
