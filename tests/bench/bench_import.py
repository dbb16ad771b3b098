"""Benchmark: sandbox orders end to end into confirmed sale orders with deliveries.

    setup/dev bench                     (2,000 orders, baseline on 200)
    .venv/bin/python tests/bench/bench_import.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--orders 2000] [--baseline 200] [--port 18969] [--workers N]

Hub, as deployed: an Odoo server with N worker processes (default: the CPU
cores) and OCA queue_job's runner (channels ``root:N`` and the reservation
lane ``root.order_hub.reserve:1``).  A Shopify sandbox holds the orders, paid,
of 3 lines each; the channel pulls them (real HTTP, pages of 50) into the
inbox and enqueues one import job per order; the runner hands the jobs to the
workers; each import job takes up to 50 pending payloads nobody else holds and
enqueues one confirmation job per batch of new orders, which enqueues one
reservation job.  Timed from the end of the pull until no payload is pending
and no job is open: every order confirmed, its delivery created and
reserved.  Baseline, in the
same run and against the same server: the first ``--baseline`` of the same
orders, created and confirmed one by one through XML-RPC as an external
integrator would (find or create the customer, create the order, confirm it).
Prints figures; not a pass/fail test.  Leaves the orders in the database (use
the dev database).
"""

import argparse
import os
import random
import subprocess
import sys
import time
import xmlrpc.client
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--baseline", type=int, default=200)
    parser.add_argument("--port", type=int, default=18969)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="Odoo worker processes (default: CPU cores)"
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds the import may take at most")
    parser.add_argument(
        "--odoo-ceiling",
        action="store_true",
        help="also time Odoo alone (no Order Hub) on the same orders, batches of 50, one process",
    )
    return parser.parse_args()


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


def hub_import(registry, box, args):
    """Pull the sandbox, then let queue_job's runner and the server's workers
    import and confirm, as deployed; time until every order is confirmed."""
    from odoo import SUPERUSER_ID, api

    creds = box.credentials
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        channel = env["order.hub.channel"].create(
            {
                "name": f"Bench Shopify {datetime.now():%H%M%S}",
                "code": f"bench-{int(time.time())}",
                "platform": "shopify",
                "api_base_url": box.url,
                "app_key": creds["app_key"],
                "app_secret": creds["app_secret"],
                "access_token": creds["access_token"],
                "shop_id": creds["shop_id"],
                "rate_limit": 0,
                "watermark": datetime.now() - timedelta(days=3),
            }
        )
        channel_id = channel.id
        before = env["queue.job"].search([], order="id desc", limit=1).id or 0

    started = time.perf_counter()
    with registry.cursor() as cr:  # the pull job, in this process
        env = api.Environment(cr, SUPERUSER_ID, {})
        message = env["order.hub.channel"].browse(channel_id)._job_pull()
    pulled = time.perf_counter()

    def progress(cr):
        cr.execute(
            "SELECT count(*) FILTER (WHERE state = 'pending') FROM order_hub_inbound_order "
            "WHERE channel_id = %s",
            (channel_id,),
        )
        pending = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM queue_job WHERE id > %s AND state IN "
            "('wait_dependencies', 'pending', 'enqueued', 'started')",
            (before,),
        )
        return pending, cr.fetchone()[0]

    deadline = time.monotonic() + args.timeout
    with registry.cursor() as cr:
        while True:
            pending, running = progress(cr)
            cr.rollback()
            if not pending and not running:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"timeout: {pending} payloads pending, {running} jobs open")
            time.sleep(0.1)
    imported = time.perf_counter()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        sales = env["sale.order"].search([("channel_id", "=", channel_id)])
        confirmed = sales.filtered(lambda s: s.state == "sale" and s.picking_ids)
        reserved = confirmed.filtered(lambda s: s.hub_stock_state == "reserved")
        inbox = env["order.hub.inbound.order"].search([("channel_id", "=", channel_id)])
        jobs = env["queue.job"].search([("id", ">", before)])
        lines = set(len(s.order_line) for s in sales)
        return {
            "pull_message": message,
            "jobs": dict(sorted(Counter(f"{j.method_name} {j.state}" for j in jobs).items())),
            "retries": sum(max(0, job.retry - 1) for job in jobs),
            "pull_s": pulled - started,
            "import_s": imported - pulled,
            "sale_orders": len(sales),
            "confirmed_with_delivery": len(confirmed),
            "reserved": len(reserved),
            "inbox_done": len(inbox.filtered(lambda r: r.state == "done")),
            "inbox_failed": len(inbox.filtered(lambda r: r.state == "failed")),
            "lines_per_order": sorted(lines),
        }


