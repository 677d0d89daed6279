"""Posters drawn once per figure change: a small cache of PNG files, content-addressed.

A poster's name is a hash of everything drawn on it (the facts, the share link with the
sharer's code in it, the language and the layout's version), so a name is never stale:
a new vote is a new name, and a second request for the same figures finds the file and
draws nothing. Files live in FANFORGE_POSTER_DIR (by default instance/posters); at most
POSTER_CACHE_SIZE of them (500) are kept, the least recently served going first. Each
host keeps its own: a host without a file draws it again (same name, same bytes).
Writes go to a temporary file renamed into place, so two workers drawing the same
poster at once both leave a whole file.
"""

import contextlib
import hashlib
import json
import os
import tempfile

from flask import current_app

from . import draw

# Move it when the layout changes: every poster is drawn anew.
LAYOUT = 1
DEFAULT_SIZE = 500


def folder():
    path = current_app.config.get("POSTER_DIR") or os.path.join(current_app.instance_path,
                                                                "posters")
    os.makedirs(path, exist_ok=True)
    return path


def name_for(facts, link, language):
    """The poster's file name: 32 hex digits of a hash of all it shows, and ".png"."""
    text = json.dumps([LAYOUT, list(facts), link, language], ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32] + ".png"


def poster(facts, link, language):
    """(PNG bytes, name) of the poster, drawn now only if no file has its name."""
    name = name_for(facts, link, language)
    path = os.path.join(folder(), name)
    try:
        with open(path, "rb") as kept:
            data = kept.read()
        os.utime(path)  # served: the last to be evicted
        return data, name
    except FileNotFoundError:
        pass
    data = draw.render(facts, link, language)
    handle, temporary = tempfile.mkstemp(dir=folder(), suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(temporary, path)
    _prune(folder(), current_app.config.get("POSTER_CACHE_SIZE", DEFAULT_SIZE), keep=name)
    return data, name


def _prune(path, limit, keep):
    """Delete the least recently served posters beyond `limit` (never `keep`)."""
    entries = []
    with os.scandir(path) as found:
        for entry in found:
            if entry.name.endswith(".png") and entry.name != keep:
                try:
                    entries.append((entry.stat().st_mtime, entry.name))
                except FileNotFoundError:  # another worker pruned it
                    continue
    for _mtime, name in sorted(entries)[:max(0, len(entries) + 1 - limit)]:
        with contextlib.suppress(FileNotFoundError):  # another worker pruned it
            os.remove(os.path.join(path, name))
