"""Private numpy/torch dispatch: resolve the backend once per call.

Every public function starts with ``nx = get_backend(p, q)`` and then writes
its maths with ``nx.log``, ``nx.sum``... so numpy in gives numpy out and torch
in gives torch out (same device and dtype, differentiable). torch is never
imported here: if the caller has not imported it, no input can be a tensor.

The design follows POT's ``ot.backend.get_backend`` and scipy's
``array_namespace``, cut down to what divlib needs.

The one dtype policy (``result_dtype``, ``asarrays``; ``float_dtype`` and
``to_tensors`` for the torch-only functions apply the same rule):

- Every computation runs in one floating dtype; integers are promoted to it,
  floats are never truncated to an integer dtype.
- Only floating arrays and tensors (and numpy floating scalars) set that
  dtype, promoted together: float32 alone stays float32, float32 next to a
  float64 ndarray or tensor gives float64. Lists, Python numbers and integer
  arrays or tensors never set it.
- With no floating input: float64 on numpy, torch's default float
  (``torch.get_default_dtype()``, float32 unless changed) on torch. So
  ``[0.5, 1.5]`` next to ``torch.tensor([0, 1])`` is computed in torch's
  default float, and a float64 ndarray next to a float32 tensor in float64.
"""

from __future__ import annotations

import sys

import numpy as np
from scipy import special as _special


