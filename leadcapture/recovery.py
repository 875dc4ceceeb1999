"""Recovery emails for abandoned carts, the restore link, and unsubscribing.

A step is claimed by a conditional UPDATE (``emails_sent``, the last step passed, from
the one before to this one) before its email is written, and ``(cart_id, step)`` is
unique on the email table: concurrent sweeps never write a step twice. No email is
written for a cart that was bought (:func:`bought`), to a lead that may not be written to
(:func:`may_email`), or to an address that has a series from another cart within the
cooldown (:func:`claim_series`). Writing and sending are apart:
:mod:`leadcapture.mail.sending` sends what was written, under a lease.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any, cast
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for
from sqlalchemy import Select, Table, and_, bindparam, exists, or_, select, update

from . import history, signals, tokens
from .constants import CartState, EmailStatus, LeadStatus, SystemEvent
from .events.receivers import kind_of
from .history import record
from .i18n import gettext, speaking
from .leads import apply_trigger
from .models import Customer, Email, InboundEvent, Lead, RecoverySeries, TrackedCart
from .models.base import utcnow
from .recovery_content import BUTTON, cart_lines_text, render
from .recovery_steps import Step, due_at, next_active
from .status import NO_EMAIL_STATUSES, Trigger
from .transactions import DBSession, core, upsert

log = logging.getLogger("leadcapture")

#: ``discount_code(cart, step, percent) -> str | None``: the host's single-use code of
#: ``percent`` off for a step's email.
DiscountCallable = Callable[[TrackedCart, int, int], "str | None"]
#: The kind of the kept event of an order.
ORDER_EVENT = kind_of(signals.order_placed)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL: the request's host inside a request, else ``LEADCAPTURE_BASE_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = urlsplit(current_app.config["LEADCAPTURE_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def restore_url(cart: TrackedCart, step: int) -> str:
    token = tokens.make(tokens.RESTORE, {"cart": cart.id, "step": step})
    return external_url("leadcapture_links.restore", token=token)


def unsubscribe_url(lead: Lead) -> str:
    token = tokens.make(tokens.UNSUBSCRIBE, {"lead": lead.id})
    return external_url("leadcapture_links.unsubscribe", token=token)


def not_to_email() -> Select[Any]:
    """The leads no recovery email may go to: Do Not Contact, or bought (Converted, or a
    customer made from them). The one rule, asked of one lead (:func:`may_email`) and of a
    sweep's whole batch."""
    customers = select(Customer.lead_id).where(Customer.lead_id.is_not(None))
    return select(Lead.id).where(
        or_(Lead.status.in_([s.value for s in NO_EMAIL_STATUSES]), Lead.id.in_(customers))
    )


def may_email(session: DBSession, lead: Lead | None) -> bool:
    if lead is None:
        return False
    return not session.scalar(select(exists(not_to_email().where(Lead.id == lead.id))))


def bought(session: DBSession, cart: TrackedCart) -> bool:
    """Was an order placed for this cart, or by its email since its last activity?

    Asked of the kept order events too, whatever their state: an order whose capture
    failed (and waits for a retry, or is dead) still means the shopper bought.
    """
    if cart.checked_out_at is not None:
        return True
    for_cart = and_(
        InboundEvent.cart_key == cart.cart_key, InboundEvent.created_at >= cart.created_at
    )
    by_email = and_(
        InboundEvent.email == cart.email, InboundEvent.created_at >= cart.last_activity_at
    )
    return bool(
        session.scalar(
            select(
                exists().where(
                    InboundEvent.kind == ORDER_EVENT,
                    or_(for_cart, by_email) if cart.email else for_cart,
                )
            )
        )
    )


def claim_series(
    session: DBSession, email: str, cart_id: int, *, now: datetime, cooldown_days: float
) -> bool:
    """May this cart's recovery emails go to ``email``? One series per address per
    cooldown: the first cart to ask takes the address, and keeps it until the cooldown
    has passed; a concurrent run queues on the address's row."""
    insert = upsert(session, cast(Table, RecoverySeries.__table__)).values(
        email=email, cart_id=cart_id, started_at=now
    )
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["email"],
            set_={"cart_id": cart_id, "started_at": now},
            where=RecoverySeries.started_at < now - timedelta(days=cooldown_days),
        )
    )
    owner = session.scalar(select(RecoverySeries.cart_id).where(RecoverySeries.email == email))
    return owner == cart_id


