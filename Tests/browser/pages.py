#!/usr/bin/env python3
"""Masthead's reader pages in a real browser.

Starts the built `mastheadd` on a scratch database, serves the host-page fixtures of this
directory from two origins (one that MASTHEAD_CORS_ORIGINS allows, one that it does not), and
drives headless Chromium through sign-up, confirmation, preferences, both embeds, the support
form and the simulated checkout, with a proof of work required on every form (each is solved by
the page's Web Worker; the last flow times it). Every page is also audited with axe-core and photographed at
phone and desktop widths in English and Ukrainian.

One line per check; the exit status is 0 only when every check passed.

    python3 Tests/browser/pages.py --bin .build/debug --artifacts artifacts

Needs Debian's chromium and chromium-driver, and PyPI's selenium and axe-selenium-python (for
the axe.min.js it bundles); Ops/test installs them.
"""

import argparse
import base64
import contextlib
import email
import email.policy
import functools
import hashlib
import http.server
import json
import math
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    InvalidSessionIdException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

FIXTURES = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT = 10  # seconds any one page, element or email may take

LANGS = ("en", "uk")
SIZES = {"phone": (390, 844, True), "desktop": (1280, 900, False)}
# Every page a reader can land on; each must be photographed in both languages at both widths.
SCREENSHOT_PAGES = (
    "subscribe", "embed-light", "embed-dark", "confirm", "confirmed", "preferences",
    "support-once", "support-monthly", "support-error", "checkout", "thanks", "pledge-manage",
    "my-data", "delete",
)

READER = "reader@example.org"  # signs up on the hosted page, confirms, changes preferences
MONTHLY = "monthly@example.org"  # pledges monthly, then cancels on the pledge page
PRIVATE = "private.reader@example.org"  # signs up, downloads their data, then deletes it
# The consent texts the operator stores before the first start (`masthead consent set-text`).
CONSENT_WORDS = {
    "en": "I agree to receive the newsletters I chose from Kyiv Independent Test (consent text 1).",
    "uk": "Я погоджуюся отримувати обрані розсилки від Kyiv Independent Test (текст згоди 1).",
}
THANK_YOU = "Thank you for signing up for this newsletter. We've sent you a confirmation email."
BAD_ADDRESS_EN = "Please, enter correct email address"
BAD_ADDRESS_UK = "Будь ласка, введіть правильну електронну адресу"
MINIMUM_EN = "Support us for as little as $1.00"


class PageUnusable(Exception):
    """The browser or the daemon is gone: later checks would only repeat the same failure."""


# ---------------------------------------------------------------------------------------------
# Reporting


class Checks:
    """Collects check results; prints one line per check as it happens."""

    def __init__(self):
        self.passed = []
        self.failed = []

    def expect(self, name, ok, detail=""):
        (self.passed if ok else self.failed).append(name)
        line = f"{'PASS' if ok else 'FAIL'}  {name}"
        if detail and not ok:
            line += f"\n      {detail}"
        print(line, flush=True)
        return ok

    def summary(self):
        total = len(self.passed) + len(self.failed)
        print(f"\n{len(self.passed)} of {total} checks passed.")
        for name in self.failed:
            print(f"  failed: {name}")


# ---------------------------------------------------------------------------------------------
# Processes and servers


def free_port():
    """A TCP port nobody listens on right now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli_environment(scratch):
    """What `masthead` needs to work on the daemon's database."""
    return clean_environment() | {
        "MASTHEAD_DATABASE": f"sqlite:{scratch}/masthead.sqlite",
        "MASTHEAD_KEYS": f"{scratch}/masthead.keys",
    }


def add_newsletters(bin_dir, scratch):
    """Sets the scratch directory up as an operator would (keys, database, the consent texts),
    then adds two newsletters: `masthead` makes no keys file and no database on its own."""
    environment = cli_environment(scratch)
    for lang, words in CONSENT_WORDS.items():
        (scratch / f"consent-{lang}.txt").write_text(words + "\n", encoding="utf-8")
    commands = [["keys", "generate"], ["db", "migrate"]] + [
        ["consent", "set-text", "--version", "1", "--locale", lang, "--file", str(scratch / f"consent-{lang}.txt")]
        for lang in CONSENT_WORDS
    ] + [
        ["newsletters", "add", slug, "--name", name, "--description", description]
        for slug, name, description in (
            ("ukraine-daily", "Ukraine Daily", "News from Ukraine in your inbox"),
            ("weekend-reads", "Weekend Reads", "Long reads for the weekend"),
        )
    ]
    for command in commands:
        subprocess.run([f"{bin_dir}/masthead", *command], check=True, capture_output=True, env=environment, timeout=60)


def clean_environment():
    """Our environment without MASTHEAD_* settings, so a developer's shell cannot leak in."""
    return {key: value for key, value in os.environ.items() if not key.startswith("MASTHEAD_")}


