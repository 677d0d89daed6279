"""The composer's Preview: the post as it will look, and what the server would refuse,
said before posting rather than after."""

from ..engagement.listeners import links_need_a_level
from ..kernel.errors import ValidationError
from ..web.markdown import render


def preview(author, body):
    """(html, warnings): the rendered body and the reasons it would be refused."""
    warnings = []
    try:
        links_need_a_level(author, body)
    except ValidationError as error:
        warnings.append(error.message)
    return render(body), warnings