def start_server(args, workers):
    command = [
        sys.executable,
        str(Path(__import__("odoo").__file__).resolve().parents[1] / "odoo-bin"),
        "-c",
        args.config,
        "-d",
        args.database,
        "--http-port",
        str(args.port),
        "--workers",
        str(workers),
        "--max-cron-threads",
        "0",
        "--limit-time-real",
        "600",
        "--limit-time-cpu",
        "600",
        "--log-level",
        "warn",
    ]
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=f"root:{workers},root.order_hub.reserve:1",
        ODOO_QUEUE_JOB_PORT=str(args.port),
    )
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{args.port}/xmlrpc/2/common")
    for _ in range(120):
        try:
            common.version()
            return server
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit("the Odoo server did not start")


def stop_server(server):
    server.terminate()
    server.wait(60)


def canonical_orders(box, count=None):
    """The sandbox's (first ``count``) orders as the hub's normaliser reads them."""
    from odoo.addons.order_hub_channels import connectors

    return [connectors.normalise("shopify", box.render(order)) for order in list(box.orders.values())[:count]]


def baseline(args, box, count):
    """The same orders, one by one through XML-RPC, as an external integrator would."""
    orders = canonical_orders(box, count)
    url = f"http://127.0.0.1:{args.port}/xmlrpc/2"
    uid = xmlrpc.client.ServerProxy(f"{url}/common").authenticate(
        args.database, args.login, args.password, {}
    )
    models = xmlrpc.client.ServerProxy(f"{url}/object", allow_none=True)

    def call(model, method, *params, **kw):
        return models.execute_kw(args.database, uid, args.password, model, method, list(params), kw)

    codes = sorted({line.merchant_code for order in orders for line in order.lines})
    products = {
        p["default_code"]: p["id"]
        for p in call(
            "product.product", "search_read", [("default_code", "in", codes)], fields=["default_code"]
        )
    }  # the integrator caches the catalogue: one call, not timed per order
    started = time.perf_counter()
    for order in orders:
        receiver = order.receiver
        found = call("res.partner", "search", [("phone", "=", receiver.phone)], limit=1)
        partner = (
            found[0]
            if found
            else call(
                "res.partner",
                "create",
                {
                    "name": receiver.name,
                    "phone": receiver.phone,
                    "city": receiver.city,
                    "street": receiver.detail,
                },
            )
        )
        sale = call(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "client_order_ref": f"baseline-{order.external_id}",
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": products[line.merchant_code],
                            "product_uom_qty": float(line.quantity),
                            "price_unit": float(line.unit_price),
                        },
                    )
                    for line in order.lines
                ],
            },
        )
        call("sale.order", "action_confirm", [sale])
    return time.perf_counter() - started


def odoo_ceiling(args, box):
    """Odoo 18 alone (sale_management + sale_stock, no Order Hub) on a throwaway
    database: the same orders, customers created and orders created and
    confirmed (deliveries reserved) through the ORM in batches of 50, one
    transaction per batch, in one process.  What one core can do at best."""
    import odoo
    from odoo import SUPERUSER_ID, Command, api
    from odoo.modules.registry import Registry

    database = f"{args.database}_ceiling"
    drop_database(database)
    odoo_bin = str(Path(odoo.__file__).resolve().parents[1] / "odoo-bin")
    install = [sys.executable, odoo_bin, "-c", args.config, "-d", database, "--without-demo=all", "--no-http"]
    done = subprocess.run(
        [*install, "-i", "sale_management,sale_stock", "--stop-after-init", "--log-level", "warn"],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"installing Odoo alone failed:\n{done.stderr[-3000:]}")
    orders = canonical_orders(box)
    registry = Registry(database)
    try:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            codes = sorted({line.merchant_code for order in orders for line in order.lines})
            products = env["product.product"].create(
                [{"name": code, "default_code": code, "is_storable": True} for code in codes]
            )
            stock = env["stock.warehouse"].search([], limit=1).lot_stock_id
            for product in products:
                env["stock.quant"]._update_available_quantity(product, stock, len(orders) * 3)
            by_code = {product.default_code: product.id for product in products}
        started = time.perf_counter()
        for start in range(0, len(orders), 50):
            batch = orders[start : start + 50]
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                partners = env["res.partner"].create(
                    [{"name": o.receiver.name, "phone": o.receiver.phone} for o in batch]
                )
                sales = env["sale.order"].create(
                    [
                        {
                            "partner_id": partner.id,
                            "client_order_ref": order.external_id,
                            "order_line": [
                                Command.create(
                                    {
                                        "product_id": by_code[line.merchant_code],
                                        "product_uom_qty": float(line.quantity),
                                        "price_unit": float(line.unit_price),
                                    }
                                )
                                for line in order.lines
                            ],
                        }
                        for order, partner in zip(batch, partners, strict=True)
                    ]
                )
                sales.action_confirm()
        elapsed = time.perf_counter() - started
    finally:
        Registry.delete(database)
        odoo.sql_db.close_db(database)
        drop_database(database)
    return len(orders), elapsed


