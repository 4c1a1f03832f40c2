r"""Particle gradient flows of KL: the RBF kernel and Stein variational gradient descent.

Langevin dynamics (:func:`divlib.langevin_sample`) and Stein variational
gradient descent (SVGD) both move particles so that their law follows a
gradient flow of :math:`\mathrm{KL}(\cdot \,\|\, p)` towards a target
:math:`p` known through its score :math:`s_p = \nabla \log p`. Langevin adds
noise; SVGD is deterministic and replaces the noise by a repulsion between
particles, through a kernel.

Kernel convention (Liu and Wang, 2016): :math:`k(x, y) = \exp(-\|x - y\|^2 / h)`,
with the bandwidth :math:`h > 0` chosen by the median heuristic
:math:`h = \mathrm{med}^2 / \log(n + 1)` when not given.
"""

from __future__ import annotations

import numpy as np

from ._backend import _NUMPY, first_tensor, get_backend
from ._numerics import pow2_scale, sq_dists
from ._runtime import check_chain_flags, run_chain
from ._validation import (
    as_point_cloud,
    check_callable,
    check_flag,
    check_output,
    check_output_form,
    check_real_dtype,
    check_same_dimension,
    check_scalar,
)

__all__ = ["median_bandwidth", "rbf_kernel", "svgd_direction", "svgd_step", "svgd_sample"]


def _scaled(nx, *xs):
    """The points divided by a power of two near their largest entry (exact), and that
    power: kernels and bandwidths are computed at scale about 1, so that neither
    1e-200 nor 1e200 under- or overflows."""
    s = pow2_scale(nx, *xs)
    return tuple(x / s for x in xs), s


def _median_h(sq):
    """Median heuristic from a (n, n) matrix of squared distances (numpy, no graph)."""
    n = sq.shape[0]
    iu = np.triu_indices(n, k=1)
    d2 = sq[iu]
    if d2.size == 0:
        return None
    med2 = float(np.median(np.sqrt(d2))) ** 2
    if med2 == 0.0:  # the median pair coincides: no scale to read
        return None
    return float(med2 / np.log(n + 1))


def _median_h_scaled(nx, sq, s):
    """The median bandwidth of squared distances ``sq`` at scale 1/s, at that scale
    (h = 1 in the points' own units when the median distance is 0)."""
    h = _median_h(np.asarray(nx.to_numpy(nx.detach(sq)), dtype=np.float64))
    return 1.0 / s / s if h is None else h


def median_bandwidth(x):
    r"""Median-heuristic bandwidth of the RBF kernel for the points ``x``.

    .. math::

        h = \frac{\operatorname{med}\{\|x_i - x_j\| : i < j\}^2}{\log(n + 1)} ,

    so that a pair at the median distance has :math:`k = 1/(n + 1)`: the row
    sums :math:`\sum_j k(x_i, x_j)` stay of order one whatever :math:`n`, and a
    particle's own score keeps a weight comparable to its neighbours'.

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n, d)
        Points (a tensor is read without its graph: :math:`h` is a constant).

    Returns
    -------
    h : float
        The bandwidth, > 0, computed at scale about 1 and scaled back (so it is
        inf or 0 only where :math:`h` itself overflows or underflows float64).
        It is 1.0 when there is one point or when the median distance is 0
        (at least half of the pairs coincide; when all of them do, the kernel
        matrix is all ones for every ``h``).

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty, finite (n, d) array.
    TypeError
        If ``x`` is complex, boolean or of object dtype.

    Notes
    -----
    Liu and Wang's paper writes :math:`\log n`; their reference code uses
    :math:`\log(n + 1)`, which stays positive for :math:`n = 1`; we follow the
    code.

    References
    ----------
    .. [1] Q. Liu and D. Wang, "Stein variational gradient descent: a general
       purpose Bayesian inference algorithm", *NeurIPS*, 2016.

    Examples
    --------
    Two points at distance 2: the median distance is 2, so :math:`h = 4/\log 3`:

    >>> import numpy as np
    >>> from divlib import median_bandwidth
    >>> h = median_bandwidth(np.array([[0.0, 0.0], [2.0, 0.0]]))
    >>> bool(np.isclose(h, 4 / np.log(3)))
    True
    """
    nx, x = as_point_cloud(x, "x")
    a = nx.to_numpy(nx.detach(x)).astype(np.float64)
    (a,), s = _scaled(_NUMPY, a)
    sq, _ = sq_dists(_NUMPY, a, a)
    h = _median_h(sq)
    if h is None:
        return 1.0
    with np.errstate(over="ignore", under="ignore"):
        return float(h * s * s)


