"""A one-ledger run keeps the memory it frees for reuse (automation/heap_reuse.py): freed
blocks are not handed back to the kernel and faulted in again."""

import os
import subprocess
import sys
import textwrap

import pytest

from tests.ledger_factory import PROJECT_ROOT

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")

# Allocating 32 MB in 4 MB blocks and freeing them, ten times: with glibc's defaults the
# freed top of the heap goes back to the kernel each time (8,192 pages faulted in again);
# kept, the blocks are reused.
_CHURN = textwrap.dedent("""
    import resource, sys
    import numpy as np
    if sys.argv[1] == "tuned":
        from automation.heap_reuse import reuse_freed_memory
        assert reuse_freed_memory()
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(2):
        blocks = [np.ones(500_000) for _ in range(8)]; del blocks
    before = faults()
    for _ in range(10):
        blocks = [np.ones(500_000) for _ in range(8)]; del blocks
    print(faults() - before)
""")


def _faults(mode: str) -> int:
    # glibc's defaults: nothing from the environment tunes malloc for the comparison
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("MALLOC_") and name != "GLIBC_TUNABLES"}
    run = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True, timeout=60,
                         cwd=PROJECT_ROOT, env=environment)
    assert run.returncode == 0, run.stderr
    return int(run.stdout)


def test_freed_blocks_are_reused_instead_of_faulted_in_again():
    assert _faults("default") > 10 * 8 * 1000 * 0.5  # glibc's defaults: most pages each time
    assert _faults("tuned") < 1000


def test_a_run_on_a_big_ledger_asks_for_it_and_a_small_ledger_or_a_service_does_not(tmp_path):
    code = textwrap.dedent("""
        import sys
        from automation import early_read, heap_reuse
        asked = []
        heap_reuse.reuse_freed_memory = lambda: asked.append(True) or True
        early_read.start(sys.argv[1:])
        print(len(asked))
    """)
    from automation.heap_reuse import MIN_FILE

    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(b"PK\x03\x04" + b" not really a workbook" * (MIN_FILE // 20))
    small = tmp_path / "小台账.xlsx"
    small.write_bytes(b"PK\x03\x04 not really a workbook")
    for arguments, expected in ((["stats", str(ledger)], "1"), (["stats", str(small)], "0"), (["serve"], "0"),
                                (["stats", str(tmp_path)], "0")):
        run = subprocess.run([sys.executable, "-c", code, *arguments], capture_output=True, text=True, timeout=60,
                             cwd=PROJECT_ROOT)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == expected, arguments
