"""README's "One host, step by step" as a script a test can run in a temporary folder.

Every line of the recipe is run as written (with /srv/fanforge and /etc/fanforge.env moved
into the test's folder and `runuser -u fanforge --` dropped: the test runs as its own user),
stood in for (a step that needs root, the network or another machine, with what the test
does instead), or left to the test (nginx and the systemd units, which the test starts
itself from deploy/). A line this module does not know fails the test, so README and the
test change together."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = "### One host, step by step"

# Steps needing root, packages or DNS, and what the test does in their place.
STAND_INS = {
    "apt-get update": ":",
    "apt-get install -y git python3 python3-venv nginx certbot postgresql redis-server curl":
        ":",  # present on the test machine (CI installs them)
    "useradd --system --home-dir /srv/fanforge --shell /usr/sbin/nologin fanforge": ":",
    'git clone "$REPO" /srv/fanforge': 'cp -a "$CLONE" /srv/fanforge',  # the tracked files
    "python3 -m venv .venv": 'ln -s "$VENV" .venv',  # the test's own, already installed
    ".venv/bin/pip install -e .": ":",
    "install -d -o fanforge -g fanforge instance": "install -d instance",
    "runuser -u postgres -- createuser fanforge": ":",
    # The test made an empty database; the env file is pointed at it (and at Redis keys of
    # its own: queue, pages, limits) in place of handing the file to the service's user.
    "runuser -u postgres -- createdb --owner fanforge fanforge": ":",
    "chown root:fanforge /etc/fanforge.env":
        'sed -i "s|^FANFORGE_DATABASE_URL=.*|FANFORGE_DATABASE_URL=$TEST_DATABASE_URL|" '
        '/etc/fanforge.env && printf "FANFORGE_QUEUE_NAME=recipe%s\\nFANFORGE_CACHE_KEY_PREFIX=recipe%s:'
        '\\nFANFORGE_RATELIMIT_KEY_PREFIX=recipe%s\\n" "$TEST_RUN" "$TEST_RUN" "$TEST_RUN" '
        '>> /etc/fanforge.env',
}
# Left to the test, which starts nginx from deploy/nginx.conf and gunicorn as the unit says.
LEFT_TO_THE_TEST = (
    "certbot ", 'sed "s/fans\\.example\\.com/$DOMAIN/g" deploy/nginx.conf', "ln -s /etc/nginx",
    "rm /etc/nginx", "nginx -t", "systemctl ", "cp deploy/fanforge-web.service", "curl ",
)
# Run as written.
AS_WRITTEN = (
    re.compile(r"^(DOMAIN|EMAIL|REPO)=\S+$"),
    re.compile(r"^cd /srv/fanforge$"),
    re.compile(r"^\.venv/bin/pybabel compile -d translations$"),
    re.compile(r"^cat > /etc/fanforge\.env <<END$"),
    re.compile(r"^chmod 640 /etc/fanforge\.env$"),
    re.compile(r"^fanforge\(\) \{ .* \}$"),
    re.compile(r"^fanforge db upgrade$"),
    re.compile(r"^fanforge users create admin --email \"\$EMAIL\" --role admin$"),
)


def recipe_lines(readme=ROOT / "README.md"):
    """The commands of the recipe's first sh block, continuation lines joined."""
    text = readme.read_text(encoding="utf-8")
    section = text[text.index(HEADING):]
    block = section[section.index("```sh\n") + len("```sh\n"):]
    block = block[:block.index("```")]
    lines, pending = [], ""
    for raw in block.splitlines():
        if raw.endswith("\\"):
            pending += raw[:-1].rstrip() + " "
            continue
        lines.append(pending + raw)
        pending = ""
    return lines


def script(srv, etc):
    """(bash script, [lines left to the test]); ValueError on a line nobody knows."""
    out, left, heredoc = ["set -eu"], [], False
    for line in recipe_lines():
        command = line.strip()
        if heredoc:  # the env file's text, as written
            out.append(line)
            heredoc = command != "END"
            continue
        command = re.sub(r"\s+# .*$", "", command)  # a trailing remark
        if not command or command.startswith("#"):
            continue
        if command in STAND_INS:
            out.append(STAND_INS[command])
        elif command.startswith(LEFT_TO_THE_TEST):
            left.append(command)
        elif any(pattern.match(command) for pattern in AS_WRITTEN):
            out.append(command.replace("runuser -u fanforge -- ", ""))
            heredoc = command.endswith("<<END")
        else:
            raise ValueError(f"README's recipe has a step the test does not know: {command!r}")
    text = "\n".join(out).replace("/srv/fanforge", str(srv)).replace("/etc/fanforge.env",
                                                                     str(etc / "fanforge.env"))
    return text + "\n", left