def _claim(
    session: DBSession, cart_id: int, passed: int, step: int, next_at: datetime | None
) -> bool:
    claimed = session.execute(
        update(TrackedCart)
        .where(
            TrackedCart.id == cart_id,
            TrackedCart.emails_sent == passed,
            TrackedCart.state == CartState.ABANDONED,
            TrackedCart.next_email_at.is_not(None),
        )
        .values(emails_sent=step, next_email_at=next_at)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def render_email(name: str, context: dict[str, Any]) -> str:
    """Render ``leadcapture/email/<name>`` (a host overrides it by path) without the
    web pages' context processors: an email knows no request or signed-in user."""
    template = current_app.jinja_env.get_template(f"leadcapture/email/{name}")
    return template.render(**context)


def first_name(lead: Lead | None) -> str:
    return lead.lead_name.split()[0] if lead is not None and lead.lead_name else ""


@dataclass(frozen=True)
class RecoveryEmail:
    """One step's email, made: what :func:`write_recovery_email` keeps, and what the
    back office previews and sends as a test."""

    subject: str
    text_body: str
    html_body: str


def compose(
    step: Step,
    cart: TrackedCart,
    lead: Lead | None,
    *,
    restore: str,
    unsubscribe: str,
    code: str | None,
    language: str | None = None,
) -> RecoveryEmail:
    """The step's text with this cart's values, in the email templates, in ``language``
    (the owner's text for it, or the built-in one translated, and the templates' words;
    else the app's first language)."""
    with speaking(language) as spoken:
        shop_name = current_app.config["LEADCAPTURE_SHOP_NAME"]
        values = {
            "first_name": first_name(lead),
            "shop_name": shop_name,
            "cart_lines": cart_lines_text(cart.lines, cart.total, cart.currency),
            "cart_total": f"{cart.total} {cart.currency}",
            "restore_link": restore,
            "code": code or "",
            "percent": str(step.code_percent) if code else "",
        }
        content = render(*step.words(spoken), values)
        context = {
            "shop_name": shop_name,
            "lead": lead,
            "cart": cart,
            "step": step.step,
            "text": content.text,
            "paragraphs": content.paragraphs,
            "restore_url": restore,
            "unsubscribe_url": unsubscribe,
            "discount_code": code,
            "button": gettext(BUTTON),
        }
        return RecoveryEmail(
            subject=content.subject[:240],
            text_body=render_email("recovery.txt", context),
            html_body=render_email("recovery.html", context),
        )


def write_recovery_email(
    session: DBSession, cart: TrackedCart, lead: Lead, step: Step, discount_code: str | None
) -> Email:
    """Write ``step``'s email, waiting in the outbox; :mod:`leadcapture.mail.sending`
    sends it, and only then does the lead's history say it went."""
    unsubscribe = unsubscribe_url(lead)
    made = compose(
        step,
        cart,
        lead,
        restore=restore_url(cart, step.step),
        unsubscribe=unsubscribe,
        code=discount_code,
        language=lead.language or cart.language,
    )
    email = Email(
        cart_id=cart.id,
        lead_id=lead.id,
        step=step.step,
        to=cart.email or lead.email or "",
        subject=made.subject,
        text_body=made.text_body,
        html_body=made.html_body,
        discount_code=discount_code,
        status=EmailStatus.OUTBOX,
        message_id=make_msgid(domain="leadcapture"),
        unsubscribe_url=unsubscribe,
    )
    session.add(email)
    return email


def _write_step(
    session: DBSession,
    cart_id: int,
    passed: int,
    abandoned_at: datetime | None,
    rules: RecoveryRules,
) -> int:
    """Claim and write one cart's next email; returns 1 if one was written. It is sent
    by :func:`leadcapture.sending.send_waiting`, so a crash between the two loses nothing."""
    step = next_active(rules.steps, passed)
    if step is None:  # its next step was turned off since: nothing more to send
        if _claim(session, cart_id, passed, passed, None):
            session.commit()
        else:
            session.rollback()
        return 0
    if not _claim(
        session, cart_id, passed, step.step, due_at(rules.steps, step.step, abandoned_at)
    ):
        session.rollback()
        return 0
    cart = session.get(TrackedCart, cart_id)
    assert cart is not None
    lead = session.get(Lead, cart.lead_id) if cart.lead_id else None
    if (
        lead is None
        or not cart.email
        or not may_email(session, lead)
        or bought(session, cart)
        or not claim_series(
            session, cart.email, cart.id, now=rules.now, cooldown_days=rules.cooldown_days
        )
    ):
        cart.emails_sent = passed
        cart.next_email_at = None
        session.commit()
        return 0
    code = None
    if step.code and rules.discount_code is not None:
        code = rules.discount_code(cart, step.step, step.code_percent)
    write_recovery_email(session, cart, lead, step, code)
    session.commit()
    return 1


@dataclass(frozen=True)
class RecoveryRules:
    """What decides the recovery emails of one run: its moment, the steps, the settings."""

    now: datetime
    steps: tuple[Step, ...]
    cooldown_days: float
    discount_code: DiscountCallable | None = None


@functools.cache
def _due_carts() -> Any:
    """The next batch of carts with an email due. They are found through the partial
    index on next_email_at, so an empty run costs the same with 1,000 carts or 1,000,000
    (ordered by id, SQLite read them all)."""
    due_now = select(TrackedCart.id).where(TrackedCart.next_email_at <= bindparam("now"))
    return (
        select(TrackedCart.id, TrackedCart.emails_sent, TrackedCart.abandoned_at)
        .where(
            TrackedCart.id.in_(due_now),
            TrackedCart.state == CartState.ABANDONED,
            TrackedCart.id > bindparam("after"),
        )
        .order_by(TrackedCart.id)
        .limit(bindparam("batch_size"))
    )


def write_due_emails(session: DBSession, rules: RecoveryRules, *, batch_size: int) -> int:
    """Write every recovery email that is due; commits per cart. Returns how many."""
    written = 0
    after = 0  # keyset on the id: each due cart is looked at once per run
    while True:
        parameters = {"now": rules.now, "after": after, "batch_size": batch_size}
        due = core(session).execute(_due_carts(), parameters).all()
        session.commit()  # each cart's email is written in a transaction of its own
        if not due:
            return written
        for cart_id, passed, abandoned_at in due:
            after = cart_id
            try:
                written += _write_step(session, cart_id, passed, abandoned_at, rules)
            except Exception:  # one bad cart must not stop the others
                session.rollback()
                log.exception("leadcapture: recovery email for cart %s failed", cart_id)


def restorable_cart(session: DBSession, payload: dict[str, Any]) -> TrackedCart:
    """The cart a restore link names, read only."""
    cart = session.get(TrackedCart, payload.get("cart"))
    if cart is None:
        raise LookupError("cart")
    return cart


def open_restore_link(
    session: DBSession, payload: dict[str, Any]
) -> tuple[TrackedCart, str | None]:
    """The shopper restored the cart of a recovery link: note it, make the lead Interested.

    Only a link's first opening is news: opened again (a reload, another device, a
    hand that repeats it, ten of them at once), it restores the cart and writes nothing
    more."""
    cart = restorable_cart(session, payload)
    step = payload.get("step")
    email = session.scalars(
        select(Email).where(Email.cart_id == cart.id, Email.step == step)
    ).first()
    now = utcnow()
    first = _first_opening(session, TrackedCart, cart.id, now)
    if email is not None:
        first = _first_opening(session, Email, email.id, now)
    lead = session.get(Lead, cart.lead_id) if cart.lead_id else None
    if lead is not None and first:
        apply_trigger(session, lead, Trigger.RECOVERY_LINK_CLICKED)
        record(
            session,
            lead=lead,
            event=SystemEvent.RECOVERY_LINK_CLICKED,
            subject=history.LINK_OPENED % {"step": step},
            data={"cart_id": cart.id},
        )
    return cart, email.discount_code if email else None


def _first_opening(
    session: DBSession, model: type[TrackedCart] | type[Email], row_id: int, now: datetime
) -> bool:
    """Keep the moment of a link's first opening; whether this is it. One conditional
    UPDATE: of openings at the same moment, the database lets one through."""
    claimed = session.execute(
        update(model)
        .where(model.id == row_id, model.link_opened_at.is_(None))
        .values(link_opened_at=now)
        .execution_options(synchronize_session="evaluate")
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def unsubscribe(session: DBSession, lead_id: Any) -> Lead:
    """Make the lead Do Not Contact and stop its carts' emails; once, however many
    unsubscribes come at the same moment (the lead is locked: the others find it done)."""
    lead = session.get(Lead, lead_id, with_for_update=True)
    if lead is None:
        raise LookupError("lead")
    if lead.status != LeadStatus.DO_NOT_CONTACT:
        apply_trigger(session, lead, Trigger.UNSUBSCRIBED)
        record(session, lead=lead, event=SystemEvent.UNSUBSCRIBED, subject=history.UNSUBSCRIBED)
    session.execute(
        update(TrackedCart)
        .where(TrackedCart.lead_id == lead.id)
        .values(next_email_at=None)
        .execution_options(synchronize_session=False)
    )
    return lead
