"""A real mosquitto broker on 127.0.0.1, for tests of MQTT devices.

    with running_mosquitto(tmp_path) as broker:              # anonymous access
        ... broker.address ...                               # "127.0.0.1:<port>"
    with running_mosquitto(tmp_path, users={"evcc": "secret"}) as broker:   # logins from a password file
    with running_mosquitto(tmp_path, tls=True) as broker:    # TLS with a fresh self-signed certificate
        ... broker.certificate ...                           # its PEM text, to trust it

The broker can be stopped and started again on the same port (a broker that goes away and comes back); it is
stopped when the block ends, whatever happened.
"""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"
START_TIMEOUT = 5.0
PORT_ATTEMPTS = 3


@dataclass
class Mosquitto:
    directory: Path
    port: int
    tls: bool = False
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"{'tls://' if self.tls else ''}127.0.0.1:{self.port}"

    @property
    def certificate(self) -> str:
        return (self.directory / "broker.crt").read_text()

    @property
    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self) -> None:
        """Start the broker and wait until it accepts connections; a broker that exits raises with its log."""
        config = self.directory / "mosquitto.conf"
        config.write_text(_config(self.directory, self.port, self.tls))
        with (self.directory / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen([MOSQUITTO, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerExited(f"mosquitto exited with {self.process.returncode}:\n{self.log}")
            if _accepts(self.port):
                return
            time.sleep(0.005)
        self.stop()
        raise TimeoutError(f"mosquitto did not listen on port {self.port} within {START_TIMEOUT}s:\n{self.log}")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class BrokerExited(RuntimeError):
    pass


@contextmanager
def running_mosquitto(
    directory: Path, users: Mapping[str, str] | None = None, tls: bool = False
) -> Iterator[Mosquitto]:
    """A started broker in ``directory`` (its config, log and files), stopped when the block ends."""
    if users:
        _password_file(directory / "passwords", users)
    if tls:
        _certificate(directory)
    broker = Mosquitto(directory, 0, tls)
    try:
        for attempt in range(PORT_ATTEMPTS):
            broker.port = _free_port()
            try:
                broker.start()
                break
            except BrokerExited as exited:  # another process may have taken the port in between
                if "in use" not in str(exited) or attempt == PORT_ATTEMPTS - 1:
                    raise
        yield broker
    finally:
        broker.stop()


def _config(directory: Path, port: int, tls: bool) -> str:
    # started as root, mosquitto would switch to its own user, who may not read the files in the directory
    lines = [f"user {getpass.getuser()}", f"listener {port} 127.0.0.1", "log_dest stdout", "log_type error"]
    lines.append("log_type warning")
    passwords = directory / "passwords"
    if passwords.exists():
        lines += ["allow_anonymous false", f"password_file {passwords}"]
    else:
        lines.append("allow_anonymous true")
    if tls:
        lines += [f"certfile {directory / 'broker.crt'}", f"keyfile {directory / 'broker.key'}"]
    return "\n".join(lines) + "\n"


def _password_file(path: Path, users: Mapping[str, str]) -> None:
    path.touch()
    for user, password in users.items():
        subprocess.run([MOSQUITTO_PASSWD, "-b", str(path), user, password], check=True, capture_output=True)


def _certificate(directory: Path) -> None:
    """A self-signed certificate for 127.0.0.1 (an EC key: quick to make)."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(directory / "broker.key"),
            "-out",
            str(directory / "broker.crt"),
        ],
        check=True,
        capture_output=True,
    )


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