def drop_database(name):
    import odoo
    from odoo.tools import SQL

    with closing(odoo.sql_db.db_connect("postgres").cursor()) as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(name)))


def stock_up(registry, quantity):
    """Enough stock of the demo products in every warehouse, so that the
    confirmation gates (free stock) let both the hub and the baseline confirm."""
    from sandbox.generator import PRODUCTS

    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        products = env["product.product"].search(
            [("default_code", "in", [code for code, _n, _p in PRODUCTS])]
        )
        Quant = env["stock.quant"].with_context(inventory_mode=True)
        for warehouse in env["stock.warehouse"].search([]):
            for product in products.filtered("is_storable"):
                Quant._update_available_quantity(product, warehouse.lot_stock_id, quantity)


def main():
    args = parse_args()
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    registry = Registry(args.database)
    from sandbox import start_sandbox

    box = start_sandbox("shopify", orders=args.orders, seed=2026)
    three_line_orders(box)
    stock_up(registry, args.orders * 3)
    try:
        server = start_server(args, args.workers)
        try:
            print(
                f"Hub import of {args.orders} sandbox orders (3 lines each), "
                f"queue_job runner + {args.workers} workers ...",
                flush=True,
            )
            hub = hub_import(registry, box, args)
            count = min(args.baseline, args.orders)
            print(f"Baseline: {count} of the same orders one by one through XML-RPC ...", flush=True)
            base_s = baseline(args, box, count)
        finally:
            stop_server(server)
        report(args, hub, count, base_s)
        if args.odoo_ceiling:
            print("Odoo alone: the same orders, ORM batches of 50, one process ...", flush=True)
            done, seconds = odoo_ceiling(args, box)
            print(
                f"  Odoo alone, ORM batches, 1 proc. : {seconds:.1f} s for {done} = {done / seconds:.1f} "
                "orders/s  (no Order Hub, no inbox, no jobs)"
            )
    finally:
        box.stop()


def report(args, hub, count, base_s):
    hub_rate = hub["sale_orders"] / hub["import_s"]
    end_to_end = hub["sale_orders"] / (hub["import_s"] + hub["pull_s"])
    base_rate = count / base_s
    print()
    print(f"  machine                          : {os.cpu_count()} CPU cores, {args.workers} Odoo workers")
    print(f"  pull (HTTP, {hub['pull_message']}) : {hub['pull_s']:.1f} s")
    for name, number in hub["jobs"].items():
        print(f"  jobs {name:<28}: {number}")
    print(f"  job retries                      : {hub['retries']}")
    print(
        f"  sale orders / confirmed+delivery : {hub['sale_orders']} / {hub['confirmed_with_delivery']}"
        f"  (reserved {hub['reserved']}; inbox done {hub['inbox_done']}, failed {hub['inbox_failed']};"
        f" lines {hub['lines_per_order']})"
    )
    print(f"  hub import (inbox -> confirmed)  : {hub['import_s']:.1f} s = {hub_rate:.1f} orders/s")
    print(f"  hub incl. pull                   : {end_to_end:.1f} orders/s")
    print(f"  baseline XML-RPC one by one      : {base_s:.1f} s for {count} = {base_rate:.1f} orders/s")
    ratio = hub_rate / base_rate
    print(f"  ratio hub / baseline             : {ratio:.1f}x  (target >= 25 orders/s and >= 4x)", flush=True)


if __name__ == "__main__":
    main()
