"""Parse a big ledger sheet in two halves, on two cores (Linux).

calamine parses a sheet on one core, and the values it gives are then hashed column by column
(automation/distinct.py) on that same core: on a 50,000-row ledger about 1.2 s with the
second core idle. Here the sheet's XML is cut in two at a row boundary near its middle: the
process parses the first half, a helper process forked at launch parses the second half and
factorizes its columns (each distinct value once, with the row where it first appears), and
the reader joins the two (`SplitGrid`, `Distinct.of(..., tail=...)`). The grid and the codes
are exactly those of a whole parse (tests/test_split_read.py compares them cell by cell).

It is an optimisation that never decides anything:
- the helper is forked before any thread exists (`fork_helper`, from automation.launch) and
  works on the very bytes the process read before forking; it writes its answer, a frame per
  column, to an anonymous file in memory (never waiting for the reader) and leaves with
  os._exit (no atexit, no buffered output, no lock); the reader takes the answer once the
  helper has ended with status 0, and the kernel ends the helper with the process that
  forked it;
- both processes compute the cut from the same bytes by the same rule (`locate_cut`); the
  reader uses the halves only when the helper cut the same sheet at the same row, and any
  failure or disagreement falls back to the whole parse (`early_read`);
- only on Linux (fork), for sheets of at least `cut.SPLIT_MIN_XML` bytes of XML; on Windows
  and for small sheets nothing changes. `LEDGER_NO_SPLIT_READ=1` turns it off.

The modules: `cut` finds the sheet's part and the row where it is cut and builds each half's
workbook; `helper` is the forked process and the frames it writes; `joined` is the grid joined from the
two halves, as the reader sees it.
"""

from __future__ import annotations

import os
import sys

from automation.split_read.cut import (Cut, big_member, choose_target, first_half_pieces, half_book, inflate,
                                       locate_cut, open_half_book, plan, plan_with_prefix, second_half_pieces,
                                       worksheet_parts)
from automation.split_read.helper import Block, Helper, TailColumn, answer_of, fork_helper, helper_work, second_half
from automation.split_read.joined import HalfBook, Prepared, SplitGrid, SplitSheet, prepare

__all__ = ["Block", "Cut", "HalfBook", "Helper", "Prepared", "SplitGrid", "SplitSheet", "TailColumn", "answer_of",
           "big_member", "choose_target", "enabled", "first_half_pieces", "fork_helper", "half_book", "helper_work",
           "inflate", "locate_cut", "open_half_book", "plan", "plan_with_prefix", "prepare", "second_half",
           "second_half_pieces", "worksheet_parts"]


def enabled() -> bool:
    """Whether this run may fork a helper: Linux, and not turned off."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and not os.environ.get("LEDGER_NO_SPLIT_READ"))