def rbf_kernel(x, y=None, *, bandwidth=None, return_grad=False):
    r"""Gaussian (RBF) kernel matrix, and optionally its gradient in the first argument.

    .. math::

        K_{ij} = k(x_i, y_j) = \exp\!\big(-\|x_i - y_j\|^2 / h\big), \qquad
        \nabla_{x_i} k(x_i, y_j) = -\frac{2}{h}\,(x_i - y_j)\, K_{ij} .

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n, d)
        First points.
    y : array_like or torch.Tensor, shape (m, d), optional
        Second points (default ``x``: the symmetric (n, n) matrix).
    bandwidth : float, optional
        :math:`h > 0`. ``None`` (default) uses :func:`median_bandwidth` of
        ``x`` (of ``x`` and ``y`` pooled when ``y`` is given).
    return_grad : bool, default False
        Also return the gradient :math:`\nabla_{x_i} k(x_i, y_j)`, shape (n, m, d).

    Returns
    -------
    K : ndarray or torch.Tensor, shape (n, m)
        The kernel matrix, entries in (0, 1]. Tensors give tensors,
        differentiable in ``x`` and ``y`` (the median bandwidth is a constant).
    dK : ndarray or torch.Tensor, shape (n, m, d)
        Only with ``return_grad=True``.

    Raises
    ------
    ValueError
        If a point cloud is empty, not (n, d) or not finite, the dimensions of
        ``x`` and ``y`` differ, or ``bandwidth`` is not a number > 0.
    TypeError
        If an input is complex, boolean or of object dtype.

    Notes
    -----
    The squared distances are summed from the coordinate differences (not
    :math:`\|x\|^2 + \|y\|^2 - 2 x^\top y`, which can round below 0), so
    :math:`K_{ii} = 1` exactly. Memory :math:`O(nmd)`. The kernel is positive
    definite, and :math:`\nabla_{x} k(x, y) = -\nabla_{y} k(x, y)`.

    References
    ----------
    .. [1] Q. Liu and D. Wang, "Stein variational gradient descent: a general
       purpose Bayesian inference algorithm", *NeurIPS*, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from divlib import rbf_kernel
    >>> x = np.array([[0.0], [1.0]])
    >>> K, dK = rbf_kernel(x, bandwidth=2.0, return_grad=True)
    >>> bool(np.allclose(K, [[1.0, np.exp(-0.5)], [np.exp(-0.5), 1.0]]))
    True
    >>> float(dK[0, 1, 0]) == float(-2 / 2.0 * (0.0 - 1.0) * np.exp(-0.5))
    True
    """
    if y is None:
        nx, x = as_point_cloud(x, "x")
        y_ = x
    else:  # mixed numpy/torch: the numpy one follows the tensor's dtype and device
        x, y = check_real_dtype(x, "x"), check_real_dtype(y, "y")  # before any conversion
        nx, like = get_backend(x, y), first_tensor(x, y)
        _, x = as_point_cloud(x, "x", nx, like)
        _, y_ = as_point_cloud(y, "y", nx, like)
        check_same_dimension(x, y_, ("x", "y"))
    h = check_scalar(
        bandwidth, "bandwidth", low=0, low_inclusive=False, allow_none=True, finite=True
    )
    return_grad = check_flag(return_grad, "return_grad")
    (xs, ys), s = _scaled(nx, x, y_)
    sq, diff = sq_dists(nx, xs, ys)  # (n, m), (n, m, d), at scale 1/s
    if h is None:
        psq = sq if y is None else sq_dists(nx, *(2 * (nx.concatenate([xs, ys]),)))[0]
        hs = _median_h_scaled(nx, psq, s)
    else:
        hs = h / s / s  # the bandwidth at scale 1/s (exact)
    K = nx.exp(-sq / hs)  # k(x_i, y_j)
    if not return_grad:
        return K
    dK = -2.0 / hs * diff * K[:, :, None] / s  # grad_{x_i} k(x_i, y_j), (n, m, d)
    return K, dK


def _phi(nx, x, s, h):
    """The SVGD direction phi(x_i) = mean_j [k(x_j, x_i) s_j + grad_{x_j} k(x_j, x_i)]."""
    n = x.shape[0]
    (xs,), sc = _scaled(nx, x)
    sq, _ = sq_dists(nx, xs, xs)  # at scale 1/sc
    if h is None:
        hs = _median_h_scaled(nx, sq, sc)
    else:
        hs = h / sc / sc
    K = nx.exp(-sq / hs)  # (n, n), symmetric
    drive = nx.matmul(K, s)  # sum_j k(x_j, x_i) s_p(x_j)
    # sum_j grad_{x_j} k(x_j, x_i) = (2/h) sum_j (x_i - x_j) k(x_i, x_j)
    repulse = 2.0 / hs * (xs * nx.sum(K, axis=1, keepdims=True) - nx.matmul(K, xs)) / sc
    return (drive + repulse) / n


