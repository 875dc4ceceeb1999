"""What a recovery email says: the owner's plain text with placeholders, made into the
subject, a plain-text part and an HTML part that say the same.

The owner writes paragraphs separated by blank lines. ``{cart_lines}`` or
``{restore_link}`` alone in a paragraph becomes the lines table or the button in the HTML
part; anywhere else a placeholder is its value. A paragraph that names ``{code}`` or
``{percent}`` is left out of an email without a code, and an unknown first name takes the
space before it along ("Hello {first_name}," reads "Hello,"). Placeholders are replaced by
a plain lookup, never ``str.format``: the text is the owner's, the values the shopper's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from .errors import ValidationError
from .i18n import N_, gettext

#: Every placeholder, with what it stands for (shown beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "first_name": N_("the shopper's first name, if known"),
    "shop_name": N_("your shop's name"),
    "cart_lines": N_("the cart's lines and total"),
    "cart_total": N_("the cart's total with its currency"),
    "restore_link": N_("the link that puts the cart back (a button in the HTML part)"),
    "code": N_("the discount code, when the step has one"),
    "percent": N_("the discount's percent"),
}
#: Placeholders whose paragraph is left out when the email has no code.
CODE_PLACEHOLDERS = ("code", "percent")
#: Placeholders that make a paragraph of their own in the HTML part.
BLOCKS = ("cart_lines", "restore_link")

#: The restore link's words: the HTML part's button, the text part's line before the link.
BUTTON = N_("Return to your cart")

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    #: The body's paragraphs for the HTML template: ``("text", Markup)`` with the values
    #: escaped, or ``("cart_lines", "")`` / ``("restore_link", "")`` for the blocks.
    paragraphs: list[tuple[str, Markup]]


def check(field: str, text: str, *, code: bool) -> None:
    """Refuse unknown placeholders, and a code's placeholders in a step without a code."""
    for name in _PLACEHOLDER.findall(text):
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ValidationError.single(
                field,
                gettext(
                    "Unknown placeholder %(name)s; use %(known)s.", name=f"{{{name}}}", known=known
                ),
            )
        if name in CODE_PLACEHOLDERS and not code:
            raise ValidationError.single(
                field,
                gettext("%(name)s needs the step's discount code turned on.", name=f"{{{name}}}"),
            )


def _drop_missing_name(text: str, values: Mapping[str, Any]) -> str:
    return text if values.get("first_name") else re.sub(r" ?\{first_name\}", "", text)


def _fill(text: str, values: Mapping[str, str]) -> str:
    text = _drop_missing_name(text, values)
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _fill_html(text: str, values: Mapping[str, str]) -> Markup:
    """The paragraph as HTML: its text and the values escaped, the restore link a link,
    line breaks kept."""
    text = _drop_missing_name(text, values)
    parts: list[Markup] = []
    for index, piece in enumerate(_PLACEHOLDER.split(text)):
        if index % 2 == 0:
            parts.append(Markup("<br>\n").join(escape(line) for line in piece.split("\n")))
        elif piece == "restore_link" and values.get(piece):
            link = values[piece]
            parts.append(Markup('<a href="{0}" style="color:#2a4fc7;">{0}</a>').format(link))
        else:
            parts.append(escape(values.get(piece, "{" + piece + "}")))
    return Markup("").join(parts)


def _paragraphs(body: str, has_code: bool) -> list[str]:
    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n"))]
    return [
        p
        for p in paragraphs
        if p.strip() and (has_code or not any("{" + name + "}" in p for name in CODE_PLACEHOLDERS))
    ]


def _text(paragraph: str, values: Mapping[str, str]) -> str:
    """The paragraph as plain text; the button's words go with a lone restore link."""
    if paragraph.strip() == "{restore_link}":
        return f"{gettext(BUTTON)}:\n{values.get('restore_link', '')}"
    return _fill(paragraph, values)


def render(subject: str, body: str, values: Mapping[str, str]) -> Rendered:
    """``values`` holds each placeholder's plain-text value (``cart_lines`` as text)."""
    has_code = bool(values.get("code"))
    paragraphs = _paragraphs(body, has_code)
    html: list[tuple[str, Markup]] = []
    for paragraph in paragraphs:
        alone = _PLACEHOLDER.fullmatch(paragraph.strip())
        if alone and alone.group(1) in BLOCKS:
            html.append((alone.group(1), Markup("")))
        else:
            html.append(("text", _fill_html(paragraph, values)))
    return Rendered(
        subject=" ".join(_fill(subject, values).split()),
        text="\n\n".join(_text(p, values) for p in paragraphs) + "\n",
        paragraphs=html,
    )


def cart_lines_text(lines: list[dict[str, Any]], total: Any, currency: str) -> str:
    rows = [
        f"  {line['quantity']} x {line['name']} ({line['unit_price']} {currency})" for line in lines
    ]
    total_label = gettext("Total")
    return "\n".join([*rows, "", f"{total_label}: {total} {currency}"])
