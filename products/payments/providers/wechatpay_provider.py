"""WeChat Pay (API v3, Native): the buyer scans a QR code with WeChat and pays in full.

- `create` answers `Created(ref=out_trade_no, checkout_url=None, client_secret=code_url)`:
  the `weixin://wxpay/bizpayurl?pr=...` code_url is what the store's own page renders as a
  QR code (there is no hosted page to redirect to).
- WeChat Pay cannot hold funds: there is no authorisation to capture or void later. A
  request with `capture=False` is refused (ProviderError, not retryable): the buyer should
  choose to pay in full or a deposit. `capture` therefore only reports what was taken;
  `void` closes an order not paid yet.
- `out_trade_no` (the ref) is `ff{payment_id}x{hash of the idempotency key}`, at most 32
  characters; WeChat Pay itself answers the same order for the same out_trade_no.
  `out_refund_no` is `ffr{hash of the refund's idempotency key}`: the same refund asked for
  twice is one refund. Its event key is `refund:{out_refund_no}`, from refund()'s reply,
  from the REFUND.SUCCESS notification and from lookup alike.
- WeChat Pay v3 cannot list an order's refunds: `lookup(ref)` reports the order's state
  (SUCCESS -> captured, CLOSED/REVOKED -> voided, PAYERROR -> failed, NOTPAY/USERPAYING ->
  nothing), and `lookup(ref, refund_keys=[...])` also asks after the refunds with those
  idempotency keys.
- Notifications: the library checks the RSA signature (with the WeChat Pay public key, or
  the platform certificates) and decrypts the AES-256-GCM resource with the APIv3 key; this
  module also refuses a timestamp older than five minutes. TRANSACTION.SUCCESS ->
  captured, REFUND.SUCCESS -> refunded; other notifications report nothing.
- Amounts: CNY only, in fen, which is the store's cents.
"""

import hashlib
import json
import os
import time

import requests
from wechatpayv3 import WeChatPay, WeChatPayType

from .base import BadSignature, Created, Event, PaymentRequest, Provider, ProviderError, Webhook

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
TOLERANCE = 300  # seconds a notification may take to arrive, as WeChat Pay advises
RETRYABLE_CODES = frozenset(("SYSTEM_ERROR", "SYSTEMERROR", "FREQUENCY_LIMITED", "BANK_ERROR"))
NOT_FOUND = frozenset(("ORDER_NOT_EXIST", "ORDERNOTEXIST", "RESOURCE_NOT_EXISTS"))
REQUIRED = ("MCHID", "APPID", "PRIVATE_KEY", "CERT_SERIAL_NO", "APIV3_KEY", "NOTIFY_URL")


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def trade_number(payment_id, idempotency_key):
    """The out_trade_no of a payment: letters and digits, at most 32 characters."""
    head = f"ff{payment_id}x"
    if len(head) > 24:
        raise ProviderError(f"WeChat Pay: payment id {payment_id} is too long", retryable=False)
    return head + _digest(idempotency_key)[:32 - len(head)]


def refund_number(idempotency_key):
    """The out_refund_no of a refund, from its idempotency key."""
    return "ffr" + _digest(idempotency_key)[:29]


def _pem(value):
    """A key given as PEM text, or as the path of a file holding it."""
    if value and not value.lstrip().startswith("-----") and os.path.isfile(value):
        with open(value, encoding="utf-8") as handle:
            return handle.read()
    return value


