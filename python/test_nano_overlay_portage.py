"""Tests of the Portage bridge module against real Portage, on copies of the bundled example upstream."""

import json
import os
import shutil
import subprocess
import sys

import pytest

import nano_overlay_portage as bridge

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "upstream")


def call(request):
    run = subprocess.run([sys.executable, os.path.join(HERE, "nano_overlay_portage.py")], input=json.dumps(request), capture_output=True, text=True)
    return json.loads(run.stdout)


@pytest.fixture
def trees(tmp_path):
    for name in ("portage-stable", "coreos-overlay"):
        shutil.copytree(os.path.join(EXAMPLE, name), tmp_path / name, symlinks=True)
    return tmp_path


def request(trees, op, **extra):
    base = {
        "op": op,
        "configRoot": str(trees / "config"),
        "store": str(trees / "store"),
        "arch": "amd64",
        "chost": "x86_64-cros-linux-gnu",
        "profile": "coreos/amd64/generic/prod",
        "repos": [{"name": "portage-stable", "location": str(trees / "portage-stable")}, {"name": "coreos-overlay", "location": str(trees / "coreos-overlay")}],
    }
    base.update(extra)
    return base


def test_dependency_entries_keep_conditions_and_choices():
    entries = bridge.dependency_entries("a/b luks? ( !x? ( c/d ) || ( e/f g/h ) ) i/j")
    assert entries == [
        {"atom": "a/b", "conditions": [], "anyOf": False},
        {"atom": "c/d", "conditions": ["luks", "!x"], "anyOf": False},
        {"atom": "e/f", "conditions": ["luks"], "anyOf": True},
        {"atom": "g/h", "conditions": ["luks"], "anyOf": True},
        {"atom": "i/j", "conditions": [], "anyOf": False},
    ]
    assert bridge.conditions_hold(["luks", "!x"], {"luks"})
    assert not bridge.conditions_hold(["luks", "!x"], {"luks", "x"})


def test_probe_names_portage_and_bash():
    answer = call({"op": "probe"})
    assert answer["ok"] and answer["result"]["portage"] and answer["result"]["bash"].count(".") == 1


def test_regen_reuses_unchanged_entries_and_names_unreadable_ebuilds(trees, tmp_path):
    first = call(request(trees, "regen"))
    assert first["ok"], first
    assert first["result"]["failed"] == []
    overlay_ebuilds = len(list((trees / "coreos-overlay").rglob("*.ebuild")))
    assert overlay_ebuilds > 2
    assert first["result"]["regenerated"]["coreos-overlay"] == overlay_ebuilds
    # A second tree, one ebuild changed and one that cannot be sourced: only those two are read again.
    second = tmp_path / "second"
    for name in ("portage-stable", "coreos-overlay"):
        shutil.copytree(os.path.join(EXAMPLE, name), second / name, symlinks=True)
    tools = second / "coreos-overlay" / "sys-apps" / "demo-tools" / "demo-tools-2.1.0.ebuild"
    tools.write_text(tools.read_text().replace('IUSE="cpuid doc trace"', 'IUSE="cpuid doc trace extra"'))
    broken = second / "coreos-overlay" / "sys-apps" / "demo-tools" / "demo-tools-2.2.0.ebuild"
    broken.write_text('EAPI=8\ninherit no-such-eclass\nSLOT="0"\n')
    answer = call(request(second, "regen", store=str(trees / "store")))
    assert answer["ok"], answer
    assert answer["result"]["regenerated"] == {"portage-stable": 0, "coreos-overlay": 1}
    assert answer["result"]["failed"] == [{"repo": "coreos-overlay", "path": "sys-apps/demo-tools/demo-tools-2.2.0.ebuild", "eapi": "8"}]
    cache = (second / "coreos-overlay" / "metadata" / "md5-cache" / "sys-apps" / "demo-tools-2.1.0").read_text()
    assert "IUSE=cpuid doc trace extra" in cache


def test_image_is_resolved_from_binary_packages(trees):
    assert call(request(trees, "regen"))["ok"]
    answer = call(request(trees, "image", imageRoot=str(trees / "image"), package="coreos-base/demo-base"))
    assert answer["ok"], answer
    packages = {pkg["cp"]: pkg for pkg in answer["result"]["packages"]}
    assert packages["sys-libs/demo-lib"]["version"] == "1.0"
    assert packages["sys-apps/demo-systemd"]["version"] == "255"
    assert packages["coreos-base/demo-base"]["use"] == ["amd64-extras", "containers", "selinux"]
    roots = [edge for edge in answer["result"]["edges"] if edge["parent"] is None]
    assert [edge["child"] for edge in roots] == ["coreos-base/demo-base-0.0.1-r7"]


def test_image_refuses_what_binary_packages_cannot_give(trees):
    assert call(request(trees, "regen"))["ok"]
    answer = call(request(trees, "image", imageRoot=str(trees / "image"), package="sys-apps/demo-tools[trace]"))
    assert not answer["ok"]
    assert "sys-apps/demo-tools[trace]" in answer["error"] and "\n" not in answer["error"]
