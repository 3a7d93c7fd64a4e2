"""The Nu HTML checker (npm's vnu-jar, on Java) finds no error on the demo's
public and account pages, in both communes and both languages.

The pages are found by following the links of each commune's home page and,
logged in as its demo citizen, of "Mon compte": a new page linked from the
portal is checked without being listed here. The first step of every démarche
is reached through its introduction; a step's later pages need answers and are
left to the browser tests."""

import json
import re
import subprocess
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from .helpers import CARVIN, JAVA, SAINT_ANDRE, VNU_JAR

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

# What the crawl never follows: other applications (the admin, files, PDFs,
# identity providers), and links that change something (logging out).
SKIPPED = re.compile(
    r"^/(admin|static|media|documents)/|deconnexion|franceconnect|proconnect|\.pdf$|/pdf/"
    r"|/bordereau/|/recu/|/telecharger/|/fichiers?/|/export"
)
PAGES_PER_CRAWL = 60
CITIZENS = {
    CARVIN: ("amélie.lire", "amelie-carvin-demo"),
    SAINT_ANDRE: ("élodie.martin", "elodie-saint-andre-demo"),
}


def crawl(client: Client, host: str, start: str) -> dict[str, str]:
    """The HTML of the pages reached from ``start`` on ``host``, by path."""
    pages: dict[str, str] = {}
    queue, seen = deque([start]), {start}
    while queue and len(pages) < PAGES_PER_CRAWL:
        path = queue.popleft()
        response = client.get(path, HTTP_HOST=host)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        pages[path] = html
        for href in re.findall(r'href="([^"#]+)', html):
            link = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if link.scheme not in ("", "http") or link.netloc not in ("", host):
                continue
            if link.query or SKIPPED.search(link.path):
                continue
            if link.path not in seen:
                seen.add(link.path)
                queue.append(link.path)
    return pages


def nu_errors(pages: dict[str, str], folder) -> list[str]:
    """The checker's errors, each with the page it was found on."""
    labels = {}
    for number, (label, html) in enumerate(pages.items()):
        path = folder / f"page-{number}.html"
        path.write_text(html)
        labels[path.name] = label
    result = subprocess.run(  # noqa: S603 - a fixed binary on our own files
        [JAVA, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--stdout"]
        + [str(folder / name) for name in labels],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{labels.get(message.get('url', '').rsplit('/', 1)[-1], message.get('url'))}: "
        f"{message['message']} [{message.get('extract', '').strip()[:120]}]"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


def test_no_html_error_on_public_and_account_pages(demo_portal, transactional_db, tmp_path):
    pages: dict[str, str] = {}
    for host, (login, password) in CITIZENS.items():
        visitor = Client()
        for start in ("/", "/en/"):
            for path, html in crawl(visitor, host, start).items():
                pages[f"{host}{path}"] = html
        citizen = Client()
        response = citizen.post(
            "/compte/connexion/",
            {"username": login, "password": password},
            HTTP_HOST=host,
            HTTP_REFERER=f"http://{host}/compte/connexion/",
        )
        assert response.status_code == 302, f"{login} could not log in"
        for start in ("/compte/", "/en/compte/"):
            for path, html in crawl(citizen, host, start).items():
                pages[f"{host}{path} (logged in)"] = html
    # Every kind of page was reached: the crawl did not stop at the door.
    for expected in ("/faq/", "/services/", "/compte/connexion/", "/compte/creer/", "/etape/1/"):
        assert any(expected in label for label in pages), expected
    account_pages = ("/compte/demandes/", "/compte/profil/modifier/", "/paiement/releve/")
    for expected in (*account_pages, "/paiement/panier/"):
        assert any(expected in label and "logged in" in label for label in pages), expected

    errors = nu_errors(pages, tmp_path)

    assert not errors, f"{len(errors)} errors on {len(pages)} pages:\n" + "\n".join(errors)
