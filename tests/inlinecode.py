"""What a strict Content-Security-Policy refuses to run or apply in a page's HTML
(community/web/securityheaders.py): the page sweep and the template scan both ask it."""

from html.parser import HTMLParser


class InlineCode(HTMLParser):
    """What a strict policy refuses to run or apply: inline script, on*= handlers,
    javascript: URLs, style= attributes and <style> elements."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self._in_script = True
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html):
    parser = InlineCode()
    parser.feed(html)
    return parser.found
