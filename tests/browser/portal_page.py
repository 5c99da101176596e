"""The example portal as a person in a browser sees it: sign in, follow links, fill in and
send forms, read what the page says, and photograph it for the documentation.

Elements are found by what a person (or a screen reader) finds them by: a form field's
name, a link's text, the page's heading, the status messages; never by their place in the
page, so that new pages and translated templates do not break the tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from selenium.common.exceptions import NoSuchElementException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

WAIT_SECONDS = 15

_SET_VALUE = """
const [field, value] = arguments;
field.value = value;
field.dispatchEvent(new Event("input", {bubbles: true}));
field.dispatchEvent(new Event("change", {bubbles: true}));
"""

_FETCH = """
const [url, method, fields, done] = arguments;
const body = fields === null ? undefined : new URLSearchParams(fields);
fetch(url, {method: method, body: body, redirect: "manual", credentials: "same-origin"})
  .then(async (response) => done({
    status: response.status,
    type: response.headers.get("Content-Type"),
    disposition: response.headers.get("Content-Disposition"),
    body: await response.text(),
  }))
  .catch((error) => done({status: -1, type: null, disposition: null, body: String(error)}));
"""


class Portal:
    """The portal at ``base_url`` in ``driver``; screenshots go to ``shots``."""

    def __init__(self, driver: WebDriver, base_url: str, shots: Path) -> None:
        self.driver = driver
        self.base_url = base_url.rstrip("/")
        self.shots = shots

    # -- going places -------------------------------------------------------------------

    def visit(self, path: str) -> None:
        """Open ``path`` (``/caseload``) as if typed into the address bar."""
        self.driver.get(self.base_url + path)
        self._loaded()

    def sign_in(self, user_id: str) -> None:
        """Sign in on the sign-in form as the demo user ``user_id`` (``aino.korhonen``, or
        with its kind, ``student:aino.korhonen``)."""
        self.visit("/sign-in")
        value = user_id if ":" in user_id else None
        selector = f'input[name="user"][value="{value}"]' if value else (
            f'input[name="user"][value$=":{user_id}"]')  # fmt: skip
        choice = self.driver.find_element(By.CSS_SELECTOR, selector)
        choice.click()
        with self.navigation():
            self._submit_button(self._form_of(choice)).click()
        assert self.path == "/", f"signing in as {user_id} ended on {self.path}: {self.text}"

    def click_link(self, text: str) -> None:
        """Follow the link whose text is ``text``."""
        link = self.driver.find_element(By.LINK_TEXT, text)
        with self.navigation():
            link.click()

    def follow(self, path: str) -> None:
        """Follow the (first) link to ``path``, whatever its text in the page's language."""
        link = self.driver.find_element(By.CSS_SELECTOR, f'a[href="{path}"]')
        with self.navigation():
            link.click()

    def submit(
        self,
        fields: Mapping[str, str] | None = None,
        *,
        form: str | None = None,
        button: str | None = None,
    ) -> None:
        """Fill in ``fields`` (by field name: text, text area, select, radio button) and send
        their form. The form is the one matching the CSS selector ``form``, else the first
        field's form, else the one with a submit button reading ``button``."""
        fields = dict(fields or {})
        found = self._find_form(fields, form, button)
        for name, value in fields.items():
            self._fill(found, name, value)
        send = self._submit_button(found, button)
        with self.navigation():
            send.click()

    @contextmanager
    def navigation(self) -> Iterator[None]:
        """Wait, after the body of the ``with``, until the browser shows a new page, fully
        loaded. The old page is marked, and the wait ends on a page without the mark
        (asking while the browser is between two pages may fail; that means not yet)."""
        self.driver.execute_script("window.welfarekitOldPage = true;")
        yield

        def arrived(driver: WebDriver) -> bool:
            try:
                return bool(driver.execute_script(
                    "return !window.welfarekitOldPage && document.readyState === 'complete';"))  # fmt: skip
            except WebDriverException:
                return False

        WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(
            arrived, f"no new page after {self.path}"
        )

    # -- what the page says -------------------------------------------------------------

    @property
    def path(self) -> str:
        return urlsplit(self.driver.current_url).path

    @property
    def status(self) -> int:
        """The HTTP status of the page shown, as the browser received it."""
        status = self.driver.execute_script(
            "const [entry] = performance.getEntriesByType('navigation');"
            "return entry ? entry.responseStatus : null;"
        )
        assert isinstance(status, int), f"no navigation status for {self.path}"
        return status

    @property
    def heading(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "h1").text)

    @property
    def text(self) -> str:
        return str(self.driver.find_element(By.TAG_NAME, "body").text)

    @property
    def messages(self) -> list[str]:
        """The status messages (flashed by the last action) shown on the page."""
        return [str(m.text) for m in self.driver.find_elements(By.CSS_SELECTOR, "[role=status]")]

    def section(self, heading: str) -> str:
        """The text under the second-level heading ``heading``, up to the next heading."""
        return str(self.driver.execute_script(
            """
            const [wanted] = arguments;
            const heading = [...document.querySelectorAll("h2")]
              .find((h) => h.textContent.trim() === wanted);
            if (!heading) return null;
            const parts = [];
            for (let node = heading.nextElementSibling; node && !/^H[1-6]$/.test(node.tagName);
                 node = node.nextElementSibling) parts.push(node.innerText);
            return parts.join("\\n");
            """,
            heading,
        ))  # fmt: skip

    def rows(self, table: str = "table") -> list[list[str]]:
        """The cells of each body row of the table matching the CSS selector ``table``."""
        found = self.driver.find_element(By.CSS_SELECTOR, table)
        cells: list[list[str]] = self.driver.execute_script(
            "return [...arguments[0].rows].filter((r) => r.querySelector('td'))"
            ".map((r) => [...r.cells].map((c) => c.innerText.trim()));",
            found,
        )
        return cells

    def link(self, text: str) -> str:
        """The address of the link whose text is ``text``."""
        return str(self.driver.find_element(By.LINK_TEXT, text).get_attribute("href"))

    def attribute(self, selector: str, name: str) -> str:
        """The attribute ``name`` of the first element matching the CSS selector."""
        value = self.driver.find_element(By.CSS_SELECTOR, selector).get_attribute(name)
        assert value, f"{selector} has no {name}"
        return str(value)

    def has(self, selector: str) -> bool:
        return bool(self.driver.find_elements(By.CSS_SELECTOR, selector))

    def text_of(self, selector: str) -> str:
        """The text shown by the first element matching the CSS selector."""
        return str(self.driver.find_element(By.CSS_SELECTOR, selector).text)

    def expand(self, details: str) -> None:
        """Open the disclosure (``<details>``) matching the CSS selector ``details`` by
        clicking its summary, as a person would, and wait until its content shows."""
        found = self.driver.find_element(By.CSS_SELECTOR, details)
        if not found.get_property("open"):
            found.find_element(By.TAG_NAME, "summary").click()
        WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(
            lambda _: found.get_property("open"), f"{details} did not open"
        )

    def fetch(
        self, path: str, *, method: str = "GET", fields: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """Request ``path`` from the page with its cookies (as the page's own script would):
        the status, content type, content disposition and body."""
        url = path if path.startswith("http") else self.base_url + path
        body = dict(fields) if fields is not None else None
        result: dict[str, Any] = self.driver.execute_async_script(_FETCH, url, method, body)
        return result

    def fetch_json(self, path: str) -> Any:
        return json.loads(self.fetch(path)["body"])

    def download(self, link_text: str, directory: Path) -> Path:
        """Follow the download link ``link_text``, saving into ``directory``; the file."""
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(directory)})  # fmt: skip
        self.driver.find_element(By.LINK_TEXT, link_text).click()

        def finished(_: WebDriver) -> Path | None:
            done = [p for p in directory.iterdir() if not p.name.endswith(".crdownload")]
            return done[0] if done else None

        found: Path = WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(finished)
        return found

    def browser_log(self) -> list[dict[str, Any]]:
        """What the browser wrote to its console since this was last asked."""
        entries: list[dict[str, Any]] = self.driver.get_log("browser")
        return entries

    def screenshot(self, name: str) -> Path:
        """Save what the window shows as ``<shots>/<name>.png`` (the documentation's
        screenshots when the run was asked to renew them) and return the path."""
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.driver.execute_script("window.scrollTo(0, 0); document.activeElement?.blur();")
        assert self.driver.save_screenshot(str(path)), f"no screenshot of {self.path}"
        return path

    # -- the forms ----------------------------------------------------------------------

    def form_without_token(self, form: str) -> None:
        """Remove the CSRF token from the form matching ``form``, as a forged post from
        another site would lack it."""
        found = self.driver.find_element(By.CSS_SELECTOR, form)
        removed = self.driver.execute_script(
            "const tokens = arguments[0].querySelectorAll('input[name=csrf_token]');"
            "tokens.forEach((t) => t.remove()); return tokens.length;",
            found,
        )
        assert removed == 1, f"{form} had {removed} CSRF token fields"

    def _find_form(
        self, fields: Mapping[str, str], form: str | None, button: str | None
    ) -> WebElement:
        if form is not None:
            return self.driver.find_element(By.CSS_SELECTOR, form)
        if fields:
            return self._form_of(self.driver.find_element(By.NAME, next(iter(fields))))
        if button is not None:
            return self._form_of(self._button(self.driver, button))
        raise AssertionError("submit() needs fields, a form selector or a button text")

    def _fill(self, form: WebElement, name: str, value: str) -> None:
        field = form.find_element(By.NAME, name)
        kind = (field.get_attribute("type") or "").lower()
        if field.tag_name == "select":
            Select(field).select_by_value(value)
        elif kind in {"radio", "checkbox"}:
            choice = form.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
            if not choice.is_selected():
                choice.click()
        elif kind in {"date", "datetime-local", "time", "month", "week", "hidden"}:
            self.driver.execute_script(_SET_VALUE, field, value)  # typing these is locale-bound
        else:
            field.clear()
            field.send_keys(value)

    def _submit_button(self, form: WebElement, text: str | None = None) -> WebElement:
        if text is not None:
            return self._button(form, text)
        return form.find_element(By.CSS_SELECTOR, "button:not([type]), [type=submit]")

    @staticmethod
    def _button(within: WebDriver | WebElement, text: str) -> WebElement:
        for button in within.find_elements(By.CSS_SELECTOR, "button, input[type=submit]"):
            if (button.text or button.get_attribute("value") or "").strip() == text:
                return button
        raise NoSuchElementException(f"no button reading {text!r}")

    def _form_of(self, element: WebElement) -> WebElement:
        form = element.get_property("form")
        assert isinstance(form, WebElement), "the element is in no form"
        return form

    def _loaded(self) -> None:
        WebDriverWait(self.driver, WAIT_SECONDS, poll_frequency=0.05).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete"
        )
