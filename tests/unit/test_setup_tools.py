"""Plain tests of the set-up helpers and scripts: the install-log check, the summary line,
setup/run's configuration, processes and proxy, the local cluster, and docker/."""

import base64
import configparser
import contextlib
import hashlib
import importlib.util
import json
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "setup" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_log = load("check_log")
summary = load("summary")

HEAD = "2026-11-22 01:23:18,371 3301"


def test_log_check_flags_warnings_of_our_addons():
    lines = [
        f"{HEAD} INFO db odoo.modules.loading: loading order_hub\n",
        f"{HEAD} WARNING db odoo.modules.loading: The model order.hub.stage has no access rules\n",
        f"{HEAD} ERROR db odoo.addons.order_hub_channels.models.x: boom\n",
    ]
    assert len(check_log.offending_lines(lines)) == 2


def test_log_check_ignores_other_modules_and_info():
    lines = [
        f"{HEAD} WARNING db odoo.addons.base.models.ir_model: sale warning\n",
        f"{HEAD} INFO db odoo.addons.order_hub: fine\n",
    ]
    assert check_log.offending_lines(lines) == []


def test_log_check_catches_tracebacks_naming_our_code():
    lines = [
        f"{HEAD} ERROR db odoo.modules.registry: Failed to load registry\n",
        "Traceback (most recent call last):\n",
        '  File "/repo/addons/order_hub/models/x.py", line 3\n',
    ]
    assert check_log.offending_lines(lines) == [lines[0].rstrip()]


def test_summary_adds_up_runs(tmp_path, capsys):
    (tmp_path / "a.log").write_text("....\n4 passed, 1 skipped in 0.10s\n")
    (tmp_path / "b.log").write_text("F.\n1 failed, 1 passed, 1 error in 2.00s\n")
    summary.main([str(tmp_path / "a.log"), str(tmp_path / "b.log")])
    assert capsys.readouterr().out.strip() == "total: 5 passed, 2 failed, 1 skipped"


def test_summary_counts_a_silent_run_as_failed(tmp_path, capsys):
    (tmp_path / "a.log").write_text("3 passed in 0.10s\n")
    summary.main([str(tmp_path / "a.log"), str(tmp_path / "missing.log")])
    assert capsys.readouterr().out.strip() == "total: 3 passed, 1 failed"