class WeChatPayProvider(Provider):
    name = "wechatpay"
    currencies = ("CNY",)

    def __init__(self, mchid, appid, private_key, cert_serial_no, apiv3_key, notify_url, *,
                 public_key=None, public_key_id=None, cert_dir=None, timeout=(5, 20),
                 tolerance=TOLERANCE):
        self.mchid = mchid
        self.public_key_id = public_key_id
        self.tolerance = tolerance
        self._options = dict(
            wechatpay_type=WeChatPayType.NATIVE, mchid=mchid, private_key=private_key,
            cert_serial_no=cert_serial_no, appid=appid, apiv3_key=apiv3_key,
            notify_url=notify_url, cert_dir=cert_dir, timeout=timeout,
            public_key=public_key, public_key_id=public_key_id)
        self._client = None

    @classmethod
    def from_config(cls, config, **options):
        def get(name):
            return config.get(f"PAYMENTS_WECHATPAY_{name}")

        missing = [f"FANFORGE_PAYMENTS_WECHATPAY_{name}" for name in REQUIRED if not get(name)]
        if missing:
            raise RuntimeError("WeChat Pay payments need " + ", ".join(missing))
        if len(get("APIV3_KEY").encode()) != 32:
            raise RuntimeError("FANFORGE_PAYMENTS_WECHATPAY_APIV3_KEY must be 32 bytes")
        if bool(get("PUBLIC_KEY")) != bool(get("PUBLIC_KEY_ID")):
            raise RuntimeError("FANFORGE_PAYMENTS_WECHATPAY_PUBLIC_KEY and _PUBLIC_KEY_ID "
                               "go together")
        return cls(get("MCHID"), get("APPID"), _pem(get("PRIVATE_KEY")), get("CERT_SERIAL_NO"),
                   get("APIV3_KEY"), get("NOTIFY_URL"), public_key=_pem(get("PUBLIC_KEY")),
                   public_key_id=get("PUBLIC_KEY_ID"), cert_dir=get("CERT_DIR"), **options)

    @property
    def client(self):
        """The SDK client, made on first use: with platform certificates (no public key)
        the SDK downloads them when it starts, and the app's start makes no network call."""
        if self._client is None:
            self._client = self._call(WeChatPay, **self._options)
        return self._client

    # The verbs

    def create(self, request: PaymentRequest) -> Created:
        if not request.capture:
            raise ProviderError("WeChat Pay cannot hold funds; choose pay in full or deposit",
                                retryable=False)
        if request.currency.upper() != "CNY":
            raise ProviderError(f"WeChat Pay takes CNY only, not {request.currency}",
                                retryable=False)
        ref = trade_number(request.payment_id, request.idempotency_key)
        reply = self._ask(self.client.pay, description=request.description[:127] or ref,
                          out_trade_no=ref, amount={"total": request.amount_cents,
                                                    "currency": "CNY"},
                          attach=f"payment_id={request.payment_id};order_id={request.order_id}",
                          pay_type=WeChatPayType.NATIVE)
        return Created(ref=ref, checkout_url=None, client_secret=reply["code_url"])

    def capture(self, ref, amount_cents, idempotency_key):
        """Nothing to capture (payments are taken at once): what the order says it took."""
        return self.lookup(ref)

    def void(self, ref, idempotency_key):
        """Close an unpaid order, then report its state (captured if the buyer was quicker)."""
        self._ask(self.client.close, out_trade_no=ref)
        return self.lookup(ref)

    def refund(self, ref, amount_cents, idempotency_key, reason=""):
        order = self._ask(self.client.query, out_trade_no=ref)
        total = (order.get("amount") or {}).get("total", 0)
        reply = self._ask(self.client.refund, out_refund_no=refund_number(idempotency_key),
                          amount={"refund": amount_cents, "total": total, "currency": "CNY"},
                          out_trade_no=ref, reason=reason[:80] or None)
        return refund_events(reply, ref)

    def lookup(self, ref, refund_keys=()):
        order = self._ask(self.client.query, out_trade_no=ref, missing_ok=True)
        events = order_events(order) if order else []
        for key in refund_keys:
            refund = self._ask(self.client.query_refund, out_refund_no=refund_number(key),
                               missing_ok=True)
            events += refund_events(refund, ref) if refund else []
        return events

    def verify_webhook(self, body, headers):
        if headers.get("Wechatpay-Signature-Type") != SIGNATURE_TYPE:
            raise BadSignature("not a WeChat Pay v3 signature")
        if self.public_key_id and headers.get("Wechatpay-Serial") != self.public_key_id:
            raise BadSignature("signed by an unknown key")  # (the SDK would go and fetch it)
        try:
            age = abs(time.time() - int(headers.get("Wechatpay-Timestamp", "")))
        except ValueError as error:
            raise BadSignature("no timestamp") from error
        if age > self.tolerance:
            raise BadSignature("the notification is too old")
        client = self.client
        try:
            notice = client.callback(headers, body)
        except requests.RequestException as error:
            raise ProviderError(f"WeChat Pay: {error}") from error
        except Exception as error:  # the SDK raises bare Exceptions and JSON errors
            raise BadSignature(str(error)) from error
        if not notice:
            raise BadSignature("the signature or the encrypted resource does not verify")
        return Webhook(event_id=notice.get("id", ""),
                       events=tuple(self._notice_events(notice)))

    # WeChat Pay's side

    def _notice_events(self, notice):
        resource = notice.get("resource") or {}
        if resource.get("mchid", self.mchid) != self.mchid:
            return []  # another merchant's (a misrouted notification)
        if notice.get("event_type") == "TRANSACTION.SUCCESS":
            return order_events(resource)
        if notice.get("event_type") == "REFUND.SUCCESS":
            return refund_events(resource, resource.get("out_trade_no", ""))
        return []

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except requests.RequestException as error:
            raise ProviderError(f"WeChat Pay unreachable: {error}") from error
        except Exception as error:  # the SDK raises bare Exceptions
            unverified = "signature" in str(error) or "certificate" in str(error)
            raise ProviderError(f"WeChat Pay: {error}", retryable=unverified) from error

    def _ask(self, method, missing_ok=False, **kwargs):
        """An API call's JSON answer; a refusal as ProviderError (None: not found, if ok)."""
        status, text = self._call(method, **kwargs)
        try:
            answer = json.loads(text) if text else {}
        except (TypeError, ValueError):
            answer = {}
        if 200 <= status < 300:
            return answer
        code = answer.get("code", "")
        if missing_ok and status == 404 and code in NOT_FOUND:
            return None
        retry = status >= 500 or status == 429 or code in RETRYABLE_CODES
        raise ProviderError(f"WeChat Pay {status} {code}: {answer.get('message', '')}",
                            retryable=retry)


