"""Benchmark: two Odoo servers on one database import the same orders at once.

    setup/dev bench-two-servers             (2,000 orders, half also pushed)
    .venv/bin/python tests/bench/bench_two_servers.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--orders 2000] [--port 18989] [--port-b 18999] [--workers 2]

Two nodes as deployed: each an Odoo server (``--workers`` worker processes)
with its own OCA queue_job runner (``ODOO_QUEUE_JOB_HOST/PORT`` pointing at
its own node), one database, one filestore (the same ``data_dir``).  A
Shopify sandbox holds the orders (paid, 3 lines).  At the same moment:

- a manager asks both nodes to pull the channel (``action_pull_now`` over
  XML-RPC, on both at once, and again on both as soon as a pull job runs, so
  that two pulls of the same pages overlap);
- every other order is pushed, signed, to both nodes at once (the same
  delivery posted to node A and to node B concurrently).

Then, once no payload is pending and no job is open, from the database:
exactly one sale order per platform order; one customer per buyer (the
sandbox's phone -> the orders' customers); every platform order id with its
payload(s), done; and each queue job's runs, recorded by a trigger on
``queue_job`` that logs every state change (a job run twice would be
``started`` twice without a retry in between, or ``done`` twice), with the
node whose worker ran it.  Prints the table and PASS/FAIL.  Stops its
servers and sandbox and drops its trigger; the orders and channel stay in the
database (use the dev database).
"""

import argparse
import sys
import threading
import time
import xmlrpc.client
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    ROOT,
    OdooServer,
    next_job_id,
    open_registry,
    sandbox_channel,
    wait_drained,
)

LOG_TABLE = "order_hub_bench_job_transition"
TRIGGER_SQL = f"""
CREATE TABLE {LOG_TABLE} (
    id bigserial PRIMARY KEY,
    uuid varchar NOT NULL,
    method_name varchar,
    old_state varchar,
    new_state varchar,
    worker_pid integer,
    retry integer,
    at timestamp NOT NULL DEFAULT clock_timestamp()
);
CREATE OR REPLACE FUNCTION {LOG_TABLE}_log() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
        INSERT INTO {LOG_TABLE} (uuid, method_name, old_state, new_state, worker_pid, retry)
        VALUES (NEW.uuid, NEW.method_name, CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE OLD.state END,
                NEW.state, NEW.worker_pid, NEW.retry);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER {LOG_TABLE}_trigger AFTER INSERT OR UPDATE ON queue_job
    FOR EACH ROW EXECUTE FUNCTION {LOG_TABLE}_log();
"""
DROP_SQL = f"""
DROP TRIGGER IF EXISTS {LOG_TABLE}_trigger ON queue_job;
DROP FUNCTION IF EXISTS {LOG_TABLE}_log();
DROP TABLE IF EXISTS {LOG_TABLE};
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--port", type=int, default=18989, help="HTTP port of node A")
    parser.add_argument("--port-b", type=int, default=18999, help="HTTP port of node B")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each node")
    parser.add_argument("--login", default="hub.manager")
    parser.add_argument("--password", default="orderhub-manager")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds the import may take at most")
    return parser.parse_args()


def run_sql(registry, sql):
    with registry.cursor() as cr:
        cr.execute(sql)


class PidWatch(threading.Thread):
    """Samples the worker processes of each node (workers are recycled)."""

    def __init__(self, nodes):
        super().__init__(daemon=True)
        self.nodes = nodes
        self.owner = {}
        self.stop = threading.Event()

    def sample(self):
        for name, node in self.nodes.items():
            for pid in node.worker_pids():
                self.owner[pid] = name

    def run(self):
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(0.3)


def pull_on_both(nodes, database, login, password, channel_id):
    """``action_pull_now`` on both nodes at once, as a manager would press it."""

    def pull(node):
        common = xmlrpc.client.ServerProxy(f"{node.url}/xmlrpc/2/common")
        uid = common.authenticate(database, login, password, {})
        models = xmlrpc.client.ServerProxy(f"{node.url}/xmlrpc/2/object", allow_none=True)
        models.execute_kw(database, uid, password, "order.hub.channel", "action_pull_now", [[channel_id]])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(pull, nodes.values()))


def wait_pull_started(registry, first_job, timeout=120):
    deadline = time.monotonic() + timeout
    with registry.cursor() as cr:
        while time.monotonic() < deadline:
            cr.execute(
                "SELECT count(*) FROM queue_job WHERE id >= %s AND method_name = '_job_pull' "
                "AND state IN ('started', 'done')",
                (first_job,),
            )
            started = cr.fetchone()[0]
            cr.rollback()
            if started:
                return True
            time.sleep(0.05)
    return False


def push_to_both(box, nodes, channel_code, order_ids):
    """Each order's signed push, the same delivery posted to both nodes at once."""
    local = threading.local()
    statuses = Counter()

    def post(url, headers, body):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        try:
            statuses[local.session.post(url, data=body, headers=headers, timeout=60).status_code] += 1
        except requests.RequestException as error:
            statuses[type(error).__name__] += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        for order_id in order_ids:
            headers, body, _url = box.webhook(order_id, topic="paid")
            for node in nodes.values():
                pool.submit(post, f"{node.url}/order_hub/webhook/{channel_code}", headers, body)
    return statuses


