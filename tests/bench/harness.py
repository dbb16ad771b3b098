"""Shared parts of the benchmark scripts under tests/bench (plain module).

Odoo servers started as deployed (workers + OCA queue_job's runner), the
database opened from the script, sandbox channels, percentiles, the web
client's JSON-RPC session.  Only what the scripts use; no Odoo import at
module level (the scripts parse Odoo's configuration first).
"""

import configparser
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import xmlrpc.client
import zlib
from collections import Counter, defaultdict
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import psycopg2
import requests
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))


def odoo_bin():
    return str(Path(__import__("odoo").__file__).resolve().parents[1] / "odoo-bin")


class OdooServer:
    """One Odoo server (prefork: ``workers`` HTTP workers) with its own
    queue_job runner, as a node of a deployment is started, in a process
    group of its own (``kill`` takes the server, its workers and its runner).

    Listens on 127.0.0.1: HTTP on ``port``, the websocket on ``port + 1``.
    ``queue_port``: where this node's runner sends the jobs
    (``ODOO_QUEUE_JOB_HOST/PORT``; default: this node).  The server's log goes
    to ``log_path`` (warnings and errors only)."""

    def __init__(self, config, database, port, workers, log_path, queue_port=None, channels=None, extra=()):
        self.config = config
        self.database = database
        self.port = port
        self.workers_count = workers
        self.log_path = Path(log_path)
        self.queue_port = queue_port or port
        self.channels = channels or f"root:{workers},root.order_hub.reserve:1"
        self.extra = list(extra)
        self.process = None

    def command(self):
        return [
            sys.executable,
            odoo_bin(),
            "-c",
            str(self.config),
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
            str(self.log_path),
            *self.extra,
        ]

    def start(self, timeout=180, wait=None):
        timeout = wait if wait is not None else timeout
        env = dict(
            os.environ,
            ODOO_QUEUE_JOB_CHANNELS=self.channels,
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
            ODOO_QUEUE_JOB_PORT=str(self.queue_port),
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path.with_suffix(".stderr"), "ab") as stderr:
            self.process = subprocess.Popen(
                self.command(),
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=env,
                start_new_session=True,
            )
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                common.version()
                return self
            except OSError:
                time.sleep(0.5)
        self.kill()
        raise RuntimeError(f"the Odoo server on port {self.port} did not start; see {self.log_path}")

    @property
    def pid(self):
        return self.process.pid if self.process else None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def workers(self):
        """Pids of the server's child processes (HTTP workers, job runner, gevent)."""
        return children(self.pid) if self.alive() else []

    def worker_pids(self):
        return set(self.workers())

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
        """SIGTERM to the group (graceful), then SIGKILL after ``wait`` seconds."""
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(wait)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        self.kill()


def open_registry(config, database):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", config, "-d", database, "--log-level", "warn"])
    return Registry(database)


def sandbox_channel(env, box, code, name=None, **values):
    """An Order Hub channel on ``box`` (no rate limit), pulling from three days
    back; ``values`` add to or replace these."""
    creds = box.credentials
    return env["order.hub.channel"].create(
        {
            "name": name or f"Bench {box.platform} {code}",
            "code": code,
            "platform": box.platform,
            "api_base_url": box.url,
            "app_key": creds.get("app_key"),
            "app_secret": creds.get("app_secret"),
            "access_token": creds.get("access_token"),
            "refresh_token": creds.get("refresh_token"),
            "shop_id": creds.get("shop_id"),
            "webhook_secret": creds.get("webhook_token"),
            "webhook_aes_key": creds.get("aes_key"),
            "rate_limit": 0,
            "watermark": datetime.now() - timedelta(days=3),
            **values,
        }
    )


