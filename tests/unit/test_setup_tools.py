"""Plain tests of the set-up helpers: the install-log check and the summary line."""

import importlib.util
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "setup" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_log = load("check_log")
summary = load("summary")

HEAD = "2026-11-22 01:23:18,371 3301"


def test_log_check_flags_warnings_of_our_addons():
    lines = [
        f"{HEAD} INFO db odoo.modules.loading: loading order_hub\n",
        f"{HEAD} WARNING db odoo.modules.loading: The model order.hub.stage has no access rules\n",
        f"{HEAD} ERROR db odoo.addons.order_hub_channels.models.x: boom\n",
    ]
    assert len(check_log.offending_lines(lines)) == 2


def test_log_check_ignores_other_modules_and_info():
    lines = [
        f"{HEAD} WARNING db odoo.addons.base.models.ir_model: sale warning\n",
        f"{HEAD} INFO db odoo.addons.order_hub: fine\n",
    ]
    assert check_log.offending_lines(lines) == []


def test_log_check_catches_tracebacks_naming_our_code():
    lines = [
        f"{HEAD} ERROR db odoo.modules.registry: Failed to load registry\n",
        "Traceback (most recent call last):\n",
        '  File "/repo/addons/order_hub/models/x.py", line 3\n',
    ]
    assert check_log.offending_lines(lines) == [lines[0].rstrip()]


def test_summary_adds_up_runs(tmp_path, capsys):
    (tmp_path / "a.log").write_text("....\n4 passed, 1 skipped in 0.10s\n")
    (tmp_path / "b.log").write_text("F.\n1 failed, 1 passed, 1 error in 2.00s\n")
    summary.main([str(tmp_path / "a.log"), str(tmp_path / "b.log")])
    assert capsys.readouterr().out.strip() == "total: 5 passed, 2 failed, 1 skipped"


def test_summary_counts_a_silent_run_as_failed(tmp_path, capsys):
    (tmp_path / "a.log").write_text("3 passed in 0.10s\n")
    summary.main([str(tmp_path / "a.log"), str(tmp_path / "missing.log")])
    assert capsys.readouterr().out.strip() == "total: 3 passed, 1 failed"


@pytest.mark.parametrize("command", ["test", "run"])
def test_missing_odoo_stops_with_a_short_message(tmp_path, command):
    env = dict(os.environ, HOME=str(tmp_path), ORDER_HUB_ODOO_URL="http://127.0.0.1:9/odoo.tar.gz")
    env.pop("ODOO_SRC", None)
    result = subprocess.run(
        ["bash", str(ROOT / "setup" / command)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "needs the Odoo 18.0 source code" in result.stderr
    assert "ODOO_SRC" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_wrong_odoo_src_is_refused(tmp_path):
    env = dict(os.environ, ODOO_SRC=str(tmp_path))
    result = subprocess.run(
        ["bash", str(ROOT / "setup" / "test")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "is not an Odoo 18.0 source tree" in result.stderr
