"""What the property-based tests post to the portal, and what they check of
every answer.

The strategies draw what a browser, a robot or a confused visitor may send:
text of any script with control characters and NUL bytes, very long text,
numbers and dates as strings, values of the wrong type, several values for
one field, files of any content under any name. ``Fuzzer`` sends them and
checks the properties every public address keeps: never a server error,
never a redirection to another site, a form shown again says why, and a JSON
refusal carries its reason. ``CASES`` counts what was sent, per address, for
the summary that ``tests/conftest.py`` prints at the end of the run.
"""

import json
import re
from collections import Counter
from urllib.parse import urlsplit

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError
from django.forms.formsets import BaseFormSet
from django.http.multipartparser import MultiPartParser
from django.test.utils import ContextList
from django.utils import translation
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import settings
from hypothesis import strategies as st

from tests.services.factories import PDF, PNG

MISSING = object()
"""Drawn for a key that the request leaves out."""

CASES: Counter = Counter()
"""Requests sent by the fuzz tests, per address (``"<name>"``) and per
address and status class (``"<name> 5xx"``)."""


def record(endpoint: str, status: int) -> None:
    CASES[endpoint] += 1
    CASES[f"{endpoint} {status // 100}xx"] += 1


SECTIONS = {"headers:": "header fuzzing", "admin:": "admin fuzzing"}
"""Groups of addresses whose total the summary prints, by their names' prefix."""


def fuzz_summary() -> tuple[list[tuple[str, int, int]], int, int]:
    """(address, cases, server errors) per address, the total of cases and of
    server errors."""
    rows = [
        (name, count, CASES[f"{name} 5xx"])
        for name, count in sorted(CASES.items())
        if not re.search(r" [1-5]xx$", name)
    ]
    return rows, sum(r[1] for r in rows), sum(r[2] for r in rows)


def fuzz_sections() -> list[tuple[str, int, int]]:
    """(section, cases, server errors) for each of ``SECTIONS`` that sent any."""
    rows, _total, _errors = fuzz_summary()
    sections = []
    for prefix, title in SECTIONS.items():
        mine = [row for row in rows if row[0].startswith(prefix)]
        if mine:
            sections.append((title, sum(r[1] for r in mine), sum(r[2] for r in mine)))
    return sections


def hypothesis_settings(max_examples: int):
    """The project's profile (``tests/conftest.py``) with this many examples."""
    return settings(max_examples=max_examples)


# What may be posted for a field, whatever the field.

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
CONTROL = st.text(
    alphabet=st.characters(codec="utf-8", categories=("Cc", "Cf", "Zl", "Zp", "Co")),
    min_size=1,
    max_size=10,
)
LONG = st.builds(
    lambda piece, times: piece * times,
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=4),
    st.integers(min_value=250, max_value=20_000),
)
WRONG_TYPES = st.sampled_from(
    [
        "-1",
        "0",
        "1.5",
        "1e309",
        "9" * 400,
        "NaN",
        "-inf",
        "0x1F",
        "٣",
        "²",
        "2024-02-30",
        "31/12/2020",
        "0000-00-00",
        "9999-12-31",
        "10000-01-01",
        "-2020-01-01",
        "2020-01-01T25:61",
        "true",
        "null",
        "None",
        "[]",
        "{}",
        "self",
        "0",
        "on",
        "oui",
        "Oui",
        "yes ",
        "\x00",
        "a\x00b",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "{{ 7|add:7 }}",
        "%(name)s %s {0}",
        "@",
        "a@",
        "@b.fr",
        "+",
        "+33",
        "06",
        "06 12 34 56 78 90 12",
        "      ",
    ]
)
#: Numbers as text at the edges of what a decimal amount holds: huge and tiny
#: exponents, more digits than the decimal context keeps, signs, NaN.
EXTREME_NUMBERS = st.one_of(
    st.sampled_from(
        ["1e+26", "1E400", "-1e-30", "0.001", "99999999.995", "-0", "NaN", "sNaN", "-Infinity"]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
SCALAR_JUNK = st.one_of(
    st.just(""), TEXT, CONTROL, LONG, WRONG_TYPES, st.integers(-5, 500).map(str)
)


def _kept_by_django(name: str) -> bool:
    """Django's multipart parser drops a file whose name holds nothing printable
    and then reads the file's content as part headers, answering 400 Bad
    Request itself when the file is big: a name the app never sees."""
    return MultiPartParser.sanitize_file_name(None, name) is not None


FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "justificatif.pdf",
            "photo.png",
            "photo.jpg",
            "facture.PDF",
            "virus.exe",
            "document.pdf.exe",
            "image.png.pdf",
            ".pdf",
            "sans-extension",
            "../../etc/passwd",
            "..\\..\\windows\\win.ini",
            "CON",
            "a" * 300 + ".pdf",
            "évaluation ☃ 文件.pdf",
            "nul\x00.pdf",
            "tab\tname.pdf",
            "<img src=x onerror=alert(1)>.pdf",
            "&quot;&#47;.pdf",
        ]
    ),
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters='"\r\n\\/'),
        min_size=1,
        max_size=60,
    ).filter(_kept_by_django),
)
CONTENTS = {
    "pdf": PDF,
    "png": PNG,
    "empty": b"",
    "pdf magic only": b"%PDF-",
    "pdf magic and NUL bytes": b"%PDF-1.7\n" + b"\x00" * 64,
    "html": b"<html><script>alert(1)</script></html>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "windows executable": b"MZ\x90\x00\x03\x00\x00\x00",
    "zip": b"PK\x03\x04" + b"\x00" * 26,
    "jpeg header only": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "pdf of 5 MB and 1 kB": PDF + b"\x00" * (5 * 1024 * 1024 + 1024),
}
"""Contents by name, so that a failing case prints the name, not megabytes."""
FILE_CONTENTS = st.one_of(
    st.sampled_from(sorted(CONTENTS)),
    st.binary(max_size=2_000),
    st.binary(min_size=1, max_size=64).map(lambda tail: PDF[:9] + tail),
)
CONTENT_TYPES = st.sampled_from(
    ["application/pdf", "image/png", "text/html", "application/octet-stream", "", "image/svg+xml"]
)


