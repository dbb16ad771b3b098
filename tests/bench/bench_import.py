"""Benchmark: sandbox orders end to end into confirmed sale orders with deliveries.

    setup/dev bench                     (2,000 orders, baselines on 200)
    setup/dev bench --orders 400 --baseline 60 --workers 1,2 --warehouses 1,2 --odoo-ceiling
    .venv/bin/python tests/bench/bench_import.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--orders 2000] [--baseline 200] [--port 18969] [--workers 1,2] [--warehouses 1,2] \\
        [--odoo-ceiling] [--no-vanilla] [--profile DIR]

Hub, as deployed: an Odoo server with N worker processes (default: the CPU
cores) and OCA queue_job's runner (channels ``root:N``, and the reservation
lanes ``root.order_hub.reserve:W:capacity_default=1`` with one lane of
capacity 1 per warehouse).  A Shopify sandbox holds the orders, paid,
of 3 lines each; the channel pulls them (real HTTP, pages of 50) into the
inbox and enqueues one import job per order; the runner hands the jobs to the
workers; each import job takes up to 50 pending payloads nobody else holds and
enqueues one confirmation job per batch of new orders, which enqueues one
reservation job per warehouse.  Timed from the end of the pull until no
payload is pending and no job is open: every order confirmed, its delivery
created and reserved.  ``--workers 1,2``: one run per worker count (the
scaling curve); ``--warehouses 1,2``: also with the orders split between two
warehouses (two channels, each its warehouse and its sandbox), each warehouse
its own reservation lane.  Every run imports new orders (a sandbox of its own).

Baselines: ``--baseline`` new orders created and confirmed one by one through
XML-RPC as an external integrator would (find or create the customer, create
the order, confirm it), against the hub's server, and the same calls against
a vanilla Odoo (sale_management + sale_stock, no Order Hub) in a database the
script creates and drops (``--no-vanilla`` skips it).  ``--odoo-ceiling``: in
that vanilla database, the same orders as each hub run created and confirmed
through the ORM in batches of 50, split between as many processes as the hub
had workers, serialisation failures retried as Odoo's RPC layer does
(``odoo.service.model.retrying``) and counted.  ``--profile DIR``: py-spy
records the server's workers during the hub run at the largest worker count
(flame graph and raw stacks in DIR) and the script prints where the import,
confirmation and reservation jobs spend their time.

Prints figures and the ratio targets (hub >= 0.95 x Odoo alone at equal
parallelism, >= 5 x the vanilla XML-RPC baseline) with PASS/FAIL; not a test.
Leaves the hub's orders in the database (use the dev database); drops the
vanilla database and stops every server and sandbox it started.
"""

import argparse
import os
import queue
import random
import signal
import sys
import time
import xmlrpc.client
from collections import Counter
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))

