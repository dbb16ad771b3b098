"""Benchmark: push latency under a steady load of signed pushes.

    setup/dev bench-latency                 (15 orders/s for 600 s)
    .venv/bin/python tests/bench/bench_push_latency.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--rate 15] [--seconds 600] [--port 18979] [--workers N]

An Odoo server as the production checklist deploys it (2 x cores + 1 worker
processes, OCA queue_job's runner with ``root:workers-1``, one worker kept for
HTTP, and the reservation lane ``root.order_hub.reserve:1``), a Shopify
and a Douyin sandbox, one channel each.  A load generator sends each
platform's signed push (Shopify: HMAC-SHA256 of the body with the full order;
Douyin: ``event-sign`` md5, an order id the import job fetches from the
sandbox) to ``/order_hub/webhook/<code>``, alternating platforms, one new
paid order of 3 lines per push.  The schedule is open loop: the send time of
push i is fixed in advance (start + i / rate) and every latency is measured
from it, so a slow answer delays nothing and hides nothing.

Printed, p50 / p95 / p99 / max:

- push -> HTTP answer (the platform's acknowledgement);
- push -> payload stored (``order.hub.inbound.order.received_at``, to the
  microsecond);
- push -> order confirmed, its delivery created (the audit trail's move to
  the *Confirmed* stage, to the microsecond, written in the confirmation's
  transaction), and push -> delivery reserved (move to *Preparing*);
- a list view request (``/web/dataset/call_kw`` ``web_search_read`` on
  sale.order, 80 rows, as the web client sends it) by a logged-in manager,
  once a second during the load.

PASS/FAIL against the targets (p95 < 50 ms stored, < 2 s confirmed, < 1 s list
view).  Stops its server and sandboxes; the orders and two channels stay in
the database (use the dev database).
"""

import argparse
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    ROOT,
    OdooServer,
    WebSession,
    next_job_id,
    open_registry,
    percentile,
    sandbox_channel,
    summary_ms,
    wait_drained,
)

TARGETS = {"stored": 0.050, "confirmed": 2.0, "list": 1.0}  # p95, seconds


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev")
    parser.add_argument("--rate", type=float, default=15.0, help="pushes (new orders) per second")
    parser.add_argument("--seconds", type=float, default=600.0, help="length of the load")
    parser.add_argument("--port", type=int, default=18979)
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 2) + 1,
        help="Odoo worker processes (default: 2 x CPU cores + 1, as the production checklist says)",
    )
    parser.add_argument(
        "--job-workers",
        type=int,
        help="capacity of queue_job's root channel (default: workers - 1, one worker kept for HTTP)",
    )
    parser.add_argument("--web-login", default="hub.manager")
    parser.add_argument("--web-password", default="orderhub-manager")
    parser.add_argument(
        "--drain-timeout", type=int, default=600, help="seconds to wait for the queue after the load"
    )
    return parser.parse_args()


def utc_epoch(value):
    return value.replace(tzinfo=timezone.utc).timestamp()


class Load:
    """Open-loop sender: push i is due at ``start + i / rate``; latencies from that time."""

    def __init__(self, pushes, rate):
        self.pushes = pushes  # [(platform, external_id, headers, body, url)]
        self.rate = rate
        self.due = []
        self.answers = {}  # index -> (status, answered wall time)
        self.http = threading.local()
        self.started = None

    def _session(self):
        if not hasattr(self.http, "session"):
            self.http.session = requests.Session()
        return self.http.session

    def _send(self, index):
        _platform, _external, headers, body, url = self.pushes[index]
        try:
            status = self._session().post(url, data=body, headers=headers, timeout=30).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        self.answers[index] = (status, time.time())

    def run(self):
        self.started = time.time() + 0.5
        self.due = [self.started + i / self.rate for i in range(len(self.pushes))]
        late = 0
        with ThreadPoolExecutor(max_workers=64) as pool:
            for index, due in enumerate(self.due):
                wait = due - time.time()
                if wait > 0:
                    time.sleep(wait)
                elif wait < -0.01:
                    late += 1
                pool.submit(self._send, index)
        return late


def list_view_probe(web, stop, samples):
    """One list view request a second (closed loop) until ``stop`` is set."""
    while not stop.is_set():
        began = time.perf_counter()
        try:
            web.sale_order_list()
            samples.append(time.perf_counter() - began)
        except Exception as error:  # noqa: BLE001 - a failed request is a figure, not a crash
            samples.append(float("inf"))
            print(f"  list view request failed: {error}", flush=True)
        stop.wait(max(0.0, 1.0 - (time.perf_counter() - began)))