def start_daemon(stack, bin_dir, scratch, ports, settings=None):
    """Starts mastheadd (killed when `stack` closes) and waits until /readyz answers 200;
    `settings` adds to (or replaces) the environment below."""
    environment = clean_environment() | {
        "MASTHEAD_PORT": str(ports.daemon),
        "MASTHEAD_HOST": "127.0.0.1",
        "MASTHEAD_DATABASE": f"sqlite:{scratch}/masthead.sqlite",
        "MASTHEAD_MAILER": f"file:{scratch}/outbox",
        "MASTHEAD_KEYS": f"{scratch}/masthead.keys",
        "MASTHEAD_PUBLIC_URL": ports.masthead,
        "MASTHEAD_CORS_ORIGINS": ports.site,
        "MASTHEAD_NEWSROOM": "Kyiv Independent Test",
        "MASTHEAD_SITE_LINKS": f"Home={ports.site}/,Privacy={ports.site}/privacy",
        # Many sign-ups and pledges from one address within a minute: lift the abuse limits.
        "MASTHEAD_RATE_LIMIT": "1000",
        "MASTHEAD_RATE_BURST": "1000",
        "MASTHEAD_SIGNUP_COOLDOWN": "0",
        # Every form needs a proof of work: each flow below solves one in the page's Web Worker
        # (the plain-form path without one is tested through the router: AbuseDefenceFlowTests).
        "MASTHEAD_CHALLENGE": "always",
    } | (settings or {})
    log = open(scratch / "mastheadd.log", "wb")
    stack.callback(log.close)
    daemon = subprocess.Popen(
        [f"{bin_dir}/mastheadd"], cwd=scratch, env=environment,
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    stack.callback(stop_process, daemon)
    wait_until_ready(f"{ports.masthead}/readyz", daemon, scratch / "mastheadd.log")
    return daemon


def stop_process(process):
    """SIGTERM, then SIGKILL if the process has not gone within five seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_ready(url, daemon, log):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if daemon.poll() is not None:
            raise PageUnusable(f"mastheadd exited with {daemon.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise PageUnusable(f"{url} did not answer 200 within 30 s:\n{tail(log)}")


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def render_fixtures(destination, masthead):
    """The host pages with the daemon's address filled in (they are templates)."""
    destination.mkdir()
    for fixture in FIXTURES.glob("*.html"):
        page = fixture.read_text().replace("{{MASTHEAD}}", masthead)
        (destination / fixture.name).write_text(page)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *arguments):
        pass  # the page server's access log would drown the check lines


def serve(stack, directory, host, port):
    """Serves `directory` on host:port from a thread until `stack` closes."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stack.callback(server.server_close)
    stack.callback(server.shutdown)


class Ports:
    """The three servers' ports and the origins built from them."""

    def __init__(self):
        self.daemon = free_port()
        self.site_port = free_port()  # host pages on the origin the daemon allows
        self.other_port = free_port()  # the same pages on an origin it does not
        self.masthead = f"http://127.0.0.1:{self.daemon}"
        self.site = f"http://127.0.0.1:{self.site_port}"
        self.other = f"http://localhost:{self.other_port}"


# ---------------------------------------------------------------------------------------------
# What the daemon stored and sent


class Store:
    """Read-only questions to the daemon's SQLite database."""

    def __init__(self, path):
        self.path = path

    def rows(self, sql, *parameters):
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5)
        try:
            return connection.execute(sql, parameters).fetchall()
        finally:
            connection.close()

    def scalar(self, sql, *parameters):
        return self.rows(sql, *parameters)[0][0]

    def subscriptions(self, address):
        """{newsletter slug: status} of one reader."""
        return dict(self.rows(
            "SELECT n.slug, s.status FROM subscriptions s"
            " JOIN newsletters n ON n.id = s.newsletter_id"
            " JOIN subscribers r ON r.id = s.subscriber_id"
            " WHERE r.email_normalized = ?", address))

    def pledge(self, public_id):
        """(status, card_brand) of one pledge, or None."""
        found = self.rows("SELECT status, card_brand FROM pledges WHERE public_id = ?", public_id)
        return found[0] if found else None


class Outbox:
    """The .eml files the daemon's file mailer writes."""

    def __init__(self, directory):
        self.directory = directory

    def files(self):
        return sorted(self.directory.glob("*.eml")) if self.directory.is_dir() else []

    def messages_to(self, address):
        found = []
        for path in self.files():
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if address in str(message.get("To", "")):
                found.append(message)
        return found

    def wait_for_link(self, address, path):
        """The first link to `path` in a message to `address`, waiting for the delivery worker."""
        link = wait_until(lambda: next(
            (found for message in self.messages_to(address) if (found := link_in(message, path))),
            None))
        if link is None:
            raise AssertionError(f"no email to {address} with a {path} link within {WAIT} s "
                                 f"(outbox: {[p.name for p in self.files()]})")
        return link


def text_part(message):
    """The text/plain part, decoded (quoted-printable, UTF-8)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def link_in(message, path):
    match = re.search(r"https?://[^\s<>\"]+" + re.escape(path) + r"\?token=[^\s<>\"]+", text_part(message))
    return match.group(0) if match else None


def with_lang(url, lang):
    """`url` with its `lang` query parameter set (or replaced)."""
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "lang"] + [("lang", lang)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def wait_until(probe, timeout=WAIT, interval=0.2):
    """The first truthy value of `probe()` within `timeout` seconds, else None."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value or None
        time.sleep(interval)


