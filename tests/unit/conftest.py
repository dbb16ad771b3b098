"""Fixtures of the channel tests: sandboxes that stop themselves."""

import pytest
from sandbox import start_sandbox


@pytest.fixture
def make_sandbox():
    boxes = []

    def make(platform, orders=0, seed=1, **kwargs):
        box = start_sandbox(platform, orders=orders, seed=seed, **kwargs)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.stop()