def prepare(registry, args, count):
    """Sandboxes with ``count`` paid 3-line orders between them, their channels, stock."""
    from bench_import import stock_up, three_line_orders
    from sandbox import start_sandbox

    from odoo import SUPERUSER_ID, api

    half = (count + 1) // 2
    boxes = {
        "shopify": start_sandbox("shopify", orders=half + 2, seed=3101),
        "douyin": start_sandbox("douyin", orders=half + 2, seed=3102),
    }
    for box in boxes.values():
        three_line_orders(box)
    stock_up(registry, count * 3 + 12)
    stamp = f"{datetime.now():%m%d%H%M%S}"
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        channels = {
            platform: sandbox_channel(env, box, f"latency-{platform}-{stamp}", f"Latency {platform} {stamp}")
            for platform, box in boxes.items()
        }
        return boxes, {platform: (channel.id, channel.code) for platform, channel in channels.items()}


def build_pushes(boxes, channels, url, count):
    """Every push signed in advance: (platform, external id, headers, body, url)."""
    orders = {platform: list(box.orders) for platform, box in boxes.items()}
    pushes, warm = [], []
    for platform in ("shopify", "douyin"):  # two warm-up pushes per platform, not measured
        for order_id in orders[platform][-2:]:
            target = f"{url}/order_hub/webhook/{channels[platform][1]}"
            signed = boxes[platform].webhook(order_id, topic="paid", url=target)
            warm.append((platform, str(order_id), *signed))
    for i in range(count):
        platform = ("shopify", "douyin")[i % 2]
        order_id = orders[platform][i // 2]
        target = f"{url}/order_hub/webhook/{channels[platform][1]}"
        headers, body, target = boxes[platform].webhook(order_id, topic="paid", url=target)
        pushes.append((platform, str(order_id), headers, body, target))
    return warm, pushes


REQUEST_LINE = re.compile(
    r'"POST (/order_hub/webhook/|/web/dataset/call_kw/)\S* HTTP/[\d.]+" \d+ - \d+ ([\d.]+) ([\d.]+)'
)


def server_times(log_path):
    """Seconds each webhook and list view request spent in its worker (Odoo's
    request log: time in SQL + the rest), from the server's log."""
    times = {"/order_hub/webhook/": [], "/web/dataset/call_kw/": []}
    if log_path.exists():
        for line in log_path.read_text(errors="replace").splitlines():
            found = REQUEST_LINE.search(line)
            if found:
                times[found[1]].append(float(found[2]) + float(found[3]))
    return times


def collect(registry, channels):
    """From the database: per (platform, external id) the time the payload was
    stored, the order confirmed (with a delivery) and its delivery reserved."""
    ids = {channel_id: platform for platform, (channel_id, _code) in channels.items()}
    stored, confirmed, reserved, delivered = {}, {}, {}, set()
    with registry.cursor() as cr:
        cr.execute(
            "SELECT channel_id, external_id, min(received_at) FROM order_hub_inbound_order "
            "WHERE channel_id = ANY(%s) AND source = 'webhook' GROUP BY 1, 2",
            (list(ids),),
        )
        for channel_id, external, when in cr.fetchall():
            stored[ids[channel_id], external] = utc_epoch(when)
        for code, target in (("confirmed", confirmed), ("preparing", reserved)):
            cr.execute(
                """SELECT so.channel_id, so.channel_order_ref, min(a.logged_at)
                     FROM order_hub_audit_log a
                     JOIN sale_order so ON so.id = a.order_id
                     JOIN order_hub_stage st ON st.code = %s
                    WHERE so.channel_id = ANY(%s) AND a.field_name = 'hub_stage_id'
                      AND a.new_value IN (SELECT value FROM jsonb_each_text(st.name))
                    GROUP BY 1, 2""",
                (code, list(ids)),
            )
            for channel_id, external, when in cr.fetchall():
                target[ids[channel_id], external] = utc_epoch(when)
        cr.execute(
            """SELECT so.channel_id, so.channel_order_ref FROM sale_order so
                WHERE so.channel_id = ANY(%s) AND so.state = 'sale'
                  AND EXISTS (SELECT 1 FROM stock_picking p WHERE p.sale_id = so.id)""",
            (list(ids),),
        )
        delivered = {(ids[channel_id], external) for channel_id, external in cr.fetchall()}
        cr.execute(
            "SELECT count(*) FROM sale_order WHERE channel_id = ANY(%s)",
            (list(ids),),
        )
        sale_orders = cr.fetchone()[0]
    return stored, confirmed, reserved, delivered, sale_orders


def main():
    args = parse_args()
    count = int(args.rate * args.seconds)
    registry = open_registry(args.config, args.database)
    boxes, channels = prepare(registry, args, count)
    job_workers = args.job_workers or max(1, args.workers - 1)
    log_path = ROOT / "var" / "bench-latency-odoo.log"
    log_path.unlink(missing_ok=True)
    server = OdooServer(
        args.config,
        args.database,
        args.port,
        args.workers,
        log_path,
        channels=f"root:{job_workers},root.order_hub.reserve:1",
        # one line per request with Odoo's own timing (queries, time in SQL, the rest)
        extra=["--log-handler", "werkzeug:INFO"],
    )
    try:
        server.start()
        warm, pushes = build_pushes(boxes, channels, server.url, count)
        channel_ids = [channel_id for channel_id, _code in channels.values()]
        # jobs left open by earlier runs would run during the load: done first
        waited, pending, running = wait_drained(registry, [], 0, args.drain_timeout)
        if waited > 1 or running:
            print(f"  waited {waited:.0f} s for the jobs of earlier runs ({running} still open)", flush=True)
        web = WebSession(server.url, args.database, args.web_login, args.web_password)
        first_job = next_job_id(registry)
        for _platform, _external, headers, body, url in warm:  # forks and warms the workers
            requests.post(url, data=body, headers=headers, timeout=60)
            web.sale_order_list()
        wait_drained(registry, channel_ids, first_job, 120)
        print(
            f"Push load: {count} orders at {args.rate:g}/s for {args.seconds:g} s (Shopify and Douyin "
            f"alternating), {args.workers} workers, queue_job runner root:{job_workers}, "
            "list view once a second ...",
            flush=True,
        )
        load = Load(pushes, args.rate)
        first_job = next_job_id(registry)
        stop, list_samples = threading.Event(), []
        probe = threading.Thread(target=list_view_probe, args=(web, stop, list_samples), daemon=True)
        probe.start()
        late = load.run()
        sent_s = time.time() - load.started
        drain_s, pending, running = wait_drained(registry, channel_ids, first_job, args.drain_timeout)
        stop.set()
        probe.join(30)
    finally:
        server.stop()
        for box in boxes.values():
            box.stop()
    run = {
        "server": server_times(log_path),
        "job_workers": job_workers,
        "late": late,
        "sent_s": sent_s,
        "drain_s": drain_s,
        "pending": pending,
        "running": running,
    }
    report(args, load, run, collect(registry, channels), list_samples)


def report(args, load, run, found, list_s):
    stored, confirmed, reserved, delivered, sale_orders = found
    pending, running = run["pending"], run["running"]
    answer_s, to_store, to_confirm, to_reserve, missing = [], [], [], [], Counter()
    statuses = Counter()
    for index, (platform, external, _h, _b, _u) in enumerate(load.pushes):
        due = load.due[index]
        status, answered = load.answers.get(index, ("no answer", None))
        statuses[status] += 1
        if answered is not None:
            answer_s.append(answered - due)
        key = (platform, external)
        for table, values, name in (
            (stored, to_store, "stored"),
            (confirmed, to_confirm, "confirmed"),
            (reserved, to_reserve, "reserved"),
        ):
            if key in table:
                values.append(table[key] - due)
            else:
                missing[name] += 1
        if key not in delivered:
            missing["confirmed with delivery"] += 1
    print()
    print(
        f"  machine                  : {os.cpu_count()} CPU cores (load average {os.getloadavg()[0]:.1f}), "
        f"{args.workers} Odoo workers, jobs on {run['job_workers']}"
    )
    print(
        f"  pushes                   : {len(load.pushes)} in {run['sent_s']:.1f} s "
        f"(sent > 10 ms late: {run['late']}); answers "
        f"{dict(statuses)}"
    )
    print(
        f"  queue drained            : {run['drain_s']:.1f} s after the last push "
        f"(left: {pending} payloads, {running} jobs)"
    )
    print(f"  sale orders, 2 channels  : {sale_orders} (4 of them warm-up)")
    print(f"  missing                  : {dict(missing) or 'none'}")
    print(f"  push -> HTTP answer      : {summary_ms(answer_s)}")
    print(f"  push -> payload stored   : {summary_ms(to_store)}")
    webhook_s = run["server"]["/order_hub/webhook/"]
    print(f"  webhook time in worker   : {summary_ms(webhook_s)}  (incl. warm-up)")
    print(f"  push -> confirmed+deliv. : {summary_ms(to_confirm)}")
    print(f"  push -> reserved         : {summary_ms(to_reserve)}")
    print(f"  list view (sale.order)   : {summary_ms(list_s)}  ({len(list_s)} requests, one a second)")
    print(f"  list view time in worker : {summary_ms(run['server']['/web/dataset/call_kw/'])}")
    complete = not (set(missing) - {"reserved"}) and not pending and not running
    for name, values, target in (
        ("payload stored", to_store, TARGETS["stored"]),
        ("confirmed with delivery", to_confirm, TARGETS["confirmed"]),
        ("list view", list_s, TARGETS["list"]),
    ):
        p95 = percentile(values, 95)
        verdict = "PASS" if complete and p95 is not None and p95 < target else "FAIL"
        shown = "-" if p95 is None else f"{p95 * 1000:.0f} ms"
        print(f"  {verdict}  p95 {name:<24}: {shown} (target < {target * 1000:.0f} ms)")
    if not complete:
        print("  (FAIL: not every pushed order was stored and confirmed with its delivery)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