def fetch(url, headers=None):
    """(status, headers, body text) of a GET, whatever the status."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


# ---------------------------------------------------------------------------------------------
# The browser


def start_browser(stack, scratch):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # We run as root in a container: no sandbox, and /dev/shm is small.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--hide-scrollbars", "--force-color-profile=srgb"):
        options.add_argument(argument)
    # English unless a page is asked for Ukrainian, whatever the machine's locale.
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(CHROMEDRIVER, log_output=str(scratch / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    stack.callback(driver.quit)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    return Browser(driver)


class Browser:
    """Selenium with the few moves the checks need, each waiting for what it causes."""

    def __init__(self, driver):
        self.driver = driver
        self.desktop()

    # Viewport and media

    def emulate(self, width, height, mobile):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def desktop(self):
        self.emulate(*SIZES["desktop"])

    def color_scheme(self, scheme):
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": scheme}]})

    # Navigation

    def open(self, url):
        self.driver.get(url)
        self.wait_loaded()

    def wait_loaded(self):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    @property
    def url(self):
        return self.driver.current_url

    @property
    def path(self):
        return urllib.parse.urlsplit(self.url).path

    def submit(self, css):
        """Clicks the button `css` and waits for the next page (a form post and its answer)."""
        # A mark on the old document's window: the new document does not have it. (Waiting for
        # an element to go stale trips over chromedriver errors while the document changes.)
        self.driver.execute_script("window.mastheadOldPage = true")
        self.click(css)
        try:
            WebDriverWait(self.driver, WAIT, ignored_exceptions=(WebDriverException,)).until(
                lambda d: d.execute_script("return !window.mastheadOldPage && document.readyState === 'complete'"))
        except TimeoutException:
            invalid = self.driver.execute_script(
                "return [...document.querySelectorAll(':invalid')]"
                ".filter(e => e.matches('input,select,textarea'))"
                ".map(e => '#' + (e.id || e.name) + ': ' + e.validationMessage)")
            why = f"; the browser's own validation stopped it: {invalid}" if invalid else ""
            raise AssertionError(f"clicking {css} on {self.url} did not load a new page{why}")
        self.wait_loaded()

    # Elements

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def exists(self, css):
        return bool(self.find_all(css))

    def wait_visible(self, css, timeout=WAIT):
        """The element once it is displayed, else None."""
        try:
            return WebDriverWait(self.driver, timeout).until(
                EC.visibility_of_element_located((By.CSS_SELECTOR, css)))
        except TimeoutException:
            return None

    def click(self, css):
        """Clicks like a reader; falls back to the label or a script click for inputs a page
        styles by hiding them behind their label (custom radio cards)."""
        element = self.find(css)
        try:
            element.click()
            return
        except (ElementNotInteractableException, ElementClickInterceptedException):
            pass
        element_id = element.get_attribute("id")
        labels = self.find_all(f"label[for='{element_id}']") if element_id else []
        if labels and labels[0].is_displayed():
            labels[0].click()
        else:
            self.driver.execute_script("arguments[0].click()", element)

    def set_checked(self, css, checked):
        if self.find(css).is_selected() != checked:
            self.click(css)

    def type_into(self, css, text):
        field = self.find(css)
        field.clear()
        field.send_keys(text)

    def text(self, css="body"):
        found = self.find_all(css)
        return found[0].text if found else ""

    def describe(self):
        """Where the browser is and the start of what it shows, for a failure line."""
        try:
            body = " ".join(self.text().split())
        except WebDriverException:
            body = "(unreadable)"
        return f"{self.url} showed: {body[:300]!r}"

    def html_lang(self):
        return self.driver.execute_script("return document.documentElement.lang")

    # Full-page screenshots

    def screenshot(self, path, width, height, mobile):
        """A PNG of the whole document at this viewport size (not only the visible part)."""
        self.emulate(width, height, mobile)
        # Reading scrollHeight forces the layout for the new width before we measure it.
        document_height = self.driver.execute_script(
            "return Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)")
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": max(height, math.ceil(document_height)), "scale": 1},
        })
        path.write_bytes(base64.b64decode(shot["data"]))


# ---------------------------------------------------------------------------------------------
# Accessibility and screenshots of every page visited


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}, iframes: false})
  .then(result => done({
    url: result.url,
    passes: result.passes.length,
    incomplete: result.incomplete.map(rule => rule.id),
    violations: result.violations.map(rule => ({
      id: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
      nodes: rule.nodes.map(node => ({target: node.target, html: node.html, summary: node.failureSummary})),
    })),
  }))
  .catch(error => done({error: String(error)}));
"""


def axe_source():
    import axe_selenium_python  # only for the path of the axe-core it bundles
    return (Path(axe_selenium_python.__file__).parent / "node_modules/axe-core/axe.min.js").read_text()


class Visits:
    """What every page a reader lands on must pass: the language asked for, no serious or
    critical axe violation, and screenshots at phone and desktop widths."""

    def __init__(self, browser, checks, artifacts):
        self.browser = browser
        self.checks = checks
        self.screenshots = artifacts / "screenshots"
        self.axe_file = artifacts / "axe.json"
        self.axe = axe_source()
        self.results = {}

    def record(self, page, lang, audit=True):
        key = f"{page}-{lang}"
        self.browser.wait_loaded()
        found = self.browser.html_lang() or ""
        self.checks.expect(f"k. {key}: <html lang> is {lang!r}", found.split("-")[0] == lang,
                           f"<html lang={found!r}> on {self.browser.url}")
        if audit:
            self.audit(key)
        self.photograph(key)

    def audit(self, key):
        driver = self.browser.driver
        driver.execute_script(self.axe)
        result = driver.execute_async_script(AXE_RUN)
        self.results[key] = result
        if "error" in result:
            self.checks.expect(f"j. axe {key}: ran", False, f"{result['error']} on {self.browser.url}")
            return
        violations = result["violations"]
        for rule in violations:
            target = rule["nodes"][0]["target"] if rule["nodes"] else "-"
            print(f"      axe {key}: {rule['id']} ({rule['impact']}) at {target}: {rule['help']}")
        serious = [f"{rule['id']} ({rule['impact']}) at {rule['nodes'][0]['target'] if rule['nodes'] else '-'}"
                   for rule in violations if rule["impact"] in ("serious", "critical")]
        self.checks.expect(f"j. axe {key}: no serious or critical violations", not serious,
                           f"{'; '.join(serious)} on {self.browser.url}")

    def photograph(self, key):
        for size, (width, height, mobile) in SIZES.items():
            self.browser.screenshot(self.screenshots / f"{key}-{size}.png", width, height, mobile)
            # The picture is cut at the viewport's width; say so when the page is wider.
            wide = self.browser.driver.execute_script("return document.documentElement.scrollWidth")
            if wide > width:
                print(f"      note: {key} is {wide} px wide at {size} width {width} px (scrolls sideways)")
        self.browser.desktop()

    def write_axe(self):
        self.axe_file.write_text(json.dumps(self.results, indent=2, ensure_ascii=False))

    def check_complete(self):
        missing = [f"{page}-{lang}-{size}.png" for page in SCREENSHOT_PAGES for lang in LANGS
                   for size in SIZES if not (self.screenshots / f"{page}-{lang}-{size}.png").is_file()]
        self.checks.expect("k. a screenshot of every page in both languages at both widths", not missing,
                           f"missing: {', '.join(missing)}")


# ---------------------------------------------------------------------------------------------
# The flows; each is one reader's path through the pages, in the order of the brief.


