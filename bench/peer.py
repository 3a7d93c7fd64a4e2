"""A plain Wagtail project, to compare the portal's costs with Wagtail's own.

Run from the repository root:

    .venv/bin/python bench/peer.py build DIR [--bytes 34000] [--cache locmem|file]
    .venv/bin/python bench/peer.py fit DIR --bytes N
    .venv/bin/python bench/peer.py measure DIR --what page-uncached|form-post|form-flow
                                      [--rounds 30]
    .venv/bin/python bench/peer.py serve DIR [--port 8001]

``build`` writes into DIR (which it creates) a scratch Wagtail project made
the way ``wagtail start`` makes one, with the Wagtail and Django installed in
this virtualenv: Wagtail's default settings (SQLite, ``DEBUG = False``, the
template's middleware with WhiteNoise after SecurityMiddleware, the
ManifestStaticFilesStorage of its production settings in WhiteNoise's
compressed form, a locmem or file cache, the locmem e-mail backend), then
migrates it, collects its static files and creates its pages:

- a home page (the site's root) and, in its menu, an "About" page, an
  "Article" page shaped like the portal's FAQ (``/faq/``: a StreamField of
  18 heading blocks and 18 rich-text blocks, sized to ``--bytes`` of rendered
  HTML) and a contact page (``/contact/``), a ``wagtail.contrib.forms``
  ``AbstractEmailForm`` like bakerydemo's, with five fields (name, e-mail,
  subject, message, a consent checkbox): a valid post stores a
  ``FormSubmission`` and sends its e-mail;
- a base template like bakerydemo's: header with the menu of the site's
  pages, footer.

The peer is never imported into the portal's process: every command that
needs Django runs in a process of its own (``DJANGO_SETTINGS_MODULE`` set to
the peer's settings, ``sys.path`` holding the peer's project only). The
portal's benchmarks call it through the functions of this module:
``build(dir, target_bytes) -> dict``, ``fit(dir, target_bytes) -> dict``,
``measure(dir, what, rounds) -> dict`` (one process per call), ``Worker``
(one long-lived process answering several measures, to interleave them with
the portal's) and ``gunicorn_command(dir, port)``.

``measure`` prints JSON: median ms in-process (``page-uncached`` through
Django's ``WSGIHandler``, the forms through Django's test client, which runs
the same handler stack), the SQL queries of a request with the cache cleared
first (cold) and without (warm), and the size of the answer:

- ``page-uncached``: GET /faq/ (the peer has no page cache: every request
  renders the page), cache cleared before each request, outside the timing;
- ``page-warm``: the same with Wagtail's caches kept between requests;
- ``form-post``: one valid POST of the contact form (CSRF checked, token from
  an earlier GET): the submission stored, the e-mail sent;
- ``form-flow``: what a browser does, with no cookie at first: GET the
  form, then POST it.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOST = "localhost"
PAGE_PATH = "/faq/"
FORM_PATH = "/contact/"
DEFAULT_BYTES = 34_000
BLOCK_PAIRS = 18
WHAT = ("page-uncached", "page-warm", "form-post", "form-flow")
CACHES = ("locmem", "file", "redis")


class PeerError(Exception):
    """The peer project could not be built or measured."""


# --------------------------------------------------------------------------
# The peer project's sources (written into DIR/project by ``build``)
# --------------------------------------------------------------------------

SETTINGS = '''\
"""Wagtail's default project settings (``wagtail start``), for a benchmark."""

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent
BASE_DIR = PROJECT_DIR.parent
DATA_DIR = BASE_DIR.parent

SECRET_KEY = "peer-benchmark-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "peer_pages",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "peer_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "peer_site.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
        "CONN_MAX_AGE": int(os.environ.get("PEER_CONN_MAX_AGE", "0")),
        "CONN_HEALTH_CHECKS": True,
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static-root"
STATIC_URL = "/static/"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Peer"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = "http://localhost"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