def is_tensor(x) -> bool:
    """True if ``x`` is a ``torch.Tensor`` (without importing torch)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


class NumpyBackend:
    """Array operations on ``numpy.ndarray`` (float64 by default)."""

    name = "numpy"
    inf = np.inf
    pi = np.pi

    # -- creation and conversion ------------------------------------------
    def asarray(self, x, *, like=None):
        """Convert ``x`` to a floating ndarray: ``like``'s dtype when ``like`` is a
        floating ndarray (as the torch backend follows a tensor's), else float64
        unless already floating."""
        a = np.asarray(x)
        if isinstance(like, np.ndarray) and like.dtype.kind == "f":
            return a.astype(like.dtype, copy=False)
        if not np.issubdtype(a.dtype, np.floating):
            a = a.astype(np.float64)
        return a

    def result_dtype(self, *xs):
        """The floating dtype of a computation on ``xs`` (the one promotion policy).

        Floating arrays (and numpy floating scalars) count with their dtype and
        are promoted together (float32 with float32 stays float32); lists, Python
        numbers and integer arrays do not count. With no floating input: float64.
        """
        floats = [
            x.dtype for x in xs if isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "f"
        ]
        return np.result_type(*floats) if floats else np.dtype(np.float64)

    def asarrays(self, *xs, dtype=None):
        """Convert every input to an ndarray of one floating dtype (:meth:`result_dtype`).

        Never truncates: integers become floats, floats are never cast to an
        integer type. ``dtype`` overrides the policy (e.g. computed from the raw
        inputs before a list was converted).
        """
        dtype = self.result_dtype(*xs) if dtype is None else dtype
        return tuple(np.asarray(x, dtype=dtype) for x in xs)

    def scalar(self, value, *, like):
        """A float as the 0-d result of a reduction over ``like`` (its dtype)."""
        return like.dtype.type(value)

    def to_numpy(self, x):
        return np.asarray(x)

    def detach(self, x):
        """``x`` cut from any autograd graph (numpy arrays have none)."""
        return x

    def from_numpy(self, a, *, like=None):
        """``a`` as an ndarray, in ``like``'s dtype when given (as the torch backend)."""
        return np.asarray(a, dtype=None if like is None else like.dtype)

    def astype(self, x, dtype):
        """``x`` in floating ``dtype`` (no copy when it already is)."""
        return np.asarray(x, dtype=dtype)

    def zeros(self, shape, *, like=None):
        dtype = like.dtype if like is not None else np.float64
        return np.zeros(shape, dtype=dtype)

    def ones(self, shape, *, like=None):
        dtype = like.dtype if like is not None else np.float64
        return np.ones(shape, dtype=dtype)

    def full(self, shape, value, *, like=None):
        dtype = like.dtype if like is not None else np.float64
        return np.full(shape, value, dtype=dtype)

    def arange(self, n, *, like=None):
        return np.arange(n)

    def eye(self, d, *, like=None):
        dtype = like.dtype if like is not None else np.float64
        return np.eye(d, dtype=dtype)

    def stack(self, xs, axis=0):
        return np.stack(xs, axis=axis)

    def concatenate(self, xs, axis=0):
        return np.concatenate(xs, axis=axis)

    def reshape(self, x, shape):
        return np.reshape(x, shape)

    def moveaxis(self, x, source, destination):
        return np.moveaxis(x, source, destination)

    def broadcast_arrays(self, *xs):
        return np.broadcast_arrays(*xs)

    def copy(self, x):
        return np.array(x, copy=True)

    # -- elementwise ----------------------------------------------------------
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    exp = staticmethod(np.exp)
    expm1 = staticmethod(np.expm1)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    sign = staticmethod(np.sign)
    where = staticmethod(np.where)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    isnan = staticmethod(np.isnan)
    isinf = staticmethod(np.isinf)
    isfinite = staticmethod(np.isfinite)
    sort = staticmethod(np.sort)
    argsort = staticmethod(np.argsort)
    cumsum = staticmethod(np.cumsum)
    matmul = staticmethod(np.matmul)
    einsum = staticmethod(np.einsum)
    searchsorted = staticmethod(np.searchsorted)

    def clip(self, x, lo=None, hi=None):
        return np.clip(x, lo, hi)

    def sqrt0(self, x):
        """``sqrt(x)`` for ``x >= 0`` (the torch version has a zero gradient at 0)."""
        return np.sqrt(x)

    def power(self, x, a):
        return np.power(x, a)

    # -- reductions -------------------------------------------------------------
    def sum(self, x, axis=None, keepdims=False):
        return np.sum(x, axis=axis, keepdims=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return np.mean(x, axis=axis, keepdims=keepdims)

    def max(self, x, axis=None, keepdims=False):
        return np.max(x, axis=axis, keepdims=keepdims)

    def min(self, x, axis=None, keepdims=False):
        return np.min(x, axis=axis, keepdims=keepdims)

    def any(self, x, axis=None):
        return np.any(x, axis=axis)

    def all(self, x, axis=None):
        return np.all(x, axis=axis)

    def logsumexp(self, x, axis=None, keepdims=False):
        return _special.logsumexp(x, axis=axis, keepdims=keepdims)

    # -- special ------------------------------------------------------------------
    def xlogy(self, x, y):
        """``x * log(y)`` with ``0 * log(y) = 0`` (also for ``y = 0``)."""
        return _special.xlogy(x, y)

    def rel_entr(self, x, y):
        """Elementwise ``x * log(x / y)``: 0 where x = 0, inf where x > 0 = y.

        Same values as ``scipy.special.rel_entr`` but on numpy's SIMD ``log``
        (about 3x faster); ``x / y`` overflowing (y below ~1e-308 x) is redone
        as ``log x - log y``. Inputs must be non-negative (validated upstream).
        """
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            r = np.divide(x, y)
            np.log(r, out=r)
            np.copyto(r, 0.0, where=(x == 0))  # 0 log(0 / y) = 0, also for y = 0
            if r.size and np.max(r) == np.inf:  # x > 0 = y, or x / y overflowed
                xb, yb = np.broadcast_to(x, r.shape), np.broadcast_to(y, r.shape)
                fix = (r == np.inf) & (yb > 0)
                r[fix] = np.log(xb[fix]) - np.log(yb[fix])
            r *= x
        return r

    def rel_entr_sum_1d(self, x, y):
        """``sum_i x_i log(x_i / y_i)`` and the sums and minima of 1-D ``x`` and ``y``, in one pass.

        The fast path of ``kl_divergence``: the arrays are walked in blocks that
        stay in the CPU cache, and each block gives its share of the divergence
        and of the statistics that validate the inputs (sum and minimum of
        each), so the data is read from memory once. Returns the tuple
        ``(kl, sum_x, min_x, sum_y, min_y)`` of Python floats, or None when it does
        not apply (not two 1-D float arrays of one length and dtype).

        The divergence is only trusted when it is finite and the statistics
        show valid probability vectors (``y <= 1``, so ``x / y`` cannot
        underflow): an entry with ``x_i = y_i = 0`` gives NaN, one with
        ``x_i > 0 = y_i`` (or ``x_i / y_i`` beyond float range) gives inf, and the
        caller then takes the general path. Where ``x_i = 0`` the log of the
        ratio is ``-inf``; it is replaced by -800 (below ``log`` of the smallest
        float) so that the term is ``0 * -800 = 0``.
        """
        if not (isinstance(x, np.ndarray) and isinstance(y, np.ndarray)):
            return None
        if x.ndim != 1 or x.shape != y.shape or x.dtype != y.dtype or x.dtype.kind != "f":
            return None
        n = x.shape[0]
        block = _FUSED_BLOCK
        buf = np.empty(min(block, n), dtype=x.dtype)
        kl = sx = sy = 0.0
        mx = my = np.inf
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            for start in range(0, n, block):
                xs, ys = x[start : start + block], y[start : start + block]
                b = buf[: xs.shape[0]]
                np.divide(xs, ys, out=b)
                np.log(b, out=b)
                np.maximum(b, -800.0, out=b)  # log 0 = -inf where x_i = 0: term 0
                kl += float(np.dot(xs, b))
                sx += float(xs.sum())
                sy += float(ys.sum())
                mx = min(mx, float(xs.min()))
                my = min(my, float(ys.min()))
        return kl, sx, mx, sy, my

    # -- linear algebra -----------------------------------------------------------
    def cholesky(self, a):
        return np.linalg.cholesky(a)

    def solve_triangular(self, a, b, *, lower=True):
        """Solve ``a x = b`` for a triangular ``a`` (2-D), ``b`` of shape (d, k)."""
        from scipy.linalg import solve_triangular

        return solve_triangular(a, b, lower=lower)

    def slogdet(self, a):
        return np.linalg.slogdet(a)

    def solve(self, a, b):
        return np.linalg.solve(a, b)

    def eigh(self, a):
        return np.linalg.eigh(a)

    def transpose(self, a):
        """Swap the last two axes."""
        return np.swapaxes(a, -1, -2)

    def trace(self, a):
        return np.trace(a, axis1=-2, axis2=-1)

    # -- scalars --------------------------------------------------------------------
    def item(self, x):
        return float(x)

    def weighted_lse_inplace(self, C):
        r"""``lse(K, h, w, axis)`` = :math:`\log \sum_k w_k \exp(K + h)` along ``axis``
        for arrays ``K`` of ``C``'s shape and dtype (``h`` indexed by the summed axis),
        computed in one work buffer reused by every call (no allocation per iteration:
        the inner step of Sinkhorn's loop). The weights multiply the exponentials, so a
        zero weight gives ``-inf`` (a log of 0), never a NaN."""
        buf = np.empty(C.shape, dtype=C.dtype)

        def lse(K, h, w, axis):
            np.add(K, h[None, :] if axis == 1 else h[:, None], out=buf)
            mx = buf.max(axis=axis)
            mx[~np.isfinite(mx)] = 0.0
            np.subtract(buf, mx[:, None] if axis == 1 else mx[None, :], out=buf)
            np.exp(buf, out=buf)
            s = buf @ w if axis == 1 else w @ buf
            with np.errstate(divide="ignore"):
                return np.log(s) + mx

        return lse


def _positive_strides(x):
    """``x`` as an ndarray torch can wrap: a reversed view (negative strides) is copied."""
    a = np.asarray(x)
    return a.copy() if any(s < 0 for s in a.strides) else a


class TorchBackend:
    """The same operations on ``torch.Tensor`` (keeps device, dtype and graph)."""

    name = "torch"
    inf = float("inf")
    pi = float(np.pi)

    #: Elementwise functions and matmul: torch's own, bound once per backend.
    _SAME_NAME = (
        "log",
        "log1p",
        "exp",
        "expm1",
        "sqrt",
        "abs",
        "sign",
        "isnan",
        "isinf",
        "isfinite",
        "matmul",
    )

    def __init__(self):
        import torch

        self.torch = torch
        for name in self._SAME_NAME:
            setattr(self, name, getattr(torch, name))

    # -- creation and conversion ------------------------------------------
    def asarray(self, x, *, like=None):
        """Convert ``x`` to a floating tensor on ``like``'s device and dtype.

        Tensors keep their graph; integer tensors become the default float dtype.
        """
        t = self.torch
        floating = like is not None and like.is_floating_point()
        if isinstance(x, t.Tensor):
            if like is not None and (x.device != like.device):
                x = x.to(like.device)
            if not x.is_floating_point():
                x = x.to(like.dtype if floating else t.get_default_dtype())
            return x
        dtype = like.dtype if floating else t.get_default_dtype()  # never an integer dtype
        device = like.device if like is not None else None
        return t.as_tensor(_positive_strides(x), dtype=dtype, device=device)

    def result_dtype(self, *xs):
        """The floating dtype of a computation on ``xs`` (the one promotion policy).

        Floating tensors and numpy floating arrays count with their dtype and are
        promoted together (a float32 tensor next to a float64 ndarray gives
        float64; float32 alone stays float32); lists, Python numbers and integer
        tensors or arrays do not count. With no floating input, torch's default
        float (``torch.get_default_dtype()``). A float list next to an integer
        tensor is therefore never truncated to integers.
        """
        t = self.torch
        out = None
        for x in xs:
            if isinstance(x, t.Tensor):
                dt = x.dtype if x.is_floating_point() else None
            elif isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind == "f":
                dt = t.from_numpy(np.zeros(0, dtype=x.dtype)).dtype
            else:
                dt = None
            if dt is not None:
                out = dt if out is None else t.promote_types(out, dt)
        return out if out is not None else t.get_default_dtype()

    def asarrays(self, *xs, dtype=None):
        """Convert every input to a tensor of one floating dtype, on the first tensor's device.

        The dtype is :meth:`result_dtype` (or ``dtype``). Tensors keep their
        autograd graph (``.to`` is differentiable and a no-op when nothing changes).
        """
        t = self.torch
        dtype = self.result_dtype(*xs) if dtype is None else dtype
        ref = first_tensor(*xs)
        device = ref.device if ref is not None else None
        return tuple(
            x.to(dtype=dtype, device=device)
            if isinstance(x, t.Tensor)
            else t.as_tensor(_positive_strides(x), dtype=dtype, device=device)
            for x in xs
        )

    def scalar(self, value, *, like):
        """A float as a 0-d tensor of ``like``'s dtype and device."""
        return self.torch.tensor(value, dtype=like.dtype, device=like.device)

    def to_numpy(self, x):
        """The values of ``x`` as an ndarray (for checks and reporting, never for maths).

        Under ``torch.func`` transforms (``vmap``, ``grad``, ``jacrev``) a tensor is a
        wrapper without storage; its values are those of the tensor it wraps, so the
        input checks still see every entry (they used to crash there).
        """
        functorch = self.torch._C._functorch
        if not functorch.is_functorch_wrapped_tensor(x):
            return x.detach().cpu().numpy()
        while functorch.is_functorch_wrapped_tensor(x):
            x = functorch.get_unwrapped(x)
        with self.torch._C._DisableFuncTorch():  # read the values outside the transform
            return x.detach().cpu().numpy()

    def detach(self, x):
        """``x`` cut from the autograd graph (same storage)."""
        return x.detach()

    def is_differentiated(self, x):
        """True if ``x`` requires grad or is wrapped by a ``torch.func`` transform."""
        return x.requires_grad or self.torch._C._functorch.is_functorch_wrapped_tensor(x)

    def from_numpy(self, a, *, like=None):
        return self.asarray(a, like=like)

    def astype(self, x, dtype):
        """``x`` in floating ``dtype`` (differentiable; a no-op when it already is)."""
        return x.to(dtype)

    def _kw(self, like):
        if like is None:
            return {"dtype": self.torch.get_default_dtype()}
        return {"dtype": like.dtype, "device": like.device}

    def zeros(self, shape, *, like=None):
        return self.torch.zeros(shape, **self._kw(like))

    def ones(self, shape, *, like=None):
        return self.torch.ones(shape, **self._kw(like))

    def full(self, shape, value, *, like=None):
        return self.torch.full(shape, value, **self._kw(like))

    def arange(self, n, *, like=None):
        device = like.device if like is not None else None
        return self.torch.arange(n, device=device)

    def eye(self, d, *, like=None):
        return self.torch.eye(d, **self._kw(like))

    def stack(self, xs, axis=0):
        return self.torch.stack(list(xs), dim=axis)

    def concatenate(self, xs, axis=0):
        return self.torch.cat(list(xs), dim=axis)

    def reshape(self, x, shape):
        return self.torch.reshape(x, shape)

    def moveaxis(self, x, source, destination):
        return self.torch.movedim(x, source, destination)

    def broadcast_arrays(self, *xs):
        return self.torch.broadcast_tensors(*xs)

    def copy(self, x):
        return x.clone()

    # -- elementwise ----------------------------------------------------------
    def where(self, cond, a, b):
        t = self.torch
        ref = a if isinstance(a, t.Tensor) else b if isinstance(b, t.Tensor) else None
        if not isinstance(a, t.Tensor):
            a = t.as_tensor(a, **self._kw(ref))
        if not isinstance(b, t.Tensor):
            b = t.as_tensor(b, **self._kw(ref))
        return t.where(cond, a, b)

    def _pair(self, a, b):
        """``a`` and ``b`` as tensors, a number taking the other's dtype and device."""
        t = self.torch
        if not isinstance(b, t.Tensor):
            b = t.as_tensor(b, dtype=a.dtype, device=a.device)
        if not isinstance(a, t.Tensor):
            a = t.as_tensor(a, dtype=b.dtype, device=b.device)
        return a, b

    def maximum(self, a, b):
        return self.torch.maximum(*self._pair(a, b))

    def minimum(self, a, b):
        return self.torch.minimum(*self._pair(a, b))

    def sort(self, x, axis=-1):
        return self.torch.sort(x, dim=axis).values

    def argsort(self, x, axis=-1):
        return self.torch.argsort(x, dim=axis)

    def cumsum(self, x, axis=-1):
        return self.torch.cumsum(x, dim=axis)

    def einsum(self, spec, *xs):
        return self.torch.einsum(spec, *xs)

    def searchsorted(self, a, v, side="left"):
        return self.torch.searchsorted(a, v, right=(side == "right"))

    def clip(self, x, lo=None, hi=None):
        return self.torch.clamp(x, lo, hi)

    def sqrt0(self, x):
        """``sqrt(x)`` for ``x >= 0`` whose gradient at ``x = 0`` is 0 instead of inf.

        The double ``where`` keeps both branches finite, so no NaN leaks into
        the gradient of the entries that are 0.
        """
        t = self.torch
        zero = x == 0
        return t.where(zero, t.zeros_like(x), t.sqrt(t.where(zero, t.ones_like(x), x)))

    def power(self, x, a):
        return self.torch.pow(x, a)

    # -- reductions -------------------------------------------------------------
    def _dims(self, axis):
        return tuple(axis) if isinstance(axis, (tuple, list)) else axis

    def _reduce(self, whole, along, x, axis, keepdims):
        """``whole(x)`` over every entry, or ``along`` over ``axis`` (an int or a tuple)."""
        if axis is None:
            return whole(x)
        return along(x, dim=self._dims(axis), keepdim=keepdims)

    def sum(self, x, axis=None, keepdims=False):
        return self._reduce(self.torch.sum, self.torch.sum, x, axis, keepdims)

    def mean(self, x, axis=None, keepdims=False):
        return self._reduce(self.torch.mean, self.torch.mean, x, axis, keepdims)

    def max(self, x, axis=None, keepdims=False):
        return self._reduce(self.torch.max, self.torch.amax, x, axis, keepdims)

    def min(self, x, axis=None, keepdims=False):
        return self._reduce(self.torch.min, self.torch.amin, x, axis, keepdims)

    def any(self, x, axis=None):
        return self.torch.any(x) if axis is None else self.torch.any(x, dim=axis)

    def all(self, x, axis=None):
        return self.torch.all(x) if axis is None else self.torch.all(x, dim=axis)

    def logsumexp(self, x, axis=None, keepdims=False):
        if axis is None:
            return self.torch.logsumexp(x.reshape(-1), dim=0)
        return self.torch.logsumexp(x, dim=self._dims(axis), keepdim=keepdims)

    # -- special ------------------------------------------------------------------
    def xlogy(self, x, y):
        """``x * log(y)`` with ``0 * log(y) = 0``, and a finite gradient at x = 0.

        ``torch.xlogy`` returns the right value but its gradient with respect to
        ``y`` is ``x / y = 0 / 0 = nan`` where both vanish; the double ``where``
        keeps every branch finite so the gradient is exactly 0 there.
        """
        t = self.torch
        zero = x == 0
        safe_y = t.where(zero, t.ones_like(y), y)
        return t.where(zero, t.zeros_like(x * safe_y), x * t.log(safe_y))

    def rel_entr(self, x, y):
        """Elementwise ``x * log(x / y)``: 0 where x = 0 (gradient 0), inf where x > 0 = y.

        Without a graph to record, CPU tensors go through numpy's kernel (zero
        copy, about 2x faster than the torch ops on one thread).
        """
        t = self.torch
        graph = t.is_grad_enabled() and (x.requires_grad or y.requires_grad)
        if not graph and x.device.type == "cpu" and y.device.type == "cpu":
            return t.from_numpy(_NUMPY.rel_entr(x.detach().numpy(), y.detach().numpy()))
        zero = x == 0
        safe_x = x.masked_fill(zero, 1.0)
        safe_y = y.masked_fill(zero, 1.0)  # no log(0) where x = y = 0: finite gradient
        r = safe_x * (t.log(safe_x) - t.log(safe_y))
        return r.masked_fill(zero, 0.0)

    def rel_entr_sum_1d(self, x, y):
        """:meth:`NumpyBackend.rel_entr_sum_1d` on CPU tensors that record no graph (else None)."""
        t = self.torch
        graph = t.is_grad_enabled() and (x.requires_grad or y.requires_grad)
        if graph or x.device.type != "cpu" or y.device.type != "cpu":
            return None
        return _NUMPY.rel_entr_sum_1d(x.detach().numpy(), y.detach().numpy())

    # -- linear algebra -----------------------------------------------------------
    def cholesky(self, a):
        return self.torch.linalg.cholesky(a)

    def solve_triangular(self, a, b, *, lower=True):
        return self.torch.linalg.solve_triangular(a, b, upper=not lower)

    def slogdet(self, a):
        return self.torch.linalg.slogdet(a)

    def solve(self, a, b):
        return self.torch.linalg.solve(a, b)

    def eigh(self, a):
        return self.torch.linalg.eigh(a)

    def transpose(self, a):
        return a.transpose(-1, -2)

    def trace(self, a):
        return self.torch.diagonal(a, dim1=-2, dim2=-1).sum(-1)

    # -- scalars --------------------------------------------------------------------
    def item(self, x):
        return float(x.detach().cpu())

    def weighted_lse_inplace(self, C):
        r"""As :meth:`NumpyBackend.weighted_lse_inplace`: one (n, m) temporary per call,
        updated in place (autograd-safe: the subtraction needs no saved value and exp
        saves its own output); the shift by the max is detached."""

        def lse(K, h, w, axis):
            Z = K + (h[None, :] if axis == 1 else h[:, None])  # a fresh (n, m) tensor
            mx = self.detach(self.max(Z, axis=axis))
            mx = self.where(self.isfinite(mx), mx, 0.0)
            Z.sub_(mx[:, None] if axis == 1 else mx[None, :]).exp_()  # exp keeps its output
            return self.log(self.matmul(Z, w) if axis == 1 else self.matmul(w, Z)) + mx

        return lse


#: Block length of the one-pass kernels (``rel_entr_sum_1d``): 32768 float64 = 256 kB,
#: which stays in a core's L2 cache (measured best of 2^12 ... 2^17 on 10^7 entries).
_FUSED_BLOCK = 1 << 15

_NUMPY = NumpyBackend()
_TORCH = None


def get_backend(*arrays):
    r"""The array backend of the inputs: torch's if any input is a tensor, else numpy's.

    The backend ``nx`` has the same methods for both libraries (``nx.log``,
    ``nx.sum(x, axis=...)``, ``nx.where``, ``nx.xlogy``, ``nx.sqrt0``...), so a
    function written with them works on numpy arrays and on torch tensors
    (keeping device, dtype and the autograd graph). divlib's own functions
    start this way; it is public so that a user's callable, such as the
    generator ``f`` of :func:`divlib.f_divergence`, can be written once for
    both. Mixed inputs resolve to torch; ``nx.asarrays(*xs)`` converts them
    all to one floating dtype (``nx.result_dtype``: floating inputs keep
    their precision, integers and lists never truncate).

    Parameters
    ----------
    *arrays : array_like or torch.Tensor
        The inputs of a computation.

    Returns
    -------
    nx : backend
        The numpy backend, or the torch backend if any input is a
        ``torch.Tensor``. torch is never imported by this call.

    Examples
    --------
    A generator :math:`f(t) = t \log t` for :func:`divlib.f_divergence`, for
    numpy and torch inputs alike:

    >>> import numpy as np
    >>> from divlib import f_divergence, get_backend, kl_divergence
    >>> def f(t):
    ...     nx = get_backend(t)
    ...     return nx.xlogy(t, t)
    >>> p, q = np.array([0.2, 0.8]), np.array([0.5, 0.5])
    >>> bool(np.isclose(f_divergence(p, q, f), kl_divergence(p, q)))
    True
    >>> get_backend(p).name
    'numpy'
    """
    global _TORCH
    if any(is_tensor(a) for a in arrays):
        if _TORCH is None:
            _TORCH = TorchBackend()
        return _TORCH
    return _NUMPY


def first_tensor(*arrays):
    """The first ``torch.Tensor`` among ``arrays``, or None (for ``like=``)."""
    for a in arrays:
        if is_tensor(a):
            return a
    return None


# -- torch-only functions (score matching, duality, models): one conversion policy ----


def import_torch():
    """The torch module: the one way divlib loads torch (inside torch-only functions,
    never at ``import divlib``)."""
    import torch

    return torch


def _torch_backend():
    """The torch backend (created, and torch imported, on first use)."""
    global _TORCH
    if _TORCH is None:
        _TORCH = TorchBackend()
    return _TORCH


def float_dtype(*xs):
    """The torch floating dtype of a computation on ``xs``: exactly
    :meth:`TorchBackend.result_dtype` (the one promotion policy of the module
    docstring; lists and Python numbers never set it). Dtypes are validated
    first (``_validation.check_real_dtype``)."""
    return _torch_backend().result_dtype(*xs)


def to_tensors(*xs, dtype=None):
    """Convert inputs to floating tensors of one dtype on the first tensor's device.

    ``dtype`` defaults to :func:`float_dtype` of the inputs (pass the *raw*
    inputs: a list converted to an ndarray first would count as float64).
    Tensors keep their autograd graph (``.to`` is differentiable and a no-op
    when nothing changes).
    """
    return _torch_backend().asarrays(*xs, dtype=float_dtype(*xs) if dtype is None else dtype)