class Harness:
    def __init__(self, ports, browser, store, outbox, checks, visits, cli):
        self.cli = cli  # runs `masthead ARGUMENTS…` on the daemon's database: a CompletedProcess
        self.ports = ports
        self.browser = browser
        self.store = store
        self.outbox = outbox
        self.checks = checks
        self.visits = visits

    def url(self, path):
        return self.ports.masthead + path

    def expect_text(self, name, css, expected):
        """Waits for `css` to show, then checks it contains `expected`."""
        element = self.browser.wait_visible(css)
        if element is None:
            return self.checks.expect(name, False, f"no visible {css}; {self.browser.describe()}")
        return self.checks.expect(name, expected in element.text,
                                  f"{css} says {element.text!r} on {self.browser.url}")

    def expect_page_text(self, name, expected):
        return self.checks.expect(name, expected.lower() in self.browser.text().lower(), self.browser.describe())


def check_hosted_signup(h):
    """a. The hosted page refuses a bad address on the server, then accepts a good one."""
    b = h.browser
    b.open(h.url("/subscribe?lang=en"))
    h.visits.record("subscribe", "en")
    b.type_into("#email", "anna@")
    b.set_checked("#newsletter-ukraine-daily", True)
    b.submit("#subscribe-button")
    h.expect_text("a. bad address: #email-error explains", "#email-error", BAD_ADDRESS_EN)
    h.checks.expect("a. bad address: nothing stored", h.store.scalar("SELECT count(*) FROM subscribers") == 0,
                    f"{h.store.scalar('SELECT count(*) FROM subscribers')} subscribers")

    if not b.exists("#email"):
        b.open(h.url("/subscribe?lang=en"))
    b.type_into("#email", READER)
    b.set_checked("#newsletter-ukraine-daily", True)
    b.submit("#subscribe-button")
    h.expect_text("a. good address: #signup-success thanks", "#signup-success", THANK_YOU)
    wait_until(h.outbox.files)  # the delivery worker writes it soon after the answer
    time.sleep(0.5)  # a second, unwanted email would be written right behind the first
    emails = h.outbox.files()
    h.checks.expect("a. good address: exactly one email in the outbox", len(emails) == 1,
                    f"outbox holds {[path.name for path in emails]}")


def check_confirmation(h):
    """b. The email's confirmation link opens a page whose button confirms."""
    b = h.browser
    address = READER
    confirm = h.outbox.wait_for_link(address, "/v1/confirm")
    h.checks.expect("b. confirmation link goes to the public URL", confirm.startswith(h.url("/v1/confirm?token=")), confirm)

    b.open(with_lang(confirm, "en"))
    h.visits.record("confirm", "en")
    b.submit("#confirm-button")
    h.expect_page_text("b. confirm: page says Successfully subscribed", "Successfully subscribed")
    h.visits.record("confirmed", "en")
    status = h.store.subscriptions(address).get("ukraine-daily")
    h.checks.expect("b. confirm: subscription confirmed in the store", status == "confirmed", f"status {status!r}")

    # Confirming twice is harmless, so the Ukrainian pages can be seen with the same link.
    b.open(with_lang(confirm, "uk"))
    h.visits.record("confirm", "uk")
    b.submit("#confirm-button")
    h.visits.record("confirmed", "uk")


def check_preferences(h):
    """c. The preferences link lets the reader change newsletters and leave them all."""
    b = h.browser
    address = READER
    preferences = h.outbox.wait_for_link(address, "/v1/preferences")
    b.open(with_lang(preferences, "uk"))
    h.visits.record("preferences", "uk")

    b.open(with_lang(preferences, "en"))
    h.visits.record("preferences", "en")
    h.checks.expect("c. preferences: ukraine-daily is ticked", b.find("#newsletter-ukraine-daily").is_selected())
    b.set_checked("#newsletter-weekend-reads", True)
    b.set_checked("#newsletter-ukraine-daily", False)
    b.submit("#save-preferences")
    h.checks.expect("c. preferences: #preferences-saved shows", b.wait_visible("#preferences-saved") is not None,
                    b.describe())
    states = h.store.subscriptions(address)
    h.checks.expect("c. preferences: weekend-reads active, ukraine-daily unsubscribed",
                    states.get("weekend-reads") in ("pending", "confirmed") and states.get("ukraine-daily") == "unsubscribed",
                    f"store: {states}")

    if not b.exists("#unsubscribe-all"):
        b.open(with_lang(preferences, "en"))
    b.submit("#unsubscribe-all")
    states = h.store.subscriptions(address)
    h.checks.expect("c. unsubscribe all: every subscription unsubscribed",
                    bool(states) and set(states.values()) == {"unsubscribed"}, f"store: {states}; {b.describe()}")


def check_ukrainian(h):
    """d. The hosted page in Ukrainian, by parameter and by Accept-Language."""
    b = h.browser
    b.open(h.url("/subscribe?lang=uk"))
    h.visits.record("subscribe", "uk")
    button = b.find("#subscribe-button")
    label = button.text or button.get_attribute("value") or ""
    h.checks.expect("d. uk: #subscribe-button says Підписатися", "Підписатися" in label, f"it says {label!r}")
    b.type_into("#email", "anna@")
    b.set_checked("#newsletter-ukraine-daily", True)
    b.submit("#subscribe-button")
    h.expect_text("d. uk: bad address explained in Ukrainian", "#email-error", BAD_ADDRESS_UK)

    status, _, body = fetch(h.url("/subscribe"), {"Accept-Language": "uk"})
    h.checks.expect("d. Accept-Language: uk gives <html lang=\"uk\"", status == 200 and '<html lang="uk"' in body,
                    f"status {status}, starts {body[:120]!r}")


def embed_url(h, lang, theme=None):
    url = h.url(f"/embed/subscribe?newsletter=ukraine-daily&lang={lang}")
    return url + (f"&theme={theme}" if theme else "")