@pytest.mark.parametrize("command", ["test", "run"])
def test_missing_odoo_stops_with_a_short_message(tmp_path, command):
    env = dict(os.environ, HOME=str(tmp_path), ORDER_HUB_ODOO_URL="http://127.0.0.1:9/odoo.tar.gz")
    env.pop("ODOO_SRC", None)
    result = subprocess.run(
        ["bash", str(ROOT / "setup" / command)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "needs the Odoo 18.0 source code" in result.stderr
    assert "ODOO_SRC" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_wrong_odoo_src_is_refused(tmp_path):
    env = dict(os.environ, ODOO_SRC=str(tmp_path))
    result = subprocess.run(
        ["bash", str(ROOT / "setup" / "test")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "is not an Odoo 18.0 source tree" in result.stderr


# --- setup/run, setup/lib.sh and docker/: configuration, cluster, processes, proxy ---

FIXED_MASTER_PASSWORD = "order-hub-admin"  # what setup/lib.sh wrote into every installation


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def script_env(**extra):
    # the scripts' Python is the one running these tests (the project virtualenv)
    env = dict(os.environ, ORDER_HUB_VENV=sys.prefix, PATH=f"{sys.prefix}/bin:{os.environ['PATH']}")
    env.update({key: str(value) for key, value in extra.items()})
    return env


def copy_checkout(target):
    """A checkout with the scripts, docker/ and the addons' demo data (what the scripts read)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "setup", target / "setup", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "docker", target / "docker")
    for demo in ROOT.glob("addons/*/demo"):
        shutil.copytree(demo, target / "addons" / demo.parent.name / "demo")
    return target


def bash(checkout, script, timeout=180, **env):
    return subprocess.run(
        ["bash", "-c", f'source "{checkout}/setup/lib.sh"\n{script}'],
        env=script_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_conf(path):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return parser


def write_config(checkout, *options, **env):
    result = subprocess.run(
        ["bash", str(checkout / "setup" / "run"), "--write-config", *map(str, options)],
        env=script_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_run_config_listens_on_localhost_with_a_master_password_per_installation(tmp_path):
    port = free_port()
    passwords = []
    for name in ("one", "two"):
        checkout = copy_checkout(tmp_path / name)
        first = write_config(checkout, "--http-port", port)
        assert "master password" in first.stderr  # shown once, when generated
        conf = read_conf(checkout / "var" / "odoo.conf")["options"]
        assert conf["http_interface"] == "127.0.0.1"
        assert conf["proxy_mode"] == "True"  # behind setup/run's nginx
        assert conf["list_db"] == "False"
        password = conf["admin_passwd"]
        assert password != FIXED_MASTER_PASSWORD and len(password) >= 24
        secret = checkout / "var" / "master-password"
        assert secret.read_text().strip() == password
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert stat.S_IMODE((checkout / "var" / "odoo.conf").stat().st_mode) == 0o600
        proxy = (checkout / "var" / "proxy" / "order-hub.conf").read_text()
        assert f"listen 127.0.0.1:{port} default_server;" in proxy
        assert f"server 127.0.0.1:{conf['http_port']};" in proxy
        assert f"server 127.0.0.1:{conf['gevent_port']};" in proxy
        again = write_config(checkout, "--http-port", port)
        assert "master password" not in again.stderr
        assert read_conf(checkout / "var" / "odoo.conf")["options"]["admin_passwd"] == password
        passwords.append(password)
    assert passwords[0] != passwords[1]


def test_run_config_without_proxy_and_public(tmp_path):
    checkout = copy_checkout(tmp_path / "c")
    port = free_port()
    write_config(checkout, "--http-port", port, ORDER_HUB_PROXY=0)
    conf = read_conf(checkout / "var" / "odoo.conf")["options"]
    assert (conf["http_interface"], conf["http_port"], conf["proxy_mode"]) == (
        "127.0.0.1",
        str(port),
        "False",
    )

    write_config(checkout, "--http-port", port, "--public")
    conf = read_conf(checkout / "var" / "odoo.conf")["options"]
    assert conf["http_interface"] == "127.0.0.1"  # only nginx faces the network
    assert f"listen 0.0.0.0:{port} default_server;" in (checkout / "var/proxy/order-hub.conf").read_text()

    write_config(checkout, "--http-port", port, "--public", ORDER_HUB_PROXY=0)
    assert read_conf(checkout / "var" / "odoo.conf")["options"]["http_interface"] == "0.0.0.0"


@pytest.fixture(scope="module")
def private_cluster(tmp_path_factory):
    """The project-local PostgreSQL of a checkout inside a directory only its owner can enter."""
    home = tmp_path_factory.mktemp("home")
    home.chmod(0o700)
    checkout = copy_checkout(home / "order-hub")
    pg_port = free_port()
    result = bash(checkout, 'ensure_pg\necho "$PG_DATA"\necho "$DB_PORT"', ORDER_HUB_PG_PORT=pg_port)
    assert result.returncode == 0, result.stdout + result.stderr
    data, port = result.stdout.strip().splitlines()[-2:]
    yield {"home": home, "checkout": checkout, "data": Path(data), "port": int(port)}
    bash(checkout, "ensure_pg\nPG_STARTED_HERE=1\nstop_pg", ORDER_HUB_PG_PORT=pg_port)
    if not Path(data).is_relative_to(checkout):
        shutil.rmtree(Path(data).parent, ignore_errors=True)


@contextlib.contextmanager
def connect(cluster, dbname="postgres"):
    """An autocommit connection (psycopg2's own "with" would open a transaction)."""
    import psycopg2

    conn = psycopg2.connect(
        host="127.0.0.1",
        port=cluster["port"],
        user="odoo",
        password="odoo",
        dbname=dbname,
        connect_timeout=10,
    )
    conn.autocommit = True
    try:
        yield conn
    finally:
        conn.close()


def test_local_cluster_runs_from_a_checkout_only_its_owner_can_enter(private_cluster):
    home, checkout, data = private_cluster["home"], private_cluster["checkout"], private_cluster["data"]
    assert stat.S_IMODE(home.stat().st_mode) == 0o700  # nothing was opened up
    with connect(private_cluster) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_setting('data_directory')")
        assert Path(cur.fetchone()[0]) == data
    if os.geteuid() == 0:
        # run as "postgres", who cannot enter the checkout: the cluster lives in its home
        assert not data.is_relative_to(home)
        assert pwd.getpwuid(data.stat().st_uid).pw_name == "postgres"
        assert (data.parent / "checkout").read_text().strip() == str(checkout)
    else:
        # run as the invoking user, inside the checkout
        assert data == checkout / "var" / "pg"
        assert data.stat().st_uid == os.geteuid()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as another user")
def test_cluster_left_in_an_unreachable_var_pg_is_moved_out_with_its_data(private_cluster):
    checkout, data = private_cluster["checkout"], private_cluster["data"]
    with connect(private_cluster) as conn, conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS kept_through_the_move")
        cur.execute("CREATE DATABASE kept_through_the_move")
    port = private_cluster["port"]
    stop = bash(checkout, "ensure_pg\nPG_STARTED_HERE=1\nstop_pg", ORDER_HUB_PG_PORT=port)
    assert stop.returncode == 0, stop.stderr
    (checkout / "var").mkdir(exist_ok=True)
    shutil.move(data, checkout / "var" / "pg")  # where earlier versions kept it
    result = bash(checkout, 'ensure_pg\necho "$PG_DATA"', ORDER_HUB_PG_PORT=port)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Moving the PostgreSQL cluster" in result.stdout
    assert Path(result.stdout.strip().splitlines()[-1]) == data
    assert not (checkout / "var" / "pg").exists()
    with connect(private_cluster, "kept_through_the_move"):
        pass


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the cluster as another user")
def test_reachable_var_pg_of_an_earlier_version_stays_where_it_is():
    # pytest's own temporary directories are private: this checkout is in /var/tmp (mode 1777)
    with tempfile.TemporaryDirectory(dir="/var/tmp") as parent:
        Path(parent).chmod(0o755)
        checkout = copy_checkout(Path(parent) / "open")
        pg = checkout / "var" / "pg"
        pg.mkdir(parents=True)
        (pg / "PG_VERSION").write_text("15\n")
        shutil.chown(pg / "PG_VERSION", "postgres")
        assert bash(checkout, "pg_base").stdout.strip() == str(checkout / "var")
        pg.chmod(0o700)  # now out of reach: the cluster goes to postgres's home
        assert (
            bash(checkout, "pg_base")
            .stdout.strip()
            .startswith(pwd.getpwnam("postgres").pw_dir + "/order-hub/")
        )


def add_res_users(cluster, dbname, passwords):
    from passlib.context import CryptContext

    context = CryptContext(["pbkdf2_sha512"])
    with connect(cluster) as conn, conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        cur.execute(f'CREATE DATABASE "{dbname}"')
    with connect(cluster, dbname) as conn, conn.cursor() as cur:
        # the columns Odoo's res_users has and the check reads
        cur.execute("CREATE TABLE res_users (id serial, login varchar, password varchar, active bool)")
        for login, password in passwords.items():
            cur.execute(
                "INSERT INTO res_users (login, password, active) VALUES (%s, %s, true)",
                (login, context.hash(password)),
            )


def run_public(cluster, dbname):
    return subprocess.run(
        ["bash", str(cluster["checkout"] / "setup" / "run"), "--public", "--db-name", dbname]
        + ["--db-host", "127.0.0.1", "--db-port", str(cluster["port"]), "--http-port", str(free_port())],
        env=script_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_public_is_refused_while_a_demo_password_works(private_cluster):
    add_res_users(private_cluster, "hub_public", {"admin": "admin", "hub.cs": "changed-by-the-owner"})
    result = run_public(private_cluster, "hub_public")
    assert result.returncode != 0
    assert "Refusing --public" in result.stderr
    assert "admin" in result.stderr and "hub.cs" not in result.stderr
    assert not (private_cluster["checkout"] / "var" / "upgrade.log").exists()  # nothing started

    result = run_public(private_cluster, "hub_not_created_yet")
    assert result.returncode != 0
    assert "would be created with the demo passwords" in result.stderr


def test_demo_password_check_reads_the_users_and_the_demo_data(private_cluster):
    demo = load("demo_passwords")
    logins = demo.demo_logins(ROOT)
    assert logins["hub.manager"] == "orderhub-manager" and logins["admin"] == "admin"
    add_res_users(
        private_cluster, "hub_changed", {"admin": "s3cret-admin", "hub.manager": "orderhub-manager"}
    )
    with connect(private_cluster, "hub_changed") as conn, conn.cursor() as cur:
        assert demo.logins_with_demo_password(cur, logins) == ["hub.manager"]
        cur.execute("UPDATE res_users SET active = false WHERE login = 'hub.manager'")
        assert demo.logins_with_demo_password(cur, logins) == []


def sandbox_processes(port):
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if any(part.endswith(b"tests/sandbox/run.py") for part in cmdline) and str(port).encode() in cmdline:
            found.append(int(proc.name))
    return found


def wait_until(condition, timeout):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)
    return condition()


def run_until_signalled(tmp_path, script):
    return subprocess.Popen(
        ["bash", "-c", f'source "{ROOT}/setup/lib.sh"\nstop_on_exit\n{script}\nwait'],
        env=script_env(),
        start_new_session=True,  # a process group of its own, as a terminal gives setup/run
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_ctrl_c_leaves_no_sandbox_behind(tmp_path):
    port = free_port()
    credentials = tmp_path / "sandboxes.json"
    # what setup/run does; Ctrl-C reaches the whole process group
    process = run_until_signalled(
        tmp_path, f'start_sandboxes {port} "{tmp_path}/sandboxes.log" "{credentials}"'
    )
    try:
        assert wait_until(credentials.exists, 60), (tmp_path / "sandboxes.log").read_text()
        assert len(sandbox_processes(port)) == 1  # started once
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        os.killpg(process.pid, signal.SIGINT)
        assert process.wait(timeout=90) == 130
        assert wait_until(lambda: not sandbox_processes(port), 30), "a sandbox survived Ctrl-C"
    finally:
        for pid in sandbox_processes(port):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert "Stopping the channel sandboxes" in process.stdout.read().decode()


def test_clean_up_finishes_when_the_terminal_closes_while_stopping(tmp_path):
    # "server": SIGHUP does not stop it (PostgreSQL runs detached, Odoo and nginx
    # reload on it); "odoo": takes 3 s to stop.  The terminal closes 1 s after Ctrl-C.
    server = "trap '' HUP; while :; do sleep 0.1; done"
    odoo = "trap 'sleep 3; exit 0' TERM; while :; do sleep 0.1; done"
    pid_file = tmp_path / "server.pid"
    process = run_until_signalled(
        tmp_path,
        f'start_child server /dev/null bash -c "{server}"\necho "${{CHILD_PIDS[0]}}" > {pid_file}\n'
        f'start_child Odoo /dev/null bash -c "{odoo}"',
    )
    try:
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text().strip(), 30)
        time.sleep(0.5)
        server = Path(f"/proc/{int(pid_file.read_text())}")
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(1)
        os.killpg(process.pid, signal.SIGHUP)
        process.wait(timeout=90)
        assert wait_until(lambda: not server.exists(), 30), "a process was left running"
    finally:
        # everything the test started is in its process group (the server ignores SIGHUP only)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    output = process.stdout.read().decode()
    assert "Stopping Odoo" in output and "Stopping server" in output


def test_setup_run_starts_the_sandboxes_through_the_stopping_function_only():
    run = (ROOT / "setup" / "run").read_text()
    assert run.count("start_sandboxes ") == 1
    assert "tests/sandbox/run.py" not in run  # no second, untracked start


WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class Backends:
    """Odoo's two ports in miniature: HTTP answers with the headers it received,
    the "gevent" port completes websocket handshakes on /websocket and echoes a frame."""

    def __init__(self):
        self.http = socket.create_server(("127.0.0.1", 0))
        self.gevent = socket.create_server(("127.0.0.1", 0))
        self.seen = {}
        for server, handler in ((self.http, self.serve_http), (self.gevent, self.serve_websocket)):
            threading.Thread(target=self.accept, args=(server, handler), daemon=True).start()

    @staticmethod
    def accept(server, handler):
        while True:
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

    @staticmethod
    def read_head(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        lines = data.split(b"\r\n\r\n")[0].decode().split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return lines[0], headers

    def serve_http(self, conn):
        with conn:
            request, headers = self.read_head(conn)
            self.seen["http"] = (request, headers)
            body = json.dumps(headers).encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )

    def serve_websocket(self, conn):
        with conn:
            request, headers = self.read_head(conn)
            self.seen["gevent"] = (request, headers)
            if (
                headers.get("upgrade", "").lower() != "websocket"
                or "upgrade" not in headers.get("connection", "").lower()
            ):
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            accept = base64.b64encode(
                hashlib.sha1((headers["sec-websocket-key"] + WS_GUID).encode()).digest()
            )
            conn.sendall(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + b"Sec-WebSocket-Accept: "
                + accept
                + b"\r\n\r\n"
            )
            head = conn.recv(2)
            length = head[1] & 0x7F
            mask = conn.recv(4)
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(conn.recv(length)))
            conn.sendall(bytes([0x81, len(payload)]) + payload)

    def close(self):
        self.http.close()
        self.gevent.close()


def websocket_handshake(port, path="/websocket"):
    """Opens a websocket through 127.0.0.1:port; returns (status line, headers, socket)."""
    key = base64.b64encode(os.urandom(16)).decode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: localhost:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://localhost:{port}\r\n\r\n".encode()
    )
    status, headers = Backends.read_head(sock)
    if status.split()[1] == "101":
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        assert headers["sec-websocket-accept"] == expected
    return status, headers, sock


def wait_for_port(port, process, log):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text() if log.exists() else "nginx stopped"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def nginx():
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    assert os.path.exists(path), "nginx is not installed (setup/test installs it with apt-get)"
    return path


def test_proxy_routes_websocket_to_the_gevent_port_and_the_rest_to_http(tmp_path):
    backends = Backends()
    port = free_port()
    proxy = tmp_path / "proxy"
    result = bash(
        ROOT,
        f'write_proxy_conf "{proxy}" 127.0.0.1:{port} '
        f"127.0.0.1:{backends.http.getsockname()[1]} 127.0.0.1:{backends.gevent.getsockname()[1]}",
    )
    assert result.returncode == 0, result.stderr
    process = subprocess.Popen([nginx(), "-c", str(proxy / "nginx.conf"), "-e", str(proxy / "error.log")])
    try:
        wait_for_port(port, process, proxy / "error.log")
        status, _headers, sock = websocket_handshake(port)
        with sock:
            assert status.startswith("HTTP/1.1 101"), status
            sock.sendall(
                bytes([0x81, 0x80 | 4])
                + b"\x01\x02\x03\x04"
                + bytes(b ^ k for b, k in zip(b"ping", b"\x01\x02\x03\x04", strict=True))
            )
            assert sock.recv(6) == b"\x81\x04ping"  # frames pass both ways
        request, seen = backends.seen["gevent"]
        assert request.startswith("GET /websocket ")
        assert seen["x-forwarded-for"] == "127.0.0.1"

        # the rest goes to the HTTP port, with the headers proxy_mode reads; a forged
        # X-Forwarded-For stays in front of the address nginx saw (Odoo reads the last one)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                f"GET /web/login HTTP/1.1\r\nHost: shop.example:{port}\r\nX-Forwarded-For: 6.6.6.6\r\n"
                "Connection: close\r\n\r\n".encode()
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        headers = json.loads(answer.split(b"\r\n\r\n", 1)[1])
        assert headers["x-forwarded-for"].split(",")[-1].strip() == "127.0.0.1"
        assert headers["x-forwarded-host"] == f"shop.example:{port}"
        assert headers["x-forwarded-proto"] == "http"
        assert backends.seen["http"][0].startswith("GET /web/login ")
    finally:
        process.terminate()
        process.wait(timeout=20)
        backends.close()


def compose():
    return yaml.safe_load((ROOT / "docker" / "docker-compose.yml").read_text())


TEMPLATE = ROOT / "docker" / "nginx" / "order-hub.conf.template"


def test_compose_publishes_only_the_proxy_with_the_shared_template():
    services = compose()["services"]
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert services["proxy"]["ports"] == ["${ORDER_HUB_BIND:-127.0.0.1}:${ORDER_HUB_HTTP_PORT:-8069}:80"]
    source, target, _mode = services["proxy"]["volumes"][0].split(":")
    assert (ROOT / "docker" / source).resolve() == TEMPLATE
    assert target == "/etc/nginx/templates/default.conf.template"  # replaces the image's default site
    assert "docker/nginx/order-hub.conf.template" in (ROOT / "setup" / "lib.sh").read_text()
    placeholders = set(re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text()))
    assert (
        placeholders == set(services["proxy"]["environment"]) == {"PROXY_LISTEN", "ODOO_HTTP", "ODOO_GEVENT"}
    )
    odoo_conf = read_conf(ROOT / "docker" / "odoo.conf")["options"]
    assert services["proxy"]["environment"]["ODOO_GEVENT"] == f"odoo:{odoo_conf['gevent_port']}"
    assert odoo_conf["proxy_mode"] == "True" and odoo_conf["list_db"] == "False"
    assert "admin_passwd" not in odoo_conf  # generated per installation by docker/entrypoint.sh
    assert services["odoo-init"]["command"] == ["order-hub-init"]
    sandboxes = services["sandboxes"]
    assert sandboxes["profiles"] == ["demo"] and sandboxes["network_mode"] == "service:odoo"
    demo = (ROOT / "addons" / "order_hub_channels" / "demo" / "order_hub_channel_demo.xml").read_text()
    assert "http://127.0.0.1:18801" in demo and "--demo" in sandboxes["command"]


def test_compose_proxy_configuration_passes_nginx_t(tmp_path):
    env = compose()["services"]["proxy"]["environment"]
    # as the nginx image's envsubst would render it; compose's host names made local for the check
    text = TEMPLATE.read_text()
    for name, value in env.items():
        text = text.replace("${" + name + "}", value.replace("odoo:", "127.0.0.1:"))
    (tmp_path / "default.conf").write_text(text)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/default.conf;\n}}\n"
    )
    result = subprocess.run(
        [nginx(), "-t", "-c", str(tmp_path / "nginx.conf"), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def entrypoint(data, *args, **env):
    (data).mkdir(exist_ok=True)
    return subprocess.run(
        ["bash", str(ROOT / "docker" / "entrypoint.sh"), *args],
        env=script_env(
            ORDER_HUB_DATA_DIR=data,
            ORDER_HUB_CONF_TEMPLATE=ROOT / "docker" / "odoo.conf",
            ORDER_HUB_NEXT_ENTRYPOINT="echo",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_docker_master_password_is_generated_per_data_volume(tmp_path):
    passwords = []
    for name in ("one", "two"):
        assert entrypoint(tmp_path / name, "odoo").stdout.strip().endswith("odoo")
        conf = read_conf(tmp_path / name / "odoo.conf")["options"]
        assert conf["proxy_mode"] == "True" and conf["list_db"] == "False"
        assert stat.S_IMODE((tmp_path / name / "master-password").stat().st_mode) == 0o600
        assert conf["admin_passwd"] == (tmp_path / name / "master-password").read_text().strip()
        entrypoint(tmp_path / name, "odoo")
        assert read_conf(tmp_path / name / "odoo.conf")["options"]["admin_passwd"] == conf["admin_passwd"]
        passwords.append(conf["admin_passwd"])
    assert passwords[0] != passwords[1] and FIXED_MASTER_PASSWORD not in passwords


def test_docker_init_installs_first_and_upgrades_afterwards(private_cluster, tmp_path):
    db = {"HOST": "127.0.0.1", "PORT": private_cluster["port"], "USER": "odoo", "PASSWORD": "odoo"}
    with connect(private_cluster) as conn, conn.cursor() as cur:
        cur.execute("DROP DATABASE IF EXISTS hub_docker")
    first = entrypoint(tmp_path, "order-hub-init", ORDER_HUB_DB_NAME="hub_docker", **db)
    assert first.returncode == 0, first.stderr
    assert " -i order_hub,order_hub_channels,order_hub_logistics " in first.stdout
    with connect(private_cluster) as conn, conn.cursor() as cur:
        cur.execute("CREATE DATABASE hub_docker")
    with connect(private_cluster, "hub_docker") as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE ir_module_module (name varchar, state varchar)")
        cur.execute("INSERT INTO ir_module_module VALUES ('order_hub', 'installed')")
    again = entrypoint(tmp_path, "order-hub-init", ORDER_HUB_DB_NAME="hub_docker", **db)
    assert " -u order_hub,order_hub_channels,order_hub_logistics " in again.stdout


# --- setup/lib.sh: Chromium and a Chinese font for the tours ---


def run_ensure_chromium(tmp_path, browser=False, cjk_font=False, apt=True):
    """ensure_chromium with a PATH of stand-ins only: apt-get records its
    arguments, fc-list knows a Chinese font or none."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    for tool in ("dirname", "id", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    log = tmp_path / "apt.log"
    stand_ins = {"fc-list": f"echo {'WenQuanYi Zen Hei' if cjk_font else ''}"}
    if apt:
        stand_ins["apt-get"] = f'echo "$*" >> "{log}"'
    if browser:
        stand_ins["chromium"] = "true"
    for name, body in stand_ins.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    result = subprocess.run(
        ["/bin/bash", "-c", f'source "{ROOT}/setup/lib.sh"\nensure_chromium\necho done'],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    installs = [line for line in (log.read_text().splitlines() if log.exists() else []) if "install" in line]
    return result, installs


def test_chromium_is_installed_with_a_chinese_font(tmp_path):
    result, installs = run_ensure_chromium(tmp_path)
    assert result.returncode == 0, result.stderr
    assert installs == ["install -y -qq chromium fonts-wqy-zenhei"]


def test_a_chinese_font_is_added_next_to_an_existing_browser(tmp_path):
    result, installs = run_ensure_chromium(tmp_path, browser=True)
    assert result.returncode == 0, result.stderr
    assert installs == ["install -y -qq fonts-wqy-zenhei"]


def test_nothing_is_installed_when_browser_and_font_are_there(tmp_path):
    result, installs = run_ensure_chromium(tmp_path, browser=True, cjk_font=True)
    assert result.returncode == 0 and result.stdout.strip().endswith("done"), result.stderr
    assert installs == []


def test_without_apt_a_missing_font_is_only_a_warning(tmp_path):
    result, _installs = run_ensure_chromium(tmp_path, browser=True, apt=False)
    assert result.returncode == 0 and "fonts-wqy-zenhei" in result.stdout, result.stderr
    missing, _installs = run_ensure_chromium(tmp_path / "none", apt=False)
    assert missing.returncode != 0 and "Chromium is not installed" in missing.stderr
