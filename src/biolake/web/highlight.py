"""Source code and text highlighted with pygments (HTML-escaped by pygments itself)."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe


def highlight(text: str, filename: str = "", language: str | None = None) -> SafeString:
    """``text`` as highlighted HTML; the lexer is chosen by ``language`` or the file name."""
    from pygments import highlight as render
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import TextLexer, get_lexer_by_name, get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language) if language else get_lexer_for_filename(filename or "x.txt")
    except ClassNotFound:
        lexer = TextLexer()
    # pygments escapes the text: the result is safe to embed
    return mark_safe(render(text, lexer, HtmlFormatter(linenos="table" if text.count("\n") > 3 else False)))  # noqa: S308


def stylesheet() -> str:
    """The CSS of the highlighting (written to ``static/biolake/pygments.css``)."""
    from pygments.formatters import HtmlFormatter

    return str(HtmlFormatter(style="friendly").get_style_defs(".highlight"))