def check_iframe_embed(h):
    """e. The iframe box works on the allowed site and is refused on any other."""
    b = h.browser
    b.open(f"{h.ports.site}/host.html")
    frame = b.find("iframe[title='Newsletter sign-up']")
    b.driver.switch_to.frame(frame)
    try:
        b.wait_loaded()
        if b.wait_visible("#email") is None:
            h.checks.expect("e. iframe on the allowed site: the box shows", False, b.describe())
        else:
            b.type_into("#email", "frame@example.org")
            b.submit("#subscribe-button")
            h.expect_text("e. iframe on the allowed site: #signup-success in the frame", "#signup-success", THANK_YOU)
    finally:
        b.driver.switch_to.default_content()

    b.open(f"{h.ports.other}/host.html")
    b.driver.switch_to.frame(b.find("iframe[title='Newsletter sign-up']"))
    try:
        # Chrome replaces a refused frame with its error page (chrome-error://chromewebdata/).
        shown = wait_until(lambda: (url := b.driver.execute_script("return document.URL")) != "about:blank" and url)
        h.checks.expect("e. iframe on another site: blocked (no #email in the frame)", not b.exists("#email"),
                        f"the frame shows {shown}{console_errors(b)}")
    finally:
        b.driver.switch_to.default_content()

    for lang in LANGS:
        b.color_scheme("light")
        b.open(embed_url(h, lang))
        h.visits.record("embed-light", lang)
        light = background_luminance(b)
        # Dark by the reader's system setting and by the parameter a host page can pass.
        b.color_scheme("dark")
        b.open(embed_url(h, lang, theme="dark"))
        h.visits.record("embed-dark", lang)
        dark = background_luminance(b)
        b.color_scheme("light")
        h.checks.expect(f"e. embed-dark-{lang}: darker than embed-light", dark < light,
                        f"background luminance dark {dark:.2f}, light {light:.2f} ({embed_url(h, lang, 'dark')})")


def background_luminance(browser):
    """Relative luminance (0 black … 1 white) of what the sign-up box is painted on."""
    return browser.driver.execute_script("""
        const start = document.querySelector('#email') || document.body;
        let color = null;
        for (let node = start; node && node.nodeType === 1; node = node.parentElement) {
            const value = getComputedStyle(node).backgroundColor;
            const parts = value.match(/[\\d.]+/g).map(Number);
            if (parts.length < 4 || parts[3] > 0) { color = parts; break; }
        }
        if (!color) {  // nothing painted: the canvas follows the page's color-scheme
            const scheme = getComputedStyle(document.documentElement).colorScheme;
            const dark = scheme.includes('dark') && matchMedia('(prefers-color-scheme: dark)').matches;
            color = dark ? [18, 18, 18] : [255, 255, 255];
        }
        const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
        return 0.2126 * channel(color[0]) + 0.7152 * channel(color[1]) + 0.0722 * channel(color[2]);
    """)


def check_security_headers(h):
    """e. Who may frame which page, said by the daemon's headers."""
    site = h.ports.site
    for name, path, ancestors in (
        ("embed", "/embed/subscribe?newsletter=ukraine-daily", f"frame-ancestors 'self' {site}"),
        ("hosted /subscribe", "/subscribe", "frame-ancestors 'none'"),
    ):
        status, headers, _ = fetch(h.url(path))
        csp = headers.get("Content-Security-Policy", "")
        h.checks.expect(f"e. {name}: CSP has {ancestors}", status == 200 and ancestors in csp,
                        f"status {status}, Content-Security-Policy: {csp!r}")
        h.checks.expect(f"e. {name}: X-Content-Type-Options: nosniff",
                        headers.get("X-Content-Type-Options", "").lower() == "nosniff",
                        f"X-Content-Type-Options: {headers.get('X-Content-Type-Options')!r}")
        h.checks.expect(f"e. {name}: has a Referrer-Policy", bool(headers.get("Referrer-Policy")),
                        "no Referrer-Policy header")


HIDDEN_FROM_READERS = """
const e = arguments[0];
const style = getComputedStyle(e);
const box = e.getBoundingClientRect();
return e.type === 'hidden' || style.display === 'none' || style.visibility === 'hidden'
    || box.width * box.height <= 1 || box.right <= 0 || box.bottom <= 0
    || box.left >= innerWidth || style.clip === 'rect(0px, 0px, 0px, 0px)' || style.opacity === '0';
"""


def check_script_embed(h):
    """f. The script box renders on a host page, explains a bad address in place, and signs up
    a good one with fetch across origins."""
    b = h.browser
    b.open(f"{h.ports.site}/script.html")
    if b.wait_visible("form.masthead-box") is None:
        h.checks.expect("f. script embed: form.masthead-box renders", False, b.describe() + console_errors(b))
        return
    h.visits.audit("script-embed-en")  # the rendered box, on the host page; no screenshot asked for
    h.checks.expect("f. script embed: form.masthead-box renders", True)
    h.checks.expect("f. script embed: has input[name=email] and a submit button",
                    b.exists("form.masthead-box input[name=email]")
                    and b.exists("form.masthead-box button[type=submit], form.masthead-box input[type=submit]"),
                    b.find("form.masthead-box").get_attribute("outerHTML")[:400])
    honeypot = b.find_all("form.masthead-box input[name=website]")
    h.checks.expect("f. script embed: honeypot input[name=website] is hidden",
                    bool(honeypot) and b.driver.execute_script(HIDDEN_FROM_READERS, honeypot[0]),
                    "missing" if not honeypot else honeypot[0].get_attribute("outerHTML"))

    # A marker on the window survives only if the page does not navigate.
    b.driver.execute_script("window.mastheadMarker = 'still here'")
    script_submit(b, "anna@")
    error = b.wait_visible("form.masthead-box .masthead-error, .masthead-error")
    h.checks.expect("f. script embed: bad address explained in .masthead-error",
                    error is not None and BAD_ADDRESS_EN in error.text,
                    f"{'no visible .masthead-error' if error is None else repr(error.text)}; {b.describe()}{console_errors(b)}")
    if error is not None:
        h.checks.expect("f. script embed: .masthead-error is announced (aria-live)",
                        bool(error.get_attribute("aria-live")) or error.get_attribute("role") in ("alert", "status"),
                        error.get_attribute("outerHTML")[:300])
    h.checks.expect("f. script embed: the page did not navigate",
                    b.driver.execute_script("return window.mastheadMarker") == "still here", b.url)

    script_submit(b, "script@example.org")
    success = b.wait_visible(".masthead-success")
    h.checks.expect("f. script embed: good address thanked in .masthead-success (fetch + CORS)",
                    success is not None and THANK_YOU in success.text,
                    f"{'no visible .masthead-success' if success is None else repr(success.text)}{console_errors(b)}")
    h.checks.expect("f. script embed: the reader is stored",
                    bool(wait_until(lambda: h.store.subscriptions("script@example.org"))),
                    f"store: {h.store.subscriptions('script@example.org')}")


