"""Shared pieces of the benchmark scripts (plain module, run from the scripts'
own process after ``odoo.tools.config`` was parsed): an Odoo server with its
job runner on a given database, throwaway databases of Odoo alone, stock of
the sandbox products, and py-spy profiles of a server's workers."""

import os
import re
import shutil
import subprocess
import sys
import time
import xmlrpc.client
import zlib
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def odoo_bin():
    return str(Path(__import__("odoo").__file__).resolve().parents[1] / "odoo-bin")


def start_server(config, database, port, workers, channels=None, log_level="warn"):
    """An Odoo server on ``database`` with ``workers`` worker processes and
    queue_job's runner, its jobs channels ``channels`` (default
    ``root:<workers>,root.order_hub.reserve:1``); returns once it answers
    XML-RPC."""
    command = [
        sys.executable,
        odoo_bin(),
        "-c",
        config,
        "-d",
        database,
        "--db-filter",
        f"^{re.escape(database)}$",
        "--http-port",
        str(port),
        "--gevent-port",
        str(port + 1),
        "--workers",
        str(workers),
        "--max-cron-threads",
        "0",
        "--limit-time-real",
        "600",
        "--limit-time-cpu",
        "600",
        "--log-level",
        log_level,
    ]
    env = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=channels or f"root:{workers},root.order_hub.reserve:1",
        ODOO_QUEUE_JOB_PORT=str(port),
    )
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
    for _ in range(180):
        if server.poll() is not None:
            raise SystemExit(f"the Odoo server on {database} exited with {server.returncode}")
        try:
            common.version()
            return server
        except OSError:
            time.sleep(1)
    stop_server(server)
    raise SystemExit("the Odoo server did not start")


def stop_server(server):
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


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
