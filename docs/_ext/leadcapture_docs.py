"""Pages made from the code, so each fact is written once: the settings from
``leadcapture/config.py`` and the JSON API's operations from its OpenAPI document."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class SettingsReference(SphinxDirective):
    """Every ``LEADCAPTURE_*`` setting with its default and the explanation above it in
    :data:`leadcapture.config.DEFAULTS`."""

    def run(self) -> list[nodes.Node]:
        from leadcapture.config import DEFAULTS, PREFIX, reference

        listing = nodes.definition_list()
        for explanation, keys in reference():
            item = nodes.definition_list_item()
            for key in keys:
                term = nodes.term()
                term += nodes.literal(text=f"{PREFIX}{key} = {DEFAULTS[key]!r}")
                item += term
            definition = nodes.definition()
            definition += nodes.paragraph(text=explanation)
            item += definition
            listing += item
        return [listing]


class ApiOperations(SphinxDirective):
    """A table of the JSON API's operations, from its OpenAPI document."""

    def run(self) -> list[nodes.Node]:
        from leadcapture.backoffice.openapi import PATHS

        table = nodes.table()
        group = nodes.tgroup(cols=3)
        table += group
        for width in (10, 35, 55):
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        group += head
        head += self._row("Method", "Path", "What it does")
        body = nodes.tbody()
        group += body
        for path, item in PATHS.items():
            for method, operation in item.items():
                if method != "parameters":
                    codes = ", ".join(sorted(operation["responses"]))
                    summary = f"{operation['summary']} ({codes})"
                    body += self._row(method.upper(), path, summary)
        return [table]

    @staticmethod
    def _row(*cells: str) -> nodes.row:
        row = nodes.row()
        for text in cells:
            entry = nodes.entry()
            entry += nodes.paragraph(text=text)
            row += entry
        return row


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("leadcapture-settings", SettingsReference)
    app.add_directive("leadcapture-api-operations", ApiOperations)
    return {"parallel_read_safe": True}
