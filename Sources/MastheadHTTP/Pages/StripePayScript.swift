import Foundation
import Signing

/// The payment page's one script: mounts Stripe.js's card field and confirms the PaymentIntent
/// with it, then goes on to `data-next` (or shows Stripe's message for a declined card). It is
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
            stripe.confirmCardPayment(form.dataset.secret, {payment_method: {card: card}}).then(function (result) {
              if (result.error) {
                error.textContent = result.error.message || form.dataset.failed;
                error.hidden = false;
                button.disabled = false;
                return;
              }
              window.location.assign(form.dataset.next);
            });
          });
        })();
        """

    /// Its SHA-256 in base64, as `script-src 'sha256-…'` names it.
    static let hash = Data(SHA256Digest.hash(Array(text.utf8))).base64EncodedString()
}
