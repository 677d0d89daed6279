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

The same warm start serves the tests' other processes: `flask worker`, `flask search
drain` and the payments worker script (each a fresh `python -m flask ...` before, the
same ~3.5 s). "program" says which: gunicorn (the default), flask, or a script's path,
run as `python <script>` would run it.

Protocol: one JSON line on stdin per process, {"argv", "env", "cwd", "log", "program"};
one JSON line back, {"pid"}. The fork leads a session of its own (os.killpg stops it and
its workers); the kernel reaps it, so a pid that no longer answers signal 0 has exited.
A process that ends by itself leaves its exit code in `<log>.exit` (one killed leaves
none).
"""

import gc
import json
import os
import pkgutil
import runpy
import signal
import sys
import traceback
from importlib import import_module
from pathlib import Path

import flask.cli
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


def _run(program, argv):
    """Run `program` with `argv` as its command line, as `python -m <program>` would."""
    if program == "gunicorn":
        sys.argv = ["gunicorn", *argv]
        gunicorn.app.wsgiapp.run(prog="gunicorn")
    elif program == "flask":
        sys.argv = ["flask", *argv]
        flask.cli.main()
    else:  # a script
        sys.argv = [program, *argv]
        sys.path.insert(0, str(Path(program).parent))
        runpy.run_path(program, run_name="__main__")


def serve(argv, env, cwd, log, program="gunicorn"):
    """In the fork: become `<program> <argv>` started in `cwd` with `env` alone."""
    pid = os.getpid()
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
    code = 0
    try:
        _run(program, argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever ends the server ends the fork
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    if os.getpid() == pid:  # not one of gunicorn's workers, which end through here too
        Path(log + ".exit").write_text(str(code))
    os._exit(code)


def main():
    warm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        order = json.loads(line)
        pid = os.fork()
        if pid == 0:
            serve(order["argv"], order["env"], order["cwd"], order["log"],
                  order.get("program", "gunicorn"))
        print(json.dumps({"pid": pid}), flush=True)


if __name__ == "__main__":
    main()
