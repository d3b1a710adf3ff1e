#!/usr/bin/env python3
"""Masthead's Stripe payment page in a real browser, against localstripe.

Starts localstripe (the fake Stripe server, with its own Stripe.js) and the built `mastheadd`
with MASTHEAD_PAYMENTS=stripe pointed at it, then drives headless Chromium from the support
page to the thank-you page:

- a monthly pledge in English and Ukrainian: choose a tier, type a test card into Stripe.js's
  card field, pay; Stripe.js saves the card (`confirmCardSetup`), the page posts back, the
  daemon starts the subscription, and localstripe's signed webhook makes the pledge active;
- a card Stripe refuses: the page shows Stripe's message and lets the reader try again;
- a one-time pledge whose card asks for 3D Secure: localstripe's Stripe.js does not read the
  typed card for a payment (only for a saved card), so the test attaches a 3D Secure test
  card through the API as Stripe.js would, and the browser completes the authentication in
  localstripe's dialog.

Each page is photographed in artifacts/stripe-screenshots/ (apart from pages.py's screenshots/,
which that script empties as it starts: the two run side by side). One line per check; the exit
status is 0 only when every check passed.

    python3 Tests/browser/stripe_pay.py --bin .build/debug --artifacts artifacts
"""

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By

from pages import (
    SIZES, WAIT, Checks, PageUnusable, Ports, Store, add_newsletters, free_port, start_browser, start_daemon,
    stop_process, tail, wait_until,
)

REPOSITORY = Path(__file__).resolve().parent.parent.parent
SECRET_KEY = "sk_test_masthead_browser"
WEBHOOK_SECRET = "whsec_masthead_browser"


