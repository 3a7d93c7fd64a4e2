import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# A marker that the test signature database below calls a virus. ClamAV's
# body-based signature format (.ndb): name, target type (0: any file), offset
# (*: anywhere), the bytes in hexadecimal.
MARKER = b"PORTAL-CLAMAV-TEST-MARKER-3b1f"
SIGNATURE = "Portal.Test.Marker"
FOUND_AS = f"{SIGNATURE}.UNOFFICIAL"
CLAMD_MISSING = (
    "clamd is not installed: install Debian's clamav-daemon package "
    "(apt-get install clamav-daemon) to run the antivirus tests."
)


@dataclass
class Clamd:
    socket: Path
    started_in: float

    @property
    def address(self) -> str:
        return f"unix://{self.socket}"


def _answers(path: Path) -> bool:
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(1)
            client.connect(str(path))
            client.sendall(b"nPING\n")
            return client.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def running_clamd(directory: Path):
    """ClamAV's daemon, run as the current user on a socket of its own with a
    database holding the test signature only (no download: ``freshclam`` is
    never run), stopped on leaving."""
    binary = shutil.which("clamd") or shutil.which("clamd", path="/usr/sbin:/sbin")
    if binary is None:
        pytest.fail(CLAMD_MISSING)
    database = directory / "db"
    database.mkdir()
    (database / "portal-test.ndb").write_text(f"{SIGNATURE}:0:*:{MARKER.hex()}\n")
    path = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        "\n".join(
            [
                "Foreground yes",
                f"LocalSocket {path}",
                f"DatabaseDirectory {database}",
                f"TemporaryDirectory {directory}",
                f"LogFile {directory / 'clamd.log'}",
                "SelfCheck 0",
                "Bytecode no",
                "StreamMaxLength 25M",
                "",
            ]
        )
    )
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        while not _answers(path):
            if process.poll() is not None:
                pytest.fail(f"clamd stopped at start: {process.stderr.read().decode()}")
            if time.perf_counter() - started > 60:
                pytest.fail("clamd did not answer within 60 s")
            time.sleep(0.05)
        yield Clamd(socket=path, started_in=time.perf_counter() - started)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def clamd_server(tmp_path_factory):
    with running_clamd(tmp_path_factory.mktemp("clamd")) as server:
        yield server


@pytest.fixture
def clamav(settings, clamd_server):
    """Uploads scanned by the test clamd."""
    settings.CLAMAV_ADDRESS = clamd_server.address
    settings.CLAMAV_TIMEOUT = 10
    return clamd_server
