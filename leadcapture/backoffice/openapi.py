"""The JSON API described as an OpenAPI 3.1 document, served at ``…/api/openapi.json``.

The schemas follow :mod:`leadcapture.serialize`; the tests check real responses of every
path against them, and every route of the API against :data:`PATHS`.
"""

from __future__ import annotations

from typing import Any

from ..constants import CartState, EmailStatus, LeadStatus
from ..leadlist import FILTERS, FOLLOW_UPS
from ..leads import LEAD_FIELDS


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **more: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **more}


_TEXT = _nullable("string")
_WHEN = _nullable("string", format="date-time")
_ID = {"type": "integer", "minimum": 1}

SCHEMAS: dict[str, Any] = {
    "Errors": {
        "type": "object",
        "description": "What was refused, by field: each field names its messages.",
        "properties": {
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
        "required": ["errors"],
    },
    "CustomerSummary": {
        "type": "object",
        "properties": {
            "id": _ID,
            "name": _TEXT,
            "customer_name": {"type": "string"},
            "customer_type": {"type": "string"},
        },
        "required": ["id", "name", "customer_name", "customer_type"],
    },
    "Address": {
        "type": "object",
        "properties": {
            "id": _ID,
            **{
                key: _TEXT
                for key in (
                    "name",
                    "address_type",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "pincode",
                    "country",
                    "phone",
                    "email",
                )
            },
        },
        "required": ["id", "address_type", "address_line1", "city", "country"],
    },
    "Contact": {
        "type": "object",
        "properties": {
            "id": _ID,
            "full_name": {"type": "string"},
            "email": _TEXT,
            "phone": _TEXT,
            "user_id": _TEXT,
            "is_primary": {"type": "boolean"},
        },
        "required": ["id", "full_name", "email", "phone", "user_id", "is_primary"],
    },
    "HistoryEntry": {
        "type": "object",
        "properties": {
            "id": _ID,
            "kind": {"type": "string"},
            "event": _TEXT,
            "subject": {"type": "string"},
            "body": _TEXT,
            "data": _nullable("object"),
            "created_by": _TEXT,
            "created_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "kind", "event", "subject", "created_at"],
    },
    "Lead": {
        "type": "object",
        "properties": {
            "id": _ID,
            "name": _TEXT,
            "lead_name": _TEXT,
            "company_name": _TEXT,
            "is_organization": {"type": "boolean"},
            "email": _TEXT,
            "phone": _TEXT,
            "gender": _TEXT,
            "status": {"enum": [s.value for s in LeadStatus]},
            "source": {"type": "string"},
            "lead_type": _TEXT,
            "market_segment": _TEXT,
            "industry": _TEXT,
            "owner": _TEXT,
            "assigned_to": _TEXT,
            "next_contact_date": _nullable("string", format="date"),
            "next_contact_by": _TEXT,
            "utm_source": _TEXT,
            "utm_medium": _TEXT,
            "utm_campaign": _TEXT,
            "referrer": _TEXT,
            "language": _TEXT,
            "score": _nullable("integer", minimum=0, maximum=100),
            "score_reasons": {
                "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
            },
            "customer": {"oneOf": [_ref("CustomerSummary"), {"type": "null"}]},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
        "required": ["id", "name", "status", "source", "email", "customer", "created_at"],
    },
    "LeadDetail": {
        "allOf": [
            _ref("Lead"),
            {
                "type": "object",
                "properties": {
                    "notes": _TEXT,
                    "addresses": {"type": "array", "items": _ref("Address")},
                    "contacts": {"type": "array", "items": _ref("Contact")},
                    "history": {
                        "type": "array",
                        "items": _ref("HistoryEntry"),
                        "description": "Newest first.",
                    },
                },
                "required": ["addresses", "contacts", "history"],
            },
        ]
    },
    "LeadInput": {
        "type": "object",
        "description": "A lead's fields; an email already known updates that lead.",
        "properties": {
            "source": {"type": "string"},
            **{name: {} for name in LEAD_FIELDS if name != "owner"},
        },
        "additionalProperties": False,
    },
    "Cart": {
        "type": "object",
        "properties": {
            "id": _ID,
            "email": _TEXT,
            "lead_id": _nullable("integer"),
            "customer_id": _nullable("integer"),
            "state": {"enum": [s.value for s in CartState]},
            "lines": {"type": "array", "items": {"type": "object"}},
            "item_count": {"type": "integer", "minimum": 0},
            "total": {"type": "string", "description": "A decimal amount."},
            "currency": {"type": "string"},
            "last_activity_at": _WHEN,
            "abandoned_at": _WHEN,
            "emails_sent": {"type": "integer", "minimum": 0},
            "link_opened": {"type": "boolean"},
            "recovered_value": _TEXT,
        },
        "required": ["id", "state", "lines", "item_count", "total", "currency"],
    },
    "Customer": {
        "allOf": [
            _ref("CustomerSummary"),
            {
                "type": "object",
                "properties": {
                    "lead_id": _nullable("integer"),
                    "created_at": {"type": "string", "format": "date-time"},
                    "contacts": {"type": "array", "items": _ref("Contact")},
                    "addresses": {"type": "array", "items": _ref("Address")},
                },
                "required": ["lead_id", "contacts", "addresses"],
            },
        ]
    },
    "CustomerDetail": {
        "allOf": [
            _ref("Customer"),
            {
                "type": "object",
                "properties": {
                    "history": {
                        "type": "array",
                        "items": _ref("HistoryEntry"),
                        "description": "Its lead's, linked at the conversion, and what came "
                        "after; newest first.",
                    },
                },
                "required": ["history"],
            },
        ]
    },
}


def _page_of(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last.",
            },
        },
        "required": ["items", "next_cursor"],
    }


SCHEMAS["LeadPage"] = {
    "allOf": [
        _page_of("Lead"),
        {
            "type": "object",
            "properties": {
                "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
            },
            "required": ["counts"],
        },
    ]
}
_AMOUNTS = {
    "type": "object",
    "description": "Money by currency code, each a string with two decimals.",
    "additionalProperties": {"type": "string"},
}
SCHEMAS["Recovery"] = {
    "type": "object",
    "properties": {
        "from": {"type": "string", "format": "date"},
        "to": {"type": "string", "format": "date"},
        "abandoned": {"type": "integer", "description": "Carts abandoned in the days."},
        "recoverable": _AMOUNTS,
        "recovered": {"type": "integer", "description": "Carts recovered in the days."},
        "recovered_value": _AMOUNTS,
        "rate": {"type": "number", "description": "Recovered per abandoned cart, per cent."},
        "emails_sent": {"type": "integer"},
        "links_opened": {"type": "integer", "description": "Carts whose link was opened."},
        "by_email": {
            "type": "array",
            "description": "Each email of the series; a recovered cart counts for the "
            "last email sent to it before its order.",
            "items": {
                "type": "object",
                "properties": {
                    "step": {"type": "integer"},
                    "sent": {"type": "integer"},
                    "opened": {"type": "integer"},
                    "recovered": {"type": "integer"},
                    "recovered_value": _AMOUNTS,
                },
                "required": ["step", "sent", "opened", "recovered", "recovered_value"],
            },
        },
    },
    "required": [
        "from",
        "to",
        "abandoned",
        "recoverable",
        "recovered",
        "recovered_value",
        "rate",
        "emails_sent",
        "links_opened",
        "by_email",
    ],
}
SCHEMAS["CartPage"] = _page_of("Cart")
SCHEMAS["Today"] = {
    "type": "object",
    "properties": {
        "due": {"type": "array", "items": _ref("Lead")},
        "due_count": {"type": "integer", "minimum": 0},
        "coming": {"type": "array", "items": _ref("Lead")},
    },
    "required": ["due", "due_count", "coming"],
}
SCHEMAS["WrittenEmail"] = {
    "type": "object",
    "properties": {
        "id": _ID,
        "lead_id": _ID,
        "to": {"type": "string"},
        "subject": {"type": "string"},
        "status": {"type": "string", "enum": [s.value for s in EmailStatus]},
        "sent_at": _WHEN,
        "sent_by": _TEXT,
    },
    "required": ["id", "lead_id", "to", "subject", "status", "sent_at", "sent_by"],
}
SCHEMAS["CustomerPage"] = _page_of("Customer")
SCHEMAS["Funnel"] = {
    "type": "object",
    "properties": {
        "funnel": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"stage": {"type": "string"}, "count": {"type": "integer"}},
                "required": ["stage", "count"],
            },
        },
        "leads_by_source": {
            "type": "object",
            "properties": {
                "weeks": {"type": "array", "items": {"type": "string", "format": "date"}},
                "series": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "integer"}},
                },
            },
            "required": ["weeks", "series"],
        },
        "conversion_by_source": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["funnel", "leads_by_source", "conversion_by_source"],
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


