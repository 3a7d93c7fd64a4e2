"""The real proxy stack of ``deploy/``: one client's failures never block
another; plain HTTP is sent to HTTPS; text goes out compressed. nginx with
``deploy/nginx/portal.conf`` and ``proxy_params.conf`` is in front of the
Procfile's gunicorn with ``deploy/gunicorn.conf.py`` (one worker), serving
this test's database with ``TRUSTED_PROXIES=127.0.0.1``.

Two clients connect from 127.0.0.2 and 127.0.0.3 (both loopback); nginx
reaches gunicorn from 127.0.0.1. Ports are free ones, so that another pytest
process may run at the same time."""

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import time
import zlib
from dataclasses import dataclass
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import altcha
import brotli
import pytest
from django.conf import settings
from django.db import connection

from accounts.captcha import ALTCHA_ALGORITHM, _altcha_secrets
from payments.forms import INVOICE_NOT_FOUND
from payments.views import LOOKUP_FAILURE_LIMIT
from tests.accounts.factories import PASSWORD, citizen
from tests.payments.factories import invoice, regie

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if os.access(path, os.X_OK)), None
)
ROOT = Path(settings.BASE_DIR)
HOSTNAME = "carvin.localhost"
ATTACKER, NEIGHBOUR = "127.0.0.2", "127.0.0.3"

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="no nginx (scripts/test.sh installs it)"),
    pytest.mark.django_db(transaction=True),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} stopped:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """TERM stops nginx at once; QUIT stops gunicorn at once."""
    if process.poll() is None:
        quick = signal.SIGTERM if process.args[0] == NGINX else signal.SIGQUIT
        os.killpg(process.pid, quick)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


# The main context's lines that load the brotli modules (Debian's
# modules-enabled lines name them relative to /etc/nginx's prefix).
BROTLI_MODULES = "\n".join(
    f"load_module /usr/lib/nginx/modules/ngx_http_brotli_{part}_module.so;"
    for part in ("filter", "static")
)


def render_nginx(tmp: Path, *, port: int, http_port: int, upstream: int) -> Path:
    """deploy/nginx/portal.conf filled as deploy/stack.sh fills it."""
    (tmp / "tls").mkdir()
    subprocess.run(  # noqa: S603 - a fixed tool and arguments
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={HOSTNAME}", "-keyout", tmp / "tls/key", "-out", tmp / "tls/crt"),
        ],
        check=True,
        capture_output=True,
    )
    values = {
        "NGINX_CACHE_DIR": tmp / "cache",
        "UPSTREAM_SERVERS": f"server 127.0.0.1:{upstream} max_fails=1 fail_timeout=10s;",
        "NGINX_LISTEN": f"127.0.0.1:{port}",
        "NGINX_HTTP_LISTEN": f"127.0.0.1:{http_port}",
        "NGINX_HTTPS_PORT_SUFFIX": f":{port}",
        "SERVER_NAMES": "*.localhost 127.0.0.1",
        "TLS_CERTIFICATE": tmp / "tls/crt",
        "TLS_CERTIFICATE_KEY": tmp / "tls/key",
        "STATIC_ROOT": tmp / "static",
        "NGINX_PROXY_PARAMS": ROOT / "deploy/nginx/proxy_params.conf",
    }
    site = (ROOT / "deploy/nginx/portal.conf").read_text()
    for name, value in values.items():
        site = site.replace("${" + name + "}", str(value))
    (tmp / "portal.conf").write_text(site)
    conf = tmp / "nginx.conf"
    conf.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""{BROTLI_MODULES}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/portal.conf;
}}
"""
    )
    return conf


@dataclass(frozen=True)
class Stack:
    https: int
    http: int
    static_root: Path


@pytest.fixture
def stack(tmp_path):
    """The portal at https://carvin.localhost:<port>/ through nginx."""
    web_port, nginx_port, http_port = free_port(), free_port(), free_port()
    procfile = (ROOT / "deploy/Procfile").read_text()
    web = re.search(r"^web: (.+)$", procfile, re.MULTILINE)[1]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": database_url(),
        "TRUSTED_PROXIES": "127.0.0.1",
        "WEB_CONCURRENCY": "1",
        "WEB_PORT": str(web_port),
        "TMPDIR": str(tmp_path),
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        gunicorn = subprocess.Popen(  # noqa: S603 - the Procfile's command
            shlex.split(web.replace("${WEB_PORT}", str(web_port))),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes = [gunicorn]
    try:
        conf = render_nginx(tmp_path, port=nginx_port, http_port=http_port, upstream=web_port)
        nginx_log = tmp_path / "nginx.log"
        with nginx_log.open("w") as out:
            nginx = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
                [NGINX, "-p", tmp_path, "-e", nginx_log, "-c", conf, "-g", "daemon off;"],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        processes.append(nginx)
        wait_for_port(nginx_port, nginx, nginx_log)
        wait_for_port(web_port, gunicorn, log)
        yield Stack(https=nginx_port, http=http_port, static_root=tmp_path / "static")
    finally:
        for process in reversed(processes):
            stop(process)


class Browser:
    """A client connecting from one loopback address, keeping its cookies."""

    def __init__(self, address: str, port: int):
        self.address, self.port = address, port
        self.origin = f"https://{HOSTNAME}:{port}"
        self.cookies = SimpleCookie()
        self.context = ssl.create_default_context()
        self.context.check_hostname = False
        self.context.verify_mode = ssl.CERT_NONE

    def request(self, method: str, path: str, fields: dict | None = None):
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.port,
            source_address=(self.address, 0),
            context=self.context,
            timeout=20,
        )
        headers = {"Host": f"{HOSTNAME}:{self.port}", "Origin": self.origin}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        return response.status, unescape(text)

    def log_in(self, username: str, password: str) -> int:
        return self.request(
            "POST", "/compte/connexion/", {"username": username, "password": password}
        )[0]

    def look_up_invoice(self, number: str, key: str) -> tuple[int, str]:
        self.request("GET", "/paiement/payer-une-facture/")
        return self.request(
            "POST",
            "/paiement/payer-une-facture/",
            {
                "number": number,
                "key": key,
                "captcha": solved_captcha(),
                "csrfmiddlewaretoken": self.cookies["csrftoken"].value,
            },
        )


