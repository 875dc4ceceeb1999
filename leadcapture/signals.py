"""Leadcapture's signals.

Inbound signals are sent by the shop, with any sender: the app, ``current_app`` or
``None`` (the plug-in then takes the current app). ``user_registered``, ``cart_changed``
and ``order_placed`` also take ``attribution`` (a dict of ``utm_source``, ``utm_medium``,
``utm_campaign`` and ``referrer``); sent in a request without it, they carry the
campaign the visit came from (:mod:`leadcapture.attribution`). A payload missing a keyword or with a
wrong type raises :class:`TypeError` in the sending code. Each is kept as an event
before it is handled (:mod:`leadcapture.events.store`): sent inside your transaction, before
its commit, the event commits or rolls back with your data; sent after your commit, the
plug-in commits it itself. Outbound signals are sent by the plug-in after *its*
transaction commits, with the app as sender; receivers should accept
``**kwargs``.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# -- inbound: the shop tells the plug-in -------------------------------------------------

#: Sent by the shop when a shopper creates an account.
#: Keyword arguments: ``user_id`` (str), ``email`` (str), ``full_name`` (str),
#: optional ``phone`` (str | None), ``company_name`` (str | None; set for a business
#: account, which makes an organization lead) and ``language`` (str | None: the shopper's
#: language, e.g. "pt"; the lead's emails go out in it).
user_registered = _signals.signal("user-registered")

#: Sent by the shop whenever a cart changes (line added, quantity changed, emptied).
#: Keyword arguments: ``cart_id`` (str, the shop's id for the cart), ``lines`` (list of
#: dicts with ``sku``, ``name``, ``quantity`` (int) and ``unit_price`` (Decimal or str)),
#: ``currency`` (ISO 4217 code), optional ``user_id`` (str | None), ``email`` (str | None)
#: ``updated_at`` (aware datetime, default now) and ``language`` (str | None: the
#: shopper's; the cart's recovery emails go out in it when the lead has none).
cart_changed = _signals.signal("cart-changed")

#: Sent by the shop when a guest types an email at checkout.
#: Keyword arguments: ``cart_id`` (str), ``email`` (str).
checkout_email_given = _signals.signal("checkout-email-given")

#: Sent by the shop when a shopper declines email capture ("no thanks"): the cart's email
#: is forgotten and the cart is never swept or mailed.
#: Keyword arguments: ``cart_id`` (str).
email_capture_declined = _signals.signal("email-capture-declined")

#: Sent by the shop after an order is committed.
#: Keyword arguments: ``order_id`` (str), ``email`` (str), ``full_name`` (str),
#: ``total`` (Decimal or str), ``currency`` (str), optional ``user_id`` (str | None, None
#: for a guest), ``phone``, ``company_name``, ``cart_id``, and ``billing_address`` /
#: ``shipping_address`` (dicts with ``address_line1``, ``address_line2``, ``city``,
#: ``state``, ``pincode``, ``country``, ``phone``; or None), ``language`` (str | None; it
#: fills the lead's when the lead has none).
order_placed = _signals.signal("order-placed")

# -- outbound: the plug-in tells the host ------------------------------------------------

#: Sent by the plug-in after a new lead is committed.
#: Keyword arguments: ``lead`` (a :class:`leadcapture.models.Lead`).
lead_created = _signals.signal("lead-created")

#: Sent by the plug-in after a lead's status change is committed, by a rule or by hand.
#: Keyword arguments: ``lead`` (Lead), ``old_status`` (str | None), ``new_status`` (str).
lead_status_changed = _signals.signal("lead-status-changed")

#: Sent by the plug-in after a spreadsheet import is committed — once per import, not
#: ``lead_created`` per row, so that a file of 100,000 rows is one message.
#: Keyword arguments: ``created_ids`` (a sequence of int: new leads), ``merged_ids`` (list[int],
#: known leads the file updated), ``filename`` (str).
leads_imported = _signals.signal("leads-imported")

#: Sent by the plug-in after a lead's conversion is committed (once per lead).
#: Keyword arguments: ``lead`` (Lead), ``customer`` (a :class:`leadcapture.models.Customer`).
lead_converted = _signals.signal("lead-converted")

#: Sent by the plug-in after a sweep's batch of abandoned carts is committed — once per
#: batch (``LEADCAPTURE_SWEEP_BATCH_SIZE`` carts at most), not per cart, so that a sweep of
#: 100,000 carts loads none of them. The leads the batch made get no ``lead_created``,
#: and the known leads it moved no ``lead_status_changed``: they are named here.
#: Keyword arguments: ``cart_ids`` (list[int]), ``created_lead_ids`` (list[int]: new
#: leads), ``changed_lead_ids`` (list[int]: known leads whose status it set) and
#: ``new_status`` (str: the status of both).
cart_abandoned = _signals.signal("cart-abandoned")

#: Sent by the plug-in after an order that wins back abandoned carts (an order after a
#: recovery email) is committed. Keyword arguments: ``lead`` (Lead), ``cart_ids``
#: (list[int]), ``order_id`` (str), ``total`` (str) and ``currency`` (str).
cart_recovered = _signals.signal("cart-recovered")

#: Sent by the plug-in after staff merged a duplicate lead into another is committed:
#: the duplicate is gone, what it had is the lead's. Keyword arguments: ``lead`` (Lead,
#: the lead that stays), ``merged_id`` (int) and ``merged_name`` (str: its ``LEAD-…`` id).
lead_merged = _signals.signal("lead-merged")

#: Sent by the plug-in after it erased what it held about a person (staff's Erase, the
#: shopper's request, "forget me"), so the host erases what it holds too.
#: Keyword arguments: ``email`` (str, normalized).
personal_data_erased = _signals.signal("personal-data-erased")

__all__ = [
    "cart_abandoned",
    "cart_changed",
    "cart_recovered",
    "checkout_email_given",
    "email_capture_declined",
    "lead_converted",
    "lead_created",
    "lead_merged",
    "lead_status_changed",
    "leads_imported",
    "order_placed",
    "personal_data_erased",
    "user_registered",
]