def script_submit(browser, address):
    browser.type_into("form.masthead-box input[name=email]", address)
    browser.click("form.masthead-box button[type=submit], form.masthead-box input[type=submit]")


def console_errors(browser):
    """Errors the page's console printed (CSP and CORS refusals land there)."""
    try:
        entries = browser.driver.get_log("browser")
    except WebDriverException:
        return ""
    errors = [entry["message"] for entry in entries if entry.get("level") == "SEVERE"]
    return f"; console: {errors}" if errors else ""


def support_url(h, interval, lang):
    return h.url(f"/support?currency=USD&interval={interval}&lang={lang}")


def check_support_minimum(h):
    """g. The support page; an amount under the minimum is stopped by the browser, and by the
    server when the browser's check is bypassed."""
    b = h.browser
    b.open(support_url(h, "once", "en"))
    h.visits.record("support-once", "en")
    h.expect_page_text("g. support: says Support us for as little as $1.00", MINIMUM_EN)
    marks = sorted((mark.get_attribute("aria-label") or mark.text).strip() for mark in b.find_all(".card-mark"))
    h.checks.expect("g. support: .card-mark Visa, Mastercard, American Express",
                    marks == ["American Express", "Mastercard", "Visa"], f"found {marks}")

    for lang in LANGS:
        if lang != "en":
            b.open(support_url(h, "once", lang))
            h.visits.record("support-once", lang)
        fill_custom_amount(b, "0.50", f"minimum.{lang}@example.org")
        b.driver.execute_script("window.mastheadMarker = 'still here'")
        b.click("#support-button")
        time.sleep(0.5)
        stayed = b.driver.execute_script("return window.mastheadMarker") == "still here" and b.path == "/support"
        underflow = b.driver.execute_script("return document.querySelector('#amount').validity.rangeUnderflow")
        h.checks.expect(f"g. support-{lang}: the browser stops $0.50 (rangeUnderflow)", stayed and underflow,
                        f"stayed on /support: {stayed}, rangeUnderflow: {underflow}; {b.describe()}")
        if not stayed:
            b.open(support_url(h, "once", lang))
            fill_custom_amount(b, "0.50", f"minimum.{lang}@example.org")

        # What a reader with an old browser, or a script, could send: the server must refuse it.
        b.driver.execute_script(
            "document.querySelector('#amount').removeAttribute('min');"
            "document.querySelector('#support-form').noValidate = true;")
        b.submit("#support-button")
        if lang == "en":
            h.expect_text("g. support-en: the server refuses $0.50 in #amount-error", "#amount-error", MINIMUM_EN)
        else:
            h.checks.expect("g. support-uk: the server refuses $0.50 in #amount-error",
                            b.wait_visible("#amount-error") is not None, b.describe())
        h.visits.record("support-error", lang)
        pledges = h.store.scalar("SELECT count(*) FROM pledges")
        h.checks.expect(f"g. support-{lang}: no pledge stored", pledges == 0, f"{pledges} pledges")


def fill_custom_amount(browser, amount, address):
    browser.click("#tier-custom")
    browser.type_into("#amount", amount)
    browser.type_into("#support-email", address)


def pledge_and_pay(h, interval, tier, lang, brand, address, record=()):
    """Pledges through the support form, pays on the simulated checkout; the pledge's id.
    `record` names the pages on the way to audit and photograph (once per language is enough)."""
    b = h.browser
    b.open(support_url(h, interval, lang))
    if "support-monthly" in record:
        h.visits.record("support-monthly", lang)
    b.click(f"#tier-{tier}")
    b.type_into("#support-email", address)
    b.submit("#support-button")
    match = re.search(r"/v1/simulated-checkout/(pl_[A-Za-z0-9]+)", b.url)
    if not match:
        raise AssertionError(f"the support form did not lead to the checkout; {b.describe()}")
    if "checkout" in record:
        h.visits.record("checkout", lang)
    b.click(f"#brand-{brand}")
    b.click("#outcome-succeeded")
    b.submit("#pay-button")
    h.checks.expect(f"h. {interval} {brand} ({lang}): lands on /support/thanks", b.path == "/support/thanks", b.describe())
    if lang == "en":
        h.expect_page_text(f"h. {interval} {brand}: thanks page says Thank you!", "Thank you!")
    if "thanks" in record:
        h.visits.record("thanks", lang)
    return match.group(1)


def check_checkouts(h):
    """h. One-off pledges paid with each card brand, and a monthly one."""
    for brand in ("visa", "mastercard", "amex"):
        pages = ("checkout", "thanks") if brand == "visa" else ()
        pledge = pledge_and_pay(h, "once", "friend", "en", brand, f"{brand}@example.org", record=pages)
        expect_pledge(h, f"h. once {brand}", pledge, "succeeded", brand)
    pledge = pledge_and_pay(h, "once", "friend", "uk", "visa", "visa.uk@example.org", record=("checkout", "thanks"))
    expect_pledge(h, "h. once visa (uk)", pledge, "succeeded", "visa")

    pledge = pledge_and_pay(h, "monthly", "supporter", "en", "visa", MONTHLY, record=("support-monthly",))
    expect_pledge(h, "h. monthly visa", pledge, "active", "visa")

    h.browser.open(support_url(h, "monthly", "uk"))
    h.visits.record("support-monthly", "uk")


