"""The plain helpers of the benchmark and chaos scripts (tests/bench/harness.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "chaos"))

import chaos  # noqa: E402
import harness  # noqa: E402


def test_rss_and_children_read_proc():
    assert harness.rss_kib(os.getpid()) > 1000
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert child.pid in harness.children(os.getpid())
        assert harness.rss_kib(child.pid) > 0
    finally:
        child.kill()
        child.wait()
    assert harness.rss_kib(child.pid) is None


def test_server_listens_on_localhost_ports_of_its_own():
    server = harness.OdooServer("odoo.conf", "db_chaos", 19482, 2, "/tmp/odoo.log")
    command = server.command()

    def option(name):
        return command[command.index(name) + 1]

    assert option("--http-interface") == "127.0.0.1"
    assert (option("--http-port"), option("--gevent-port")) == ("19482", "19483")
    assert option("--workers") == "2"
    assert option("--db-filter") == "^db_chaos$"
    assert server.channels == "root:2,root.order_hub.reserve:1"
    server.kill()  # nothing started: nothing to do


def test_read_config(tmp_path):
    conf = tmp_path / "odoo.conf"
    conf.write_text("[options]\ndb_host = 127.0.0.1\ndb_port = 5432\n\n[queue_job]\nchannels = root:1\n")
    assert harness.read_config(conf) == {"db_host": "127.0.0.1", "db_port": "5432"}


def test_chaos_refuses_unknown_faults():
    assert chaos.parse_args(["--faults", "ad"]).faults == "ad"
    assert chaos.parse_args(["--faults", ""]).faults == ""
    with pytest.raises(SystemExit):
        chaos.parse_args(["--faults", "ax"])
