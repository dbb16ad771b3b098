"""Plain helpers the benchmark and chaos scripts share (no Odoo import at module level).

    server = OdooServer(config, database, port, workers)   # odoo-bin in its own process group
    server.start(); server.workers(); server.kill(); server.stop()
    rss_kib(pid)                                            # VmRSS of a process, KiB
    copy_database(source, target, data_dir) / drop_database_and_filestore(name, data_dir)

Everything runs on localhost; every process, database and directory a
script creates through these helpers is removed by its ``stop`` / ``drop``.
"""

import configparser
import os
import shutil
import signal
import subprocess
import sys
import time
import xmlrpc.client
from contextlib import closing
from pathlib import Path

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT


def read_config(path):
    """The [options] of an Odoo configuration file, as a dict of strings."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(path)
    return dict(parser["options"]) if parser.has_section("options") else {}


def connect(options, database):
    """A new psycopg2 connection (autocommit) with the settings of an Odoo configuration."""
    conn = psycopg2.connect(
        host=options.get("db_host") or None,
        port=options.get("db_port") or None,
        user=options.get("db_user") or None,
        password=options.get("db_password") or None,
        dbname=database,
        connect_timeout=10,
    )
    conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
    return conn


def copy_database(options, source, target):
    """Copy ``source`` (and its filestore) into a new database ``target``: a
    throw-away copy of the dev database with its demo data, made in seconds."""
    with closing(connect(options, "postgres")) as conn, conn.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target)))
        cr.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source))
        )
    data_dir = options.get("data_dir")
    if data_dir and (Path(data_dir) / "filestore" / source).is_dir():
        shutil.rmtree(Path(data_dir) / "filestore" / target, ignore_errors=True)  # of an earlier copy
        shutil.copytree(Path(data_dir) / "filestore" / source, Path(data_dir) / "filestore" / target)


def drop_database_and_filestore(options, name):
    with closing(connect(options, "postgres")) as conn, conn.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    data_dir = options.get("data_dir")
    if data_dir:
        shutil.rmtree(Path(data_dir) / "filestore" / name, ignore_errors=True)


def rss_kib(pid):
    """VmRSS of process ``pid`` in KiB (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def children(pid):
    """Direct children of ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


class OdooServer:
    """``odoo-bin`` with ``workers`` worker processes and queue_job's runner,
    in a process group of its own (so that it can be killed whole), its log
    in ``logfile``."""

    def __init__(self, config, database, port, workers, logfile, channels=None, extra=()):
        self.config = config
        self.database = database
        self.port = port
        self.workers_count = workers
        self.logfile = logfile
        self.channels = channels or f"root:{workers},root.order_hub.reserve:1"
        self.extra = list(extra)
        self.process = None

    def command(self):
        import odoo  # the venv's Odoo source tree

        odoo_bin = Path(odoo.__file__).resolve().parents[1] / "odoo-bin"
        return [
            sys.executable,
            str(odoo_bin),
            "-c",
            self.config,
            "-d",
            self.database,
            "--db-filter",
            f"^{self.database}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(self.port + 1),
            "--workers",
            str(self.workers_count),
            "--max-cron-threads",
            "0",
            "--limit-time-real",
            "600",
            "--limit-time-cpu",
            "600",
            "--log-level",
            "warn",
            "--logfile",
            str(self.logfile),
            *self.extra,
        ]

    def start(self, wait=180):
        env = dict(
            os.environ,
            ODOO_QUEUE_JOB_CHANNELS=self.channels,
            ODOO_QUEUE_JOB_PORT=str(self.port),
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
        )
        self.process = subprocess.Popen(
            self.command(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: kill() takes workers and runner too
        )
        common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{self.port}/xmlrpc/2/common")
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Odoo server exited ({self.process.returncode}); see {self.logfile}")
            try:
                common.version()
                return self
            except OSError:
                time.sleep(0.5)
        self.kill()
        raise RuntimeError(f"the Odoo server did not answer within {wait} s; see {self.logfile}")

    @property
    def pid(self):
        return self.process.pid if self.process else None

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def workers(self):
        """Pids of the server's child processes (HTTP workers, job runner, gevent)."""
        return children(self.pid) if self.alive() else []

    def kill(self):
        """SIGKILL the whole process group (server, workers, runner) and reap it."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(30)
        self.process = None

    def stop(self, wait=60):
        """SIGTERM (graceful), then SIGKILL of the group after ``wait`` seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(wait)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


def xmlrpc_models(port, database, login, password):
    """``call(model, method, *args, **kw)`` over XML-RPC as ``login``."""
    url = f"http://127.0.0.1:{port}/xmlrpc/2"
    uid = xmlrpc.client.ServerProxy(f"{url}/common").authenticate(database, login, password, {})
    if not uid:
        raise RuntimeError(f"cannot log in as {login} on {database}")
    models = xmlrpc.client.ServerProxy(f"{url}/object", allow_none=True)

    def call(model, method, *args, **kw):
        return models.execute_kw(database, uid, password, model, method, list(args), kw)

    return call