# WeChat Pay's objects as events

def _event(key, ref, kind, amount, raw_status):
    return Event(key=key, ref=ref, kind=kind, amount_cents=amount or 0, currency="CNY",
                 raw_status=raw_status)


def order_events(order):
    """An order (a query's answer, or a TRANSACTION.SUCCESS notification's resource)."""
    ref, state = order.get("out_trade_no", ""), order.get("trade_state", "")
    total = (order.get("amount") or {}).get("total", 0)
    if state in ("SUCCESS", "REFUND"):  # REFUND: paid, then refunded (refunds count apart)
        return [_event(f"capture:{ref}", ref, "captured", total, state)]
    if state in ("CLOSED", "REVOKED"):
        return [_event(f"void:{ref}", ref, "voided", total, state)]
    if state == "PAYERROR":
        return [_event(f"failed:{ref}:1", ref, "failed", total, state)]
    return []  # NOTPAY, USERPAYING: the buyer has not paid yet


def refund_events(refund, ref):
    """A refund (refund()'s or a query's answer, or a REFUND.SUCCESS resource)."""
    status = refund.get("status") or refund.get("refund_status") or ""
    if status != "SUCCESS":
        return []  # PROCESSING: its notification follows; CLOSED, ABNORMAL: nothing moved
    amount = (refund.get("amount") or {}).get("refund", 0)
    return [_event(f"refund:{refund['out_refund_no']}", ref, "refunded", amount, status)]