RESERVE_CHANNEL = "root.order_hub.reserve"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev")
    parser.add_argument("--orders", type=int, default=2000, help="orders of each hub run")
    parser.add_argument("--baseline", type=int, default=200, help="orders of each XML-RPC baseline")
    parser.add_argument("--port", type=int, default=18969, help="HTTP port (the next one: gevent)")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--workers",
        type=counts,
        default=[os.cpu_count() or 2],
        help="Odoo worker processes, one run per value, e.g. 1,2 (default: CPU cores)",
    )
    parser.add_argument(
        "--warehouses",
        type=counts,
        default=[1],
        help="warehouses the orders are split between, one run per value, e.g. 1,2 (default 1)",
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one import may take at most")
    parser.add_argument(
        "--odoo-ceiling",
        action="store_true",
        help="also time Odoo alone (no Order Hub) on each run's orders, ORM batches of 50, "
        "as many processes as the hub had workers",
    )
    parser.add_argument(
        "--no-vanilla", action="store_true", help="skip the vanilla Odoo database (baseline and ceiling)"
    )
    parser.add_argument("--profile", metavar="DIR", help="py-spy the workers of the largest run into DIR")
    args = parser.parse_args()
    if args.odoo_ceiling and args.no_vanilla:
        parser.error("--odoo-ceiling runs in the vanilla database: drop --no-vanilla")
    return args


def counts(text):
    values = sorted({int(part) for part in text.split(",") if part.strip()})
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("positive integers separated by commas, e.g. 1,2")
    return values


def stock_up(registry, quantity):
    """``quantity`` more of each sandbox product in every warehouse, so that
    the free-stock gate lets the orders confirm (used by the latency,
    two-server and chaos scripts)."""
    from harness import stock_products, without_customer_notifications

    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        without_customer_notifications(env)
        stock_products(env, sandbox_codes(), quantity)


def three_line_orders(box, seed=7):
    """Every sandbox order paid, with exactly 3 lines of demo products."""
    from sandbox.generator import PRODUCTS, SandboxLine, sku_id_of

    rnd = random.Random(seed)
    for order in box.orders.values():
        order.status = "paid"
        order.paid = order.paid or order.created
        order.lines = [
            SandboxLine(code, name, rnd.choice((1, 2)), price * 100, 0, False, sku_id_of(code), str(i))
            for i, (code, name, price) in enumerate(rnd.sample(PRODUCTS, 3), 1)
        ]


def bench_warehouses(registry, count):
    """The company's main warehouse and, for ``count`` > 1, benchmark
    warehouses (code BNCH2, BNCH3, ...) created when missing."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Warehouse = env["stock.warehouse"]
        found = Warehouse.search([("company_id", "=", env.company.id)], order="id", limit=1)
        for index in range(2, count + 1):
            code = f"BNCH{index}"
            found |= Warehouse.search([("code", "=", code)], limit=1) or Warehouse.create(
                {"name": f"Bench warehouse {index}", "code": code, "company_id": env.company.id}
            )
        return found.ids


def lanes_config(workers, warehouse_ids):
    """queue_job's channels: ``workers`` jobs at once, and one reservation
    lane of capacity 1 per warehouse (reservations of one warehouse change the
    same quants; of two warehouses, never the same)."""
    lanes = ",".join(f"{RESERVE_CHANNEL}.warehouse_{wid}:1" for wid in warehouse_ids)
    return f"root:{workers},{RESERVE_CHANNEL}:{len(warehouse_ids)}:capacity_default=1,{lanes}"


def hub_import(registry, boxes, args):
    """Pull each sandbox into its channel (``boxes``: [(box, warehouse id)]),
    then let queue_job's runner and the server's workers import, confirm and
    reserve, as deployed; time until every order is confirmed and reserved."""
    from harness import sandbox_channel, wait_drained

    from odoo import SUPERUSER_ID, api

    stamp = f"{datetime.now():%H%M%S}{random.randrange(1000):03d}"
    channel_ids = []
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for index, (box, warehouse_id) in enumerate(boxes):
            channel = sandbox_channel(
                env,
                box,
                f"bench-{stamp}-{index}",
                f"Bench Shopify {stamp}-{index}",
                warehouse_id=warehouse_id,
            )
            channel_ids.append(channel.id)
        before = env["queue.job"].search([], order="id desc", limit=1).id or 0

    started = time.perf_counter()
    messages = []
    for channel_id in channel_ids:  # the pull jobs, in this process
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            messages.append(env["order.hub.channel"].browse(channel_id)._job_pull())
    pulled = time.perf_counter()
    _waited, pending, running = wait_drained(registry, channel_ids, before + 1, args.timeout, poll=0.1)
    if pending or running:
        raise SystemExit(f"timeout: {pending} payloads pending, {running} jobs open")
    imported = time.perf_counter()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sales = env["sale.order"].search([("channel_id", "in", channel_ids)])
        confirmed = sales.filtered(lambda s: s.state == "sale" and s.picking_ids)
        reserved = confirmed.filtered(lambda s: s.hub_stock_state == "reserved")
        inbox = env["order.hub.inbound.order"].search([("channel_id", "in", channel_ids)])
        jobs = env["queue.job"].search([("id", ">", before)])
        return {
            "pull_message": "; ".join(messages),
            "jobs": dict(sorted(Counter(f"{j.method_name} {j.state}" for j in jobs).items())),
            "lanes": dict(
                sorted(Counter(j.channel for j in jobs if j.method_name == "_job_hub_reserve").items())
            ),
            "retries": sum(max(0, job.retry - 1) for job in jobs),
            "pull_s": pulled - started,
            "import_s": imported - pulled,
            "sale_orders": len(sales),
            "confirmed_with_delivery": len(confirmed),
            "reserved": len(reserved),
            "warehouses": len(sales.warehouse_id),
            "inbox_done": len(inbox.filtered(lambda r: r.state == "done")),
            "inbox_failed": len(inbox.filtered(lambda r: r.state == "failed")),
            "lines_per_order": sorted(set(len(s.order_line) for s in sales)),
        }


def canonical_orders(box, count=None):
    """The sandbox's (first ``count``) orders as the hub's normaliser reads them."""
    from odoo.addons.order_hub_channels import connectors

    return [connectors.normalise("shopify", box.render(order)) for order in list(box.orders.values())[:count]]


def plain_orders(orders):
    """Canonical orders as plain tuples (picklable for the ceiling's processes):
    (external id, customer name, phone, city, street, [(product code, quantity, unit price)])."""
    return [
        (
            order.external_id,
            order.receiver.name,
            order.receiver.phone,
            order.receiver.city,
            order.receiver.detail,
            [(line.merchant_code, float(line.quantity), float(line.unit_price)) for line in order.lines],
        )
        for order in orders
    ]


def baseline(url, database, login, password, orders):
    """The orders (``plain_orders``), one by one through XML-RPC, as an
    external integrator would; returns the seconds."""
    uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(database, login, password, {})
    if not uid:
        raise SystemExit(f"cannot log in to {database} as {login}")
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *params, **kw):
        return models.execute_kw(database, uid, password, model, method, list(params), kw)

    codes = sorted({code for *_customer, lines in orders for code, _q, _p in lines})
    products = {
        p["default_code"]: p["id"]
        for p in call(
            "product.product", "search_read", [("default_code", "in", codes)], fields=["default_code"]
        )
    }  # the integrator caches the catalogue: one call, not timed per order
    started = time.perf_counter()
    for ref, name, phone, city, street, lines in orders:
        found = call("res.partner", "search", [("phone", "=", phone)], limit=1)
        partner = (
            found[0]
            if found
            else call("res.partner", "create", {"name": name, "phone": phone, "city": city, "street": street})
        )
        sale = call(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "client_order_ref": f"baseline-{ref}",
                "order_line": [
                    (0, 0, {"product_id": products[code], "product_uom_qty": qty, "price_unit": price})
                    for code, qty, price in lines
                ],
            },
        )
        call("sale.order", "action_confirm", [sale])
    return time.perf_counter() - started


def ceiling_process(config, database, orders, by_code, barrier, results):
    """One process of the Odoo-alone ceiling: its share of the orders, in
    batches of 50, each batch one transaction retried on serialisation
    failures as Odoo's RPC layer retries a call (odoo.service.model.retrying)."""
    import odoo
    from odoo import SUPERUSER_ID, Command, api
    from odoo.modules.registry import Registry
    from odoo.service.model import retrying

    # the serialisation failures it retries are counted, not logged
    odoo.tools.config.parse_config(
        ["-c", config, "-d", database, "--log-level", "warn", "--log-handler", "odoo.sql_db:CRITICAL"]
    )
    registry = Registry(database)
    attempts = 0

    def create_and_confirm(env, batch):
        nonlocal attempts
        attempts += 1
        partners = env["res.partner"].create(
            [
                {"name": name, "phone": phone, "city": city, "street": street}
                for _r, name, phone, city, street, _l in batch
            ]
        )
        sales = env["sale.order"].create(
            [
                {
                    "partner_id": partner.id,
                    "client_order_ref": ref,
                    "order_line": [
                        Command.create(
                            {"product_id": by_code[code], "product_uom_qty": qty, "price_unit": price}
                        )
                        for code, qty, price in lines
                    ],
                }
                for (ref, *_customer, lines), partner in zip(batch, partners, strict=True)
            ]
        )
        sales.action_confirm()
        return len(sales)

    barrier.wait()
    batches = 0
    for start in range(0, len(orders), 50):
        batch = orders[start : start + 50]
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            retrying(lambda env=env, batch=batch: create_and_confirm(env, batch), env)
        batches += 1
    results.put((batches, attempts - batches))


def odoo_ceiling(args, database, orders, processes):
    """Odoo alone on ``orders`` (``plain_orders``) split between ``processes``
    processes; returns (orders, seconds, retries)."""
    import multiprocessing

    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    with Registry(database).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        codes = {code for *_customer, lines in orders for code, _q, _p2 in lines}
        by_code = {
            p.default_code: p.id for p in env["product.product"].search([("default_code", "in", list(codes))])
        }
    context = multiprocessing.get_context("spawn")  # each process its own registry and connections
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    # whole batches of 50 to each process, as the hub's jobs take them
    shares = [[] for _ in range(processes)]
    for index, start in enumerate(range(0, len(orders), 50)):
        shares[index % processes].extend(orders[start : start + 50])
    children = [
        context.Process(
            target=ceiling_process,
            args=(args.config, database, share, by_code, barrier, results),
            daemon=True,
        )
        for share in shares
    ]
    for child in children:
        child.start()
    try:
        barrier.wait(timeout=600)  # every process has loaded its registry
        started = time.perf_counter()
        retries, finished = 0, 0
        deadline = time.monotonic() + args.timeout
        while finished < len(children):
            try:
                _batches, retried = results.get(timeout=1)
            except queue.Empty:
                if any(child.exitcode for child in children):
                    raise SystemExit("a process of the Odoo-alone ceiling failed") from None
                if time.monotonic() > deadline:
                    raise SystemExit("timeout: the Odoo-alone ceiling did not finish") from None
                continue
            retries += retried
            finished += 1
        elapsed = time.perf_counter() - started
    finally:
        for child in children:
            child.join(30)
            if child.is_alive():
                child.kill()
    if any(child.exitcode for child in children):
        raise SystemExit("a process of the Odoo-alone ceiling failed")
    return len(orders), elapsed, retries


def sandbox_codes():
    from sandbox.generator import PRODUCTS

    return [code for code, _name, _price in PRODUCTS]


def main():
    args = parse_args()
    # a SIGTERM (e.g. from timeout) ends the run through the cleanup below
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    registry = Registry(args.database)
    from harness import (
        Profiler,
        create_vanilla_database,
        drop_database,
        job_flame_graphs,
        job_profile,
        start_server,
        stop_server,
        without_customer_notifications,
    )
    from harness import stock_products as stock
    from sandbox import start_sandbox

    codes = sandbox_codes()
    runs = [(workers, houses) for workers in args.workers for houses in args.warehouses]
    total = args.orders * len(runs) + args.baseline
    all_warehouses = bench_warehouses(registry, max(args.warehouses))
    with registry.cursor() as cr:  # enough stock everywhere: the free-stock gate lets every order through
        hub_env = api.Environment(cr, SUPERUSER_ID, {})
        without_customer_notifications(hub_env)
        stock(hub_env, codes, total * 3)
    url = f"http://127.0.0.1:{args.port}"
    results, boxes = [], []
    base_box = start_sandbox("shopify", orders=args.baseline, seed=1999)
    boxes.append(base_box)
    three_line_orders(base_box, seed=1999)
    base_orders = plain_orders(canonical_orders(base_box))
    profiled = (max(args.workers), args.warehouses[0])
    vanilla = f"{args.database}_vanilla"
    try:
        for run, (workers, houses) in enumerate(runs):
            warehouse_ids = all_warehouses[:houses]
            share = [args.orders // houses + (i < args.orders % houses) for i in range(houses)]
            run_boxes = []
            for index, count in enumerate(share):
                box = start_sandbox("shopify", orders=count, seed=2026 + 10 * run + index)
                boxes.append(box)
                three_line_orders(box, seed=7 + run)
                run_boxes.append((box, warehouse_ids[index]))
            print(
                f"Hub: {args.orders} sandbox orders (3 lines each), {houses} warehouse(s), "
                f"queue_job runner + {workers} workers ...",
                flush=True,
            )
            server = start_server(
                args.config, args.database, args.port, workers, channels=lanes_config(workers, warehouse_ids)
            )
            profiler = None
            try:
                if args.profile and (workers, houses) == profiled:
                    profiler = Profiler(server.pid, args.profile, f"hub-{workers}w")
                hub = hub_import(registry, run_boxes, args)
                if profiler:
                    profiler.stop()
                    hub["profile"] = job_profile(profiler.raw, profiler.rate)
                    flames = job_flame_graphs(profiler.raw, args.profile)
                    hub["profile_files"] = (profiler.svg, profiler.raw, *flames)
                    profiler = None
                if run == len(runs) - 1 and args.baseline:
                    print(
                        f"Baseline: {len(base_orders)} new orders one by one through XML-RPC ...", flush=True
                    )
                    hub["baseline_s"] = baseline(url, args.database, args.login, args.password, base_orders)
            finally:
                if profiler:
                    profiler.stop()
                stop_server(server)
            hub["orders"] = plain_orders(order for box, _w in run_boxes for order in canonical_orders(box))
            results.append((workers, houses, hub))
            print_run(workers, houses, hub)

        vanilla_s = None
        if not args.no_vanilla:
            print("Vanilla Odoo (sale_management + sale_stock, no Order Hub): new database ...", flush=True)
            create_vanilla_database(args.config, vanilla)
            with Registry(vanilla).cursor() as cr:
                stock(api.Environment(cr, SUPERUSER_ID, {}), codes, total * 3, create=True)
            if args.baseline:
                server = start_server(args.config, vanilla, args.port, max(args.workers))
                try:
                    print(
                        f"Baseline: the same {len(base_orders)} orders through XML-RPC, vanilla ...",
                        flush=True,
                    )
                    vanilla_s = baseline(url, vanilla, "admin", "admin", base_orders)
                finally:
                    stop_server(server)
            if args.odoo_ceiling:
                for workers, houses, hub in results:
                    if houses != 1:
                        continue  # Odoo alone has one warehouse: compared with the one-warehouse runs
                    print(
                        f"Odoo alone: the same orders, ORM batches of 50, {workers} process(es) ...",
                        flush=True,
                    )
                    hub["ceiling"] = odoo_ceiling(args, vanilla, hub["orders"], workers)
    finally:
        for box in boxes:
            box.stop()
        if not args.no_vanilla:
            Registry.delete(vanilla)
            drop_database(vanilla)
    report(args, results, len(base_orders), vanilla_s)


def print_run(workers, houses, hub):
    print(f"  pull (HTTP): {hub['pull_s']:.1f} s ({hub['pull_message']})")
    for name, number in hub["jobs"].items():
        print(f"  jobs {name:<40}: {number}")
    for name, number in hub["lanes"].items():
        print(f"  reservation jobs in {name:<29}: {number}")
    print(f"  job retries: {hub['retries']}")
    print(
        f"  sale orders / confirmed+delivery: {hub['sale_orders']} / {hub['confirmed_with_delivery']}"
        f"  (reserved {hub['reserved']}; warehouses {hub['warehouses']}; inbox done {hub['inbox_done']},"
        f" failed {hub['inbox_failed']}; lines {hub['lines_per_order']})"
    )
    print(
        f"  hub, inbox -> reserved: {hub['import_s']:.1f} s = "
        f"{hub['sale_orders'] / hub['import_s']:.1f} orders/s",
        flush=True,
    )
    if "profile" in hub:
        files = ", ".join(map(str, hub["profile_files"]))
        print(f"  py-spy profile ({files}), seconds of the workers per job and its top frames:")
        for kind, (seconds, sql_s, frames) in hub["profile"].items():
            print(f"    {kind}: {seconds:.1f} s sampled active, {sql_s / seconds:.0%} of it in SQL")
            for frame, frame_s in frames:
                print(f"      {frame_s:7.1f} s {frame_s / seconds:4.0%}  {frame}")


def verdict(value, target):
    return f"{value:.2f}x  (target >= {target}x: {'PASS' if value >= target else 'FAIL'})"


def report(args, results, count, vanilla_s):
    print()
    print(f"Machine: {os.cpu_count()} CPU cores ({os.getloadavg()[0]:.1f} load average now)")
    print(f"  {'workers':>7} {'warehouses':>10} {'orders':>6} {'seconds':>8} {'orders/s':>8} {'retries':>7}")
    for workers, houses, hub in results:
        rate = hub["sale_orders"] / hub["import_s"]
        print(
            f"  {workers:>7} {houses:>10} {hub['sale_orders']:>6} {hub['import_s']:>8.1f} {rate:>8.1f} "
            f"{hub['retries']:>7}"
        )
    for workers, _houses, hub in results:
        if "ceiling" not in hub:
            continue
        done, seconds, retries = hub["ceiling"]
        rate, ceiling = hub["sale_orders"] / hub["import_s"], done / seconds
        print(
            f"  Odoo alone, ORM batches of 50, {workers} process(es): {seconds:.1f} s for {done} = "
            f"{ceiling:.1f} orders/s, {retries} serialisation retries"
        )
        print(f"    hub / Odoo alone at {workers} worker(s): {verdict(rate / ceiling, 0.95)}")
    last = results[-1][2]
    if "baseline_s" in last:
        hub_rate = max(hub["sale_orders"] / hub["import_s"] for _w, _h, hub in results)
        base_rate = count / last["baseline_s"]
        print(
            f"  baseline XML-RPC one by one, hub database : {last['baseline_s']:.1f} s for {count} = "
            f"{base_rate:.1f} orders/s"
        )
        if vanilla_s:
            vanilla_rate = count / vanilla_s
            print(
                f"  baseline XML-RPC one by one, vanilla Odoo : {vanilla_s:.1f} s for {count} = "
                f"{vanilla_rate:.1f} orders/s"
            )
            print(f"    best hub run / vanilla XML-RPC: {verdict(hub_rate / vanilla_rate, 5)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
