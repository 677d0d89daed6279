"""Translations read from the compiled catalog, or from its source when that is missing.

`pybabel compile` turns translations/<lang>/LC_MESSAGES/messages.po into the .mo file
Flask-Babel reads, and only `make` ran it: a host set up by hand, or a release that
forgot the step, served English to everyone without a word in the logs. Here a catalog
whose .mo is missing or older than its .po is compiled from the .po in memory when a
language is first asked for (about 0.1 s per language and process), so the site speaks
what the repository says whatever was run; nothing is written (production gives the
service no write access to the code). The one hook used is Flask-Babel's documented
Domain.get_translations_cache().
"""

import io
import logging
import os
from functools import cached_property

import flask_babel
from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def _paths(dirname, locale, domain):
    """(.mo, .po) of the first of the locale's names that has either."""
    names = [str(locale)]
    language = getattr(locale, "language", None)
    if language and language not in names:
        names.append(language)
    for name in names:
        base = os.path.join(dirname, name, "LC_MESSAGES", domain)
        if os.path.exists(base + ".po") or os.path.exists(base + ".mo"):
            return base + ".mo", base + ".po"
    return None, None


def _fresh(mo, po):
    if not os.path.exists(mo):
        return False
    return not os.path.exists(po) or os.path.getmtime(mo) >= os.path.getmtime(po)


def load_catalog(dirname, locale, domain):
    """One directory's translations for `locale`: the .mo when it is current, else the
    .po compiled in memory, else none."""
    mo, po = _paths(dirname, locale, domain)
    if mo is None:
        return support.NullTranslations()
    if _fresh(mo, po):
        return support.Translations.load(dirname, [locale], domain)
    with open(po, "rb") as source:
        catalog = read_po(source, locale=str(locale), domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    log.warning("%s is missing or older than its .po: compiled in memory "
             "(`pybabel compile -d translations` saves this)", mo)
    return support.Translations(compiled, domain=domain)


class _Catalogs(dict):
    """Flask-Babel's translations cache, filling itself: a miss loads the catalogs."""

    def __init__(self, directories):
        super().__init__()
        self.directories = directories

    def __missing__(self, key):
        locale_name, domain = key
        locale = flask_babel.get_locale() or locale_name
        translations = support.Translations()
        for dirname in self.directories:
            catalog = load_catalog(dirname, locale, domain)
            translations.merge(catalog)
            if hasattr(catalog, "plural"):  # merge() keeps neither the plural rule nor _info
                translations.plural = catalog.plural
        self[key] = translations
        return translations


class Domain(flask_babel.Domain):
    """One cache per set of translation folders (Flask-Babel keeps one per process, so
    apps with other folders, as in tests, would share the first one's)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.caches = {}

    def get_translations_cache(self, ctx):
        directories = tuple(self.translation_directories)
        cache = self.caches.get(directories)
        if cache is None:
            cache = self.caches.setdefault(directories, _Catalogs(directories))
        return cache


class Babel(flask_babel.Babel):
    @cached_property
    def domain_instance(self):
        return Domain(domain=self.domain)
