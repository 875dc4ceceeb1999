"""The automatic status rules of docs/rules.md §1, alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadcapture import LeadStatus, Trigger, automatic_status

S = LeadStatus


@pytest.mark.parametrize(
    "trigger, expected",
    [
        (Trigger.CREATED, S.LEAD),
        (Trigger.SIGNED_UP, S.OPEN),
        (Trigger.CART_ABANDONED, S.OPEN),
        (Trigger.CONTACT_DATE_REACHED, S.OPEN),
        (Trigger.COMMUNICATION_SENT, S.REPLIED),
        (Trigger.EMAIL_RECEIVED, S.OPEN),
        (Trigger.OPPORTUNITY_MADE, S.OPPORTUNITY),
        (Trigger.QUOTATION_MADE, S.QUOTATION),
        (Trigger.QUOTATION_LOST, S.LOST_QUOTATION),
        (Trigger.RECOVERY_LINK_CLICKED, S.INTERESTED),
        (Trigger.UNSUBSCRIBED, S.DO_NOT_CONTACT),
        (Trigger.ORDER_PLACED, S.CONVERTED),
    ],
)
def test_each_event_sets_its_status(trigger: Trigger, expected: LeadStatus) -> None:
    assert automatic_status(S.LEAD, trigger) == expected


def test_the_nine_status_values_are_exactly_the_products() -> None:
    assert [s.value for s in S] == [
        "Lead",
        "Open",
        "Replied",
        "Opportunity",
        "Quotation",
        "Lost Quotation",
        "Interested",
        "Converted",
        "Do Not Contact",
    ]


def test_a_new_lead_from_a_sign_up_is_open_and_from_a_form_is_lead() -> None:
    assert automatic_status(None, Trigger.SIGNED_UP) == S.OPEN
    assert automatic_status(None, Trigger.CREATED) == S.LEAD


@pytest.mark.parametrize(
    "current, expected",
    [
        (S.LEAD, S.OPEN),
        (S.REPLIED, S.OPEN),
        (S.OPPORTUNITY, S.OPPORTUNITY),
        (S.QUOTATION, S.QUOTATION),
        (S.INTERESTED, S.INTERESTED),
        (S.OPEN, S.OPEN),
    ],
)
def test_an_abandoned_cart_reopens_only_lead_and_replied(
    current: LeadStatus, expected: LeadStatus
) -> None:
    assert automatic_status(current, Trigger.CART_ABANDONED) == expected


@given(st.sampled_from(Trigger))
def test_no_rule_moves_a_lead_out_of_converted(trigger: Trigger) -> None:
    assert automatic_status(S.CONVERTED, trigger) == S.CONVERTED


@given(st.sampled_from(Trigger))
def test_do_not_contact_only_ever_becomes_converted(trigger: Trigger) -> None:
    assert automatic_status(S.DO_NOT_CONTACT, trigger) in (S.DO_NOT_CONTACT, S.CONVERTED)
    if trigger == Trigger.ORDER_PLACED:
        assert automatic_status(S.DO_NOT_CONTACT, trigger) == S.CONVERTED


def test_the_cart_state_table_says_where_each_move_starts_and_ends() -> None:
    from leadcapture.cartstates import MOVES, CartMove, moved, starts
    from leadcapture.constants import CartState

    assert moved(CartState.ACTIVE, CartMove.IDLE) == CartState.ABANDONED
    assert moved(CartState.CHECKED_OUT, CartMove.IDLE) == CartState.CHECKED_OUT  # bought
    assert moved(CartState.ABANDONED, CartMove.WON_BACK) == CartState.RECOVERED
    assert moved(CartState.LOST, CartMove.CHANGED) == CartState.LOST  # lost stays lost
    assert moved(CartState.RECOVERED, CartMove.REUSED) == CartState.ACTIVE
    assert starts(CartMove.TIMED_OUT) == ["abandoned"]
    # Only a reused id leaves a bought or lost cart; every state can be reached.
    for move, (sources, _) in MOVES.items():
        if move != CartMove.REUSED:
            assert not sources & {CartState.CHECKED_OUT, CartState.RECOVERED, CartState.LOST}
    assert {target for _, target in MOVES.values()} == set(CartState)
