"""HTML to PDF with WeasyPrint, for every printable document (the action plan, the board summary).

Everything a document needs is inline: the URL fetcher refuses every fetch, so a PDF can never load
a remote file or a local path named in user text. Fonts come from the system (fonts-liberation2).
"""

from __future__ import annotations

from typing import Any


def _no_fetch(url: str, *args: object, **kwargs: object) -> dict[str, Any]:
    raise ValueError(f"The PDF may not load {url}: everything it needs is inline.")


def html_pdf(html: str, css: str, *, uncompressed: bool = False) -> bytes:
    """`html` laid out with the stylesheet `css` as a PDF. `uncompressed` leaves its text streams
    readable, for tests."""
    from weasyprint import CSS, HTML  # imported here: WeasyPrint takes about a second to load

    return HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_no_fetch)], uncompressed_pdf=uncompressed
    )
