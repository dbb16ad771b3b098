"""Crash evidence: faults in the middle of an import, then what the hub kept.

    setup/dev chaos                                  (2,000 orders, all four faults)
    .venv/bin/python tests/chaos/chaos.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--orders 2000] [--faults abcd] [--workers 2] [--port 19482] [--timeout 1800]
    setup/dev chaos --orders 10000 --faults ""       (memory only: worker RSS over 10,000 orders)

Localhost only.  The script makes its own throw-away copy of the dev database
(``<db>_chaos``, with its filestore), its own Odoo server (``--workers``
worker processes and queue_job's runner, in a process group of its own) and
its own Shopify sandbox, and removes all of them at the end, also on Ctrl-C
or timeout.  The sandbox receives the orders in one slice per fault (paid, 3
lines of demo products); the channel pulls each slice (real HTTP) and the
server imports, confirms and reserves it, and during that import one fault:

  a  SIGKILL of the worker process running a confirmation job (its pid from
     queue_job's ``worker_pid``), mid-batch;
  b  restart of PostgreSQL (``pg_ctl restart -m fast`` of the local cluster
     the configuration points at: only a development cluster);
  c  the platform answers 5xx and 429 (Retry-After) to every call for 30 s
     (the sandbox's ``outage`` switch), the pull running into it;
  d  SIGKILL of the whole server (process group), started again at once.

After each fault it waits for the queue to drain (bounded by ``--timeout``)
and prints a row: every platform order of the slices so far exactly once,
every payload done or failed with a reason (none pending), no job left
"started", reserved quantities of the move lines equal to the quants'
reserved_quantity per product and location, and the recovery time (fault to
drained).  Last, the largest resident memory (VmRSS) of the server's worker
processes, sampled every half second, against ``limit_memory_soft``.
Prints figures; exits 1 when a check fails.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing, suppress
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import harness  # noqa: E402

CONFIRM_JOBS = ("_job_hub_channel_action", "_job_hub_channel_action_reserve")
OPEN_STATES = ("wait_dependencies", "pending", "enqueued", "started")
FAULTS = {
    "a": "SIGKILL a worker mid-confirmation",
    "b": "restart PostgreSQL",
    "c": "platform 5xx/429 for 30 s",
    "d": "SIGKILL whole server, restart",
    "-": "no fault (import only)",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev", help="database to copy (not changed)")
    parser.add_argument("--orders", type=int, default=2000, help="orders in all (split between the faults)")
    parser.add_argument("--faults", default="abcd", help='faults to run, in order (e.g. "ad"; "" none)')
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--port", type=int, default=19482, help="Odoo HTTP port (and +1 for gevent)")
    parser.add_argument("--outage", type=float, default=30.0, help="seconds of the platform outage (c)")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds the whole run may take at most")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--keep", action="store_true", help="keep the database copy (for a post-mortem)")
    args = parser.parse_args(argv)
    unknown = set(args.faults) - set("abcd")
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose among a, b, c, d")
    return args


class Deadline(Exception):
    pass


class Chaos:
    def __init__(self, args):
        self.args = args
        self.options = harness.read_config(args.config)
        self.db = f"{args.database}_chaos"
        self.started = time.monotonic()
        self.tmp = Path(tempfile.mkdtemp(prefix="order-hub-chaos-"))
        self.server = None
        self.box = None
        self.channel_id = None
        self.expected = []  # platform order ids sent so far
        self.first_job = 0
        self.rss = {}  # pid -> largest VmRSS (KiB)
        self.job_workers = set()  # pids seen running jobs
        self.sampling = threading.Event()
        self.rows = []
        self.problems = []
        self.limit_memory_soft = 0

    # ---- budget ----------------------------------------------------------------
    def left(self):
        left = self.args.timeout - (time.monotonic() - self.started)
        if left <= 0:
            raise Deadline(f"--timeout {self.args.timeout} s reached")
        return left

    def sql(self, query, params=(), one=False):
        """Run a query on a fresh connection (the script's own connections do
        not survive a PostgreSQL restart either)."""
        with closing(harness.connect(self.options, self.db)) as conn, conn.cursor() as cr:
            cr.execute(query, params)
            if cr.description is None:
                return None
            return cr.fetchone() if one else cr.fetchall()

    def sql_retrying(self, query, params=(), one=False, patience=60):
        deadline = time.monotonic() + patience
        while True:
            try:
                return self.sql(query, params, one)
            except Exception:  # PostgreSQL restarting: try again shortly
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    # ---- set-up ------------------------------------------------------------------
    def setup(self):
        from sandbox import start_sandbox

        harness.copy_database(self.options, self.args.database, self.db)
        self.config = self.args.config
        self.box = start_sandbox("shopify", orders=0, seed=2027)
        self.prepare_database()
        self.server = harness.OdooServer(
            self.config, self.db, self.args.port, self.args.workers, self.tmp / "odoo.log"
        )
        self.server.start(wait=min(180, self.left()))
        threading.Thread(target=self.sample_memory, daemon=True).start()

    def prepare_database(self):
        """The channel and enough stock of the demo products, in the copy."""
        import odoo
        from odoo import SUPERUSER_ID, api
        from odoo.modules.registry import Registry

        odoo.tools.config.parse_config(["-c", self.config, "-d", self.db, "--log-level", "warn"])
        self.limit_memory_soft = int(odoo.tools.config["limit_memory_soft"])
        from bench_import import stock_up

        registry = Registry(self.db)
        try:
            stock_up(registry, self.args.orders * 3 * 2)
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                channel = harness.sandbox_channel(
                    env,
                    self.box,
                    f"chaos-{int(time.time())}",
                    f"Chaos Shopify {datetime.now():%H%M%S}",
                    overlap_minutes=30,
                    watermark=datetime.now() - timedelta(hours=1),
                )
                self.channel_id = channel.id
                self.first_job = env["queue.job"].search([], order="id desc", limit=1).id or 0
        finally:
            odoo.sql_db.close_all()
            Registry.delete(self.db)

    def products(self):
        from sandbox.generator import PRODUCTS

        rows = self.sql(
            "SELECT id FROM product_product WHERE default_code = ANY(%s)", ([c for c, _n, _p in PRODUCTS],)
        )
        return [row[0] for row in rows]

    # ---- orders --------------------------------------------------------------------
    def add_orders(self, count):
        """``count`` new paid orders of 3 demo lines on the platform, updated
        in the last minute (inside the channel's next pull window)."""
        from sandbox.generator import PRODUCTS, SandboxLine, sku_id_of

        rnd = random.Random(len(self.expected))
        ids = self.box.add_orders(count, spread=60)
        with self.box.lock:
            for order_id in ids:
                order = self.box.orders[order_id]
                order.status, order.paid, order.updated = "paid", order.created, order.created
                order.history, order.tracking = [], None
                order.lines = [
                    SandboxLine(
                        code, name, rnd.choice((1, 2)), price * 100, 0, False, sku_id_of(code), str(i)
                    )
                    for i, (code, name, price) in enumerate(rnd.sample(PRODUCTS, 3), 1)
                ]
        self.expected.extend(ids)
        return ids

    def pull(self):
        """Ask the server to pull the channel now: its scheduled pull, run
        through XML-RPC (``ir.cron.method_direct_trigger``), enqueues the pull
        job as the schedule does (as the superuser)."""
        (cron_id,) = self.sql(
            "SELECT cron_id FROM order_hub_channel WHERE id = %s", (self.channel_id,), one=True
        )
        call = harness.xmlrpc_models(self.args.port, self.db, self.args.login, self.args.password)
        call("ir.cron", "method_direct_trigger", [cron_id])

    # ---- observation -------------------------------------------------------------
    def started_confirmation(self, patience):
        """(job id, worker pid) of a confirmation job a worker is running, or None."""
        deadline = time.monotonic() + min(patience, self.left())
        while time.monotonic() < deadline:
            row = self.sql(
                "SELECT id, worker_pid FROM queue_job WHERE id > %s AND state = 'started' "
                "AND method_name = ANY(%s) AND worker_pid IS NOT NULL "
                "AND date_started < (now() AT TIME ZONE 'utc') - INTERVAL '0.3 seconds' "
                "ORDER BY date_started LIMIT 1",
                (self.first_job, list(CONFIRM_JOBS)),
                one=True,
            )
            if row:
                return row
            time.sleep(0.05)
        return None

    def state(self):
        """(payloads received, payloads pending, jobs open)."""
        received, pending = self.sql(
            "SELECT count(DISTINCT external_id), count(*) FILTER (WHERE state = 'pending') "
            "FROM order_hub_inbound_order WHERE channel_id = %s",
            (self.channel_id,),
            one=True,
        )
        (open_jobs,) = self.sql(
            "SELECT count(*) FROM queue_job WHERE id > %s AND state = ANY(%s)",
            (self.first_job, list(OPEN_STATES)),
            one=True,
        )
        return received, pending, open_jobs

    def wait_drained(self):
        """Wait until every order sent was received and nothing is pending or
        running; returns the moment (monotonic) it was, or None on timeout."""
        last = None
        while True:
            try:
                self.left()
            except Deadline:
                return None, last
            try:
                last = self.state()
            except Exception:  # PostgreSQL restarting
                time.sleep(0.5)
                continue
            received, pending, open_jobs = last
            if received >= len(self.expected) and not pending and not open_jobs:
                return time.monotonic(), last
            time.sleep(0.25)

    def check(self):
        """The checks of one row, on the orders of every slice so far."""
        refs = self.sql_retrying(
            "SELECT channel_order_ref, count(*) FROM sale_order WHERE channel_id = %s GROUP BY 1",
            (self.channel_id,),
        )
        counts = dict(refs)
        missing = sum(1 for ref in self.expected if ref not in counts)
        duplicated = sum(1 for n in counts.values() if n > 1)
        (confirmed,) = self.sql(
            "SELECT count(*) FROM sale_order WHERE channel_id = %s AND state = 'sale'",
            (self.channel_id,),
            one=True,
        )
        payloads = dict(
            self.sql(
                "SELECT state, count(*) FROM order_hub_inbound_order WHERE channel_id = %s GROUP BY 1",
                (self.channel_id,),
            )
        )
        (no_reason,) = self.sql(
            "SELECT count(*) FROM order_hub_inbound_order WHERE channel_id = %s "
            "AND state IN ('failed', 'error') AND coalesce(error, '') = ''",
            (self.channel_id,),
            one=True,
        )
        jobs = dict(
            self.sql("SELECT state, count(*) FROM queue_job WHERE id > %s GROUP BY 1", (self.first_job,))
        )
        (retries,) = self.sql(
            "SELECT coalesce(sum(greatest(retry - 1, 0)), 0) FROM queue_job WHERE id > %s",
            (self.first_job,),
            one=True,
        )
        failed_jobs = self.sql(
            "SELECT method_name, coalesce(exc_name, ''), count(*) FROM queue_job "
            "WHERE id > %s AND state = 'failed' GROUP BY 1, 2",
            (self.first_job,),
        )
        (mismatch,) = self.sql(
            """
            WITH lines AS (
                SELECT ml.product_id, ml.location_id, sum(ml.quantity_product_uom) AS qty
                  FROM stock_move_line ml
                 WHERE ml.state NOT IN ('done', 'cancel') AND ml.product_id = ANY(%(products)s)
                 GROUP BY 1, 2
            ), quants AS (
                SELECT product_id, location_id, sum(reserved_quantity) AS qty
                  FROM stock_quant WHERE product_id = ANY(%(products)s) GROUP BY 1, 2
            )
            SELECT count(*)
              FROM (
                  SELECT both_.location_id, both_.lines_qty, both_.quants_qty
                    FROM (
                        SELECT location_id, lines.qty AS lines_qty, quants.qty AS quants_qty
                          FROM lines FULL JOIN quants USING (product_id, location_id)
                    ) both_
              ) pairs
              JOIN stock_location loc ON loc.id = pairs.location_id
             WHERE loc.usage IN ('internal', 'transit')
               AND abs(coalesce(pairs.lines_qty, 0) - coalesce(pairs.quants_qty, 0)) > 0.0001
            """,
            {"products": self.products()},
            one=True,
        )
        return {
            "orders": len(self.expected),
            "sale_orders": sum(counts.values()),
            "missing": missing,
            "duplicated": duplicated,
            "confirmed": confirmed,
            "payloads": payloads,
            "no_reason": no_reason,
            "pending": payloads.get("pending", 0),
            "started": jobs.get("started", 0),
            "jobs": jobs,
            "retries": retries,
            "failed_jobs": failed_jobs,
            "quant_mismatch": mismatch,
        }

    def sample_memory(self):
        while not self.sampling.is_set():
            server = self.server
            with suppress(Exception):
                if server and server.alive():
                    for pid in server.workers():
                        rss = harness.rss_kib(pid)
                        if rss:
                            self.rss[pid] = max(self.rss.get(pid, 0), rss)
                    rows = self.sql(
                        "SELECT DISTINCT worker_pid FROM queue_job WHERE id > %s AND worker_pid IS NOT NULL",
                        (self.first_job,),
                    )
                    self.job_workers.update(pid for (pid,) in rows)
            self.sampling.wait(0.5)

    # ---- faults ------------------------------------------------------------------
    def own_worker(self, pid):
        return pid in self.server.workers()

    def fault_a(self):
        found = self.started_confirmation(patience=120)
        if not found:
            return None, "no confirmation job seen running"
        job_id, pid = found
        if not self.own_worker(pid):
            return None, f"worker {pid} is not a child of this script's server"
        os.kill(pid, 9)
        return time.monotonic(), f"worker {pid} killed in job {job_id}"

    def pg_cluster(self):
        """(pg_ctl, data directory) of the local cluster, or None when the
        server is not a cluster on this machine."""
        host = self.options.get("db_host") or "localhost"
        if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            return None
        (data,) = self.sql("SHOW data_directory", one=True)
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        if not bins or not Path(data, "PG_VERSION").exists():
            return None
        return str(bins[-1]), data

    def fault_b(self):
        cluster = self.pg_cluster()
        if not cluster:
            return None, "skipped: PostgreSQL is not a local cluster"
        found = self.started_confirmation(patience=120)
        pg_ctl, data = cluster
        command = [pg_ctl, "-D", data, "-m", "fast", "-w", "-t", "60", "restart"]
        log = Path(data).parent / "run" / "postgresql.log"
        if log.parent.is_dir():
            command[1:1] = ["-l", str(log)]
        if os.getuid() == 0:  # the cluster belongs to "postgres"
            command = ["runuser", "-u", "postgres", "--", *command]
        moment = time.monotonic()
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode:
            raise RuntimeError(f"pg_ctl restart failed: {done.stderr[-500:]}")
        note = f"during job {found[0]}" if found else "no confirmation job seen running"
        return moment, f"restarted in {time.monotonic() - moment:.1f} s, {note}"

    def fault_c(self):
        self.box.behave(outage=self.args.outage, retry_after=5)
        return time.monotonic(), f"{self.args.outage:g} s of 503/429 (Retry-After 5)"

    def fault_d(self):
        found = self.started_confirmation(patience=120)
        moment = time.monotonic()
        self.server.kill()
        self.server.start(wait=min(180, self.left()))
        note = f"during job {found[0]}" if found else "no confirmation job seen running"
        return moment, f"restarted in {time.monotonic() - moment:.1f} s, {note}"

    # ---- the run -----------------------------------------------------------------
    def run(self):
        faults = list(self.args.faults) or ["-"]
        per_fault = max(1, self.args.orders // len(faults))
        print(
            f"Chaos: {self.args.orders} orders in {len(faults)} slices of ~{per_fault}, "
            f"{self.args.workers} workers, {os.cpu_count()} CPU cores, database {self.db}",
            flush=True,
        )
        self.setup()
        for index, fault in enumerate(faults):
            count = per_fault if index < len(faults) - 1 else self.args.orders - per_fault * index
            self.add_orders(count)
            began = time.monotonic()
            if fault == "c":  # the outage first, the pull runs into it
                moment, note = self.fault_c()
                self.pull()
            else:
                self.pull()
                moment, note = getattr(self, f"fault_{fault}")() if fault != "-" else (began, "")
            drained, last = self.wait_drained()
            row = {"fault": fault, "note": note, "slice": count}
            if drained is None:
                row["timeout"] = f"not drained (received, pending, open jobs) = {last}"
            else:
                row["recovery_s"] = drained - (moment or began)
                row["slice_s"] = drained - began
            row.update(self.check())
            self.rows.append(row)
            self.print_row(row)
            if drained is None:
                break
        self.sampling.set()
        self.print_summary()

    def print_row(self, row):
        recovery = f"{row['recovery_s']:.1f} s" if "recovery_s" in row else "TIMEOUT"
        ok = (
            not row["missing"]
            and not row["duplicated"]
            and not row["pending"]
            and not row["no_reason"]
            and not row["started"]
            and not row["quant_mismatch"]
            and "timeout" not in row
        )
        if not ok:
            self.problems.append(row["fault"])
        payloads = ", ".join(f"{k} {v}" for k, v in sorted(row["payloads"].items()))
        failed = "; ".join(f"{m} {e or '-'} x{n}" for m, e, n in row["failed_jobs"]) or "none"
        print(
            f"\n[{row['fault']}] {FAULTS[row['fault']]}: {row['note']}\n"
            f"  orders sent / sale orders      : {row['orders']} / {row['sale_orders']} "
            f"(missing {row['missing']}, duplicated {row['duplicated']}, confirmed {row['confirmed']})\n"
            f"  payloads                       : {payloads} (failed without reason {row['no_reason']})\n"
            f"  jobs                           : {dict(sorted(row['jobs'].items()))}, "
            f"runs beyond the first {row['retries']}\n"
            f"  failed jobs                    : {failed}\n"
            f"  jobs left started              : {row['started']}\n"
            f"  quants != move lines (reserved): {row['quant_mismatch']} product/location pairs\n"
            f"  recovery (fault -> drained)    : {recovery}"
            + (f"; slice of {row['slice']} in {row['slice_s']:.1f} s" if "slice_s" in row else "")
            + (f"\n  {row['timeout']}" if "timeout" in row else "")
            + f"\n  all checks                     : {'OK' if ok else 'FAILED'}",
            flush=True,
        )

    def print_summary(self):
        columns = "fault|orders|sale orders|missing|dup.|pending|no reason|started|quants|recovery"
        print("\n| " + " | ".join(columns.split("|")) + " |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for row in self.rows:
            recovery = f"{row['recovery_s']:.1f} s" if "recovery_s" in row else "timeout"
            print(
                f"| {row['fault']} {FAULTS[row['fault']]} | {row['orders']} | {row['sale_orders']} | "
                f"{row['missing']} | {row['duplicated']} | {row['pending']} | {row['no_reason']} | "
                f"{row['started']} | {row['quant_mismatch']} | {recovery} |"
            )
        workers = {pid: kib for pid, kib in self.rss.items() if pid in self.job_workers}
        soft = self.limit_memory_soft / 1024
        if workers:
            print(
                f"\nMemory: largest worker VmRSS {max(workers.values()) / 1024:.0f} MiB over "
                f"{len(self.expected)} orders ({len(workers)} worker processes ran jobs; "
                f"all children: max {max(self.rss.values()) / 1024:.0f} MiB); "
                f"limit_memory_soft {soft / 1024:.0f} MiB"
            )
        print(f"Result: {'FAILED (' + ', '.join(self.problems) + ')' if self.problems else 'every check OK'}")

    def cleanup(self):
        self.sampling.set()
        if self.server:
            with suppress(Exception):
                self.server.stop(wait=20)
        if self.box:
            self.box.stop()
        if not self.args.keep:
            with suppress(Exception):
                harness.drop_database_and_filestore(self.options, self.db)
        else:
            print(f"kept database {self.db}; Odoo log {self.tmp / 'odoo.log'}")
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


def interrupted(signum, _frame):
    """SIGTERM and SIGHUP end the run as Ctrl-C does: through the clean-up."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    chaos = Chaos(args)
    try:
        chaos.run()
    except Deadline as error:
        chaos.problems.append("timeout")
        print(f"\nStopped: {error}", flush=True)
        chaos.print_summary()
    finally:
        chaos.cleanup()
    return 1 if chaos.problems else 0


if __name__ == "__main__":
    sys.exit(main())
