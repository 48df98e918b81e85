"""History as list and detail in a real browser: a click on a row of the runs table (a canvas
grid) opens that run in a panel beside the list, level with it, not under it; Close gives the
list the page's width back."""

from __future__ import annotations

import pytest
from browser_support import skip_without_browser, wait_idle

from comet import Call, Route, simple_body

pytestmark = pytest.mark.viewport(1440, 900)

skip_without_browser()


def test_a_clicked_row_opens_its_run_beside_the_list(server, page, emulator):
    from comet.http.client import Client
    from comet.store import open_store

    store = open_store(server.history)
    with Client(emulator.base_url, "test-key") as client:
        run_id = store.record(client.send(Call(Route.GEMINI, "gemini-2.5-flash",
                                               simple_body("gemini", "beside the list please"))))
    store.close()
    page.goto(server.url + "/history")
    grid = page.locator(".st-key-hist_table")
    grid.wait_for()
    wait_idle(page)
    before = grid.locator("canvas").first.bounding_box()  # the grid itself, under its toolbar
    page.mouse.click(before["x"] + before["width"] * 0.3, before["y"] + 35 + 17)  # the newest run's row
    panel = page.locator(".st-key-hist_detail")
    panel.get_by_text(f"Run #{run_id}").wait_for()
    wait_idle(page)
    table, detail = grid.locator("canvas").first.bounding_box(), panel.bounding_box()
    assert detail["x"] >= table["x"] + table["width"] - 1  # to the right of the list
    assert detail["y"] < table["y"] + table["height"]  # level with it, not under it
    assert "beside the list please" in panel.inner_text()
    panel.locator(".st-key-hist_close button").click()
    page.locator(".st-key-hist_detail").wait_for(state="detached")
    wait_idle(page)
    assert grid.locator("canvas").first.bounding_box()["width"] > table["width"] * 1.3  # the list has the page's width again
