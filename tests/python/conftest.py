"""Shared fixtures: the component, compiled once per session."""

import pytest

import leverage_host


@pytest.fixture(scope="session")
def core() -> leverage_host.Core:
    # Fails (never skips) when the component is missing: the message says how to build it.
    return leverage_host.Core(leverage_host.component_path())