def check(registry, box, channel_id, first_job, owner):
    """The figures of the run, from the database."""
    results = {}
    with registry.cursor() as cr:
        cr.execute(
            "SELECT channel_order_ref, partner_id, state, "
            "EXISTS (SELECT 1 FROM stock_picking p WHERE p.sale_id = so.id) "
            "FROM sale_order so WHERE channel_id = %s",
            (channel_id,),
        )
        sales = cr.fetchall()
        per_order = Counter(ref for ref, _p, _s, _d in sales)
        results["sale_orders"] = len(sales)
        results["orders_twice"] = sum(1 for n in per_order.values() if n > 1)
        results["orders_missing"] = len(set(box.orders) - set(per_order))
        results["confirmed_with_delivery"] = sum(
            1 for _r, _p, state, picking in sales if state == "sale" and picking
        )
        partners_of_phone = defaultdict(set)
        for ref, partner, _s, _d in sales:
            if ref in box.orders:
                partners_of_phone[box.orders[ref].buyer.phone].add(partner)
        results["buyers"] = len(partners_of_phone)
        results["buyers_with_several_customers"] = sum(1 for p in partners_of_phone.values() if len(p) > 1)
        results["customers"] = len({partner for _r, partner, _s, _d in sales})

        cr.execute(
            "SELECT external_id, source, state FROM order_hub_inbound_order WHERE channel_id = %s",
            (channel_id,),
        )
        payloads = defaultdict(list)
        for external, source, state in cr.fetchall():
            payloads[external].append((source, state))
        results["payloads"] = sum(len(rows) for rows in payloads.values())
        results["payloads_by_source"] = dict(
            Counter(source for rows in payloads.values() for source, _s in rows)
        )
        results["payload_states"] = dict(Counter(state for rows in payloads.values() for _s, state in rows))
        results["orders_without_done_payload"] = sum(
            1
            for order_id in box.orders
            if not any(state == "done" for _s, state in payloads.get(order_id, ()))
        )
        results["orders_with_several_payloads"] = sum(1 for rows in payloads.values() if len(rows) > 1)

        cr.execute(
            f"SELECT uuid, method_name, old_state, new_state, worker_pid FROM {LOG_TABLE} "
            "WHERE uuid IN (SELECT uuid FROM queue_job WHERE id >= %s) ORDER BY id",
            (first_job,),
        )
        transitions = defaultdict(list)
        for uuid, method, old, new, pid in cr.fetchall():
            transitions[uuid].append((method, old, new, pid))
        cr.execute("SELECT state, count(*) FROM queue_job WHERE id >= %s GROUP BY 1", (first_job,))
        results["job_states"] = dict(cr.fetchall())
    runs_by_node, methods = Counter(), Counter()
    done_twice = overlapping = retried = settled = 0
    for rows in transitions.values():
        methods[rows[0][0]] += 1
        starts = [row for row in rows if row[2] == "started"]
        # an import job whose payload another job's batch imported is set
        # done without running (order_hub_inbound_order._settle_import_jobs)
        settled += not starts and rows[-1][2] == "done"
        if sum(1 for row in rows if row[2] == "done") > 1:
            done_twice += 1
        if len(starts) > 1:
            retried += 1
        running = False
        for _m, _old, new, pid in rows:
            if new == "started":
                overlapping += running
                running = True
                runs_by_node[owner.get(pid, f"pid {pid}")] += 1
            else:
                running = False
    results.update(
        jobs=len(transitions),
        job_methods=dict(methods),
        jobs_done_twice=done_twice,
        jobs_started_while_started=overlapping,
        jobs_run_again_after_a_retry=retried,
        jobs_settled_without_a_run=settled,
        runs_by_node=dict(runs_by_node),
    )
    return results


