"""Anonymous pages from nginx's cache on the local production stack.

Run from the repository root, the stack started (``deploy/stack.sh up``):

    .venv/bin/python bench/edge.py               # about a minute
    .venv/bin/python bench/edge.py --duration 20 --segments 4

1. **Rate.** ``wrk`` against nginx, over TLS, in alternating segments: Carvin's
   anonymous FAQ page (kept by nginx for ``EDGE_CACHE_TIMEOUT`` seconds, see
   ``cms/cache.py``) and a static file of the same size that nginx serves from
   disk. Target: the page at no less than half the static file's rate.
2. **A publish reaches visitors within the edge cache's lifetime.** Nothing
   purges nginx's cache: a publish in Wagtail makes Django's own page cache
   stale at once, and nginx's copy expires within ``EDGE_CACHE_TIMEOUT``. The
   script publishes a new title of the FAQ page, polls the page through nginx
   and through an app server directly until each shows it, prints both delays,
   checks the first is within the lifetime and the second immediate, then
   publishes the former title again.

Figures are printed; targets are PASS/FAIL; the exit status is 0 when the
benchmark ran. Needs ``wrk`` (``apt-get install -y wrk``).
"""

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import base_url, host_header, http_session, setup_django

FAQ = "/faq/"
EDGE_TARGET = 0.89  # the cached page / a static file of the same size, both from nginx


def wrk_rate(url: str, host: str, seconds: int) -> float:
    output = subprocess.run(  # noqa: S603 (our own command line)
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "-H", f"Host: {host}", url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} non-2xx answers\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def measure_rates(environment, *, duration: int, segments: int) -> None:
    session = http_session(environment)
    page = session.get(base_url(environment) + FAQ)
    page.raise_for_status()
    size = len(page.content)
    static_dir = Path(environment["STATIC_ROOT"]) / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    (static_dir / "faq-size.html").write_bytes(page.content)
    static_path = "/static/bench/faq-size.html"
    static = session.get(base_url(environment) + static_path)
    if static.status_code != 200 or len(static.content) != size:
        raise SystemExit(f"nginx does not serve {static_path} ({static.status_code})")
    cached = session.get(base_url(environment) + FAQ).headers.get("X-Cache-Status")

    host = host_header(environment)
    rates = {"page": [], "static": []}
    segment = max(1, duration // segments)
    for _ in range(segments):
        rates["page"].append(wrk_rate(base_url(environment) + FAQ, host, segment))
        rates["static"].append(wrk_rate(base_url(environment) + static_path, host, segment))
    page_rate = sum(rates["page"]) / segments
    static_rate = sum(rates["static"]) / segments
    ratio = page_rate / static_rate
    print(f"Response size: {size} bytes; the page from nginx's cache: X-Cache-Status {cached}")
    print(f"{'anonymous FAQ page (nginx cache)':<40} {page_rate:>9.0f} req/s")
    print(f"{'static file of the same size (nginx)':<40} {static_rate:>9.0f} req/s")
    verdict = "PASS" if ratio >= EDGE_TARGET else "FAIL"
    print(f"{f'ratio (target >= {EDGE_TARGET})':<40} {ratio:>9.2f}   {verdict}")


def wait_for(session, url: str, text: str, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if text in session.get(url).text:
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def publish_title(page, title: str) -> None:
    page.title = title
    page.save_revision().publish()


def measure_publish(environment) -> None:
    from wagtail.models import Site

    from faq.models import FAQPage

    lifetime = int(environment["EDGE_CACHE_TIMEOUT"])
    site = Site.objects.get(hostname="carvin.localhost")
    page = FAQPage.objects.descendant_of(site.root_page).get()
    former = page.title
    marker = f"{former} ({int(time.time())})"

    through_nginx = http_session(environment)
    app_server = http_session(environment)
    app_url = f"http://127.0.0.1:{environment['STACK_WEB_PORTS'].split(',')[0]}{FAQ}"
    app_server.headers["X-Forwarded-Proto"] = "https"
    for _ in range(2):
        through_nginx.get(base_url(environment) + FAQ)
    publish_title(page, marker)
    try:
        at_app = wait_for(app_server, app_url, marker, 5)
        at_edge = wait_for(through_nginx, base_url(environment) + FAQ, marker, lifetime + 10)
    finally:
        publish_title(FAQPage.objects.get(pk=page.pk), former)
    print(f"\nPublish → visible (edge cache lifetime EDGE_CACHE_TIMEOUT = {lifetime} s, no purge):")
    print(
        f"  {'through an app server (Django cache)':<40} {at_app:>6.1f} s   "
        f"{'PASS' if at_app is not None and at_app < 1 else 'FAIL'}"
    )
    edge_ok = at_edge is not None and at_edge <= lifetime + 1
    print(
        f"  {'through nginx':<40} {at_edge if at_edge is not None else float('nan'):>6.1f} s   "
        f"{'PASS' if edge_ok else 'FAIL'} (within {lifetime} s + 1)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per measure")
    parser.add_argument("--segments", type=int, default=4)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk")
        return 3
    environment = setup_django()
    measure_rates(environment, duration=options.duration, segments=options.segments)
    measure_publish(environment)
    return 0


if __name__ == "__main__":
    sys.exit(main())
