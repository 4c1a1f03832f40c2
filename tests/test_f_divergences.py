"""divlib._f_divergences: the general f-divergence and its callable, beyond test_information.

test_information checks the values of f_divergence, total_variation, hellinger and
chi2_divergence against scipy and closed forms (with the other measures); this file
holds the checks of the generator ``f`` and of ``f_prime_inf`` (issue 8).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sps
import torch

from divlib import f_divergence, get_backend, total_variation

P = np.array([0.5, 0.5, 0.0])
Q = np.array([0.25, 0.25, 0.5])


def tv_f(t):
    nx = get_backend(t)
    return nx.abs(t - 1.0) / 2


@pytest.mark.parametrize("bad", [-math.inf, math.nan])
def test_f_prime_inf_minus_inf_and_nan_refused(bad):
    # class 8: f'(inf) = -inf used to be accepted and gave D_f = -inf; a convex f
    # has f'(inf) > -inf
    with pytest.raises(ValueError, match="f_prime_inf must be"):
        f_divergence(Q, P, tv_f, f_prime_inf=bad)


def test_f_prime_inf_is_used_where_q_is_zero():
    # TV of q against p (p has a zero where q has 0.5): f'(inf) = 1/2 for |t - 1| / 2
    want = 0.5 * np.abs(Q - P).sum()
    np.testing.assert_allclose(float(f_divergence(Q, P, tv_f, f_prime_inf=0.5)), want, rtol=1e-15)
    np.testing.assert_allclose(float(total_variation(Q, P)), want, rtol=1e-15)
    assert float(f_divergence(Q, P, tv_f)) == math.inf  # default f'(inf) = inf
    # a finite negative f'(inf) is legitimate (f(t) = 1 - t is convex, D_f = -(mass off q))
    got = float(f_divergence(Q, P, lambda t: 1.0 - t, f_prime_inf=-1.0))
    np.testing.assert_allclose(got, np.sum(P[P > 0] - Q[P > 0]) - Q[P == 0].sum(), atol=1e-15)


@pytest.mark.parametrize("backend", ["numpy", "torch"])
def test_f_written_with_get_backend_serves_both(backend):
    conv = np.asarray if backend == "numpy" else torch.tensor

    def kl_f(t):
        return get_backend(t).xlogy(t, t)

    got = f_divergence(conv(P), conv(Q), kl_f)
    assert isinstance(got, torch.Tensor) == (backend == "torch")
    np.testing.assert_allclose(float(got), sps.rel_entr(P, Q).sum(), rtol=1e-14)


def test_f_of_the_wrong_kind_or_shape_is_named():
    with pytest.raises(TypeError, match=r"f returned ndarray for a torch.Tensor input"):
        f_divergence(torch.tensor(P), torch.tensor(Q), lambda t: np.abs(t.numpy() - 1))
    with pytest.raises(ValueError, match=r"f returned shape \(\) for an input of shape \(1,\)"):
        f_divergence(P, Q, lambda t: np.sum(np.abs(t - 1)) * np.ones(()))
    with pytest.raises(TypeError, match="f must be callable"):
        f_divergence(P, Q, None)


def test_f_divergence_gradient_through_torch():
    p = torch.tensor(P + [0.0, 0.0, 0.0], requires_grad=True)
    q = torch.tensor(Q, requires_grad=True)
    d = f_divergence(p, q, lambda t: get_backend(t).xlogy(t, t))
    d.backward()
    assert torch.isfinite(p.grad).all() and torch.isfinite(q.grad).all()
    # d/dq_i sum p log(p/q) = -p_i / q_i
    np.testing.assert_allclose(q.grad.numpy(), -P / Q, rtol=1e-12)


# -- issue 17: silent wrong answers -------------------------------------------------


def test_overflowing_ratio_is_not_a_silent_inf():
    from divlib import f_divergence, total_variation

    p, q = np.array([0.5, 0.5]), np.array([1 - 1e-320, 1e-320])
    with pytest.raises(ValueError, match="overflows"):
        f_divergence(p, q, lambda t: sps.xlogy(t, t))
    tv = f_divergence(p, q, lambda t: 0.5 * np.abs(t - 1), f_prime_inf=0.5)
    assert float(tv) == pytest.approx(float(total_variation(p, q)), rel=1e-12)
