"""What the benchmarks that run against the local production stack
(``deploy/stack.sh up``) share: its environment, HTTP access through nginx,
and Django set up on the stack's database."""

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STACK = Path(os.environ.get("STACK_DIR", REPO / "var" / "stack"))
HOST = "carvin.localhost"


def stack_environment() -> dict:
    env_file = STACK / "env"
    if not env_file.exists():
        raise SystemExit("The stack is not set up: run deploy/stack.sh up first.")
    pattern = re.compile(r"^export (\w+)=(.*)$")
    return dict(
        m.groups() for line in env_file.read_text().splitlines() if (m := pattern.match(line))
    )


def setup_django() -> dict:
    """Point this process at the stack (PostgreSQL, Redis, S3) and set Django up."""
    environment = stack_environment()
    os.environ.update(environment)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    return environment


def base_url(environment: dict | None = None) -> str:
    environment = environment or stack_environment()
    return f"https://127.0.0.1:{environment['PORT']}"


def host_header(environment: dict | None = None) -> str:
    environment = environment or stack_environment()
    return f"{HOST}:{environment['PORT']}"


def http_session(environment: dict | None = None):
    """A requests session that reaches Carvin's portal through nginx."""
    import requests

    environment = environment or stack_environment()
    session = requests.Session()
    session.verify = environment["REQUESTS_CA_BUNDLE"]
    session.headers["Host"] = host_header(environment)
    session.headers["Origin"] = f"https://{host_header(environment)}"
    return session
