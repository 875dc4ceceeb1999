"""How a tracked cart moves between its states: a pure table, beside :mod:`.status`'s
rules for leads. Each move names the states it may start from and the one it ends in;
the sweep's and the orders' SQL take both from here (:func:`starts`, :func:`ends`).

    active ──idle──▶ abandoned ──timed out──▶ lost
      ▲ │              │ │
      │ └checked out┐  │ └─won back (an order after a recovery email)─▶ recovered
      └──changed────┼──┘
                    ▼        ended (the lead ordered without this cart's email)
               checked_out ◀──────────────────────────────── abandoned

A cart whose id the shop reuses after its checkout starts again as ``active``.
"""

from __future__ import annotations

from enum import StrEnum

from .constants import CartState
from .i18n import N_, gettext


class CartMove(StrEnum):
    IDLE = "idle"  # the sweep: no change for the abandonment cut-off (owner_settings)
    CHANGED = "changed"  # the shopper came back and changed an abandoned cart
    CHECKED_OUT = "checked_out"  # an order names this cart
    WON_BACK = "won_back"  # the lead ordered after a recovery email for this cart
    ENDED = "ended"  # the lead ordered, and this abandoned cart had no email yet
    TIMED_OUT = "timed_out"  # abandoned for the days until lost (owner_settings)
    REUSED = "reused"  # the shop reports new lines under a checked-out cart's id


_ANY = frozenset(CartState)

#: move → (the states it starts from, the state it ends in)
MOVES: dict[CartMove, tuple[frozenset[CartState], CartState]] = {
    CartMove.IDLE: (frozenset({CartState.ACTIVE}), CartState.ABANDONED),
    CartMove.CHANGED: (frozenset({CartState.ABANDONED}), CartState.ACTIVE),
    CartMove.CHECKED_OUT: (frozenset({CartState.ACTIVE}), CartState.CHECKED_OUT),
    CartMove.WON_BACK: (frozenset({CartState.ABANDONED}), CartState.RECOVERED),
    CartMove.ENDED: (frozenset({CartState.ABANDONED}), CartState.CHECKED_OUT),
    CartMove.TIMED_OUT: (frozenset({CartState.ABANDONED}), CartState.LOST),
    CartMove.REUSED: (_ANY, CartState.ACTIVE),
}


def starts(move: CartMove) -> list[str]:
    """The states ``move`` may start from, for an SQL ``IN``."""
    return sorted(state.value for state in MOVES[move][0])


def ends(move: CartMove) -> CartState:
    return MOVES[move][1]


def can(state: CartState | str, move: CartMove) -> bool:
    """Whether ``move`` starts from ``state``."""
    return CartState(state) in MOVES[move][0]


def moved(state: CartState | str, move: CartMove) -> CartState:
    """The state after ``move``; a move that does not start from ``state`` leaves it."""
    return MOVES[move][1] if can(state, move) else CartState(state)


#: How the back office names each state: words a shop owner uses (see :func:`label`).
LABELS: dict[str, str] = {
    CartState.ACTIVE: N_("Shopping"),
    CartState.ABANDONED: N_("Abandoned"),
    CartState.RECOVERED: N_("Recovered"),
    CartState.LOST: N_("Lost"),
    CartState.CHECKED_OUT: N_("Ordered"),
}


def label(state: str) -> str:
    """A state as the back office names it, in the reader's language."""
    return gettext(LABELS.get(state, state))
