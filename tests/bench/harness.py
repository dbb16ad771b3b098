"""Shared parts of the benchmark scripts under tests/bench (plain module).

Odoo servers started as deployed (workers + OCA queue_job's runner), the
database opened from the script, sandbox channels, percentiles, the web
client's JSON-RPC session.  Only what the scripts use; no Odoo import at
module level (the scripts parse Odoo's configuration first).
"""

import json
import os
import signal
import subprocess
import sys
import time
import xmlrpc.client
from datetime import datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))


def odoo_bin():
    return str(Path(__import__("odoo").__file__).resolve().parents[1] / "odoo-bin")


class OdooServer:
    """One Odoo server (prefork: ``workers`` HTTP workers) with its own
    queue_job runner, as a node of a deployment is started.

    ``queue_host``/``queue_port``: where this node's runner sends the jobs
    (``ODOO_QUEUE_JOB_HOST/PORT``; default: this node).  The server's log goes
    to ``log_path`` (warnings and errors only)."""

    def __init__(self, config, database, port, workers, log_path, queue_port=None, channels=None, extra=()):
        self.config = config
        self.database = database
        self.port = port
        self.workers = workers
        self.log_path = Path(log_path)
        self.queue_port = queue_port or port
        self.channels = channels or f"root:{workers},root.order_hub.reserve:1"
        self.extra = list(extra)
        self.process = None

    def start(self, timeout=180):
        command = [
            sys.executable,
            odoo_bin(),
            "-c",
            self.config,
            "-d",
            self.database,
            "--db-filter",
            f"^{self.database}$",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(self.port + 5),  # each node its own longpolling port
            "--workers",
            str(self.workers),
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
        env = dict(
            os.environ,
            ODOO_QUEUE_JOB_CHANNELS=self.channels,
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
            ODOO_QUEUE_JOB_PORT=str(self.queue_port),
        )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # own process group: stop() ends the server and its workers, nothing else
        with open(self.log_path.with_suffix(".stderr"), "ab") as stderr:
            self.process = subprocess.Popen(
                command,
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
                time.sleep(1)
        self.stop()
        raise SystemExit(f"the Odoo server on port {self.port} did not start; see {self.log_path}")

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self):
        """Process ids of this server's children (its HTTP workers)."""
        if not self.process:
            return set()
        pids = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(entry.name))
        return pids

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


def open_registry(config, database):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", config, "-d", database, "--log-level", "warn"])
    return Registry(database)


def sandbox_channel(env, box, code, name=None):
    """An Order Hub channel on ``box`` (no rate limit), pulling from three days back."""
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


def wait_drained(registry, channel_ids, first_job_id, timeout):
    """Wait until no payload of the channels is pending and no job since
    ``first_job_id`` is open; returns (seconds waited, pending, open)."""
    started = time.monotonic()
    with registry.cursor() as cr:
        while True:
            pending, running = open_work(cr, channel_ids, first_job_id)
            cr.rollback()
            if (not pending and not running) or time.monotonic() - started > timeout:
                return time.monotonic() - started, pending, running
            time.sleep(0.2)


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
