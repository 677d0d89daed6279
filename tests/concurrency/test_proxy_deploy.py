"""The production setup in deploy/ and gunicorn.conf.py, run for real: nginx with the
shipped site file (ports, certificate and folders swapped for the test's) in front of
gunicorn. Slow clients wait on nginx, not on a worker; each client has its own sign-in
budget (FANFORGE_PROXY_COUNT=1); static files come from nginx; README's recipe, followed
word for word in a fresh folder on an empty PostgreSQL database, gives a site that speaks
Chinese to a Chinese browser. Skipped when nginx is not installed (`apt-get install
nginx-light`), or, for the recipe, PostgreSQL or Redis is not there, except under CI."""

import contextlib
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import readme_recipe
import redis
from servers import free_port, run_warm
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.concurrency
ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None)
SITE = ROOT / "deploy" / "nginx.conf"


def _absent(reason):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def nginx_binary():
    if NGINX is None:
        _absent("nginx is not installed (apt-get install nginx-light)")
    return NGINX


def _self_signed(folder):
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=fans.example.com", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _swap(text, old, new):
    assert old in text, f"deploy/nginx.conf no longer has {old!r}: update this test"
    return text.replace(old, new)


def write_config(folder, upstream_port, https_port, http_port):
    """nginx's main config for the test around deploy/nginx.conf; returns its path."""
    cert, key = _self_signed(folder)
    site = SITE.read_text()
    for old, new in [("server 127.0.0.1:8000", f"server 127.0.0.1:{upstream_port}"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen [::]:80;\n", ""),
                     ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
                     ("listen [::]:443 ssl;\n", ""),
                     ("/etc/letsencrypt/live/fans.example.com/fullchain.pem", str(cert)),
                     ("/etc/letsencrypt/live/fans.example.com/privkey.pem", str(key)),
                     ("/srv/fanforge/static/", f"{ROOT}/static/"),
                     ("/var/www/html", str(folder))]:
        site = _swap(site, old, new)
    (folder / "site.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {folder}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
{temp}
    include {folder}/site.conf;
}}
""")
    return main


def nginx_command(folder, config, *args):
    return [NGINX, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config), *args]


def test_the_shipped_nginx_config_is_valid(nginx_binary, tmp_path):
    config = write_config(tmp_path, free_port(), free_port(), free_port())
    result = subprocess.run(nginx_command(tmp_path, config, "-t"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "[warn]" not in result.stderr and "[emerg]" not in result.stderr, result.stderr


def test_gunicorn_conf_states_its_settings(tmp_path):
    """What gunicorn.conf.py gives a worker (gunicorn's own reading of it, its command line
    run in a warm fork: tests/zygote.py)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("WEB_CONCURRENCY", "FORWARDED_ALLOW_IPS", "GUNICORN_CMD_ARGS")}
    code, printed = run_warm("gunicorn", ["--print-config", "app:app"], env, ROOT,
                             tmp_path / "print-config.log")
    assert code == 0, printed
    settings = dict(line.split(" = ", 1) for line in printed.splitlines() if " = " in line)
    settings = {key.strip(): value.strip() for key, value in settings.items()}
    assert settings["bind"] == "['127.0.0.1:8000']"  # nginx's upstream, never 0.0.0.0
    assert int(settings["workers"]) == (os.cpu_count() or 1) * 2 + 1
    assert int(settings["timeout"]) > 30 and int(settings["graceful_timeout"]) > 0
    assert int(settings["max_requests"]) > 0 and int(settings["max_requests_jitter"]) > 0
    assert settings["forwarded_allow_ips"] == "['127.0.0.1', '::1']"
    assert int(settings["limit_request_line"]) == 8190  # nginx's large_client_header_buffers
    code, printed = run_warm("gunicorn", ["--check-config", "app:app"], env, ROOT,
                             tmp_path / "check-config.log")
    assert code == 0, printed


