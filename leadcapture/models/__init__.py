"""The plug-in's tables. Import from here; one module per record kind."""

from .address import Address
from .assignment import AssignmentRule
from .base import Base, metadata
from .cart import TrackedCart
from .customer import Contact, Customer
from .deal import Opportunity, Quotation
from .email import Email, RecoverySeries
from .erasure import Erasure
from .event import InboundEvent
from .history import HistoryEntry
from .lead import Lead, LeadMerge
from .mail import MailMessage
from .owner import OwnerSetting, RecoveryStep, RecoveryStepText
from .source import Source
from .token import ApiToken, CalendarFeed
from .webhook import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "AssignmentRule",
    "CalendarFeed",
    "Address",
    "Base",
    "Contact",
    "Customer",
    "Email",
    "Erasure",
    "HistoryEntry",
    "InboundEvent",
    "Lead",
    "LeadMerge",
    "MailMessage",
    "Opportunity",
    "OwnerSetting",
    "Quotation",
    "RecoverySeries",
    "RecoveryStep",
    "RecoveryStepText",
    "Source",
    "TrackedCart",
    "Webhook",
    "WebhookDelivery",
    "metadata",
]
