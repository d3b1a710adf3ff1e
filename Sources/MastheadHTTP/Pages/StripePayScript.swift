import Foundation
import Signing

/// The payment page's one script: mounts Stripe.js's card field and confirms the PaymentIntent
/// with it, then goes on to `data-next`; for a recurring pledge (`data-mode="setup"`) it saves
/// the card with the SetupIntent, then posts the form back to Masthead, which starts the
/// subscription. A declined card shows Stripe's message. It is
/// the same text on every page, so the page's Content-Security-Policy names it by its SHA-256
/// instead of allowing inline scripts; the per-pledge values travel in `data-` attributes.
enum StripePayScript {
    static let text = """
        (function () {
          var form = document.getElementById('pay-form');
          var error = document.getElementById('pay-error');
          var button = document.getElementById('pay-button');
          var stripe = Stripe(form.dataset.key);
          var card = stripe.elements().create('card');
          card.mount('#card-element');
          button.disabled = false;
          form.addEventListener('submit', function (event) {
            event.preventDefault();
            button.disabled = true;
            error.hidden = true;
            var setup = form.dataset.mode === 'setup';
            var data = {payment_method: {card: card}};
            var confirmed = setup ? stripe.confirmCardSetup(form.dataset.secret, data) : stripe.confirmCardPayment(form.dataset.secret, data);
            confirmed.then(function (result) {
              if (result.error) {
                error.textContent = result.error.message || form.dataset.failed;
                error.hidden = false;
                button.disabled = false;
                return;
              }
              if (setup) { form.submit(); } else { window.location.assign(form.dataset.next); }
            });
          });
        })();
        """

    /// Its SHA-256 in base64, as `script-src 'sha256-…'` names it.
    static let hash = Data(SHA256Digest.hash(Array(text.utf8))).base64EncodedString()
}
