"""The words of the plug-in's fixed values — statuses, sources, types, states — marked for
its catalog. A page shows each in its reader's language (``lc_gettext(value)``, or a
select's option labelled ``lazy_gettext(value)``); the value kept, sent by the API and
written to a CSV stays the English one. ``tests/test_languages.py`` checks that every
value is here."""

from __future__ import annotations

from .i18n import N_

WORDS = (
    # LeadStatus
    N_("Lead"),
    N_("Open"),
    N_("Replied"),
    N_("Opportunity"),
    N_("Quotation"),
    N_("Lost Quotation"),
    N_("Interested"),
    N_("Converted"),
    N_("Do Not Contact"),
    # LeadSource
    N_("Website"),
    N_("Checkout"),
    N_("Abandoned Cart"),
    N_("Web Form"),
    N_("Email"),
    N_("Import"),
    N_("Existing Customer"),
    N_("Reference"),
    N_("Advertisement"),
    N_("Cold Calling"),
    N_("Exhibition"),
    N_("Campaign"),
    N_("Walk In"),
    N_("Mass Mailing"),
    # LeadType
    N_("Client"),
    N_("Channel Partner"),
    N_("Consultant"),
    # Gender
    N_("Female"),
    N_("Male"),
    N_("Other"),
    # AddressType
    N_("Billing"),
    N_("Shipping"),
    N_("Office"),
    N_("Personal"),
    N_("Plant"),
    N_("Postal"),
    N_("Shop"),
    N_("Subsidiary"),
    N_("Warehouse"),
    N_("Current"),
    N_("Permanent"),
    # CustomerType
    N_("Individual"),
    N_("Company"),
    # EmailStatus, an event's state, a webhook delivery's, a quotation's
    N_("outbox"),
    N_("sending"),
    N_("sent"),
    N_("failed"),
    N_("cancelled"),
    N_("pending"),
    N_("done"),
    N_("dead"),
    N_("waiting"),
    N_("delivered"),
    N_("Lost"),
)