def expect_pledge(h, name, pledge, status, brand):
    """The webhook arrives after the reader's redirect: poll the store for a while."""
    wanted = (status, brand)
    found = wait_until(lambda: h.store.pledge(pledge) == wanted and wanted)
    h.checks.expect(f"{name}: pledge {status} with card_brand {brand}", found == wanted,
                    f"{pledge} is {h.store.pledge(pledge)} (status, card_brand)")


def check_pledge_page(h):
    """i. The receipt's link opens the pledge page, where a monthly pledge is canceled."""
    b = h.browser
    address = MONTHLY
    manage = h.outbox.wait_for_link(address, "/v1/pledges/manage")
    b.open(with_lang(manage, "uk"))
    h.visits.record("pledge-manage", "uk")
    b.open(with_lang(manage, "en"))
    h.visits.record("pledge-manage", "en")
    b.submit("#cancel-pledge")
    h.expect_page_text("i. pledge page: says canceled", "canceled")
    status = wait_until(lambda: h.store.scalar(
        "SELECT status FROM pledges WHERE email_normalized = ? AND interval = 'monthly'", address) == "canceled")
    h.checks.expect("i. pledge page: pledge canceled in the store", bool(status),
                    f"status {h.store.scalar('SELECT status FROM pledges WHERE email_normalized = ?', address)!r}")


SOLVE_IN_WORKER = """
const done = arguments[arguments.length - 1];
const rounds = arguments[0];
const base = document.querySelector('form[data-masthead-challenge]').dataset.mastheadBase;
(async () => {
  const results = [];
  for (let round = 0; round < rounds; round++) {
    const issued = await (await fetch(base + '/v1/challenge?purpose=signup')).json();
    const started = performance.now();
    const solved = await new Promise((resolve, reject) => {
      const worker = new Worker(base + '/embed/challenge-worker.js');
      worker.onmessage = (message) => { worker.terminate(); resolve(message.data); };
      worker.onerror = (error) => { worker.terminate(); reject(new Error(error.message)); };
      worker.postMessage({ challenge: issued.challenge, difficulty: issued.difficulty });
    });
    results.push({ ms: performance.now() - started, proof: solved.proof, hashes: solved.hashes, difficulty: issued.difficulty });
  }
  done({ results });
})().catch((error) => done({ error: String(error) }));
"""


def check_reader_data(h):
    """m. A reader gets and deletes their data from the preferences page: the report (with the
    consent words) and its JSON, then the warning, the erasure and its receipt; afterwards the
    address is in no export, no table, cannot be re-imported, and the old link is refused."""
    b = h.browser
    address = PRIVATE
    b.open(h.url("/subscribe?lang=en"))
    b.type_into("#email", address)
    b.set_checked("#newsletter-ukraine-daily", True)
    b.submit("#subscribe-button")
    h.expect_text("m. sign-up accepted", "#signup-success", THANK_YOU)
    b.open(with_lang(h.outbox.wait_for_link(address, "/v1/confirm"), "en"))
    b.submit("#confirm-button")
    preferences = h.outbox.wait_for_link(address, "/v1/preferences")

    for lang in ("uk", "en"):  # the link is minutes old: the report opens at once
        b.open(with_lang(preferences, lang))
        b.submit("#download-data")
        h.checks.expect(f"m. {lang}: download leads to the report", b.path.endswith("/v1/data"), b.describe())
        h.visits.record("my-data", lang)
        # The words the reader agreed to: the English page's, whatever language the report is in.
        h.expect_page_text(f"m. {lang}: the report shows the consent words", CONSENT_WORDS["en"])
    json_url = b.find("#download-json").get_attribute("href")
    status, headers, body = fetch(json_url)
    consents = json.loads(body)["profile"]["consents"] if status == 200 else []
    h.checks.expect("m. the JSON download has the consent words",
                    [consent.get("consent_text") for consent in consents] == [CONSENT_WORDS["en"]],
                    f"status {status}, consents {consents}")
    h.checks.expect("m. the JSON is a download", "attachment" in headers.get("Content-Disposition", ""), str(headers))

    b.open(with_lang(preferences, "uk"))
    b.click("#delete-data")
    h.visits.record("delete", "uk")
    b.open(with_lang(preferences, "en"))
    b.click("#delete-data")
    h.visits.record("delete", "en")
    h.expect_text("m. the warning names the address", "#delete-warning", address)
    h.checks.expect("m. the warning changes nothing", h.store.subscriptions(address) == {"ukraine-daily": "confirmed"},
                    str(h.store.subscriptions(address)))
    b.submit("#confirm-delete")
    h.expect_text("m. deleted: the page says so", "#reader-message", "Your data has been deleted")
    h.visits.record("deleted", "en")
    receipt = wait_until(lambda: next((message for message in h.outbox.messages_to(address)
                                       if "deleted" in str(message.get("Subject", ""))), None))
    h.checks.expect("m. a receipt email confirms the deletion", receipt is not None,
                    f"outbox: {[p.name for p in h.outbox.files()]}")

    export = h.cli("subscribers", "export")
    h.checks.expect("m. the address is gone from subscribers export",
                    export.returncode == 0 and address not in export.stdout, export.stderr[-300:])
    dump = subprocess.run(["sqlite3", str(h.store.path), ".dump"], capture_output=True, text=True, timeout=60)
    h.checks.expect("m. the address is gone from the database dump",
                    dump.returncode == 0 and "private.reader" not in dump.stdout.lower(),
                    [line[:160] for line in dump.stdout.splitlines() if "private.reader" in line.lower()][:3])
    csv = Path(h.store.path).parent / "reimport.csv"
    csv.write_text(f"email\n{address}\n")
    imported = h.cli("subscribers", "import", str(csv), "--newsletter", "ukraine-daily")
    h.checks.expect("m. a re-import is refused by the suppression list",
                    imported.returncode != 0 and "suppression list" in imported.stderr, imported.stderr[-300:])
    b.open(with_lang(preferences, "en"))
    h.expect_page_text("m. the old preferences link gets the invalid-link page", "This link is no longer valid.")