class LocalStripe:
    """localstripe on 127.0.0.1, and its API as the secret key reaches it."""

    def __init__(self, stack, scratch):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        log = open(scratch / "localstripe.log", "wb")
        stack.callback(log.close)
        process = subprocess.Popen(
            [sys.executable, str(REPOSITORY / "Tests/stripe/localstripe_loopback.py"), str(self.port)],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        # A fake server with nothing to save: killed, not asked.
        stack.callback(lambda: (process.kill(), process.wait()))
        if not wait_until(lambda: self.answers(), timeout=30):
            raise PageUnusable(f"localstripe did not start:\n{tail(scratch / 'localstripe.log')}")

    def answers(self):
        try:
            self.call("GET", "/v1/customers")
            return True
        except OSError:
            return False

    def call(self, method, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {SECRET_KEY}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else {}


def secret_file(scratch, name, text):
    path = scratch / name
    path.write_text(text + "\n")
    os.chmod(path, 0o600)
    return str(path)


class Run:
    def __init__(self, ports, browser, store, stripe, checks, screenshots):
        self.ports, self.browser, self.store, self.stripe = ports, browser, store, stripe
        self.checks, self.screenshots = checks, screenshots

    def photograph(self, name):
        for size, (width, height, mobile) in SIZES.items():
            self.browser.screenshot(self.screenshots / f"{name}-{size}.png", width, height, mobile)
        self.browser.desktop()

    def pledge_on_support_page(self, interval, tier, lang, address):
        """Fills the support form and lands on the payment page; the pledge's id."""
        b = self.browser
        b.open(f"{self.ports.masthead}/support?currency=USD&interval={interval}&lang={lang}")
        b.click(f"#tier-{tier}")
        b.type_into("#support-email", address)
        b.submit("#support-button")
        match = re.search(r"/v1/pledges/(pl_[A-Za-z0-9]+)/pay", b.url)
        if not match:
            raise AssertionError(f"the support form did not lead to the payment page; {b.describe()}")
        # Stripe.js (localstripe's) mounted its card field: the button is enabled once it has.
        mounted = wait_until(lambda: b.exists("#card-element input") and b.find("#pay-button").is_enabled())
        self.checks.expect(f"{interval} ({lang}): Stripe.js mounted its card field", bool(mounted), b.describe())
        return match.group(1)

    def type_card(self, number):
        """Types a test card into localstripe's card field (its inputs are named by placeholder)."""
        for field, value in (("number", number), ("exp_month", "12"), ("exp_year", "34"), ("cvc", "123"), ("postal_code", "01001")):
            self.browser.type_into(f"#card-element input[placeholder='{field}']", value)

    def expect_status(self, name, pledge, status, brand):
        wanted = (status, brand)
        found = wait_until(lambda: self.store.pledge(pledge) == wanted and wanted)
        self.checks.expect(f"{name}: pledge {status} with card_brand {brand}", found == wanted,
                           f"{pledge} is {self.store.pledge(pledge)} (status, card_brand)")


def check_monthly(run, lang):
    b = run.browser
    pledge = run.pledge_on_support_page("monthly", "supporter", lang, f"monthly.{lang}@example.org")
    run.checks.expect(f"monthly ({lang}): the page saves the card (setup mode)",
                      b.find("#pay-form").get_attribute("data-mode") == "setup", b.describe())
    run.photograph(f"pay-monthly-{lang}")
    run.type_card("4242424242424242")
    b.submit("#pay-button")
    run.checks.expect(f"monthly ({lang}): lands on /support/thanks", b.path == "/support/thanks", b.describe())
    # The page shows the pledge's real state: still being confirmed until the webhook arrives
    # (with a link to look again), paid after.
    run.checks.expect(f"monthly ({lang}): the thank-you page names this pledge", f"pledge={pledge}" in b.url, b.url)
    run.photograph(f"thanks-{lang}")
    run.expect_status(f"monthly ({lang})", pledge, "active", "visa")
    if b.exists("#check-again"):
        b.submit("#check-again")
    run.checks.expect(f"monthly ({lang}): once active, the page says paid", not b.exists("#check-again"), b.describe())
    reference = run.store.scalar("SELECT provider_reference FROM pledges WHERE public_id = ?", pledge)
    subscription = run.stripe.call("GET", f"/v1/subscriptions/{reference}")
    run.checks.expect(f"monthly ({lang}): an active subscription on the $5 monthly plan",
                      subscription.get("status") == "active" and subscription.get("plan", {}).get("id") == "masthead-usd-500-month",
                      f"{reference}: {subscription.get('status')}, {subscription.get('plan', {}).get('id')}")


def check_refused_card(run):
    b = run.browser
    pledge = run.pledge_on_support_page("annual", "member", "en", "refused@example.org")
    run.type_card("4000000000000002")
    b.click("#pay-button")
    shown = b.wait_visible("#pay-error")
    run.checks.expect("refused card: Stripe's message on the page", shown is not None and "declined" in shown.text,
                      b.describe())
    run.checks.expect("refused card: the reader may try again", b.find("#pay-button").is_enabled(), b.describe())
    run.photograph("pay-refused-en")
    run.checks.expect("refused card: the pledge stays pending", run.store.pledge(pledge) == ("pending", None),
                      f"{run.store.pledge(pledge)}")


def check_one_time_with_3d_secure(run):
    b = run.browser
    pledge = run.pledge_on_support_page("once", "friend", "uk", "once.uk@example.org")
    run.photograph("pay-once-uk")
    intent = run.store.scalar("SELECT provider_reference FROM pledges WHERE public_id = ?", pledge)
    card = run.stripe.call("POST", "/v1/payment_methods", {
        "type": "card", "card[number]": "4000002500003155", "card[exp_month]": "12", "card[exp_year]": "2034",
        "card[cvc]": "123"})
    run.stripe.call("POST", f"/v1/payment_intents/{intent}", {"payment_method": card["id"]})
    run.stripe.call("POST", f"/v1/payment_intents/{intent}/confirm", {})
    run.type_card("4000002500003155")
    b.driver.execute_script("window.mastheadOldPage = true")
    b.click("#pay-button")
    complete = wait_until(lambda: b.driver.find_elements(By.XPATH, "//button[text()='Complete authentication']"))
    run.checks.expect("once (uk): localstripe's 3D Secure dialog opens", bool(complete), b.describe())
    if complete:
        run.photograph("pay-3ds-uk")
        complete[0].click()
        wait_until(lambda: b.driver.execute_script("return !window.mastheadOldPage && document.readyState === 'complete'"))
    run.checks.expect("once (uk): lands on /support/thanks", b.path == "/support/thanks", b.describe())
    # localstripe's event has no card details: the daemon reads the card from the PaymentMethod.
    run.expect_status("once (uk)", pledge, "succeeded", "visa")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", required=True, type=Path, help="directory with mastheadd and masthead")
    parser.add_argument("--artifacts", required=True, type=Path, help="where stripe-screenshots/ go")
    arguments = parser.parse_args()
    bin_dir = arguments.bin.resolve()
    screenshots = arguments.artifacts.resolve() / "stripe-screenshots"
    # Last run's screenshots must not stand in for pages this run failed to reach.
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="masthead-stripe-") as temporary, contextlib.ExitStack() as stack:
        scratch = Path(temporary)
        try:
            stripe = LocalStripe(stack, scratch)
            add_newsletters(bin_dir, scratch)
            ports = Ports()
            daemon = start_daemon(stack, bin_dir, scratch, ports, {
                "MASTHEAD_PAYMENTS": "stripe",
                "MASTHEAD_STRIPE_SECRET_KEY_FILE": secret_file(scratch, "stripe-key", SECRET_KEY),
                "MASTHEAD_STRIPE_WEBHOOK_SECRET_FILE": secret_file(scratch, "stripe-webhook", WEBHOOK_SECRET),
                "MASTHEAD_STRIPE_PUBLISHABLE_KEY": "pk_test_masthead_browser",
                "MASTHEAD_STRIPE_API_URL": stripe.url,
                "MASTHEAD_STRIPE_JS_URL": f"{stripe.url}/js.stripe.com/v3/",
            })
            stripe.call("POST", "/_config/webhooks/masthead",
                        {"url": f"{ports.masthead}/v1/webhooks/payments", "secret": WEBHOOK_SECRET})
            browser = start_browser(stack, scratch)
            run = Run(ports, browser, Store(scratch / "masthead.sqlite"), stripe, checks, screenshots)
            print(f"mastheadd on {ports.masthead}, localstripe on {stripe.url}", flush=True)
            for flow in (lambda: check_monthly(run, "en"), lambda: check_monthly(run, "uk"),
                         lambda: check_refused_card(run), lambda: check_one_time_with_3d_secure(run)):
                try:
                    flow()
                except (AssertionError, WebDriverException, OSError) as error:
                    checks.expect("a flow ran to the end", False, f"{type(error).__name__}: {error}; {browser.describe()}")
        except (PageUnusable, subprocess.CalledProcessError, OSError, WebDriverException) as error:
            checks.expect("the harness could run", False, f"{type(error).__name__}: {error}")
        finally:
            log = scratch / "mastheadd.log"
            if log.exists():
                (screenshots / "mastheadd.log").write_bytes(log.read_bytes())
    checks.summary()
    print(f"{time.monotonic() - started:.0f} s; screenshots in {screenshots}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
