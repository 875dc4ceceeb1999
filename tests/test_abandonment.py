"""The sweep: idle carts with an email become abandoned and make or reuse leads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import event, select

from leadcapture import LeadSource, LeadStatus, capture_lead, set_status, signals
from leadcapture.models import HistoryEntry, Lead, TrackedCart
from storefront.extensions import db

from .helpers import Shopper, age_carts, count, guest_with_cart, heard, sweep


def carts(app: Flask) -> list[TrackedCart]:
    with app.app_context():
        found = list(db.session.scalars(select(TrackedCart).order_by(TrackedCart.id)))
        db.session.expunge_all()
        return found


def snapshots(app: Flask) -> list[HistoryEntry]:
    with app.app_context():
        found = list(
            db.session.scalars(select(HistoryEntry).where(HistoryEntry.event == "cart_abandoned"))
        )
        db.session.expunge_all()
        return found


def test_an_idle_guest_cart_with_an_email_becomes_a_lead(
    app: Flask, runner: FlaskCliRunner
) -> None:
    guest_with_cart(app, "Gus.Guest@Example.com")
    age_carts(app, 61)
    with heard(signals.cart_abandoned) as heard_:
        result = runner.invoke(args=["leads", "sweep"])
    assert result.exit_code == 0, result.output
    assert "1 cart abandoned, 1 new lead" in result.output
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert (lead.email, lead.source, lead.status) == (
            "gus.guest@example.com",
            LeadSource.ABANDONED_CART,
            LeadStatus.OPEN,
        )
        # No name is invented from the address: the lead is shown by its email.
        assert lead.lead_name is None and lead.display_name == "gus.guest@example.com"
        assert lead.name == f"LEAD-{lead.id:05d}"
        [snapshot] = [e for e in lead.history if e.event == "cart_abandoned"]
        assert snapshot.data["lines"] == [
            {"sku": "TEA-001", "name": "Sencha green tea", "quantity": 2, "unit_price": "8.50"}
        ]
        assert snapshot.data["total"] == "17.00" and snapshot.data["currency"] == "EUR"
        cart = db.session.scalars(select(TrackedCart)).one()
        assert cart.state == "abandoned" and cart.lead_id == lead.id
        assert cart.abandoned_at.tzinfo is not None
        # One signal for the sweep's batch, carrying ids: nothing is loaded per cart.
        assert [{k: v for k, v in p.items() if k != "sender"} for p in heard_] == [
            {
                "cart_ids": [cart.id],
                "created_lead_ids": [lead.id],
                "changed_lead_ids": [],
                "new_status": "Open",
            }
        ]


def test_carts_that_are_not_idle_long_enough_stay_active(app: Flask) -> None:
    guest_with_cart(app)
    age_carts(app, 59)
    assert sweep(app).abandoned == 0
    assert carts(app)[0].state == "active"
    app.config["LEADCAPTURE_ABANDONED_AFTER_MINUTES"] = 0
    assert sweep(app).abandoned == 1


def test_empty_carts_and_carts_without_email_are_skipped(app: Flask) -> None:
    guest_with_cart(app, email=None)
    emptied = guest_with_cart(app, "empty@example.com")
    from .helpers import product_id

    emptied.submit(
        "/cart", {"product_id": product_id(app, "TEA-001"), "quantity": 0}, action="/cart/update"
    )
    age_carts(app, 120)
    assert sweep(app).abandoned == 0
    assert count(app, Lead) == 0


def test_sweeping_again_changes_nothing(app: Flask) -> None:
    guest_with_cart(app)
    age_carts(app, 120)
    sweep(app)
    before = (count(app, Lead), count(app, HistoryEntry), [c.state for c in carts(app)])
    again = sweep(app)
    assert again.abandoned == 0 and again.leads_created == 0
    assert (count(app, Lead), count(app, HistoryEntry), [c.state for c in carts(app)]) == before


def test_several_carts_of_one_email_keep_one_lead_and_one_snapshot_each(app: Flask) -> None:
    for sku in ("TEA-001", "MUG-001", "POT-001"):
        guest_with_cart(app, "same@example.com", sku=sku, quantity=1)
    age_carts(app, 120)
    result = sweep(app)
    assert (result.abandoned, result.leads_created) == (3, 1)
    assert count(app, Lead) == 1
    assert sorted(s.data["lines"][0]["sku"] for s in snapshots(app)) == [
        "MUG-001",
        "POT-001",
        "TEA-001",
    ]
    assert len({c.lead_id for c in carts(app)}) == 1


@pytest.mark.parametrize(
    "before, after",
    [
        (LeadStatus.LEAD, LeadStatus.OPEN),
        (LeadStatus.REPLIED, LeadStatus.OPEN),
        (LeadStatus.OPPORTUNITY, LeadStatus.OPPORTUNITY),
        (LeadStatus.INTERESTED, LeadStatus.INTERESTED),
        (LeadStatus.DO_NOT_CONTACT, LeadStatus.DO_NOT_CONTACT),
    ],
)
def test_an_existing_lead_is_reused_and_its_status_follows_the_rules(
    app: Flask, before: LeadStatus, after: LeadStatus
) -> None:
    with app.app_context():
        lead, _ = capture_lead(
            db.session, source=LeadSource.WEB_FORM, email="gus@example.com", lead_name="Gus"
        )
        set_status(db.session, lead, before)
        db.session.commit()
    guest_with_cart(app, "GUS@example.com")
    age_carts(app, 120)
    assert sweep(app).leads_created == 0
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        assert lead.status == after and lead.source == LeadSource.WEB_FORM
        assert lead.lead_name == "Gus"


def test_a_customers_abandoned_cart_is_recorded_against_the_customer(
    app: Flask, shopper: Shopper
) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("TEA-001")
    shopper.checkout(email=None)
    shopper.add_to_cart("POT-001")
    age_carts(app, 120)
    result = sweep(app)
    assert (result.abandoned, result.leads_created) == (1, 0)
    with app.app_context():
        lead = db.session.scalars(select(Lead)).one()
        cart = db.session.scalars(select(TrackedCart).where(TrackedCart.state == "abandoned")).one()
        assert cart.customer_id == lead.customer.id and lead.status == LeadStatus.CONVERTED
        assert cart.next_email_at is None
        [snapshot] = [e for e in lead.customer.history if e.event == "cart_abandoned"]
        assert snapshot.data["lines"][0]["sku"] == "POT-001"
    assert count(app, Lead) == 1


def test_a_signed_in_shoppers_cart_needs_no_typed_email(app: Flask, shopper: Shopper) -> None:
    shopper.register(email="jane@example.com")
    shopper.add_to_cart("GFT-001")
    age_carts(app, 120)
    assert sweep(app).abandoned == 1
    assert carts(app)[-1].total == Decimal("24.00")


def test_the_sweep_is_set_based(app: Flask) -> None:
    """The number of SQL statements does not grow with the number of carts."""
    app.config["LEADCAPTURE_RECOVERY_EMAILS"] = False

    def statements_for(n: int, prefix: str) -> int:
        with app.app_context():
            from leadcapture import record_cart

            for i in range(n):
                record_cart(
                    db.session,
                    cart_id=f"{prefix}{i}",
                    currency="EUR",
                    email=f"{prefix}{i}@example.com",
                    lines=[{"sku": "TEA-001", "name": "Tea", "quantity": 1, "unit_price": "8.50"}],
                )
            db.session.commit()
        age_carts(app, 120)
        seen: list[str] = []
        with app.app_context():
            engine = db.engine
            listener = lambda *args, **kw: seen.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listener)
            try:
                from leadcapture.sweep import run_sweep

                assert run_sweep(db.session).abandoned == n
            finally:
                event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements_for(5, "a") == statements_for(60, "b")


def test_the_sweep_finds_idle_carts_through_its_partial_index(app: Flask) -> None:
    """The plan of the sweep's own claim statement, caught as it runs, over a table where
    most carts are done with (as in a shop that has run a while)."""
    from leadcapture.sweep import run_sweep

    from .helpers import plan, statements

    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO lc_carts (cart_key, email, lines, item_count, total, currency,"
                " last_activity_at, created_at, state, capture_declined, emails_sent)"
                " VALUES "
                + ", ".join(
                    f"('done-{n}', 'd{n}@example.com', '[]', 1, 5, 'EUR',"
                    f" '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'checked_out', false, 0)"
                    for n in range(3000)
                )
            )
            connection.exec_driver_sql("ANALYZE lc_carts")
        with statements(db.engine) as seen:
            run_sweep(db.session)
        statement, parameters = next(  # the claim: its subquery picks the idle carts
            (s, p)
            for s, p in seen
            if s.lstrip().startswith("UPDATE") and "last_activity_at <=" in s
        )
        lines = plan(db.engine, statement, parameters)
    assert "ix_lc_carts_sweepable" in "\n".join(lines)