_REFUSED = _json("Errors", "Refused input, by field.")
_NOT_FOUND = _json("Errors", "No such record.")
_LIMITS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
]


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": _ID}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


#: path → method → operation; the tests check that every route of the API is here.
PATHS: dict[str, Any] = {
    "/leads": {
        "get": {
            "summary": "Leads, filtered and sorted, a page at a time",
            "parameters": [
                *(
                    {"name": name, "in": "query", "schema": {"type": "string"}}
                    for name in (*sorted(FILTERS - {"ids", "min_score", "follow_up"}), "sort")
                ),
                {
                    "name": "follow_up",
                    "in": "query",
                    "description": "due: today or overdue; later: on a later day; none: not set.",
                    "schema": {"type": "string", "enum": list(FOLLOW_UPS)},
                },
                {
                    "name": "min_score",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 0, "maximum": 100},
                },
                *_LIMITS,
            ],
            "responses": {"200": _json("LeadPage", "A page of leads."), "400": _REFUSED},
        },
        "post": {
            "summary": "Make a lead (or add to the lead of a known email)",
            "requestBody": _body({"allOf": [_ref("LeadInput")], "required": ["source"]}),
            "responses": {
                "201": _json("LeadDetail", "The new lead."),
                "200": _json("LeadDetail", "The known lead the email belongs to."),
                "400": _REFUSED,
            },
        },
    },
    "/leads/{lead_id}": {
        "parameters": [_id("lead_id")],
        "get": {
            "summary": "One lead with its addresses, contacts and history",
            "responses": {"200": _json("LeadDetail", "The lead."), "404": _NOT_FOUND},
        },
        "patch": {
            "summary": "Change some of a lead's fields",
            "requestBody": _body(_ref("LeadInput")),
            "responses": {
                "200": _json("LeadDetail", "The lead as changed."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/leads/{lead_id}/notes": {
        "parameters": [_id("lead_id")],
        "post": {
            "summary": "Add a note to a lead's history",
            "requestBody": _body(
                {
                    "type": "object",
                    "properties": {"body": {"type": "string"}},
                    "required": ["body"],
                }
            ),
            "responses": {
                "201": _json("HistoryEntry", "The note."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/leads/{lead_id}/emails": {
        "parameters": [_id("lead_id")],
        "post": {
            "summary": "Write an email to the lead, from the shop's address",
            "description": "Written to the outbox and sent at once where an SMTP server is"
            " set (retried from there). Once sent, it is on the lead's history as the"
            " token's user's, and the lead is Replied. Refused (400, on `to`) for a lead"
            " without an email address or Do Not Contact. A `key` sent again gives the"
            " email it wrote (200) instead of a second one.",
            "requestBody": _body(
                {
                    "type": "object",
                    "properties": {
                        "subject": {"type": "string", "maxLength": 240},
                        "text": {"type": "string", "maxLength": 20000},
                        "key": {"type": "string", "maxLength": 64},
                    },
                    "required": ["subject", "text"],
                }
            ),
            "responses": {
                "201": _json("WrittenEmail", "The email, sent or in the outbox."),
                "200": _json("WrittenEmail", "The email this key wrote before."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/leads/{lead_id}/follow-up/done": {
        "parameters": [_id("lead_id")],
        "post": {
            "summary": "Mark a lead's follow-up done, and set the next one or none",
            "description": "Refused (400, on `due`) when the lead's follow-up is no longer"
            " on `due`: done or moved meanwhile, so a repeated request does nothing twice.",
            "requestBody": _body(
                {
                    "type": "object",
                    "properties": {
                        "due": {"type": "string", "format": "date"},
                        "next_contact_date": _nullable("string", format="date"),
                        "note": _nullable("string"),
                    },
                    "required": ["due"],
                }
            ),
            "responses": {
                "200": _json("LeadDetail", "The lead, with its next follow-up."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/leads/{lead_id}/merge": {
        "parameters": [_id("lead_id")],
        "post": {
            "summary": "Merge a duplicate lead into this one",
            "description": "`duplicate` is the other lead's id, `LEAD-…` id or email. Its"
            " history, addresses, contacts, carts, opportunities, quotations, emails and"
            " customer move to this lead, whose empty fields take its values; then it is"
            " gone (its id answers 404, naming this lead). Refused (400, on `duplicate`)"
            " for two leads that both have an email, a shop account or a customer. A"
            " repeated request does nothing more.",
            "requestBody": _body(
                {
                    "type": "object",
                    "properties": {"duplicate": {"type": ["string", "integer"]}},
                    "required": ["duplicate"],
                }
            ),
            "responses": {
                "200": _json("LeadDetail", "The lead, with what the duplicate had."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/leads/{lead_id}/convert": {
        "parameters": [_id("lead_id")],
        "post": {
            "summary": "Convert a lead: a customer and its contact (once)",
            "responses": {
                "200": _json("LeadDetail", "The converted lead."),
                "400": _REFUSED,
                "404": _NOT_FOUND,
            },
        },
    },
    "/today": {
        "get": {
            "summary": "Your follow-ups due today or overdue (up to 200), and the next 7 days'",
            "responses": {"200": _json("Today", "The follow-ups.")},
        }
    },
    "/funnel": {
        "get": {
            "summary": "The funnel, leads by source per week, conversion by source",
            "responses": {"200": _json("Funnel", "The figures.")},
        }
    },
    "/recovery": {
        "get": {
            "summary": "The recovery report for a range of days, in all and email by email",
            "parameters": [
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
            ],
            "responses": {"200": _json("Recovery", "The figures."), "400": _REFUSED},
        }
    },
    "/carts": {
        "get": {
            "summary": "Tracked carts, newest first",
            "parameters": [
                {
                    "name": "state",
                    "in": "query",
                    "schema": {"enum": [s.value for s in CartState]},
                },
                *_LIMITS,
            ],
            "responses": {"200": _json("CartPage", "A page of carts."), "400": _REFUSED},
        }
    },
    "/customers": {
        "get": {
            "summary": "Customers, newest first",
            "parameters": [
                {
                    "name": "q",
                    "in": "query",
                    "description": "Finds customers by name or number, by their lead's name,"
                    " email, company or number, or by a contact's name or email.",
                    "schema": {"type": "string", "maxLength": 200},
                },
                *_LIMITS,
            ],
            "responses": {
                "200": _json("CustomerPage", "A page of customers."),
                "400": _REFUSED,
            },
        }
    },
    "/customers/{customer_id}": {
        "parameters": [_id("customer_id")],
        "get": {
            "summary": "One customer with contacts, addresses and history",
            "responses": {"200": _json("CustomerDetail", "The customer."), "404": _NOT_FOUND},
        },
    },
}

_ANSWERS = {
    "401": _json("Errors", "Neither a signed-in staff session nor a live bearer token."),
    "403": _json("Errors", "Signed in, but not staff."),
}


def document(server_url: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API mounted at ``server_url``."""
    paths: dict[str, Any] = {}
    for path, item in PATHS.items():
        paths[path] = {
            key: (
                {**operation, "responses": {**operation["responses"], **_ANSWERS}}
                if key != "parameters"
                else operation
            )
            for key, operation in item.items()
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Leadcapture back office API",
            "version": version,
            "description": (
                "Staff only: a bearer token (made on the back office's API tokens page) or "
                "a signed-in staff session, which must send its CSRF token in X-CSRFToken "
                "for writes. Errors are 4xx with {'errors': {field: [messages]}}."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
