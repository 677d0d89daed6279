"""A warm process that forks real gunicorn servers for the tests (tests/servers.py).

Every live server used to be a new `python -m gunicorn --preload app:app`: a fresh
interpreter importing flask, SQLAlchemy, jieba's dictionary and every Fanforge module,
about 3.5 s of CPU before it answered, some hundred times a run. This process pays for
those imports once per pytest worker; each server is a fork of it that takes the test's
environment and folder, then runs gunicorn's own command line, so the app itself
(`app:app`, read from that folder with that environment) is still created by gunicorn
in the server as in production.

Nothing here imports `app` or creates an app: the app's configuration comes from the
environment, which only the fork knows. Fanforge's modules read no environment at import
(create_app does), so importing them early changes nothing a server does.

Protocol: one JSON line on stdin per server, {"argv", "env", "cwd", "log"}; one JSON
line back, {"pid"}. The fork leads a session of its own (os.killpg stops it and its
workers); the kernel reaps it, so a pid that no longer answers signal 0 has exited.
"""

import gc
import json
import os
import pkgutil
import signal
import sys
import traceback
from importlib import import_module
from pathlib import Path

import gunicorn.app.wsgiapp
import gunicorn.arbiter  # noqa: F401 - warmed for the forks
import gunicorn.workers.sync  # noqa: F401

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # started as a script

from community.search import analyzer  # noqa: E402

PACKAGES = ("community", "products", "demo")


def warm():
    for name in PACKAGES:
        package = import_module(name)
        for module in pkgutil.walk_packages(package.__path__, name + "."):
            import_module(module.name)
    analyzer.warm_up()
    # The imported heap lives as long as every fork: not walked by their collectors.
    gc.collect()
    gc.freeze()


def serve(argv, env, cwd, log):
    """In the fork: become `gunicorn <argv>` started in `cwd` with `env` alone."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.path.insert(0, cwd)  # as `python -m gunicorn` started in cwd
    sys.argv = ["gunicorn", *argv]
    code = 0
    try:
        gunicorn.app.wsgiapp.run(prog="gunicorn")
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever ends the server ends the fork
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main():
    warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:
            serve(order["argv"], order["env"], order["cwd"], order["log"])
        print(json.dumps({"pid": pid}), flush=True)


if __name__ == "__main__":
    main()
