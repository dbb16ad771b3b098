"""Probes that attack a running Order Hub from outside, as an integrator or an
attacker would (XML-RPC, JSON-RPC, webhooks).  Plain Python, no ``odoo``
import: run them against any server (``python -m probes.probe_hardening``
from ``tests/``), and the Odoo test suite runs them against its test server
(``order_hub_channels/tests/test_probes.py``)."""
