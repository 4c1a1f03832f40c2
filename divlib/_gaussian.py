"""Closed forms between Gaussian distributions N(m, C).

Scalars mean 1-D with C the variance (not the standard deviation); vectors and
matrices mean d dimensions. Every function validates its Gaussians with
``as_gaussian`` (symmetric positive definite covariances).
"""

from __future__ import annotations

import numpy as np

from ._backend import first_tensor, get_backend
from ._validation import check_finite


def as_gaussian(m, C, names=("m", "C"), nx=None, like=None):
    """Validate one Gaussian and return ``(m, C)`` as arrays of shape (d,), (d, d).

    A scalar mean with a scalar ``C`` is 1-D, ``C`` being the variance. ``C``
    must be symmetric positive definite: the check is a Cholesky factorisation,
    which is also what a caller should do to fix it (add ``eps * I``).
    """
    if nx is None:
        nx = get_backend(m, C)
        like = first_tensor(m, C)
    m = nx.asarray(m, like=like)
    C = nx.asarray(C, like=like)
    mname, cname = names
    if m.ndim == 0:
        m = nx.reshape(m, (1,))
    if C.ndim == 0:
        C = nx.reshape(C, (1, 1))
    if m.ndim != 1:
        raise ValueError(f"{mname} must be a scalar or a vector of shape (d,), got shape {tuple(m.shape)}.")
    d = m.shape[0]
    if tuple(C.shape) != (d, d):
        raise ValueError(
            f"{cname} has shape {tuple(C.shape)} but {mname} has d = {d}; "
            f"a covariance must be a ({d}, {d}) matrix (a variance for d = 1)."
        )
    check_finite(m, mname, nx)
    check_finite(C, cname, nx)
    Cn = nx.to_numpy(C)
    if not np.allclose(Cn, Cn.T, rtol=1e-7, atol=1e-10):
        raise ValueError(
            f"{cname} is not symmetric (max |C - C^T| = {np.abs(Cn - Cn.T).max():.3g}); "
            "a covariance must be symmetric: use (C + C.T) / 2."
        )
    try:
        np.linalg.cholesky(Cn)
    except np.linalg.LinAlgError:
        lam = np.linalg.eigvalsh(Cn).min()
        raise ValueError(
            f"{cname} is not positive definite (smallest eigenvalue {lam:.3g}); "
            "a covariance must have all eigenvalues > 0: add a small multiple of the identity."
        ) from None
    return m, C


def kl_gaussian(*args, **kwargs):  # STUB: replaced by issue 3
    raise NotImplementedError("divlib.kl_gaussian is not written yet (issue 3).")


def gaussian_w2(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.gaussian_w2 is not written yet (issue 4).")


def gaussian_monge_map(*args, **kwargs):  # STUB: replaced by issue 4
    raise NotImplementedError("divlib.gaussian_monge_map is not written yet (issue 4).")


def fisher_divergence_gaussian(*args, **kwargs):  # STUB: replaced by issue 5
    raise NotImplementedError("divlib.fisher_divergence_gaussian is not written yet (issue 5).")