def open_work(cr, channel_ids, first_job_id):
    """(payloads pending, jobs open) of these channels since ``first_job_id``."""
    cr.execute(
        "SELECT count(*) FROM order_hub_inbound_order WHERE state = 'pending' AND channel_id = ANY(%s)",
        (list(channel_ids),),
    )
    pending = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM queue_job WHERE id >= %s AND state IN "
        "('wait_dependencies', 'pending', 'enqueued', 'started')",
        (first_job_id,),
    )
    return pending, cr.fetchone()[0]


def wait_drained(registry, channel_ids, first_job_id, timeout, poll=0.2):
    """Wait until no payload of the channels is pending and no job since
    ``first_job_id`` is open, looking every ``poll`` seconds; returns
    (seconds waited, pending, open)."""
    started = time.monotonic()
    with registry.cursor() as cr:
        while True:
            pending, running = open_work(cr, channel_ids, first_job_id)
            cr.rollback()
            if (not pending and not running) or time.monotonic() - started > timeout:
                return time.monotonic() - started, pending, running
            time.sleep(poll)


def next_job_id(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT coalesce(max(id), 0) + 1 FROM queue_job")
        return cr.fetchone()[0]


def percentile(values, q):
    """The ``q`` percentile (0-100) of ``values``, nearest rank; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]


def summary_ms(values):
    """``p50 / p95 / p99 / max`` of seconds, in milliseconds."""
    if not values:
        return "no sample"
    parts = [percentile(values, q) * 1000 for q in (50, 95, 99)] + [max(values) * 1000]
    return "p50 {:.0f} / p95 {:.0f} / p99 {:.0f} / max {:.0f} ms".format(*parts)


class WebSession:
    """The web client's JSON-RPC session of a logged-in user."""

    def __init__(self, url, database, login, password):
        self.url = url
        self.http = requests.Session()
        params = {"db": database, "login": login, "password": password}
        answer = self.call("/web/session/authenticate", params, timeout=120)
        if not answer.get("uid"):
            raise SystemExit(f"login of {login} refused")
        self.uid = answer["uid"]

    def call(self, path, params, timeout=30):
        response = self.http.post(
            f"{self.url}{path}",
            data=json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}),
            headers={"Content-Type": "application/json"},
            timeout=timeout,
        )
        response.raise_for_status()
        body = response.json()
        if body.get("error"):
            raise RuntimeError(body["error"].get("data", {}).get("message") or body["error"])
        return body["result"]

    def call_kw(self, model, method, args, kwargs, timeout=30):
        return self.call(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
            timeout=timeout,
        )

    def sale_order_list(self):
        """The request of the sales order list view (first page of 80)."""
        spec = {
            "name": {},
            "date_order": {},
            "commitment_date": {},
            "partner_id": {"fields": {"display_name": {}}},
            "user_id": {"fields": {"display_name": {}}},
            "team_id": {"fields": {"display_name": {}}},
            "company_id": {"fields": {"display_name": {}}},
            "amount_untaxed": {},
            "amount_tax": {},
            "amount_total": {},
            "currency_id": {"fields": {}},
            "state": {},
            "invoice_status": {},
        }
        return self.call_kw(
            "sale.order",
            "web_search_read",
            [],
            {
                "specification": spec,
                "offset": 0,
                "order": "",
                "limit": 80,
                "context": {"lang": "zh_CN", "tz": "Asia/Shanghai", "bin_size": True},
                "count_limit": 10001,
                "domain": [],
            },
        )


def start_server(config, database, port, workers, channels=None, log_level="warn"):
    """An Odoo server on ``database`` with ``workers`` worker processes and
    queue_job's runner (channels ``channels``, default
    ``root:<workers>,root.order_hub.reserve:1``), started and answering
    XML-RPC (an ``OdooServer``; its log under var/bench/)."""
    log = ROOT / "var" / "bench" / f"server-{port}.log"
    extra = [] if log_level == "warn" else ["--log-level", log_level]
    return OdooServer(config, database, port, workers, log, channels=channels, extra=extra).start()


def stop_server(server):
    server.stop()


