"""Benchmark: publish the stock of 10,000 products on 5 channels (one per platform).

    setup/dev bench-stock                   (10,000 products)
    .venv/bin/python tests/bench/bench_stock_sync.py -c var/dev-odoo.conf -d order_hub_dev \\
        [--products 10000] [--chunk 2000]

One sandbox per platform (in this process, real HTTP on localhost, signatures
checked, each stock update recorded, updates faster than the platform's limit
refused: Douyin, JD, Shopee and WeChat Shop 100 calls/s, Shopify 2/s with a
bucket of 40).  One channel per sandbox, its rate limit set to the platform's
figure, selling the free stock of one warehouse; every product mapped on
every channel.  The scheduled action marks every (channel, product) row; the
channels' publishing jobs (``_job_publish_stock``, chunks of ``--chunk`` rows,
each job enqueuing the next) run as the job runner would, one thread per
channel, each job in its own committed transaction.  Timed per channel until
no row waits.  Then the same again with nothing changed (only changed figures
are sent).

Baselines of the same run: the floor each platform's rate limit sets (calls ÷
limit; the ratio says how close the hub runs to it), and the figures alone
(free stock × ratio − buffer of every product, no HTTP).  Prints figures; not
a pass/fail test.  Leaves the products, channels and mappings in the database
(use the dev database), with their publishing switched off at the end; a new
run publishes everything again.
"""

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

PLATFORMS = ("douyin", "jd", "shopify", "shopee", "wechat_shop")
PREFIX = "BENCH-STK-"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=str(ROOT / "var" / "dev-odoo.conf"))
    parser.add_argument("-d", "--database", default="order_hub_dev")
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--chunk", type=int, default=2000, help="rows per publishing job")
    return parser.parse_args()


def code_of(platform, index):
    if platform == "shopee":
        return f"{500000 + index // 5}:{index % 5 + 1}"  # items of 5 models
    if platform == "wechat_shop":
        return f"P{index}:S{index}"
    return str(90000000 + index)


def set_up(registry, boxes, count, chunk):
    """Products, stock, channels and mappings (created once, reused)."""
    from odoo import SUPERUSER_ID, api

    from odoo.addons.order_hub_channels.connectors.stock_sync import STOCK_APIS

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        env["ir.config_parameter"].set_param("order_hub_writeback.stock_chunk", str(chunk))
        company = env.ref("base.main_company")
        warehouse = env["stock.warehouse"].search([("code", "=", "BSTK")], limit=1) or env[
            "stock.warehouse"
        ].create({"name": "Stock bench", "code": "BSTK", "company_id": company.id})
        Product = env["product.product"]
        existing = Product.search([("default_code", "=like", f"{PREFIX}%")])
        have = {p.default_code for p in existing}
        wanted = [f"{PREFIX}{i:05d}" for i in range(count)]
        new = [code for code in wanted if code not in have]
        for start in range(0, len(new), 1000):
            Product.create(
                [
                    {"name": f"Bench part {code}", "default_code": code, "is_storable": True, "type": "consu"}
                    for code in new[start : start + 1000]
                ]
            )
        products = Product.search([("default_code", "in", wanted)], order="default_code")
        stocked = set(
            env["stock.quant"].search([("location_id", "=", warehouse.lot_stock_id.id)]).product_id.ids
        )
        env["stock.quant"].create(
            [
                {"product_id": p.id, "location_id": warehouse.lot_stock_id.id, "quantity": 20 + index % 50}
                for index, p in enumerate(products)
                if p.id not in stocked
            ]
        )
        channels = {}
        for platform, box in boxes.items():
            code = f"bench-stock-{platform}"
            creds = box.credentials
            vals = {
                "name": f"Stock bench {platform}",
                "code": code,
                "platform": platform,
                "api_base_url": box.url,
                "app_key": creds.get("app_key"),
                "app_secret": creds.get("app_secret"),
                "access_token": creds.get("access_token"),
                "refresh_token": creds.get("refresh_token"),
                "shop_id": creds.get("shop_id"),
                "warehouse_id": warehouse.id,
                "hub_stock_sync": True,
                "rate_limit": STOCK_APIS[platform].rate,
            }
            channel = env["order.hub.channel"].with_context(active_test=False).search([("code", "=", code)])
            if channel:
                channel.write(vals)
            else:
                channel = env["order.hub.channel"].create(vals)
            channels[platform] = channel.id
            Map = env["order.hub.product.map"]
            mapped = set(Map.search([("channel_id", "=", channel.id)]).product_id.ids)
            Map.create(
                [
                    {
                        "platform": platform,
                        "channel_id": channel.id,
                        "code": code_of(platform, i),
                        "product_id": p.id,
                    }
                    for i, p in enumerate(products)
                    if p.id not in mapped
                ]
            )
            # a new sandbox knows nothing: publish everything again
            env["order.hub.stock.state"].search([("channel_id", "=", channel.id)]).unlink()
        env["queue.job"].search(
            [("method_name", "=", "_job_publish_stock"), ("state", "in", ("pending", "enqueued"))]
        ).unlink()
        cr.commit()
        return channels, products.ids, warehouse.id


