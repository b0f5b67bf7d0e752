"""Details a citizen sees on a phone: the receipt's reference on one line (never split inside the
code) at 320 and 390 px, and a focus ring on radios and checkboxes that stands out from white."""

from __future__ import annotations

import re

import pytest

from tests.page_states import SUPPORT, _hidden, _post

from .conftest import forms_backend, serving

FORM = "/forms/opwijk/nl/support-application/"


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    app = forms_backend(tmp_path_factory.mktemp("details"))
    client = app.test_client()
    receipts = []
    for _ in range(12):
        page = client.get(FORM).get_data(as_text=True)
        check = _post(client, FORM, page, {**SUPPORT, "step": "check"}).get_data(as_text=True)
        sent = _post(client, FORM, check, {"check_answers": _hidden(check, "check_answers"), "send": "1"})
        assert sent.status_code == 303
        receipts.append(sent.headers["Location"])
    with serving(app) as url:
        yield url, receipts


@pytest.mark.parametrize("width", [320, 390])
def test_the_reference_stays_on_one_line(browser, backend, width):
    url, receipts = backend
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
    page = context.new_page()
    for receipt in receipts:   # references differ in their letters' widths
        page.goto(url + receipt)
        reference = page.locator(".portal-reference")
        assert re.fullmatch(r"OPW-\d{4}-[0-9A-Z]{5}", reference.inner_text())
        lines = page.evaluate("""() => {
            const range = document.createRange();
            range.selectNodeContents(document.querySelector('.portal-reference'));
            return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size;
        }""")
        assert lines == 1, f"{reference.inner_text()} broken over {lines} lines at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    context.close()


def test_radios_and_checkboxes_show_a_dark_ring_inside_the_yellow_one(page, backend):
    url, _ = backend
    page.goto(url + FORM)
    for selector in ("input[type=radio]", "input[type=checkbox]"):
        control = page.locator(selector).first
        control.focus()
        style = control.evaluate("e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor, s.outlineWidth, s.boxShadow]; }")
        assert style[0] == "solid" and style[1] == "rgb(11, 12, 12)" and style[2] == "3px", style   # 19:1 on white
        assert "rgb(255, 221, 0)" in style[3], style   # GOV.UK yellow around it