def _score_at(nx, x, score_fn, finite=True):
    s = score_fn(x)
    if finite:
        check_output(s, "score_fn", [tuple(x.shape)], nx)
    else:  # inside a chain: a non-finite score is reported as divergence
        check_output_form(s, "score_fn", [tuple(x.shape)], nx)
    return nx.astype(s, x.dtype)  # a float64 score for float32 particles


def _check_bandwidth(bandwidth):
    return check_scalar(
        bandwidth, "bandwidth", low=0, low_inclusive=False, allow_none=True, finite=True
    )


def svgd_direction(x, score_fn, *, bandwidth=None):
    r"""The SVGD velocity field at the particles: the steepest descent of KL in an RKHS.

    .. math::

        \phi(x_i) = \frac1n \sum_{j=1}^n \Big[ k(x_j, x_i)\, s_p(x_j)
        + \nabla_{x_j} k(x_j, x_i) \Big] ,

    the empirical version of :math:`\phi^*_{\rho, p} = \mathbb{E}_{x \sim \rho}
    [k(x, \cdot)\, s_p(x) + \nabla_x k(x, \cdot)]`, which is, among the vector
    fields of unit norm in the RKHS of :math:`k`, the one along which
    :math:`\mathrm{KL}(\rho \,\|\, p)` decreases fastest.

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n, d)
        Particles.
    score_fn : callable
        Score of the target, :math:`s_p = \nabla \log p`: (n, d) -> (n, d),
        same backend as ``x``; an unnormalised log-density gives the same score.
    bandwidth : float, optional
        RBF bandwidth :math:`h > 0`; ``None`` (default) takes the median
        heuristic of the current particles (:func:`median_bandwidth`).

    Returns
    -------
    phi : ndarray or torch.Tensor, shape (n, d)

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty, finite (n, d) array, ``bandwidth`` is not
        > 0, or ``score_fn`` returns another shape or non-finite values.
    TypeError
        If ``score_fn`` is not callable or an array has a non-real dtype.

    Notes
    -----
    The first term drives particles up the (kernel-smoothed) score; the
    second pushes them apart, :math:`\nabla_{x_j} k(x_j, x_i) =
    \tfrac{2}{h}(x_i - x_j) k(x_i, x_j)`. It sums to zero over the particles
    (it is antisymmetric in :math:`i, j`), so the mean of the particles moves
    by :math:`\frac{1}{n^2}\sum_{ij} k(x_i, x_j) s_p(x_j)` only. With one
    particle :math:`\phi = s_p(x)`: gradient ascent on :math:`\log p`.
    Cost :math:`O(n^2 d)` per call.

    References
    ----------
    .. [1] Q. Liu and D. Wang, "Stein variational gradient descent: a general
       purpose Bayesian inference algorithm", *NeurIPS*, 2016.

    Examples
    --------
    One particle follows the score:

    >>> import numpy as np
    >>> from divlib import svgd_direction
    >>> svgd_direction(np.array([[2.0, 1.0]]), lambda x: -x).tolist()
    [[-2.0, -1.0]]
    """
    check_callable(score_fn, "score_fn")
    nx, x = as_point_cloud(x, "x")
    h = _check_bandwidth(bandwidth)
    return _phi(nx, x, _score_at(nx, x, score_fn), h)