def figures_only(registry, channel_id):
    """Baseline: the figures of every row of a channel, no HTTP."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        channel = env["order.hub.channel"].browse(channel_id)
        started = time.monotonic()
        states = env["order.hub.stock.state"]._hub_ensure(channel)
        figures = states._hub_figures(channel)
        seconds = time.monotonic() - started
        cr.rollback()
    return len(figures), seconds


def mark(registry):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        started = time.monotonic()
        env["order.hub.channel"]._cron_hub_stock_sync()
        cr.commit()
        return time.monotonic() - started


def run_channel(registry, channel_id, result):
    """Run the channel's publishing jobs as the runner would, each committed."""
    from odoo import SUPERUSER_ID, api

    from odoo.addons.queue_job.job import Job

    started = time.monotonic()
    jobs = 0
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            record = (
                env["queue.job"]
                .search(
                    [
                        ("method_name", "=", "_job_publish_stock"),
                        ("state", "=", "pending"),
                        ("model_name", "=", "order.hub.channel"),
                    ],
                    order="id",
                )
                .filtered(lambda j: j.records.ids == [channel_id])[:1]
            )
            if not record:
                left = env["order.hub.stock.state"].search_count(
                    [("channel_id", "=", channel_id), ("dirty", "=", True)]
                )
                result.update(seconds=time.monotonic() - started, jobs=jobs, left=left)
                return
            job = Job.load(env, record.uuid)
            job.set_started()
            job.store()
            cr.commit()
            job.perform()
            job.set_done()
            job.store()
            cr.commit()
            jobs += 1


def publish_all(registry, channels):
    results = {platform: {} for platform in channels}
    threads = [
        threading.Thread(target=run_channel, args=(registry, channel_id, results[platform]), name=platform)
        for platform, channel_id in channels.items()
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def report(title, boxes, results, wall, calls_before):
    from odoo.addons.order_hub_channels.connectors.stock_sync import STOCK_APIS

    print(f"\n{title}: {wall:.1f} s for the five channels side by side")
    print(
        f"  {'platform':<12}{'items':>7}{'calls':>7}{'jobs':>5}{'seconds':>9}{'calls/s':>9}"
        f"{'limit/s':>9}{'burst':>6}{'floor s':>9}{'ratio':>7}{'refused':>8}{'waiting':>8}"
    )
    for platform, box in boxes.items():
        api = STOCK_APIS[platform]
        calls = len(box.stock_calls) - calls_before[platform]
        items = sum(len(q) for _api, q in box.stock_calls[calls_before[platform] :])
        seconds = results[platform]["seconds"]
        floor = max(0.0, (calls - api.burst) / api.rate)
        ratio = f"{seconds / floor:.2f}" if floor >= 0.5 else "-"
        print(
            f"  {platform:<12}{items:>7}{calls:>7}{results[platform]['jobs']:>5}{seconds:>9.1f}"
            f"{(calls / seconds if seconds else 0):>9.1f}{api.rate:>9g}{api.burst:>6}{floor:>9.1f}{ratio:>7}"
            f"{box.stock_refused:>8}{results[platform]['left']:>8}"
        )


def main():
    args = parse_args()
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "-d", args.database, "--log-level", "warn"])
    registry = Registry(args.database)
    from sandbox import start_sandbox

    boxes = {platform: start_sandbox(platform, seed=77) for platform in PLATFORMS}
    try:
        print(f"Setting up {args.products} products x {len(boxes)} channels ...", flush=True)
        started = time.monotonic()
        channels, _products, _warehouse = set_up(registry, boxes, args.products, args.chunk)
        print(f"  set-up: {time.monotonic() - started:.1f} s", flush=True)
        marked = mark(registry)
        count, figure_s = figures_only(registry, channels["douyin"])
        print(f"  scheduled action marking every row: {marked:.1f} s")
        print(f"  baseline, figures only (no HTTP), one channel: {count} rows in {figure_s:.1f} s")
        before = {platform: 0 for platform in boxes}
        results, wall = publish_all(registry, channels)
        report("First publication", boxes, results, wall, before)
        expected = {code_of(p, i): 20 + i % 50 for p in ("douyin",) for i in range(args.products)}
        right = sum(1 for code, qty in expected.items() if boxes["douyin"].stock.get(code) == qty)
        print(f"  Douyin figures checked against free stock: {right}/{len(expected)} right")
        before = {platform: len(box.stock_calls) for platform, box in boxes.items()}
        marked = mark(registry)
        results, wall = publish_all(registry, channels)
        report(f"Again, nothing changed (marking {marked:.1f} s)", boxes, results, wall, before)
    finally:
        for box in boxes.values():
            box.stop()
        switch_off(registry)


def switch_off(registry):
    """The bench channels stop publishing (their sandboxes are gone)."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["order.hub.channel"].search([("code", "=like", "bench-stock-%")]).hub_stock_sync = False
        env["queue.job"].search(
            [("method_name", "=", "_job_publish_stock"), ("state", "in", ("pending", "enqueued"))]
        ).unlink()
        cr.commit()


if __name__ == "__main__":
    main()
