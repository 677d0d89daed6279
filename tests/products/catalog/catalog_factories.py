"""Factories and helpers for the catalog tests. They need an app context."""

import io
import itertools
from contextlib import contextmanager

from helpers import make_board, make_user
from PIL import Image
from querycount import counting
from sqlalchemy import update

from community.ideas import service as ideas
from community.ideas.models import Idea
from community.kernel.extensions import db
from products.catalog import promotion

_seq = itertools.count(1)


def make_idea(board=None, author=None, title=None, votes=0):
    idea = ideas.propose(board or make_board(), author or make_user(),
                         title or f"A fine idea {next(_seq)}", "Please build it.")
    if votes:
        # Real votes are tested in the ideas package; here only the count matters.
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(votes=votes))
        db.session.commit()
        db.session.refresh(idea)
    return idea


def make_product(ideas_=None, staff=None, slug=None, name=None, summary="Made by fans.",
                 description="A **great** thing."):
    ideas_ = ideas_ or [make_idea()]
    n = next(_seq)
    return promotion.promote(staff or make_user(role="staff"), [i.id for i in ideas_],
                             name or f"Product {n}", slug or f"product-{n}", summary, description)


def image_bytes(fmt="PNG", size=(8, 6)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (255, 105, 0)).save(buffer, format=fmt)
    return buffer.getvalue()


@contextmanager
def statements():
    """Collect every SQL statement run inside the block (tests/querycount.py)."""
    with counting() as seen:
        yield seen


def multipart(field, filename, data, boundary="catalog-test-boundary-7f3a"):
    """A multipart body built in memory: Werkzeug's test client spools big bodies to a
    temporary file it never closes, which the suite's warnings-as-errors would catch."""
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}
