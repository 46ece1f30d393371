"""The one rule for text a spreadsheet would re-type (automation/cell_text.py), shared by the
Excel live writer and the WPS add-in (through the service's text_cells)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from automation.cell_text import needs_text_prefix, with_text_prefix

ROOT = Path(__file__).resolve().parents[1]
NODE = shutil.which("node")

#: Texts Excel and WPS turn into something else when assigned to a cell, worked out by hand
#: from what each becomes when typed: a formula, a number, a date, a time, a truth value, an
#: error, or (the apostrophe) a text without its first character.
RETYPED = {
    "=1+1": "formula", "+1": "number", "-5": "number", "@SUM(A1)": "formula", "007": "7",
    "1,234": "1234", " 12 ": "12", "1e5": "100000", "12%": "0.12", "$5": "5", "¥1,000": "1000",
    "(12)": "-12", "１２": "12 (full-width digits)", ".5": "0.5", "2026-3-5": "a date", "3/5": "a date",
    "2026.3.5": "a date", "2026年3月5日": "a date", "3月5日": "a date", "2026年3月": "a date",
    "12:30": "a time", "8时30分": "a time", "3:00 PM": "a time", "下午3:00": "a time", "5-Jan": "a date",
    "Jan 2026": "a date", "TRUE": "True", "false": "False", "#N/A": "an error", "#DIV/0!": "an error",
    "'引号": "引号", "\u300012\u3000": "12",
}
#: Texts that stay what they are.
KEPT = ["", "  ", "普通文本", "TA2026001", "2026年度政协委员提案", "关于=号的建议", "—", "第3号", "A-1", "May Day",
        "N/A", "12号楼3单元"]


@pytest.mark.parametrize("text", sorted(RETYPED))
def test_text_that_would_be_retyped_needs_the_prefix(text):
    assert needs_text_prefix(text), f"{text!r} would become {RETYPED[text]}"
    assert with_text_prefix(text) == "'" + text


@pytest.mark.parametrize("text", KEPT)
def test_text_that_stays_text_is_sent_as_it_is(text):
    assert not needs_text_prefix(text)
    assert with_text_prefix(text) == text


@pytest.mark.parametrize("value", [None, 7, 7.5, True])
def test_values_that_are_not_text_are_never_prefixed(value):
    assert not needs_text_prefix(value)
    assert with_text_prefix(value) == value


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_rule_covers_everything_the_addins_own_rule_prefixes():
    """The add-in keeps its own rule for an older service without text_cells; the shared rule
    must prefix at least what that one does, or a newer service would lose text."""
    samples = sorted(RETYPED) + KEPT + [
        "¥(12)", "12.5.6", "1 1/2", "00123", "1.2.3", "3点半", "3点", "12时", "(1)", "1号", "2026/13/45", "1e",
        "9,9", "1：30", "1，234", "0x10", "12 34", "TRUE ", " false", "+", "-", "=", "@", "1-2-3", "１２３４５",
    ]
    script = ("const L=require('./macros/wps/js/ledger.js');"
              f"console.log(JSON.stringify({json.dumps(samples, ensure_ascii=False)}.map(L.needsTextPrefix)))")
    done = subprocess.run([NODE, "-e", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    by_addin = dict(zip(samples, json.loads(done.stdout)))
    missed = [text for text, prefixed in by_addin.items() if prefixed and not needs_text_prefix(text)]
    assert missed == []
    # and the add-in's rule alone misses some that the shared rule catches
    assert not by_addin["#N/A"] and not by_addin["'引号"]