def upload(name, content, content_type) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CONTENTS.get(content, content), content_type)


FILES = st.builds(upload, FILE_NAMES, FILE_CONTENTS, CONTENT_TYPES)
ANY_VALUE = st.one_of(
    SCALAR_JUNK,
    st.lists(SCALAR_JUNK, min_size=2, max_size=4),
    FILES,
)
KEY_NAME = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters='"\r\n\\'), min_size=1, max_size=30
)


def with_csrf_field(data: dict) -> dict:
    """What a browser posts: the form's fields and its CSRF token, which the
    test client does not check but the CSRF middleware requires."""
    return {"csrfmiddlewaretoken": "x" * 64, **data}


def present(data: dict) -> dict:
    return {key: value for key, value in data.items() if value is not MISSING}


# Where a redirection may lead.

NEXT_URLS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/compte/",
            "/faq/",
            "https://evil.example/",
            "http://evil.example",
            "//evil.example/",
            "///evil.example/",
            "////evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\\/evil.example",
            "https:evil.example",
            "http:/evil.example",
            "https://carvin.localhost@evil.example/",
            "https://evil.example\\@carvin.localhost/",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "\x00//evil.example",
            "/\x00/evil.example",
            "\t//evil.example",
            "%2F%2Fevil.example",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "https://evil.example%2Fcarvin.localhost",
            "https://carvin.localhost.evil.example/",
            "http://[::1]/",
            "http://0x7f.1/",
            "\u2028//evil.example",
            "//evil.example%00.carvin.localhost",
            "/compte/?next=//evil.example",
            "",
        ]
    ),
    st.builds(lambda s: "/" + s, st.text(max_size=30)),
    st.builds(lambda s: "//" + s, st.text(max_size=20)),
    st.text(max_size=40),
)


# Headers a browser, a proxy or a robot may send, well formed or not.

HEADER_META = {
    "Origin": "HTTP_ORIGIN",
    "Referer": "HTTP_REFERER",
    "Host": "HTTP_HOST",
    "Cookie": "HTTP_COOKIE",
    "Accept-Language": "HTTP_ACCEPT_LANGUAGE",
    "Content-Type": "CONTENT_TYPE",
    "Content-Length": "CONTENT_LENGTH",
}
"""Each header drawn, and its key in the WSGI environment."""

REFUSED_BY_THE_SERVER = "".join(map(chr, [*range(0x09), *range(0x0A, 0x20), 0x7F]))
HEADER_TEXT = st.text(
    alphabet=st.characters(max_codepoint=255, exclude_characters=REFUSED_BY_THE_SERVER),
    max_size=60,
)
"""Any header value the application server passes on: Latin-1 text without
the control characters gunicorn refuses (400) before Django sees them
(``RFC9110_5_5_INVALID_AND_DANGEROUS``: NUL, line breaks, DEL...)."""


def _addresses(host: str) -> list[str]:
    return [
        "http://[",
        "http://[::1/",
        "http://[::1",
        "https://]",
        "http://[v1.x]/",
        "http://a:b@[/",
        "http://%zz/",
        f"http://{host}:99999/",
        f"http://{host}:port/",
        f"http://{host}:-1/",
        "://",
        "http://",
        "null",
        "",
        " ",
        "file:///etc/passwd",
        "javascript:alert(1)",
        f"http://{host}",
        f"https://{host}",
        f"http://{host}:80",
        f"http://{host}/compte/connexion/",
        f"http://{host}.evil.example",
        f"http://evil.example/{host}",
        "http://[::1]:80/",
        "http://évil.example/",
        "http://" + "a" * 5_000,
    ]