def main():
    args = parse_args()
    from bench_import import stock_up, three_line_orders
    from sandbox import start_sandbox

    from odoo import SUPERUSER_ID, api

    registry = open_registry(args.config, args.database)
    box = start_sandbox("shopify", orders=args.orders, seed=4101)
    three_line_orders(box)
    stock_up(registry, args.orders * 3)
    stamp = f"{datetime.now():%m%d%H%M%S}"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        channel = sandbox_channel(env, box, f"two-nodes-{stamp}", f"Two nodes {stamp}")
        channel = channel.id, channel.code
    log_dir = ROOT / "var"
    nodes = {
        "A": OdooServer(args.config, args.database, args.port, args.workers, log_dir / "bench-node-a.log"),
        "B": OdooServer(args.config, args.database, args.port_b, args.workers, log_dir / "bench-node-b.log"),
    }
    watch = PidWatch(nodes)
    run_sql(registry, DROP_SQL + TRIGGER_SQL)  # a run killed before its end left them
    try:
        results, statuses, overlap, sent, elapsed, pending, running = run(
            args, registry, box, nodes, watch, channel
        )
    finally:
        run_sql(registry, DROP_SQL)
    report(args, results, statuses, overlap, sent, elapsed, pending, running)


def run(args, registry, box, nodes, watch, channel):
    channel_id, channel_code = channel
    try:
        for node in nodes.values():
            node.start()
        watch.start()
        # jobs left open by earlier runs would run during this one: done first
        waited, _pending, left = wait_drained(registry, [], 0, args.timeout)
        if waited > 1 or left:
            print(f"  waited {waited:.0f} s for the jobs of earlier runs ({left} still open)", flush=True)
        first_job = next_job_id(registry)
        pushed = list(box.orders)[::2]
        print(
            f"Two nodes ({args.workers} workers and a queue_job runner each), one database: "
            f"{args.orders} orders pulled by both, {len(pushed)} of them also pushed to both at once ...",
            flush=True,
        )
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1) as pool:
            pushing = pool.submit(push_to_both, box, nodes, channel_code, pushed)
            pull_on_both(nodes, args.database, args.login, args.password, channel_id)
            overlap = wait_pull_started(registry, first_job)
            pull_on_both(nodes, args.database, args.login, args.password, channel_id)
            statuses = pushing.result()
        sent = time.perf_counter() - started
        drain_s, pending, running = wait_drained(registry, [channel_id], first_job, args.timeout)
        elapsed = time.perf_counter() - started
        watch.sample()
    finally:
        watch.stop.set()
        for node in nodes.values():
            node.stop()
        box.stop()
    results = check(registry, box, channel_id, first_job, watch.owner)
    return results, statuses, overlap, sent, elapsed, pending, running


def report(args, results, statuses, overlap, sent, elapsed, pending, running):
    n = args.orders
    rows = [
        ("pushes answered (2 per pushed order)", dict(statuses), None),
        ("second pulls sent while a pull ran", "yes" if overlap else "no", None),
        ("pulls and pushes sent in", f"{sent:.1f} s", None),
        ("everything imported in", f"{elapsed:.1f} s = {n / elapsed:.1f} orders/s", None),
        ("left open (payloads, jobs)", (pending, running), not pending and not running),
        ("sale orders of the channel", results["sale_orders"], results["sale_orders"] == n),
        ("platform orders imported twice", results["orders_twice"], results["orders_twice"] == 0),
        ("platform orders missing", results["orders_missing"], results["orders_missing"] == 0),
        (
            "confirmed with delivery",
            results["confirmed_with_delivery"],
            results["confirmed_with_delivery"] == n,
        ),
        ("buyers (phones) / customers", f"{results['buyers']} / {results['customers']}", None),
        (
            "buyers with more than one customer",
            results["buyers_with_several_customers"],
            results["buyers_with_several_customers"] == 0,
        ),
        ("payloads stored (by source)", f"{results['payloads']} {results['payloads_by_source']}", None),
        ("payload states", results["payload_states"], set(results["payload_states"]) == {"done"}),
        (
            "orders without a done payload",
            results["orders_without_done_payload"],
            results["orders_without_done_payload"] == 0,
        ),
        ("orders with more than one payload", results["orders_with_several_payloads"], None),
        ("queue jobs (by method)", f"{results['jobs']} {results['job_methods']}", None),
        ("job states", results["job_states"], set(results["job_states"]) == {"done"}),
        ("jobs done twice", results["jobs_done_twice"], results["jobs_done_twice"] == 0),
        (
            "jobs started while already started",
            results["jobs_started_while_started"],
            results["jobs_started_while_started"] == 0,
        ),
        ("jobs run again after a retry", results["jobs_run_again_after_a_retry"], None),
        ("jobs done by another job's batch", results["jobs_settled_without_a_run"], None),
        ("job runs by node (worker pids)", results["runs_by_node"], None),
    ]
    print()
    for label, value, ok in rows:
        verdict = "    " if ok is None else ("PASS" if ok else "FAIL")
        print(f"  {verdict}  {label:<38}: {value}")
    verdicts = [ok for _l, _v, ok in rows if ok is not None]
    print(
        f"\n  {'PASS' if all(verdicts) else 'FAIL'}: {sum(verdicts)} of {len(verdicts)} checks hold",
        flush=True,
    )


if __name__ == "__main__":
    main()
