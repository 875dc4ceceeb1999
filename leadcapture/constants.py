"""The words of the domain, in one place: statuses, sources, types, history kinds."""

from __future__ import annotations

from enum import StrEnum


class LeadStatus(StrEnum):
    LEAD = "Lead"
    OPEN = "Open"
    REPLIED = "Replied"
    OPPORTUNITY = "Opportunity"
    QUOTATION = "Quotation"
    LOST_QUOTATION = "Lost Quotation"
    INTERESTED = "Interested"
    CONVERTED = "Converted"
    DO_NOT_CONTACT = "Do Not Contact"


class LeadSource(StrEnum):
    WEBSITE = "Website"
    CHECKOUT = "Checkout"
    ABANDONED_CART = "Abandoned Cart"
    WEB_FORM = "Web Form"
    EMAIL = "Email"
    IMPORT = "Import"
    EXISTING_CUSTOMER = "Existing Customer"
    REFERENCE = "Reference"
    ADVERTISEMENT = "Advertisement"
    COLD_CALLING = "Cold Calling"
    EXHIBITION = "Exhibition"
    CAMPAIGN = "Campaign"
    WALK_IN = "Walk In"
    MASS_MAILING = "Mass Mailing"


class LeadType(StrEnum):
    CLIENT = "Client"
    CHANNEL_PARTNER = "Channel Partner"
    CONSULTANT = "Consultant"


class Gender(StrEnum):
    FEMALE = "Female"
    MALE = "Male"
    OTHER = "Other"


class AddressType(StrEnum):
    BILLING = "Billing"
    SHIPPING = "Shipping"
    OFFICE = "Office"
    PERSONAL = "Personal"
    PLANT = "Plant"
    POSTAL = "Postal"
    SHOP = "Shop"
    SUBSIDIARY = "Subsidiary"
    WAREHOUSE = "Warehouse"
    CURRENT = "Current"
    PERMANENT = "Permanent"
    OTHER = "Other"


class CustomerType(StrEnum):
    INDIVIDUAL = "Individual"
    COMPANY = "Company"


class CartState(StrEnum):
    """Where a tracked cart stands: shopping, abandoned, won back, given up, or bought."""

    ACTIVE = "active"
    ABANDONED = "abandoned"
    RECOVERED = "recovered"
    LOST = "lost"
    CHECKED_OUT = "checked_out"


class EmailStatus(StrEnum):
    """An email's way out: written (``outbox``: waiting, or no SMTP is set), claimed by
    a run for a while (``sending``), then ``sent``; a failed try waits as ``failed``."""

    OUTBOX = "outbox"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    #: Not sent (or not again): its lead may no longer be written to, or the cart was
    #: bought, or the address has a series already.
    CANCELLED = "cancelled"


class HistoryKind(StrEnum):
    """What a history entry is: a note, a communication, or something the system did."""

    NOTE = "note"
    EMAIL_SENT = "email_sent"
    EMAIL_RECEIVED = "email_received"
    CALL = "call"
    SYSTEM = "system"


class SystemEvent(StrEnum):
    CREATED = "created"
    SIGNED_UP = "signed_up"
    LINKED = "linked"
    CAPTURED_AGAIN = "captured_again"
    STATUS_CHANGED = "status_changed"
    ADDRESS_ADDED = "address_added"
    ADDRESS_CHANGED = "address_changed"
    ORDER_PLACED = "order_placed"
    PARTS_LEFT_OUT = "parts_left_out"
    CONVERTED = "converted"
    CART_ABANDONED = "cart_abandoned"
    CART_RECOVERED = "cart_recovered"
    CART_LOST = "cart_lost"
    RECOVERY_LINK_CLICKED = "recovery_link_clicked"
    UNSUBSCRIBED = "unsubscribed"
    WEB_FORM = "web_form"
    EMAIL_RECEIVED = "email_received"
    FOLLOW_UP_DONE = "follow_up_done"
    MERGED = "merged"


#: Field lengths shared by the models, the domain validation and the forms.
MAX_NAME = 140
MAX_EMAIL = 254
MAX_PHONE = 40
MAX_ADDRESS_LINE = 240
MAX_CITY = 140
MAX_PINCODE = 20
#: A lead source's name (the leads' column is this long).
MAX_SOURCE = 40
#: A campaign's UTM values and the referring site, as kept.
MAX_UTM = 200

#: The largest id a 32-bit integer column holds: a larger id names no row (and would
#: overflow PostgreSQL's integer instead of finding nothing).
MAX_ID = 2_147_483_647
