"""Leadcapture: CRM leads from what shoppers do in a Flask shop.

Mount it with ``LeadCapture(app, db=db)``; send the inbound signals of
:mod:`leadcapture.signals` from the shop; call the domain functions below from your
own views, commands or jobs.
"""

from . import signals
from .addresses import add_address, addresses_of_web_user, update_address
from .attribution import SESSION_KEY as VISIT_SESSION_KEY
from .background import use_celery
from .carts import record_cart
from .communications import email_lead
from .constants import AddressType, CustomerType, LeadSource, LeadStatus, LeadType
from .conversion import convert_lead
from .errors import LeadCaptureError, ValidationError
from .extension import LeadCapture
from .fields import normalized_email
from .followups import finish_follow_up, remind
from .importing import import_leads
from .leads import capture_lead, find_by_email, register_web_user, set_status, update_lead
from .mail.imap import fetch_mail
from .mail.outgoing import queue_email, send_queued
from .merging import merge_leads
from .models import metadata
from .orders import record_order
from .owner_settings import consent_notice
from .ratelimit import within_rate_limit
from .schema import TablesNotReady
from .schema import upgrade as upgrade_tables
from .spreadsheets import open_sheet
from .status import Trigger, automatic_status
from .sweep import SweepSettings, run_sweep
from .transactions import DBSession, in_transaction
from .validators import HtmlForm, phone_number, plain_text, trimmed
from .webuser import WebUser

__all__ = [
    "VISIT_SESSION_KEY",
    "within_rate_limit",
    "AddressType",
    "CustomerType",
    "DBSession",
    "LeadCapture",
    "LeadCaptureError",
    "LeadSource",
    "LeadStatus",
    "LeadType",
    "Trigger",
    "TablesNotReady",
    "ValidationError",
    "WebUser",
    "add_address",
    "addresses_of_web_user",
    "automatic_status",
    "capture_lead",
    "consent_notice",
    "convert_lead",
    "email_lead",
    "finish_follow_up",
    "find_by_email",
    "in_transaction",
    "merge_leads",
    "metadata",
    "record_cart",
    "record_order",
    "register_web_user",
    "set_status",
    "signals",
    "update_address",
    "update_lead",
    "use_celery",
    "upgrade_tables",
    "HtmlForm",
    "fetch_mail",
    "queue_email",
    "send_queued",
    "import_leads",
    "open_sheet",
    "remind",
    "run_sweep",
    "SweepSettings",
    "phone_number",
    "plain_text",
    "normalized_email",
    "trimmed",
]
