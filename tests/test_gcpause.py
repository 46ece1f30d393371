"""The cyclic collector paused over a ledger's bulk work (issue 14 point 4)."""

from __future__ import annotations

import gc
import weakref

from automation.gcpause import collector_paused


class Node:
    pass


def test_paused_inside_resumed_after_and_cycles_made_meanwhile_are_still_collected():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block leaves it paused
            assert not gc.isenabled()
        assert not gc.isenabled()
        node = Node()
        node.self = node  # a reference cycle: only the cyclic collector frees it
        alive = weakref.ref(node)
        del node
    assert gc.isenabled()
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_a_collector_turned_off_before_stays_off_and_frozen_objects_stay_frozen():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()  # as the units pool does before forking its workers
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            Node()
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_what_the_block_allocated_is_not_walked_by_the_next_young_pass():
    with collector_paused():
        kept = [[index] for index in range(50_000)]  # lists are tracked by the collector
    young = gc.get_count()[0]
    assert young < 1_000  # without aging, 50,000 allocations would be pending in generation 0
    assert len(kept) == 50_000