def header_values(host: str) -> dict[str, st.SearchStrategy]:
    """For each header of ``HEADER_META``, what may come in it for a request
    to ``host``: the site's own values, malformed ones and any text."""
    hosts = [
        "",
        "[",
        "[::1",
        "[::1]",
        "[::1]:80",
        "]",
        f"{host}:",
        f"{host}:99999",
        f"{host}:abc",
        f"{host}:-1",
        host.upper(),
        f"{host}.",
        f"{host}:80",
        "evil.example",
        f"{host}, evil.example",
        f"{host} evil.example",
        "a" * 300,
        "a" * 300 + ".fr",
        "@",
        f"{host}/x",
        f"user@{host}",
        "127.0.0.1",
        "-",
        ".",
        "..",
        "xn--",
        "carvín.localhost",
        "localhost",
    ]
    cookies = [
        "",
        "sessionid=",
        "sessionid=x",
        "sessionid=" + "a" * 40,
        "csrftoken=x",
        "csrftoken=" + "a" * 32,
        "csrftoken=" + "!" * 32,
        "csrftoken=" + "a" * 64,
        "=",
        ";",
        ";;;",
        "sessionid",
        "sessionid=x; sessionid=y",
        'sessionid="x',
        "django_language=xx",
        "django_language=",
        "django_language=../../etc",
        "django_language=en",
        "messages=x",
        "messages=" + "a" * 200,
        "a=" + "b" * 5_000,
        "é=é",
    ]
    languages = [
        "",
        "*",
        "fr",
        "en",
        "de",
        "xx",
        "fr-FR,fr;q=0.9,en;q=0.8",
        "en;q=abc",
        "fr;q=-1",
        "en;q=1e309",
        "en;q=nan",
        ",,,",
        ";",
        "q=1",
        "a" * 1_000,
        "-",
        "zh-Hant-TW",
        "en-" + "a" * 100,
        "*;q=0",
        "fr\t",
        "i-klingon",
    ]
    content_types = [
        "",
        "text/plain",
        "application/json",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=x",
        "multipart/form-data; boundary=" + "a" * 200,
        'multipart/form-data; boundary="',
        "multipart/form-data; charset=utf-8",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=unknown",
        "application/x-www-form-urlencoded; charset=utf-16",
        "application/x-www-form-urlencoded; charset=",
        "text/html; charset=\t",
        ";",
        "/",
        "*/*",
        "multipart/mixed; boundary=x",
    ]
    lengths = [
        "",
        "0",
        "1",
        "-1",
        "abc",
        "1e3",
        " 5",
        "5 ",
        "+5",
        "0x10",
        "3.5",
        "٣",
        "9" * 30,
        str(2_621_441),
    ]
    addresses = st.sampled_from(_addresses(host))
    return {
        "Origin": st.one_of(addresses, HEADER_TEXT),
        "Referer": st.one_of(addresses, HEADER_TEXT),
        "Host": st.one_of(st.sampled_from(hosts), HEADER_TEXT),
        "Cookie": st.one_of(st.sampled_from(cookies), HEADER_TEXT),
        "Accept-Language": st.one_of(st.sampled_from(languages), HEADER_TEXT),
        "Content-Type": st.one_of(st.sampled_from(content_types), HEADER_TEXT),
        "Content-Length": st.one_of(
            st.sampled_from(lengths), st.integers(0, 10_000).map(str), HEADER_TEXT
        ),
    }


def malformed_headers(host: str) -> st.SearchStrategy[dict[str, str]]:
    """One to three headers of ``HEADER_META``, as ``Client`` keyword
    arguments (``{"HTTP_ORIGIN": "http://["}``)."""
    values = header_values(host)
    return st.lists(
        st.sampled_from(sorted(HEADER_META)), min_size=1, max_size=3, unique=True
    ).flatmap(
        lambda names: st.fixed_dictionaries({HEADER_META[name]: values[name] for name in names})
    )


# What every answer must respect.


class ServerError(AssertionError):
    pass


class Fuzzer:
    """Sends requests to one commune's site with a test client and checks
    the answer of each: below 500, redirections kept on the site (``away``
    lists the origins a view may send to, such as a bank's), and a refused
    form or JSON body explained."""

    def __init__(self, client, host: str, away: tuple[str, ...] = ()):
        self.client = client
        self.host = host
        self.away = away

    def send(self, endpoint: str, method: str, path: str, data=None, **extra):
        extra.setdefault("HTTP_HOST", self.host)
        call = getattr(self.client, method.lower())
        try:
            response = call(path, data, **extra) if data is not None else call(path, **extra)
        except Exception:
            record(endpoint, 500)
            raise
        record(endpoint, response.status_code)
        if response.status_code >= 500:
            raise ServerError(f"{endpoint}: {response.status_code} for {method} {path!r} {data!r}")
        if response.status_code in (301, 302, 303, 307, 308):
            assert_stays_on_site(response, self.host, self.away)
        return response


