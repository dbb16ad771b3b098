"""Plain tests of setup/peer_log.py: reading the result of Odoo's own test suites."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("peer_log", ROOT / "setup" / "peer_log.py")
peer_log = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer_log)

HEAD = "2026-12-01 06:17:40,915 13595"
DB = "order_hub_peer_1_2"
RESULT = f"odoo.tests.result: %s when loading database '{DB}'"


def _write(tmp_path, lines):
    path = tmp_path / "peer.log"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


def test_failing_tests_are_listed_and_fail_the_stage(tmp_path, capsys):
    path = _write(
        tmp_path,
        [
            f"{HEAD} ERROR {DB} odoo.addons.sale.tests.test_access_rights: ERROR: TestAccessRights.test_x",
            "Traceback (most recent call last):",
            f"{HEAD} ERROR {DB} odoo.addons.sale.tests.test_y: FAIL: TestY.test_y",
            f"{HEAD} ERROR {DB} " + RESULT % "1 failed, 1 error(s) of 361 tests",
        ],
    )
    assert peer_log.main(path) == 1
    out = capsys.readouterr()
    assert "1 failed, 1 error(s) of 361 tests" in out.out
    assert "TestAccessRights.test_x" in out.err and "TestY.test_y" in out.err


def test_clean_run_passes(tmp_path):
    path = _write(
        tmp_path,
        [f"{HEAD} INFO {DB} " + RESULT % "0 failed, 0 error(s) of 361 tests"],
    )
    assert peer_log.main(path) == 0


def test_no_summary_or_no_test_fails(tmp_path):
    assert (
        peer_log.main(_write(tmp_path, [f"{HEAD} CRITICAL {DB} odoo.service.server: Failed to initialize"]))
        == 1
    )
    empty = (
        f"{HEAD} WARNING {DB} odoo.tests.result: 0 failed, 0 error(s) of 0 tests when loading database '{DB}'"
    )
    assert peer_log.main(_write(tmp_path, [empty])) == 1