def svgd_step(x, score_fn, step, *, bandwidth=None):
    r"""One step of Stein variational gradient descent, :math:`x_i \leftarrow x_i + \epsilon\, \phi(x_i)`.

    .. math::

        x_i \leftarrow x_i + \frac{\epsilon}{n} \sum_{j=1}^n \Big[ k(x_j, x_i)\,
        s_p(x_j) + \nabla_{x_j} k(x_j, x_i) \Big] ,
        \qquad k(x, y) = e^{-\|x - y\|^2 / h} .

    Parameters
    ----------
    x : array_like or torch.Tensor, shape (n, d)
        Particles.
    score_fn : callable
        Score of the target :math:`s_p`: (n, d) -> (n, d), same backend as ``x``.
    step : float
        Step size :math:`\epsilon > 0`.
    bandwidth : float, optional
        :math:`h > 0`; ``None`` (default) recomputes the median heuristic from
        the current particles at every step, as Liu and Wang do.

    Returns
    -------
    x_new : ndarray or torch.Tensor, shape (n, d)
        The moved particles (a tensor keeps its graph).

    Raises
    ------
    ValueError
        As :func:`svgd_direction`, or if ``step`` is not a number > 0.
    TypeError
        As :func:`svgd_direction`.

    Notes
    -----
    SVGD is deterministic: the randomness of Langevin dynamics is replaced by
    the repulsive term. As :math:`n \to \infty` and :math:`\epsilon \to 0` the
    particles' law follows a gradient flow of :math:`\mathrm{KL}(\cdot\,\|\,p)`
    in the Stein geometry, and
    :math:`\frac{d}{dt}\mathrm{KL}(\rho_t\|p) = -\|\phi^*_{\rho_t,p}\|_{\mathcal H}^2`
    (the squared kernel Stein discrepancy) [2]_. With finitely many particles
    the fixed points are not samples: for a Gaussian target they are spread
    slightly differently from it (see the tests).

    References
    ----------
    .. [1] Q. Liu and D. Wang, "Stein variational gradient descent: a general
       purpose Bayesian inference algorithm", *NeurIPS*, 2016.
    .. [2] Q. Liu, "Stein variational gradient descent as gradient flow",
       *NeurIPS*, 2017.

    Examples
    --------
    Two particles on the line under :math:`p = N(0, 1)`, with a fixed bandwidth:

    >>> import numpy as np
    >>> from divlib import svgd_step
    >>> x = np.array([[-0.1], [0.1]])
    >>> for _ in range(500):
    ...     x = svgd_step(x, lambda x: -x, 0.1, bandwidth=1.0)
    >>> a = np.sqrt(np.log(1 + 4) / 4)  # the fixed point: a^2 = (h/4) log(1 + 4/h)
    >>> bool(np.allclose(x[:, 0], [-a, a]))
    True
    """
    check_callable(score_fn, "score_fn")
    nx, x = as_point_cloud(x, "x")
    eps = check_scalar(step, "step", low=0, low_inclusive=False, finite=True)
    h = _check_bandwidth(bandwidth)
    return x + eps * _phi(nx, x, _score_at(nx, x, score_fn), h)


def svgd_sample(
    score_fn, x0, *, step_size, n_steps, bandwidth=None, progress=False, return_path=False
):
    r"""Run ``n_steps`` of Stein variational gradient descent from the particles ``x0``.

    Repeats :func:`svgd_step`:
    :math:`x \leftarrow x + \epsilon\, \phi(x)`, the same signature as
    :func:`divlib.langevin_sample` (without noise, so without a seed).

    Parameters
    ----------
    score_fn : callable
        Score of the target, (n, d) -> (n, d), same backend as ``x0``.
    x0 : array_like or torch.Tensor, shape (n, d)
        Initial particles.
    step_size : float
        :math:`\epsilon > 0`.
    n_steps : int
        Number of steps, >= 0.
    bandwidth : float, optional
        :math:`h > 0`; ``None`` recomputes the median heuristic at each step.
    progress : bool, default False
        Show a ``tqdm.auto`` progress bar.
    return_path : bool, default False
        Also return every state, shape (n_steps + 1, n, d).

    Returns
    -------
    x : ndarray or torch.Tensor, shape (n, d)
        Final particles (detached from any graph); with ``return_path`` the
        stacked path.

    Raises
    ------
    ValueError
        As :func:`svgd_step`, or if ``n_steps`` is not an integer >= 0.
    TypeError
        As :func:`svgd_step`.

    References
    ----------
    .. [1] Q. Liu and D. Wang, "Stein variational gradient descent: a general
       purpose Bayesian inference algorithm", *NeurIPS*, 2016.

    Examples
    --------
    Particles started at one side of :math:`N(3, 1)` end around its mean:

    >>> import numpy as np
    >>> from divlib import svgd_sample
    >>> x0 = np.linspace(-1.0, 0.0, 50)[:, None]
    >>> x = svgd_sample(lambda x: -(x - 3.0), x0, step_size=0.1, n_steps=1000)
    >>> round(float(x.mean()), 2)
    3.0
    """
    check_callable(score_fn, "score_fn")
    nx, x = as_point_cloud(x0, "x0")
    eps = check_scalar(step_size, "step_size", low=0, low_inclusive=False, finite=True)
    n_steps = check_scalar(n_steps, "n_steps", low=0, integer=True)
    h = _check_bandwidth(bandwidth)
    progress, return_path = check_chain_flags(progress, return_path)

    def step(x, _item, k):
        s = _score_at(nx, x, score_fn, finite=k == 0)  # at the start: the score's fault
        return nx.detach(x + eps * _phi(nx, x, s, h))

    def diverged(k):
        raise ValueError(
            f"SVGD diverged at step {k}: the particles or their score overflowed to "
            "infinity or NaN. "
            f"step_size = {eps:g} is too large for this score: lower it."
        )

    x = nx.copy(nx.detach(x))
    return run_chain(
        nx,
        x,
        range(n_steps),
        step,
        progress=progress,
        desc="SVGD",
        return_path=return_path,
        diverged=diverged,
    )