def on_site(location: str, host: str) -> bool:
    """Whether a browser following ``location`` stays on ``host``: it drops
    tabs and line breaks, trims spaces and control characters, and reads a
    backslash as a slash."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("".join(map(chr, range(33))))
    try:
        parts = urlsplit(cleaned.replace("\\", "/"))
        parts.hostname  # noqa: B018 (raises on a malformed host)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and parts.hostname == host
    return not parts.netloc or parts.hostname == host


def assert_stays_on_site(response, host: str, away=()) -> None:
    location = response["Location"]
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(location)) if "://" in location else ""
    if origin and origin in away:
        return
    assert on_site(location, host), f"redirects off-site: {location!r}"
    # Django's own check, which gives up on addresses longer than 2,048 characters.
    if len(location) <= 2048:
        assert url_has_allowed_host_and_scheme(location, {host}), f"off-site: {location!r}"


def _forms_in(context) -> list:
    """The forms and formsets of a response's template context."""
    if context is None:
        return []
    found, seen = [], set()
    for layer in context if isinstance(context, ContextList) else [context]:
        values = layer.flatten().values() if hasattr(layer, "flatten") else layer.values()
        for value in values:
            candidates = [value, *value] if isinstance(value, BaseFormSet) else [value]
            for item in candidates:
                if isinstance(item, (forms.BaseForm, BaseFormSet)) and id(item) not in seen:
                    seen.add(id(item))
                    found.append(item)
    return found


def _block_messages(errors: dict) -> list[str]:
    """The messages of a StreamField's errors as Wagtail's editor shows them
    (``as_json_data``), however deep the block that has them."""
    messages = [str(message) for message in errors.get("messages", [])]
    children = errors.get("blockErrors") or {}
    for child in children.values() if isinstance(children, dict) else children:
        if isinstance(child, dict):
            messages += _block_messages(child)
    return messages


def _field_messages(errors) -> list[str]:
    messages = []
    for error in errors.as_data():
        if hasattr(error, "as_json_data"):
            messages += _block_messages(error.as_json_data())
        else:
            messages += [str(message) for message in error]
    return messages


def form_messages(response) -> list[str]:
    """Every error message of the forms the page shows (those of a
    StreamField as its editor shows them, next to their block)."""
    messages = []
    with translation.override(response.get("Content-Language") or "fr"):
        for form in _forms_in(response.context):
            if isinstance(form, BaseFormSet):
                messages += [str(m) for m in form.non_form_errors()]
            else:
                messages += [m for errors in form.errors.values() for m in _field_messages(errors)]
    return messages


def assert_refusal_explained(response, extra_messages=()) -> None:
    """A form shown again after a POST says what is wrong: the error summary
    and each message on the page."""
    assert response.status_code in (200, 400, 403, 404, 405, 413, 429), response.status_code
    html = response.content.decode()
    messages = [*form_messages(response), *extra_messages]
    assert messages, "the form is shown again without saying why"
    assert 'id="form-errors"' in html, "no error summary"
    for message in messages:
        assert escape(message) in html, f"{message!r} is not on the page"


def assert_json_refusal_explained(response) -> None:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body, dict) and (body.get("error") or body.get("errors")), body
    for error in body.get("errors") or []:
        assert error.get("reason"), error


# What PostgreSQL refuses and SQLite accepts.


def has_nul(value) -> bool:
    """Whether a query (a dict of strings or lists of strings) holds NUL; a
    key without values is not sent."""
    if isinstance(value, dict):
        return any(has_nul(v) or (has_nul(k) and v != []) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_nul(v) for v in value)
    return isinstance(value, str) and "\x00" in value


NUL_IN_JSON = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value or bool(NUL_IN_JSON.search(value))
    if isinstance(value, (list, tuple)):
        return any(_holds_nul(v) for v in value)
    return False


def refuse_nul_like_postgresql(execute, sql, params, many, context):
    """A ``connection.execute_wrapper`` that fails as PostgreSQL does on a
    query holding a NUL character (text and jsonb cannot store it), so that
    the tests on SQLite find what would be a server error on PostgreSQL."""
    rows = params if many else [params]
    for row in rows or []:
        values = row.values() if isinstance(row, dict) else row
        if values and any(_holds_nul(v) for v in values):
            raise DataError(f"PostgreSQL refuses NUL (0x00) characters: {sql[:200]}")
    return execute(sql, params, many, context)