def leading_zero_bits(digest):
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def check_proof_of_work(h):
    """l. The page's Web Worker solves the daemon's challenges (each proof checked here with
    hashlib), and how long it takes in Chromium here. (CDP's CPU throttling does not slow
    dedicated workers, so a phone's time is estimated from the hash rate instead: a mid-range
    phone runs JavaScript about four times slower than this machine's cores.)"""
    b = h.browser
    b.open(h.url("/subscribe"))
    outcome = b.driver.execute_async_script(SOLVE_IN_WORKER, 8)
    if "error" in outcome:
        h.checks.expect("l. proof of work: the worker solved", False, outcome["error"] + console_errors(b))
        return
    results = outcome["results"]
    valid = all(leading_zero_bits(hashlib.sha256(r["proof"].encode()).digest()) >= r["difficulty"] for r in results)
    h.checks.expect("l. proof of work: every proof has its zero bits (hashlib)", valid, str(results[:2]))
    times = sorted(r["ms"] for r in results)
    rate = sum(r["hashes"] for r in results) / (sum(times) / 1000)
    difficulty = results[0]["difficulty"]
    print(f"proof of work in the worker: difficulty {difficulty}, median {times[len(times) // 2]:.0f} ms, slowest "
          f"{times[-1]:.0f} ms over {len(times)} challenges; {rate:,.0f} hashes/s, so 2^{difficulty} hashes take "
          f"{2 ** difficulty / rate * 1000:.0f} ms on average here, about {4 * 2 ** difficulty / rate * 1000:.0f} ms on a phone",
          flush=True)
    # The forms of the other flows posted with proofs the worker found: the daemon kept them.
    spent = h.store.scalar("SELECT count(*) FROM spent_challenges")
    h.checks.expect("l. proof of work: the forms' proofs were spent", spent >= 5, f"{spent} spent challenges")


FLOWS = (
    check_hosted_signup, check_confirmation, check_preferences, check_ukrainian,
    check_iframe_embed, check_security_headers, check_script_embed,
    check_support_minimum, check_checkouts, check_pledge_page, check_reader_data, check_proof_of_work,
)


def run_flow(h, flow):
    """Runs one flow; an exception fails it (with where the browser was) but not the others."""
    try:
        flow(h)
    except (InvalidSessionIdException, PageUnusable):
        raise
    except Exception as error:  # one broken page must not hide the state of the others
        here = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == __file__]
        line = f" (pages.py line {here[-1].lineno})" if here else ""
        message = error.msg if isinstance(error, WebDriverException) else str(error)  # without the stack
        h.checks.expect(f"{flow.__name__}: ran to the end", False,
                        f"{type(error).__name__}{line}: {message.strip()[:600]}\n      at {h.browser.describe()}")
        with contextlib.suppress(WebDriverException):
            h.browser.driver.switch_to.default_content()
            h.browser.color_scheme("light")
            h.browser.desktop()


# ---------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, type=Path, help="directory with mastheadd and masthead")
    parser.add_argument("--artifacts", required=True, type=Path, help="where axe.json and screenshots/ go")
    arguments = parser.parse_args()
    bin_dir = arguments.bin.resolve()
    artifacts = arguments.artifacts.resolve()
    # Last run's screenshots must not stand in for pages this run failed to reach.
    shutil.rmtree(artifacts / "screenshots", ignore_errors=True)
    (artifacts / "screenshots").mkdir(parents=True)

    # A SIGTERM (a test runner giving up) unwinds like an error, so the daemon and browser go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="masthead-browser-") as temporary, contextlib.ExitStack() as stack:
        scratch = Path(temporary)
        # Keep the daemon's log with the artifacts: the first place to look when a page fails.
        stack.callback(lambda: shutil.copyfile(scratch / "mastheadd.log", artifacts / "mastheadd.log")
                       if (scratch / "mastheadd.log").exists() else None)
        try:
            database = scratch / "masthead.sqlite"
            add_newsletters(bin_dir, scratch)
            ports = Ports()
            daemon = start_daemon(stack, bin_dir, scratch, ports)
            render_fixtures(scratch / "site", ports.masthead)
            serve(stack, scratch / "site", "127.0.0.1", ports.site_port)
            serve(stack, scratch / "site", "127.0.0.1", ports.other_port)  # reached as localhost: another origin
            browser = start_browser(stack, scratch)
            visits = Visits(browser, checks, artifacts)
            stack.callback(visits.write_axe)
            def cli(*arguments):
                return subprocess.run([f"{bin_dir}/masthead", *arguments], capture_output=True, text=True,
                                      env=cli_environment(scratch), timeout=60)
            harness = Harness(ports, browser, Store(database), Outbox(scratch / "outbox"), checks, visits, cli)
            print(f"mastheadd on {ports.masthead}, host pages on {ports.site} and {ports.other}", flush=True)
            for flow in FLOWS:
                run_flow(harness, flow)
                if daemon.poll() is not None:
                    raise PageUnusable(f"mastheadd exited with {daemon.returncode}:\n{tail(scratch / 'mastheadd.log')}")
            visits.check_complete()
        except (PageUnusable, InvalidSessionIdException, subprocess.CalledProcessError, OSError, WebDriverException) as error:
            detail = getattr(error, "stderr", None)
            checks.expect("the harness could run", False,
                          f"{type(error).__name__}: {error}" + (f"\n{detail.decode(errors='replace')}" if detail else ""))
    checks.summary()
    print(f"{time.monotonic() - started:.0f} s; artifacts in {artifacts}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
