"""What start-up built leaves the cyclic garbage collector's sight, once per process; what
requests build later is still collected."""

from __future__ import annotations

import gc

from service.heap import freeze_start_up_objects


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_start_up_objects_are_frozen_once_and_later_garbage_is_still_collected() -> None:
    freeze_start_up_objects()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # modules, classes, the schemas: whatever this process built
    later = [Node() for _ in range(100)]
    freeze_start_up_objects()  # a second app in the same process: nothing more is frozen
    assert gc.get_freeze_count() == frozen
    assert any(obj is later for obj in gc.get_objects())  # the collector still sees it
    ids = {id(node) for node in later}
    del later
    gc.collect()
    assert not any(id(obj) in ids for obj in gc.get_objects() if isinstance(obj, Node))
