"""The control: a bare Flask route rendering a small Jinja template.

It sets the floor any Flask page can reach on this machine, measured by the same
load generator in the same run, so the app's pages are judged by their ratio to it.
Served as `bench.control_app:app` from the repository root (see bench/servers.py).
"""

from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))

ITEMS = [{"id": n, "name": f"Item {n} 条目", "votes": n * 7} for n in range(1, 21)]


@app.get("/")
def index():
    return render_template("control.html", title="Control 对照", items=ITEMS)