def drop_database(name):
    import odoo
    from odoo.tools import SQL

    odoo.sql_db.close_db(name)
    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(name)))


def create_vanilla_database(config, name, modules="sale_management,sale_stock"):
    """A new database of Odoo alone (no Order Hub, no demo data) with
    ``modules``, replacing any database of that name."""
    drop_database(name)
    install = [sys.executable, odoo_bin(), "-c", config, "-d", name, "--without-demo=all", "--no-http"]
    done = subprocess.run(
        [*install, "-i", modules, "--stop-after-init", "--log-level", "warn"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        drop_database(name)
        raise SystemExit(f"installing Odoo alone ({modules}) failed:\n{done.stderr[-3000:]}")


def without_customer_notifications(env):
    """Switch the customer notifications off (order_hub_notify's demo data
    switches them on, pointing at the SMS sandbox of setup/run): the
    benchmarks measure the order pipeline, not one SMS job per order to a
    provider that is not running here."""
    if "order.hub.notify.template" in env:
        env["order.hub.notify.template"].sudo().search([("enabled", "=", True)]).enabled = False


def stock_products(env, codes, quantity, warehouses=None, create=False):
    """``quantity`` more of each product of ``codes`` in the stock of every
    warehouse (or of ``warehouses``); ``create``: create the storable products
    that do not exist yet (a database of Odoo alone).  Returns {code: id}."""
    Product = env["product.product"]
    found = Product.search([("default_code", "in", list(codes))])
    if create:
        missing = sorted(set(codes) - set(found.mapped("default_code")))
        found |= Product.create(
            [{"name": code, "default_code": code, "is_storable": True} for code in missing]
        )
    Quant = env["stock.quant"].with_context(inventory_mode=True)
    for warehouse in warehouses or env["stock.warehouse"].search([]):
        for product in found.filtered("is_storable"):
            Quant._update_available_quantity(product, warehouse.lot_stock_id, quantity)
    return {product.default_code: product.id for product in found}


class Profiler:
    """py-spy (PyPI) recording a server and its worker processes while a
    benchmark runs: raw collapsed stacks (for ``job_profile``) and a flame
    graph (SVG).  Needs ptrace rights (root, or ptrace_scope 0)."""

    def __init__(self, pid, out_dir, name, rate=50):
        self.spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if not Path(self.spy).exists():
            raise SystemExit("py-spy not found: pip install py-spy")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        self.raw = out_dir / f"{name}.txt"
        self.svg = out_dir / f"{name}.svg"
        self.rate = rate
        common = [
            self.spy,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",
            "--nolineno",  # one frame per function: a smaller flame graph
            "--rate",
            str(rate),
        ]
        self.procs = [
            subprocess.Popen(
                [*common, "--format", "raw", "-o", str(self.raw)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [*common, "--format", "flamegraph", "-o", str(self.svg)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        ]
        time.sleep(1)  # attached before the work starts

    def stop(self):
        """Stop recording (SIGINT: py-spy writes its files) and wait."""
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(2)
        for proc in self.procs:
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


# job methods of the import, in the order of a batch's life
JOB_FRAMES = {
    "import": "_job_import",
    "confirmation": "_job_hub_channel_action",
    "reservation": "_job_hub_reserve",
}
_FRAME = re.compile(r"^(?P<func>\S+) \((?P<file>[^:]+)(?::\d+)?\)$")


def _function(frame):
    """The function's own name (py-spy writes ``Class.method (file:line)``)."""
    return frame.split(" (", 1)[0].rpartition(".")[2]


def _short(frame):
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    for marker in ("/odoo/addons/", "/odoo/", "/site-packages/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['func']} ({path})"


def job_profile(raw_file, rate, top=8):
    """From py-spy's raw collapsed stacks: per job kind, the seconds sampled
    active (samples / rate; on a busy machine this includes waiting for a
    CPU), the share of them in SQL (under ``Cursor.execute``), and the frames
    below the job method that hold most of it (inclusive), leaving out the
    call chain most samples of the job go through (frames holding 70% of it or
    more) and frames within 2% of one listed (its callers and callees).
    Returns {job: (seconds, sql seconds, [(frame, seconds), ...])}."""
    totals, sql = Counter(), Counter()
    inclusive = defaultdict(Counter)
    for line in Path(raw_file).read_text(errors="replace").splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        kind, start = "other", 0
        for name, marker in JOB_FRAMES.items():
            hit = next((i for i, frame in enumerate(frames) if _function(frame) == marker), None)
            if hit is not None:
                kind, start = name, hit + 1
                break
        totals[kind] += int(count)
        if any(_function(frame) == "execute" and "sql_db.py" in frame for frame in frames[start:]):
            sql[kind] += int(count)
        if kind != "other":
            for frame in {_short(frame) for frame in frames[start:]}:
                inclusive[kind][frame] += int(count)
    result = {}
    for kind, samples in totals.most_common():
        branches = []
        for frame, n in inclusive[kind].most_common():
            if (
                frame.startswith("create (<decorator-gen")
                or n >= 0.7 * samples
                or any(abs(n - kept) < 0.02 * samples for _f, kept in branches)
            ):
                continue  # the job's own call chain, or a caller/callee of a frame listed
            branches.append((frame, n))
            if len(branches) == top:
                break
        result[kind] = (samples / rate, sql[kind] / rate, [(frame, n / rate) for frame, n in branches])
    return result


def job_flame_graphs(raw_file, out_dir, min_share=0.01):
    """A small flame graph (SVG) per job kind from py-spy's raw stacks, each
    rooted at the job method, frames narrower than ``min_share`` of the job
    left out; returns the files written."""
    from html import escape

    stacks = defaultdict(Counter)
    for line in Path(raw_file).read_text(errors="replace").splitlines():
        stack, _sep, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        for name, marker in JOB_FRAMES.items():
            hit = next((i for i, frame in enumerate(frames) if _function(frame) == marker), None)
            if hit is not None:
                stacks[name][tuple(_short(frame) for frame in frames[hit:])] += int(count)
                break
    written = []
    width, row = 1200, 17
    for name, counts in stacks.items():
        total = sum(counts.values())
        tree = {}  # frame path -> samples
        for stack, count in counts.items():
            for depth in range(1, len(stack) + 1):
                tree[stack[:depth]] = tree.get(stack[:depth], 0) + count
        kept = sorted(path for path, n in tree.items() if n >= min_share * total)
        depth_max = max(len(path) for path in kept)
        x_of, boxes = {}, []
        for path in kept:  # sorted: a parent before its children, siblings in name order
            parent = path[:-1]
            x = x_of.get(parent, 0.0) if parent else 0.0
            x_of[parent] = x + tree[path]  # the next sibling starts after this one
            x_of[path] = x
            w = tree[path] / total * width
            y = (depth_max - len(path)) * row + 24
            label = escape(path[-1])
            share = f"{tree[path] / total:.1%}"
            hue = zlib.crc32(path[-1].encode()) % 60
            boxes.append(
                f'<g><title>{label} ({share})</title><rect x="{x / total * width:.1f}" y="{y}" '
                f'width="{w:.1f}" height="{row - 1}" fill="hsl({hue},80%,65%)"/>'
                f'<text x="{x / total * width + 3:.1f}" y="{y + 12}" font-size="11" '
                f'font-family="monospace">{escape(path[-1][: int(w / 7)])}</text></g>'
            )
        height = (depth_max + 1) * row + 24
        svg = (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">'
            f'<text x="3" y="16" font-size="13" font-family="sans-serif">{escape(name)} job: '
            f"{total} samples, frames under {min_share:.1%} left out</text>" + "".join(boxes) + "</svg>\n"
        )
        path = Path(out_dir) / f"flame-{name}.svg"
        path.write_text(svg)
        written.append(path)
    return written


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
