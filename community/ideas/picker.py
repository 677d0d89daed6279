"""The idea picker's search for staff (merge an idea, promote ideas into a product): ideas
by number ("12", "#12") or by words of their title, most voted first, each with its number
so staff pick the right one instead of typing a number from memory."""

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import lazyload

from ..forum.models import Thread
from ..kernel.extensions import db
from .models import Idea

LIMIT = 10


def _like(word):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def find(query, limit=LIMIT):
    """[(idea, title)] for the staff's query: its number, or every word in the title."""
    query = (query or "").strip()
    if not query:
        return []
    number = query.lstrip("#")
    title = func.lower(Thread.title)
    words = query.split()[:5]
    condition = and_(*(title.like(_like(word), escape="\\") for word in words))
    if number.isdigit() and len(number) < 12:
        condition = or_(condition, Idea.id == int(number))
    rows = db.session.execute(
        select(Idea, Thread.title).join(Thread, Thread.id == Idea.thread_id)
        .options(lazyload(Idea.tags), lazyload(Idea.thread), lazyload(Idea.author))
        .where(condition).order_by(Idea.votes.desc(), Idea.id.desc()).limit(limit)
    ).all()
    return [(idea, row_title) for idea, row_title in rows]
