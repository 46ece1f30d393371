"""Keep freed memory in the process for reuse, over a command line run on one ledger (Linux).

A 50,000-row refresh allocates and frees many blocks of a few hundred KB (numpy's row masks
and codes, each column's arrays): glibc's malloc hands each such block to the kernel with
munmap when it is freed and maps a new one for the next, so every page is faulted in and
zeroed again. A refresh took ~115,000 page faults (a raw calamine read ~45,000), about
0.4 s of system time. With blocks up to 32 MB served from the heap, and the heap's top
neither given back nor grown in small steps, a refresh takes ~88,000 faults and ~0.07 s less
system time (A/B of 12 interleaved runs: the best run 0.03-0.08 s faster; medians mixed).
The price is memory that stays mapped until the run ends, a few seconds later: the peak
rises by up to ~60 MB at 50,000 rows (long_titles: 286 -> 337 MB, against a budget of
600 MB), the freed blocks no longer going back between their uses.

Only a one-ledger run on a big file (`early_read.start`, `MIN_FILE`) asks for it, before its
helper is forked so that the helper runs with it too; a small ledger does not churn enough
to repay loading ctypes (~15 ms of a 0.25 s click), and a long-running service keeps
glibc's defaults.
"""

from __future__ import annotations

import sys

#: Files smaller than this (about 1,000 rows of a typical ledger) keep glibc's defaults.
MIN_FILE = 600_000
#: mallopt's parameters (glibc's malloc.h).
_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap (glibc's maximum on 64-bit systems).
MMAP_THRESHOLD = 32 * 1024 * 1024
#: The heap's top is given back to the kernel only past this much free memory...
TRIM_THRESHOLD = 1024 * 1024 * 1024
#: ...and grows by this much more than asked, each time it grows.
TOP_PAD = 64 * 1024 * 1024


def reuse_freed_memory() -> bool:
    """Tune glibc's malloc for this process as described above; True when it took. Nothing
    happens elsewhere (Windows, macOS, another C library)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    # the threshold first: setting the others alone would stop glibc from raising it itself
    settings = ((_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD), (_M_TOP_PAD, TOP_PAD))
    return all([mallopt(parameter, value) == 1 for parameter, value in settings])
