"""How a value is escaped into HTML: one function for every page the package writes."""

from __future__ import annotations

import html


def html_text(value) -> str:
    """A value as a template writes it (a Jinja environment's ``finalize``): text escaped as
    ``html.escape`` escapes it, quotes included (&quot; and &#x27;, the entities the published pages
    have always had); a text with nothing to escape (most cells) as it is; markup a template made
    (``__html__``) as it is."""
    if type(value) is not str:
        return value.__html__() if hasattr(value, "__html__") else html_text(str(value))
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return html.escape(value, quote=True)
    return value
