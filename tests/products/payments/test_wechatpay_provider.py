"""The WeChat Pay adapter against a fake of WeChat Pay's HTTP API that checks the merchant's
request signatures and signs its answers with a platform key, as WeChat Pay does; and
notifications signed (SHA256withRSA) and encrypted (AES-256-GCM) the way WeChat Pay sends
them. The wechatpayv3 SDK runs for real on top of the fake."""

import base64
import json
import re
import secrets
import time
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from requests.structures import CaseInsensitiveDict

from products.payments.providers.base import BadSignature, PaymentRequest, ProviderError
from products.payments.providers.wechatpay_provider import (
    WeChatPayProvider,
    refund_number,
    trade_number,
)

APIV3_KEY = "0123456789abcdef0123456789abcdef"
KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
MCHID = "1900000109"
GATEWAY = "https://api.mch.weixin.qq.com"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key):
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def rsa_sign(key, message):
    return base64.b64encode(key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


@pytest.fixture(scope="module")
def keys():
    return SimpleNamespace(merchant=new_key(), platform=new_key(), stranger=new_key())


def signed_headers(key, body, timestamp=None, serial=KEY_ID):
    """The headers WeChat Pay puts on an answer or a notification."""
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(16)
    return {"Wechatpay-Timestamp": timestamp, "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": rsa_sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
            "Wechatpay-Serial": serial, "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048"}


class FakeWeChatPay:
    """Answers each (method, path) from `routes`, after checking the merchant's signature."""

    def __init__(self, keys):
        self.keys = keys
        self.routes = {}
        self.requests = []

    def reply(self, method, path, body=None, status=200):
        self.routes[(method, path)] = (status, body)

    def get(self, url, headers=None, **kwargs):
        return self.answer("GET", url, headers, None)

    def post(self, url, headers=None, json=None, data=None, **kwargs):
        return self.answer("POST", url, headers, json)

    def answer(self, method, url, headers, data):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        self.check_authorization(method, path, headers["Authorization"], data)
        self.requests.append({"method": method, "path": parts.path, "query": parts.query,
                              "data": data})
        answer = self.routes.get((method, parts.path))
        if answer is None:
            raise AssertionError(f"unexpected WeChat Pay call {method} {parts.path}")
        if isinstance(answer[1], Exception):
            raise answer[1]
        status, body = answer
        text = json.dumps(body) if body is not None else ""
        reply_headers = CaseInsensitiveDict(signed_headers(self.keys.platform, text))
        if body is not None:
            reply_headers["Content-Type"] = "application/json; charset=utf-8"
        return SimpleNamespace(status_code=status, text=text, content=text.encode(),
                               headers=reply_headers)

    def check_authorization(self, method, path, authorization, data):
        fields = dict(re.findall(r'(\w+)="([^"]*)"', authorization))
        assert authorization.startswith("WECHATPAY2-SHA256-RSA2048 ")
        assert fields["mchid"] == MCHID and fields["serial_no"] == "MERCHANTSERIAL"
        body = json.dumps(data) if data else ""
        message = f"{method}\n{path}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
        try:
            self.keys.merchant.public_key().verify(base64.b64decode(fields["signature"]),
                                                   message.encode(), padding.PKCS1v15(),
                                                   hashes.SHA256())
        except InvalidSignature as error:
            raise AssertionError("the merchant's signature does not verify") from error

    def calls(self):
        return [(r["method"], r["path"]) for r in self.requests]


@pytest.fixture
def fake(keys, monkeypatch):
    fake = FakeWeChatPay(keys)
    monkeypatch.setattr(requests, "get", fake.get)
    monkeypatch.setattr(requests, "post", fake.post)
    return fake


def config(keys, **changes):
    values = {
        "PAYMENTS_WECHATPAY_MCHID": MCHID, "PAYMENTS_WECHATPAY_APPID": "wxd678efh567hg6787",
        "PAYMENTS_WECHATPAY_PRIVATE_KEY": private_pem(keys.merchant),
        "PAYMENTS_WECHATPAY_CERT_SERIAL_NO": "MERCHANTSERIAL",
        "PAYMENTS_WECHATPAY_APIV3_KEY": APIV3_KEY,
        "PAYMENTS_WECHATPAY_NOTIFY_URL": "https://fanforge.test/payments/webhooks/wechatpay",
        "PAYMENTS_WECHATPAY_PUBLIC_KEY": public_pem(keys.platform),
        "PAYMENTS_WECHATPAY_PUBLIC_KEY_ID": KEY_ID,
    }
    values.update(changes)
    return values


@pytest.fixture
def provider(keys, fake):
    return WeChatPayProvider.from_config(config(keys))


def request(**changes):
    values = dict(payment_id=42, order_id=7, amount_cents=8800, currency="CNY", capture=True,
                  description="Mug, 2 units", return_url="http://fanforge.test/orders/7",
                  idempotency_key="pay-42-create")
    values.update(changes)
    return PaymentRequest(**values)


REF = trade_number(42, "pay-42-create")
ORDER_PATH = f"/v3/pay/transactions/out-trade-no/{REF}"


def order(state, **fields):
    return {"mchid": MCHID, "appid": "wxd678efh567hg6787", "out_trade_no": REF,
            "transaction_id": "4200000000201901010000000001", "trade_state": state,
            "amount": {"total": 8800, "payer_total": 8800, "currency": "CNY"}, **fields}


def refund_reply(status="SUCCESS", key="refund-9", refund=3000):
    return {"refund_id": "50000000382019052709732678859", "out_refund_no": refund_number(key),
            "out_trade_no": REF, "status": status,
            "amount": {"refund": refund, "total": 8800, "currency": "CNY"}}


# Configuration

def test_from_config_names_what_is_missing(keys):
    with pytest.raises(RuntimeError, match="FANFORGE_PAYMENTS_WECHATPAY_APIV3_KEY"):
        WeChatPayProvider.from_config(config(keys, PAYMENTS_WECHATPAY_APIV3_KEY=""))
    with pytest.raises(RuntimeError, match="32 bytes"):
        WeChatPayProvider.from_config(config(keys, PAYMENTS_WECHATPAY_APIV3_KEY="short"))
    with pytest.raises(RuntimeError, match="PUBLIC_KEY"):
        WeChatPayProvider.from_config(config(keys, PAYMENTS_WECHATPAY_PUBLIC_KEY_ID=""))


def test_keys_may_be_files(keys, fake, tmp_path):
    (tmp_path / "merchant.pem").write_text(private_pem(keys.merchant))
    (tmp_path / "platform.pem").write_text(public_pem(keys.platform))
    provider = WeChatPayProvider.from_config(config(
        keys, PAYMENTS_WECHATPAY_PRIVATE_KEY=str(tmp_path / "merchant.pem"),
        PAYMENTS_WECHATPAY_PUBLIC_KEY=str(tmp_path / "platform.pem")))
    fake.reply("POST", "/v3/pay/transactions/native", {"code_url": "weixin://wxpay/bizpayurl?pr=1"})
    assert provider.create(request()).client_secret == "weixin://wxpay/bizpayurl?pr=1"


def test_the_numbers_fit_wechat_pay():
    assert re.fullmatch(r"[0-9a-z]{32}", trade_number(42, "k"))
    assert trade_number(42, "k") == trade_number(42, "k") != trade_number(42, "other")
    assert len(trade_number(10**19, "k")) == 32
    assert refund_number("r") == refund_number("r") != refund_number("s")
    assert len(refund_number("r")) <= 64


# The verbs

def test_create_is_a_native_order_with_a_code_url(provider, fake):
    fake.reply("POST", "/v3/pay/transactions/native", {"code_url": "weixin://wxpay/bizpayurl?pr=p4l"})
    created = provider.create(request())
    assert created == (REF, None, "weixin://wxpay/bizpayurl?pr=p4l", ())
    [sent] = fake.requests
    assert sent["data"]["out_trade_no"] == REF
    assert sent["data"]["amount"] == {"total": 8800, "currency": "CNY"}
    assert sent["data"]["notify_url"] == "https://fanforge.test/payments/webhooks/wechatpay"
    assert sent["data"]["mchid"] == MCHID and sent["data"]["description"] == "Mug, 2 units"


def test_wechat_pay_cannot_hold_funds(provider, fake):
    with pytest.raises(ProviderError, match="cannot hold funds") as raised:
        provider.create(request(capture=False))
    assert raised.value.retryable is False
    with pytest.raises(ProviderError, match="CNY only"):
        provider.create(request(currency="EUR"))
    assert fake.requests == []


def test_void_closes_the_order(provider, fake):
    fake.reply("POST", f"{ORDER_PATH}/close", None, status=204)
    fake.reply("GET", ORDER_PATH, order("CLOSED"))
    [voided] = provider.void(REF, "pay-42-void")
    assert (voided.key, voided.kind, voided.amount_cents) == (f"void:{REF}", "voided", 8800)
    assert fake.requests[0]["data"] == {"mchid": MCHID}


def test_capture_reports_what_was_taken(provider, fake):
    fake.reply("GET", ORDER_PATH, order("SUCCESS"))
    [captured] = provider.capture(REF, 8800, "pay-42-capture")
    assert (captured.key, captured.kind, captured.amount_cents) == (f"capture:{REF}", "captured", 8800)
    assert captured.currency == "CNY" and captured.ref == REF


def test_partial_refund_numbered_by_its_idempotency_key(provider, fake):
    fake.reply("GET", ORDER_PATH, order("SUCCESS"))
    fake.reply("POST", "/v3/refund/domestic/refunds", refund_reply())
    [refunded] = provider.refund(REF, 3000, "refund-9", reason="damaged on arrival")
    assert (refunded.key, refunded.kind, refunded.amount_cents) == (
        f"refund:{refund_number('refund-9')}", "refunded", 3000)
    sent = fake.requests[-1]["data"]
    assert sent["out_refund_no"] == refund_number("refund-9") and sent["out_trade_no"] == REF
    assert sent["amount"] == {"refund": 3000, "total": 8800, "currency": "CNY"}
    assert sent["reason"] == "damaged on arrival"


def test_a_refund_in_progress_reports_nothing_yet(provider, fake):
    fake.reply("GET", ORDER_PATH, order("SUCCESS"))
    fake.reply("POST", "/v3/refund/domestic/refunds", refund_reply(status="PROCESSING"))
    assert provider.refund(REF, 3000, "refund-9") == []


@pytest.mark.parametrize(("state", "expected"), [
    ("SUCCESS", [("captured", f"capture:{REF}")]),
    ("REFUND", [("captured", f"capture:{REF}")]),
    ("CLOSED", [("voided", f"void:{REF}")]),
    ("REVOKED", [("voided", f"void:{REF}")]),
    ("PAYERROR", [("failed", f"failed:{REF}:1")]),
    ("NOTPAY", []),
    ("USERPAYING", []),
])
def test_lookup_maps_each_trade_state(provider, fake, state, expected):
    fake.reply("GET", ORDER_PATH, order(state))
    assert [(e.kind, e.key) for e in provider.lookup(REF)] == expected
    assert fake.requests[0]["query"] == f"mchid={MCHID}"


def test_lookup_asks_after_the_refunds_it_is_given(provider, fake):
    fake.reply("GET", ORDER_PATH, order("REFUND"))
    fake.reply("GET", f"/v3/refund/domestic/refunds/{refund_number('refund-9')}", refund_reply())
    fake.reply("GET", f"/v3/refund/domestic/refunds/{refund_number('refund-10')}",
               {"code": "RESOURCE_NOT_EXISTS", "message": "no"}, status=404)
    events = provider.lookup(REF, refund_keys=["refund-9", "refund-10"])
    assert [e.key for e in events] == [f"capture:{REF}", f"refund:{refund_number('refund-9')}"]


def test_lookup_of_an_order_wechat_never_saw(provider, fake):
    fake.reply("GET", ORDER_PATH, {"code": "ORDER_NOT_EXIST", "message": "no"}, status=404)
    assert provider.lookup(REF) == []


# Errors

@pytest.mark.parametrize(("status", "code", "retryable"), [
    (400, "PARAM_ERROR", False),
    (403, "NOAUTH", False),
    (400, "INVALID_REQUEST", False),
    (401, "SIGN_ERROR", False),
    (429, "FREQUENCY_LIMITED", True),
    (500, "SYSTEM_ERROR", True),
    (403, "BANK_ERROR", True),
])
def test_refusals_say_whether_to_retry(provider, fake, status, code, retryable):
    fake.reply("POST", "/v3/pay/transactions/native", {"code": code, "message": "no"},
               status=status)
    with pytest.raises(ProviderError, match=code) as raised:
        provider.create(request())
    assert raised.value.retryable is retryable


def test_an_unreachable_gateway_is_retryable(provider, fake):
    fake.routes[("POST", "/v3/pay/transactions/native")] = (
        0, requests.ConnectionError("connection reset"))
    with pytest.raises(ProviderError) as raised:
        provider.create(request())
    assert raised.value.retryable is True


def test_an_answer_not_signed_by_wechat_pay_is_refused(provider, fake, keys):
    fake.keys = SimpleNamespace(merchant=keys.merchant, platform=keys.stranger)
    fake.reply("POST", "/v3/pay/transactions/native", {"code_url": "weixin://evil"})
    with pytest.raises(ProviderError, match="signature"):
        provider.create(request())


# Notifications

def encrypt(resource, key=APIV3_KEY, associated_data="transaction"):
    nonce = secrets.token_hex(6)
    ciphertext = AESGCM(key.encode()).encrypt(nonce.encode(), json.dumps(resource).encode(),
                                              associated_data.encode())
    return {"original_type": associated_data, "algorithm": "AEAD_AES_256_GCM",
            "ciphertext": base64.b64encode(ciphertext).decode(),
            "associated_data": associated_data, "nonce": nonce}


def notification(event_type, resource, key=APIV3_KEY, notice_id="EV-2018022511223320873"):
    return json.dumps({"id": notice_id, "create_time": "2015-05-20T13:29:35+08:00",
                       "resource_type": "encrypt-resource", "event_type": event_type,
                       "summary": "支付成功", "resource": encrypt(resource, key)},
                      ensure_ascii=False)


def deliver(provider, keys, event_type, resource):
    body = notification(event_type, resource)
    return provider.verify_webhook(body.encode(), signed_headers(keys.platform, body))


def test_a_signed_notification_verifies(provider, keys, fake):
    webhook = deliver(provider, keys, "TRANSACTION.SUCCESS", order("SUCCESS"))
    assert webhook.event_id == "EV-2018022511223320873"
    assert [(e.key, e.kind, e.amount_cents, e.ref) for e in webhook.events] == [
        (f"capture:{REF}", "captured", 8800, REF)]
    assert fake.requests == []


@pytest.mark.parametrize("forge", ["stranger", "other-body", "stale", "serial", "apiv3-key",
                                   "type", "no-timestamp", "garbled"])
def test_a_forged_or_stale_notification_is_refused(provider, keys, fake, forge):
    body = notification("TRANSACTION.SUCCESS", order("SUCCESS"),
                        key="f" * 32 if forge == "apiv3-key" else APIV3_KEY)
    headers = signed_headers(keys.stranger if forge == "stranger" else keys.platform, body,
                             timestamp=int(time.time()) - 600 if forge == "stale" else None,
                             serial="PUB_KEY_ID_OTHER" if forge == "serial" else KEY_ID)
    if forge == "other-body":
        body = body.replace("EV-2018", "EV-2019")
    if forge == "type":
        headers["Wechatpay-Signature-Type"] = "WECHATPAY2-SM2-WITH-SM3"
    if forge == "no-timestamp":
        del headers["Wechatpay-Timestamp"]
    if forge == "garbled":
        headers["Wechatpay-Signature"] = "%%%not base64"
    with pytest.raises(BadSignature):
        provider.verify_webhook(body.encode(), headers)
    assert fake.requests == []


def test_a_refund_notification_carries_the_key_refund_returned(provider, keys, fake):
    fake.reply("GET", ORDER_PATH, order("SUCCESS"))
    fake.reply("POST", "/v3/refund/domestic/refunds", refund_reply())
    [returned] = provider.refund(REF, 3000, "refund-9")
    resource = {"mchid": MCHID, "out_trade_no": REF, "transaction_id": "4200000000201901010000000001",
                "out_refund_no": refund_number("refund-9"), "refund_id": "50000000382019052709732678859",
                "refund_status": "SUCCESS", "user_received_account": "招商银行信用卡0403",
                "amount": {"total": 8800, "refund": 3000, "payer_total": 8800, "payer_refund": 3000}}
    webhook = deliver(provider, keys, "REFUND.SUCCESS", resource)
    assert webhook.events == (returned,)


@pytest.mark.parametrize("event_type", ["REFUND.ABNORMAL", "REFUND.CLOSED", "SOMETHING.NEW"])
def test_other_notifications_are_acknowledged(provider, keys, event_type):
    webhook = deliver(provider, keys, event_type, {"mchid": MCHID, "out_trade_no": REF})
    assert webhook.events == ()


def test_another_merchants_notification_reports_nothing(provider, keys):
    webhook = deliver(provider, keys, "TRANSACTION.SUCCESS", order("SUCCESS", mchid="1900000999"))
    assert webhook.events == ()