def solved_captcha() -> str:
    """An ALTCHA solution the portal accepts, with the least work: signed with
    its secret, as ``accounts.captcha`` signs its own challenges."""
    challenge_secret, key_secret = _altcha_secrets(settings.SECRET_KEY)
    challenge = altcha.create_challenge(
        algorithm=ALTCHA_ALGORITHM,
        cost=1,
        counter=1,
        expires_at=int(time.time()) + 600,
        hmac_secret=challenge_secret,
        hmac_key_secret=key_secret,
    )
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def test_one_clients_failures_never_block_another(stack, carvin):
    citizen(carvin)
    citizen(carvin, "Paul", "Lire")
    bill = invoice(regie(carvin, "Ville"), number="CAR-V-00900", key="K7QX2M9R")
    attacker, neighbour = Browser(ATTACKER, stack.https), Browser(NEIGHBOUR, stack.https)

    # A stranger guessing a citizen's password does not lock the citizen out.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.log_in("amélie.lire", "mauvais mot de passe")
    assert attacker.log_in("amélie.lire", PASSWORD) == 429
    assert neighbour.log_in("amélie.lire", PASSWORD) == 302

    # An address that failed too often is refused; the others are not.
    for n in range(settings.ADDRESS_FAILURE_LIMIT):
        attacker.log_in(f"inconnu{n}", "mauvais mot de passe")
    assert attacker.log_in("paul.lire", PASSWORD) == 429
    assert neighbour.log_in("paul.lire", PASSWORD) == 302

    # Wrong invoice keys block the one who types them.
    for _ in range(LOOKUP_FAILURE_LIMIT):
        status, html = attacker.look_up_invoice(bill.number, "WRONGKEY")
        assert status == 200 and str(INVOICE_NOT_FOUND) in html
    assert attacker.look_up_invoice(bill.number, "K7QX2M9R")[0] == 429
    assert neighbour.look_up_invoice(bill.number, "K7QX2M9R")[0] == 302


def test_plain_http_is_sent_to_https_and_text_goes_out_compressed(stack, carvin):
    plain = http.client.HTTPConnection("127.0.0.1", stack.http, timeout=20)
    plain.request("GET", "/faq/?q=cantine", headers={"Host": HOSTNAME})
    redirect = plain.getresponse()
    plain.close()
    assert redirect.status == 301
    assert redirect.getheader("Location") == f"https://{HOSTNAME}:{stack.https}/faq/?q=cantine"

    stylesheet = b"body { color: #222; }\n" * 200
    (stack.static_root / "css").mkdir(parents=True)
    (stack.static_root / "css/site.css").write_bytes(stylesheet)
    # WhiteNoise's precompressed copies; nginx serves them as they are.
    (stack.static_root / "css/site.css.gz").write_bytes(gzip_bytes(stylesheet))
    (stack.static_root / "css/site.css.br").write_bytes(brotli.compress(stylesheet))
    decoders = {"gzip": lambda data: zlib.decompress(data, wbits=31), "br": brotli.decompress}
    for path, expected in (("/static/css/site.css", stylesheet), ("/compte/connexion/", None)):
        plain_body = fetch(stack.https, path, {})
        assert plain_body.getheader("Content-Encoding") is None, path
        for accepted, encoding in (("gzip", "gzip"), ("gzip, deflate, br", "br")):
            compressed = fetch(stack.https, path, {"Accept-Encoding": accepted})
            assert compressed.getheader("Content-Encoding") == encoding, (path, accepted)
            assert "Accept-Encoding" in compressed.getheader("Vary"), path
            body = decoders[encoding](compressed.body)
            assert body == (expected or plain_body.body), path
            assert len(compressed.body) < len(body) / 2, path


def gzip_bytes(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def fetch(port: int, path: str, headers: dict):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": f"{HOSTNAME}:{port}", **headers})
        response = connection.getresponse()
        response.body = response.read()
    finally:
        connection.close()
    return response
