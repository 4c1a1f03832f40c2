"""Print the environment that imitates another CPU's floating point on this one.

torch, MKL, OpenBLAS and numpy each choose their kernels from the processor's
instruction set, and kernels for different instruction sets round differently in the
last bits. Training and sampling amplify those bits, so an output stored on one machine
can differ on another. ``make test`` runs nbval with these variables set, so that a
stored output that depends on the last bits fails here, not on a reader's laptop.

Each variable was seen to change results on a machine of this project's kind
(AMD EPYC with AVX-512), on a probe of matrix products, exp/log/tanh and a solve:

- ``ATEN_CPU_CAPABILITY=default``: torch's ATen kernels without SIMD dispatch;
- ``MKL_CBWR=COMPATIBLE``: MKL's conditional-numerical-reproducibility mode
  (torch's CPU matrix products);
- ``OPENBLAS_CORETYPE``: another OpenBLAS kernel set for numpy and scipy's BLAS and
  LAPACK (Haswell on a machine with AVX-512, Sandybridge on one with AVX2 only);
- ``NPY_DISABLE_CPU_FEATURES``: numpy's own SIMD loops (exp, log, ...) without their
  AVX-512 versions, where the machine has them.

Only variables that make sense on this processor are printed (an OpenBLAS core type
the CPU cannot run would crash it; numpy refuses to disable a feature it lacks). Usage::

    env $(python scripts/other_cpu.py) python -m pytest --nbval ...
    python scripts/other_cpu.py --explain     # one line per variable, with its reason
"""

from __future__ import annotations

import platform
import sys

#: numpy's names of the AVX-512 groups it dispatches to (numpy 2.x); only those the
#: machine has are disabled.
NUMPY_AVX512 = ("X86_V4", "AVX512_ICL", "AVX512_SPR", "AVX512F", "AVX512_SKX")


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _numpy_features() -> set[str]:
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:  # numpy < 2
        return set()
    return {f for f in __cpu_dispatch__ if __cpu_features__.get(f)}


def variables() -> list[tuple[str, str, str]]:
    """(name, value, reason) of every variable that perturbs this machine's numerics."""
    out = [
        (
            "ATEN_CPU_CAPABILITY",
            "default",
            "torch: generic ATen kernels, no SIMD dispatch",
        ),
        (
            "MKL_CBWR",
            "COMPATIBLE",
            "torch: MKL's compatible code path for matrix products",
        ),
    ]
    if platform.machine() in ("x86_64", "AMD64"):
        flags = _cpu_flags()
        if "avx512f" in flags:
            out.append(("OPENBLAS_CORETYPE", "Haswell", "numpy/scipy BLAS: AVX2 kernels"))
        elif "avx2" in flags:
            out.append(("OPENBLAS_CORETYPE", "Sandybridge", "numpy/scipy BLAS: AVX kernels"))
        disable = [f for f in NUMPY_AVX512 if f in _numpy_features()]
        if disable:
            out.append(
                (
                    "NPY_DISABLE_CPU_FEATURES",
                    ",".join(disable),
                    "numpy: no AVX-512 loops",
                )
            )
    return out


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    rows = variables()
    if "--explain" in args:
        for name, value, why in rows:
            print(f"{name}={value}  # {why}")
    else:
        print(" ".join(f"{name}={value}" for name, value, _ in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