class Site:
    """HTTPS requests to nginx from a chosen loopback address (each one a client)."""

    def __init__(self, port):
        self.port = port
        self.tls = ssl._create_unverified_context()  # the test's self-signed certificate

    def request(self, method, path, client="127.0.0.1", body=None, headers=None, timeout=10):
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                                 source_address=(client, 0), context=self.tls)
        try:
            connection.request(method, path, body=body,
                               headers={"Host": "fans.example.com", **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def sign_in(self, client):
        body = json.dumps({"username": "nobody", "password": "wrong-password"})
        return self.request("POST", "/api/v1/tokens", client, body,
                            {"Content-Type": "application/json"})[0]


@pytest.fixture
def site(nginx_binary, sqlite_app, live_servers, tmp_path):
    """One sync gunicorn worker behind nginx (on SQLite: what nginx does is the subject)."""
    base = live_servers.start(sqlite_app.config["SQLALCHEMY_DATABASE_URI"], workers=1, env={
        "FANFORGE_PROXY_COUNT": "1", "FANFORGE_RATELIMIT_ENABLED": "true",
        # The site's address, as in production: the only host it answers for besides
        # loopback names (any other Host is a 400).
        "FANFORGE_SITE_URL": "https://fans.example.com",
        "FANFORGE_RATELIMIT_LOGIN": "3 per minute"})
    folder = tmp_path / "nginx"
    folder.mkdir()
    https_port = free_port()
    config = write_config(folder, int(base.rsplit(":", 1)[1]), https_port, free_port())
    nginx = subprocess.Popen(nginx_command(folder, config, "-g", "daemon off;"),
                             stderr=subprocess.DEVNULL, start_new_session=True)  # error.log
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", https_port), 1):
            break
        time.sleep(0.05)
    yield Site(https_port)
    nginx.terminate()
    nginx.wait(timeout=10)


def test_slow_clients_wait_on_nginx_not_on_the_worker(site):
    """30 clients sending their headers a byte a second hold no worker: with a single one,
    other visitors' pages still come at once (on gunicorn alone they waited their turn)."""
    stop = threading.Event()

    def trickle():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", site.port)) as raw, \
                site.tls.wrap_socket(raw, server_hostname="fans.example.com") as slow:
            for byte in b"GET / HTTP/1.1\r\nHost: fans.example.com\r\nX-Slow: yes":
                if stop.wait(1):
                    return
                slow.sendall(bytes([byte]))

    slow_clients = [threading.Thread(target=trickle, daemon=True) for _ in range(30)]
    for client in slow_clients:
        client.start()
    try:
        time.sleep(2)  # every slow client is in, a few bytes sent
        with ThreadPoolExecutor(max_workers=5) as pool:
            timed = list(pool.map(lambda _: _timed(site), range(10)))
    finally:
        stop.set()
    assert [status for status, _ in timed] == [200] * 10
    assert max(seconds for _, seconds in timed) < 3, timed


def _timed(site):
    started = time.monotonic()
    status, _headers, _body = site.request("GET", "/", timeout=10)
    return status, time.monotonic() - started


def test_each_client_behind_nginx_has_its_own_sign_in_budget(site):
    assert [site.sign_in("127.0.0.2") for _ in range(4)][-1] == 429
    assert site.sign_in("127.0.0.3") != 429  # another client, through the same nginx
    # A client cannot pick its address: nginx appends the one it saw.
    status, _headers, _body = site.request(
        "POST", "/api/v1/tokens", "127.0.0.2", json.dumps({"username": "x", "password": "y"}),
        {"Content-Type": "application/json", "X-Forwarded-For": "127.0.0.9"})
    assert status == 429


def test_static_files_come_from_nginx(site):
    status, headers, body = site.request("GET", "/static/css/site.css")
    assert status == 200 and body == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert headers["Cache-Control"] == "max-age=3600"  # nginx's `expires 1h`; Flask says no-cache
    assert headers["Server"] == "nginx"  # server_tokens off: no version


@pytest.fixture
def empty_database():
    """A new, empty PostgreSQL database: what `createdb` gives the recipe."""
    admin_url = os.environ.get("FANFORGE_TEST_DATABASE_URL")
    if not admin_url:
        _absent("the recipe runs on PostgreSQL: FANFORGE_TEST_DATABASE_URL is not set")
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", 6379), 1):
        name = f"fanforge_recipe_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    _absent("the recipe's /etc/fanforge.env uses Redis: nothing answers on 127.0.0.1:6379")


def _fresh_clone(folder):
    """The repository's tracked files as they stand: what `git clone` puts on a new host
    (no compiled translations, no instance folder)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / name)
    return folder


def _environment_file(path):
    """KEY=VALUE lines as systemd's EnvironmentFile reads them (quotes taken off)."""
    found = {}
    for line in path.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            found[key.strip()] = value.strip().strip("'\"")
    return found


def _unit_setting(unit, key):
    return re.search(rf"^{key}=(.+)$", unit, re.M).group(1).strip()


def test_the_readme_recipe_word_for_word_speaks_chinese(nginx_binary, empty_database, tmp_path):
    srv, etc = tmp_path / "srv", tmp_path / "etc"
    etc.mkdir()
    keys = uuid.uuid4().hex[:10]  # the run's own Redis keys
    script, left = readme_recipe.script(srv, etc)
    assert any(step.startswith("systemctl enable --now fanforge-web") for step in left), left
    run = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        input="Recipe-admin-pass-2926\nRecipe-admin-pass-2926\n", start_new_session=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("FANFORGE_")},
             "CLONE": str(_fresh_clone(tmp_path / "clone")), "VENV": str(ROOT / ".venv"),
             "TEST_DATABASE_URL": empty_database,
             "TEST_RUN": keys})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]

    # fanforge-web.service, as systemd would start it (on a free port, one worker).
    unit = (ROOT / "deploy" / "fanforge-web.service").read_text()
    here = lambda value: value.replace("/srv/fanforge", str(srv))  # noqa: E731
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8",
           **_environment_file(Path(here(_unit_setting(unit, "EnvironmentFile")).replace(
               "/etc/fanforge.env", str(etc / "fanforge.env")))),
           "WEB_CONCURRENCY": "1"}
    port = free_port()
    env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{port}"
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        web = subprocess.Popen(shlex.split(here(_unit_setting(unit, "ExecStart"))),
                               cwd=here(_unit_setting(unit, "WorkingDirectory")), env=env,
                               stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    folder = tmp_path / "nginx"
    folder.mkdir()
    https_port = free_port()
    config = write_config(folder, port, https_port, free_port())
    nginx = subprocess.Popen(nginx_command(folder, config, "-g", "daemon off;"),
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        site = Site(https_port)
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _headers, body = site.request(
                    "GET", "/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
                if status != 502:
                    break
            assert web.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        assert status == 200, log.read_text()[-3000:]
        page = body.decode()
        assert 'lang="zh-CN"' in page and "版块" in page and "Boards" not in page
        status, _headers, body = site.request("GET", "/", headers={"Accept-Language": "en"})
        assert status == 200 and "Boards" in body.decode()
    finally:
        nginx.terminate()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(web.pid, signal.SIGKILL)
        web.wait()
        nginx.wait(timeout=10)
        for number in (0, 1, 2):  # the run's keys in the recipe's Redis databases
            store = redis.Redis("127.0.0.1", 6379, db=number)
            for key in store.scan_iter(match=f"*recipe{keys}*"):
                store.delete(key)
            store.close()
