"""The roster's tree without Qt: groups by type and street, the units shown in each, in order.

:class:`RosterTree` knows where each shown unit sits (its group keys and its place in its
group) and builds the whole tree from the units at once; the model
(:class:`~console.views.unit_model.UnitRosterModel`) changes it one unit at a time between its
Qt signals. Every node has an id (``nid``) that the model's indexes carry; ids are never reused,
so an index left over from before a rebuild finds no node rather than the wrong one.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from console.domain.units import Unit

#: The group levels a roster may use, each at most once, outermost first.
LEVELS = ("type", "street")

GroupKey = Callable[[str, Any], tuple[Any, ...]]


class Group:
    """A tree node: the root (depth 0) or a group. Above the last level its children are
    groups (found by key in ``by_key``); at the last level they are unit ids."""

    __slots__ = ("by_key", "children", "count", "depth", "key", "nid", "parent")

    def __init__(self, nid: int, depth: int, key: Any, parent: Group | None) -> None:
        self.nid = nid
        self.depth = depth
        self.key = key
        self.parent = parent
        self.children: list[Any] = []
        self.by_key: dict[Any, Group] = {}
        self.count = 0


def check_levels(grouping: Iterable[str]) -> tuple[str, ...]:
    """``grouping`` as a tuple of levels; ValueError if a level is unknown or repeated."""
    levels = tuple(grouping)
    if any(level not in LEVELS for level in levels) or len(set(levels)) != len(levels):
        raise ValueError(f"grouping must use each of {LEVELS} at most once, got {levels!r}")
    return levels


class RosterTree:
    """Groups and shown units.

    Attributes:
        levels: the group levels, outermost first.
        root: the root node; ``nodes`` maps every node's id to it.
        path: shown unit id → its group keys, outermost first.
        leaf_key: shown unit id → its order in its group (name, then id).
    """

    def __init__(self, levels: tuple[str, ...]) -> None:
        self.levels = levels
        self._nids = itertools.count(1)
        self.root = Group(0, 0, None, None)
        self.nodes: dict[int, Group] = {0: self.root}
        self.path: dict[str, tuple[Any, ...]] = {}
        self.leaf_key: dict[str, tuple[str, str]] = {}

    def build(self, units: Mapping[str, Unit], accepts: Callable[[Unit], bool],
              group_key: GroupKey) -> None:
        """Build the whole tree from ``units``, keeping those ``accepts`` lets through; groups
        of a level are ordered by ``group_key(level, key)``."""
        self.root = Group(0, 0, None, None)
        self.nodes = {0: self.root}
        self.path.clear()
        self.leaf_key.clear()
        members: dict[tuple[Any, ...], list[str]] = {}
        for uid, unit in units.items():
            if accepts(unit):
                path = self.unit_path(unit)
                self.path[uid] = path
                self.leaf_key[uid] = self.unit_key(unit)
                members.setdefault(path, []).append(uid)
        for path, uids in members.items():
            node = self.root
            node.count += len(uids)
            for depth, key in enumerate(path, start=1):
                child = node.by_key.get(key)
                if child is None:
                    child = node.by_key[key] = self.new_group(depth, key, node)
                    node.children.append(child)
                child.count += len(uids)
                node = child
            node.children.extend(uids)
        for node in list(self.nodes.values()):
            if node.depth < len(self.levels):
                node.children.sort(key=group_order(self.levels[node.depth], group_key))
            else:
                node.children.sort(key=self.leaf_key.__getitem__)

    def walk(self, path: tuple[Any, ...]) -> Group:
        node = self.root
        for key in path:
            node = node.by_key[key]
        return node

    def unit_row(self, group: Group, uid: str) -> int:
        return bisect.bisect_left(group.children, self.leaf_key[uid],
                                  key=self.leaf_key.__getitem__)

    def unit_path(self, unit: Unit) -> tuple[Any, ...]:
        return tuple(unit.type if level == "type" else (unit.street or "")
                     for level in self.levels)

    @staticmethod
    def unit_key(unit: Unit) -> tuple[str, str]:
        return (unit.name.casefold(), unit.id)

    def new_group(self, depth: int, key: Any, parent: Group) -> Group:
        group = Group(next(self._nids), depth, key, parent)
        self.nodes[group.nid] = group
        return group

    def forget(self, group: Group) -> None:
        """Drop ``group`` and the groups below it from :attr:`nodes`."""
        self.nodes.pop(group.nid, None)
        if group.depth < len(self.levels):
            for child in group.children:
                self.forget(child)

    @staticmethod
    def count(node: Group | None, delta: int) -> None:
        """Add ``delta`` to the unit counts of ``node`` and its ancestors (the model does it
        inside its insert/remove bracket, so a group's label is already right when
        ``rowsInserted``/``rowsRemoved`` arrive)."""
        while node is not None:
            node.count += delta
            node = node.parent


def group_order(level: str, group_key: GroupKey) -> Callable[[Group], tuple[Any, ...]]:
    """The sort key of the groups of ``level``."""
    def order(group: Group) -> tuple[Any, ...]:
        return group_key(level, group.key)

    return order