_cache = os.environ.get("PEER_CACHE", "locmem")
if _cache == "file":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
elif _cache == "redis":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["PEER_REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = os.environ.get(
    "PEER_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
DEFAULT_FROM_EMAIL = "site@peer.localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
'''

URLS = """\
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include(wagtail_urls)),
]
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")

application = get_wsgi_application()
"""

MODELS = """\
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page


class HomePage(Page):
    introduction = models.TextField(blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]


class StandardPage(Page):
    introduction = models.TextField(blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]


class ArticlePage(Page):
    introduction = models.TextField(blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title")),
            ("paragraph", blocks.RichTextBlock()),
        ],
        blank=True,
    )

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractEmailForm):
    body = RichTextField(blank=True)
    thank_you_text = RichTextField(blank=True)

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("body"),
        InlinePanel("form_fields", heading="Form fields", label="Field"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            "Email",
        ),
    ]
"""

TEMPLATES = {
    "peer_site/templates/base.html": """\
{% load static wagtailcore_tags %}{% wagtail_site as current_site %}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{% block title %}{% if page.seo_title %}{{ page.seo_title }}{% else %}{{ page.title }}\
{% endif %}{% endblock %} | {{ current_site.site_name }}</title>
<meta name="description" content="{{ page.search_description }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{% static 'css/peer.css' %}">
</head>
<body class="{% block body_class %}{% endblock %}">
<a class="skip-link" href="#main-content">Skip to main content</a>
<header class="header">
  <a class="header__title" href="/">{{ current_site.site_name }}</a>
  <nav aria-label="Main">
    <ul class="navigation">
    {% with root=current_site.root_page %}
      <li><a href="{% pageurl root %}">{{ root.title }}</a></li>
      {% for item in root.get_children.live.in_menu %}
      <li><a href="{% pageurl item %}"{% if item.pk == page.pk %} aria-current="page"{% endif %}>\
{{ item.title }}</a></li>
      {% endfor %}
    {% endwith %}
    </ul>
  </nav>
</header>
<main id="main-content">
{% block content %}{% endblock %}
</main>
<footer class="footer">
  <p>{{ current_site.site_name }}, 1 Main Street, Townsville.</p>
  <ul><li><a href="/about/">About</a></li><li><a href="/contact/">Contact</a></li></ul>
</footer>
</body>
</html>
""",
    "peer_pages/templates/peer_pages/home_page.html": """\
{% extends "base.html" %}{% load wagtailcore_tags %}
{% block body_class %}template-homepage{% endblock %}
{% block content %}<h1>{{ page.title }}</h1>
<p class="intro">{{ page.introduction }}</p>
{{ page.body|richtext }}{% endblock %}
""",
    "peer_pages/templates/peer_pages/standard_page.html": """\
{% extends "base.html" %}{% load wagtailcore_tags %}
{% block content %}<h1>{{ page.title }}</h1>
<p class="intro">{{ page.introduction }}</p>
{{ page.body|richtext }}{% endblock %}
""",
    "peer_pages/templates/peer_pages/article_page.html": """\
{% extends "base.html" %}{% load wagtailcore_tags %}
{% block body_class %}template-article{% endblock %}
{% block content %}<h1>{{ page.title }}</h1>
{% if page.introduction %}<p class="intro">{{ page.introduction }}</p>{% endif %}
{% for block in page.body %}{% if block.block_type == "heading" %}
<h2 id="section-{{ forloop.counter }}">{{ block.value }}</h2>{% else %}
<section class="block-{{ block.block_type }}">{% include_block block %}</section>{% endif %}\
{% endfor %}{% endblock %}
""",
    "peer_pages/templates/peer_pages/form_page.html": """\
{% extends "base.html" %}{% load wagtailcore_tags %}
{% block body_class %}template-form{% endblock %}
{% block content %}<h1>{{ page.title }}</h1>
{{ page.body|richtext }}
<form action="{% pageurl page %}" method="POST">
{% csrf_token %}
{{ form.as_div }}
<button type="submit">Send</button>
</form>{% endblock %}
""",
    "peer_pages/templates/peer_pages/form_page_landing.html": """\
{% extends "base.html" %}{% load wagtailcore_tags %}
{% block content %}<h1>{{ page.title }}</h1>
<div class="thank-you">{{ page.thank_you_text|richtext }}</div>{% endblock %}
""",
    "peer_site/static/css/peer.css": """\
body { font-family: sans-serif; margin: 0 auto; max-width: 60rem; }
.header, .footer { display: flex; justify-content: space-between; padding: 1rem; }
.navigation { display: flex; gap: 1rem; list-style: none; }
.skip-link { position: absolute; left: -100vw; }
""",
}

FORM_FIELDS = [
    # (label, field_type, required, choices)
    ("Name", "singleline", True, ""),
    ("Email", "email", True, ""),
    ("Subject", "singleline", True, ""),
    ("Message", "multiline", True, ""),
    ("Consent", "checkbox", True, ""),
]


def _write_project(directory: Path) -> Path:
    project = directory / "project"
    files = {
        "peer_site/__init__.py": "",
        "peer_site/settings.py": SETTINGS,
        "peer_site/urls.py": URLS,
        "peer_site/wsgi.py": WSGI,
        "peer_pages/__init__.py": "",
        "peer_pages/models.py": MODELS,
        "peer_pages/migrations/__init__.py": "",
        **TEMPLATES,
    }
    for name, text in files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for sub in ("media", "static-root", "cache"):
        (directory / sub).mkdir(exist_ok=True)
    return project


# --------------------------------------------------------------------------
# Running the peer: a process of its own
# --------------------------------------------------------------------------


def peer_env(directory: Path, cache: str = "locmem", redis_url: str | None = None) -> dict:
    """The environment of a peer process: the portal's settings removed."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CACHE_", "BENCH_", "PEER_"))
        and k not in {"PYTHONPATH", "MEDIA_ROOT", "STATIC_ROOT", "PRIVATE_ROOT", "REDIS_URL"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "peer_site.settings"
    env["PYTHONPATH"] = str(Path(directory).resolve() / "project")
    env["PEER_CACHE"] = cache
    # Connections kept as long as the portal's, whichever the caller chose.
    env["PEER_CONN_MAX_AGE"] = os.environ.get("DATABASE_CONN_MAX_AGE", "0")
    if redis_url:
        env["PEER_REDIS_URL"] = redis_url
    return env


def _run_cli(directory, *args, cache="locmem", redis_url=None, timeout=600) -> dict:
    directory = Path(directory).resolve()
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(Path(__file__).resolve()), *args],
        cwd=directory if directory.exists() else None,
        env=peer_env(directory, cache, redis_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise PeerError(f"peer.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def build(directory, target_bytes: int = DEFAULT_BYTES, cache: str = "locmem") -> dict:
    """Write, migrate and fill the peer project in ``directory``."""
    return _run_cli(directory, "build", str(directory), "--bytes", str(target_bytes), cache=cache)


def start_build(directory, target_bytes: int = DEFAULT_BYTES) -> subprocess.Popen:
    """``build`` in the background (while the caller prepares its own side);
    ``finish_build(proc)`` returns its dict."""
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            *(str(Path(__file__).resolve()), "build", str(directory)),
            *("--bytes", str(target_bytes)),
        ],
        cwd=directory,
        env=peer_env(directory),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish_build(proc: subprocess.Popen, timeout=600) -> dict:
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise PeerError(f"peer build failed:\n{out}\n{err}")
    return json.loads(out.strip().splitlines()[-1])


def fit(directory, target_bytes: int) -> dict:
    """Resize the article page to ``target_bytes`` of rendered HTML."""
    return _run_cli(directory, "fit", str(directory), "--bytes", str(target_bytes))


def measure(directory, what: str, rounds: int = 30, cache: str = "locmem", redis_url=None):
    """One measure in a new peer process (after one warm-up request)."""
    return _run_cli(
        directory,
        "measure",
        str(directory),
        "--what",
        what,
        "--rounds",
        str(rounds),
        cache=cache,
        redis_url=redis_url,
    )


class Worker:
    """A long-lived peer process answering measures one batch at a time, so
    that the caller can alternate batches of its own with the peer's::

        with Worker(dir) as peer:
            peer.measure("page-uncached", 10)
    """

    def __init__(self, directory, cache="locmem", redis_url=None):
        directory = Path(directory).resolve()
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "worker", str(directory)],
            cwd=directory,
            env=peer_env(directory, cache, redis_url),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.info = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise PeerError(f"the peer worker stopped (status {self.proc.wait()})")
        data = json.loads(line)
        if "error" in data:
            raise PeerError(data["error"])
        return data

    def measure(self, what: str, rounds: int) -> dict:
        self.proc.stdin.write(json.dumps({"what": what, "rounds": rounds}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def gunicorn_command(directory, port: int, workers: int = 2, cache="locmem", redis_url=None):
    """(argv, env, cwd) of the peer under gunicorn, as the portal's bench runs
    the portal: sync workers on 127.0.0.1."""
    directory = Path(directory).resolve()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    argv = [
        str(gunicorn),
        "peer_site.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--chdir",
        str(directory / "project"),
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    return argv, peer_env(directory, cache, redis_url), directory


# --------------------------------------------------------------------------
# Inside the peer's process
# --------------------------------------------------------------------------


def _setup_django(directory: Path):
    project = directory / "project"
    if not (project / "peer_site" / "settings.py").exists():
        raise PeerError(f"no peer project in {directory} (run `peer.py build {directory}`)")
    # The peer's project only: not bench/ (where this file lives) nor the portal.
    here = str(HERE)
    sys.path[:] = [p for p in sys.path if p not in ("", here, str(HERE.parent))]
    sys.path.insert(0, str(project))
    # PYTHONPATH may have named the project before ``build`` wrote it.
    sys.path_importer_cache.pop(str(project), None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "peer_site.settings"
    os.chdir(directory)
    import django

    django.setup()


def _article_body(text_bytes: int) -> list:
    """18 headings and 18 rich-text blocks holding ``text_bytes`` of HTML in
    all: paragraphs, a list and a link in each, like the portal's answers."""
    per_block = max(200, text_bytes // BLOCK_PAIRS)
    data = []
    for i in range(BLOCK_PAIRS):
        budget = per_block + (text_bytes - per_block * BLOCK_PAIRS if i == 0 else 0)
        parts, n = [], 0
        while True:
            n += 1
            unit = (
                f"<p>Question {i + 1}.{n}: to make this request, sign in to the website or "
                f"come to the town hall during <b>opening hours</b>.</p>"
                "<ul><li>a valid identity document,</li>"
                "<li>a proof of address less than three months old.</li></ul>"
                '<p>See also <a href="https://www.example.org/">example.org</a>.</p>'
            )
            if sum(map(len, parts)) + len(unit) > budget:
                break
            parts.append(unit)
        rest = budget - sum(map(len, parts)) - len("<p></p>")
        if rest > 0:
            parts.append("<p>" + ("More details follow here. " * (rest // 26 + 1))[:rest] + "</p>")
        data.append(
            {
                "type": "heading",
                "id": f"00000000-0000-4000-8000-{2 * i:012d}",
                "value": f"Section {i + 1}: how to make request number {i + 1}",
            }
        )
        data.append(
            {
                "type": "paragraph",
                "id": f"00000000-0000-4000-8000-{2 * i + 1:012d}",
                "value": "".join(parts),
            }
        )
    return data


def _render_size() -> int:
    from django.test import Client

    response = Client().get(PAGE_PATH, HTTP_HOST=HOST)
    if response.status_code != 200:
        raise PeerError(f"GET {PAGE_PATH} answered {response.status_code}")
    return len(response.content)


def _fit_in_process(target_bytes: int) -> dict:
    """Set the article's rich text so the rendered page weighs target_bytes."""
    from peer_pages.models import ArticlePage

    text_bytes = max(BLOCK_PAIRS * 200, target_bytes - 6000)
    size = 0
    for _ in range(4):
        page = ArticlePage.objects.get(slug="faq")
        page.body = _article_body(text_bytes)
        page.save_revision().publish()
        size = _render_size()
        if size == target_bytes:
            break
        text_bytes += target_bytes - size
    return {"target_bytes": target_bytes, "page_bytes": size, "text_bytes": text_bytes}


def _build_in_process(directory: Path, target_bytes: int) -> dict:
    from django.core.management import call_command

    t0 = time.perf_counter()
    out = open(os.devnull, "w")  # noqa: SIM115
    call_command("makemigrations", "peer_pages", verbosity=0, stdout=out)
    call_command("migrate", verbosity=0, interactive=False, stdout=out)
    call_command("collectstatic", interactive=False, verbosity=0, stdout=out)
    t1 = time.perf_counter()

    from peer_pages.models import ArticlePage, FormField, FormPage, HomePage, StandardPage
    from wagtail.models import Page, Site

    root = Page.get_first_root_node()
    Site.objects.all().delete()
    for page in root.get_children():  # Wagtail's "Welcome" page
        page.delete()
    home = root.add_child(
        instance=HomePage(
            title="Home",
            slug="home",
            introduction="A plain Wagtail site.",
            body="<p>Welcome to the peer site.</p>",
        )
    )
    Site.objects.create(
        hostname=HOST, port=80, root_page=home, is_default_site=True, site_name="Peer"
    )
    home.save_revision().publish()
    about = home.add_child(
        instance=StandardPage(
            title="About",
            slug="about",
            show_in_menus=True,
            introduction="About this site.",
            body="<p>" + "Some words about the site. " * 40 + "</p>",
        )
    )
    about.save_revision().publish()
    article = home.add_child(
        instance=ArticlePage(
            title="Frequently asked questions",
            slug="faq",
            show_in_menus=True,
            introduction="Answers to the questions we are asked most.",
            body=[],
        )
    )
    article.save_revision().publish()
    form = FormPage(
        title="Contact us",
        slug="contact",
        show_in_menus=True,
        body="<p>Write to us: we answer within two days.</p>",
        thank_you_text="<p>Thank you, we have received your message.</p>",
        to_address="contact@peer.localhost",
        from_address="site@peer.localhost",
        subject="Message from the contact form",
    )
    home.add_child(instance=form)
    for i, (label, field_type, required, choices) in enumerate(FORM_FIELDS):
        FormField.objects.create(
            page=form,
            sort_order=i,
            label=label,
            field_type=field_type,
            required=required,
            choices=choices,
        )
    form.save_revision().publish()
    fitted = _fit_in_process(target_bytes)
    t2 = time.perf_counter()
    return {
        "dir": str(directory),
        "migrate_s": round(t1 - t0, 2),
        "pages_s": round(t2 - t1, 2),
        **fitted,
    }


def _form_data(token: str) -> dict:
    from peer_pages.models import FormPage

    page = FormPage.objects.get(slug="contact")
    values = {
        "singleline": "Ada Lovelace",
        "email": "ada@example.org",
        "multiline": "Hello,\nI would like to know when the library opens.\nThanks.",
        "checkbox": "on",
    }
    data = {"csrfmiddlewaretoken": token}
    for field in page.get_form_fields():
        data[field.clean_name] = values[field.field_type]
    return data


class _Counter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class _Measurer:
    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        self._test_client = None

    # -- one request through the WSGI handler --------------------------------
    def get_page(self, path=PAGE_PATH):
        from django.db import connection

        environ = self.factory.get(path, HTTP_HOST=HOST).environ
        status = []
        counter = _Counter()
        with connection.execute_wrapper(counter):
            t0 = time.perf_counter()
            response = self.handler(environ, lambda s, h, e=None: status.append(s))
            try:
                body = b"".join(response)
            finally:
                response.close()
            elapsed = time.perf_counter() - t0
        if not status[0].startswith("200"):
            raise PeerError(f"GET {path} answered {status[0]}")
        return elapsed, counter.count, len(body)

    def page_uncached(self, rounds, *, clear=True):
        from django.core.cache import cache

        times, cold = [], []
        size = 0
        for _ in range(rounds):
            if clear:
                cache.clear()
            elapsed, count, size = self.get_page()
            times.append(elapsed)
            cold.append(count)
        _, warm, _ = self.get_page()
        cache.clear()
        _, cold_one, _ = self.get_page()
        return {
            "median_ms": statistics.median(times) * 1000,
            "min_ms": min(times) * 1000,
            "times_ms": [t * 1000 for t in times],
            "queries_cold": max([*cold, cold_one]),
            "queries_warm": warm,
            "bytes": size,
        }

    # -- the contact form through the test client ---------------------------
    def _client(self):
        """A browser with no cookie yet. One test client is reused, its cookies
        dropped: a new Client would load the middleware again (WhiteNoise scans
        the static files then), which no server does per request."""
        from http.cookies import SimpleCookie

        from django.test import Client

        if self._test_client is None:
            self._test_client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
        self._test_client.cookies = SimpleCookie()
        return self._test_client

    def _get_form(self, client):
        response = client.get(FORM_PATH)
        if response.status_code != 200:
            raise PeerError(f"GET {FORM_PATH} answered {response.status_code}")
        return response, client.cookies["csrftoken"].value

    def _post_form(self, client, token):
        from django.core import mail

        response = client.post(FORM_PATH, _form_data(token))
        if response.status_code != 200 or b"Thank you" not in response.content:
            raise PeerError(f"POST {FORM_PATH} answered {response.status_code}, not the landing")
        if len(mail.outbox) != 1:
            raise PeerError(f"POST {FORM_PATH} sent {len(mail.outbox)} e-mails, not 1")
        mail.outbox.clear()
        return response

    def form(self, rounds, *, flow):
        from django.core import mail
        from django.core.cache import cache
        from django.db import connection
        from wagtail.contrib.forms.models import FormSubmission

        mail.outbox = []
        before = FormSubmission.objects.count()
        times, get_times, queries, get_queries = [], [], [], []
        client = self._client()
        _, token = self._get_form(client)
        size = 0
        for _ in range(rounds):
            if flow:
                client = self._client()
                counter = _Counter()
                with connection.execute_wrapper(counter):
                    t0 = time.perf_counter()
                    response, token = self._get_form(client)
                    t1 = time.perf_counter()
                get_times.append(t1 - t0)
                get_queries.append(counter.count)
                size = len(response.content)
            counter = _Counter()
            with connection.execute_wrapper(counter):
                t2 = time.perf_counter()
                self._post_form(client, token)
                t3 = time.perf_counter()
            queries.append(counter.count)
            times.append((t3 - t0) if flow else (t3 - t2))
        stored = FormSubmission.objects.count() - before
        if stored != rounds:
            raise PeerError(f"{stored} submissions stored for {rounds} posts")
        # The same post with the cache cleared first (cold).
        cache.clear()
        counter = _Counter()
        with connection.execute_wrapper(counter):
            if flow:
                client = self._client()
                _, token = self._get_form(client)
            self._post_form(client, token)
        result = {
            "median_ms": statistics.median(times) * 1000,
            "min_ms": min(times) * 1000,
            "queries_cold": counter.count,
            "queries_warm": max(
                q + g for q, g in zip(queries, get_queries or [0] * len(queries), strict=True)
            ),
            "submissions_stored": stored,
        }
        if flow:
            result["get_median_ms"] = statistics.median(get_times) * 1000
            result["get_queries"] = max(get_queries)
            result["get_bytes"] = size
        return result

    def run(self, what, rounds):
        if what == "page-uncached":
            result = self.page_uncached(rounds)
        elif what == "page-warm":
            result = self.page_uncached(rounds, clear=False)
        elif what == "form-post":
            result = self.form(rounds, flow=False)
        elif what == "form-flow":
            result = self.form(rounds, flow=True)
        else:
            raise PeerError(f"unknown measure {what!r} (one of {', '.join(WHAT)})")
        return {"what": what, "rounds": rounds, **result}


def _warm_up(measurer) -> dict:
    """The first requests of the process (per-process caches filled)."""
    from django.core.cache import cache

    cache.clear()
    _, first, size = measurer.get_page()
    for _ in range(2):
        measurer.get_page()
    measurer.run("form-post", 1)
    return {"queries_first_request": first, "bytes": size}


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def _print_json(data):
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", help="write, migrate and fill the peer project in DIR")
    p_build.add_argument("dir")
    p_build.add_argument("--bytes", type=int, default=DEFAULT_BYTES, help="size of /faq/")
    p_build.add_argument("--force", action="store_true", help="empty DIR first")
    p_fit = sub.add_parser("fit", help="resize /faq/ to --bytes of rendered HTML")
    p_fit.add_argument("dir")
    p_fit.add_argument("--bytes", type=int, required=True)
    p_measure = sub.add_parser("measure", help="print one measure as JSON")
    p_measure.add_argument("dir")
    p_measure.add_argument("--what", choices=WHAT, required=True)
    p_measure.add_argument("--rounds", type=int, default=30)
    p_worker = sub.add_parser("worker", help="answer JSON measure requests read on stdin")
    p_worker.add_argument("dir")
    p_serve = sub.add_parser("serve", help="run the peer under gunicorn (2 sync workers)")
    p_serve.add_argument("dir")
    p_serve.add_argument("--port", type=int, default=8001)
    p_serve.add_argument("--workers", type=int, default=2)
    for p in (p_build, p_fit, p_measure, p_worker, p_serve):
        p.add_argument("--cache", choices=CACHES, default=None, help="default: locmem")
    args = parser.parse_args(argv)
    directory = Path(args.dir).resolve()
    cache = args.cache or os.environ.get("PEER_CACHE", "locmem")
    os.environ["PEER_CACHE"] = cache
    if cache == "redis" and not os.environ.get("PEER_REDIS_URL"):
        parser.error("--cache redis needs PEER_REDIS_URL (redis://127.0.0.1:PORT/0)")

    try:
        if args.command == "serve":
            argv, env, cwd = gunicorn_command(
                directory, args.port, args.workers, cache, os.environ.get("PEER_REDIS_URL")
            )
            os.chdir(cwd)
            os.execve(argv[0], argv, env)  # noqa: S606  # nosec B606
        if args.command == "build":
            if args.force and directory.exists():
                shutil.rmtree(directory)
            directory.mkdir(parents=True, exist_ok=True)
            if (directory / "db.sqlite3").exists():
                raise PeerError(f"{directory} already holds a peer (--force to rebuild)")
            _write_project(directory)
            _setup_django(directory)
            _print_json(_build_in_process(directory, args.bytes))
        elif args.command == "fit":
            _setup_django(directory)
            _print_json(_fit_in_process(args.bytes))
        elif args.command == "measure":
            _setup_django(directory)
            measurer = _Measurer()
            _warm_up(measurer)
            _print_json(measurer.run(args.what, args.rounds))
        elif args.command == "worker":
            _setup_django(directory)
            measurer = _Measurer()
            _print_json({"ready": True, "pid": os.getpid(), **_warm_up(measurer)})
            for line in sys.stdin:
                if not line.strip():
                    continue
                request = json.loads(line)
                try:
                    _print_json(measurer.run(request["what"], int(request["rounds"])))
                except PeerError as exc:
                    _print_json({"error": str(exc)})
    except PeerError as exc:
        sys.stderr.write(f"peer: {exc}\n")
        if args.command == "worker":
            _print_json({"error": str(exc)})
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
