from decimal import Decimal, InvalidOperation

from babel.numbers import get_currency_precision
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from community.web.forms import Form, ZonedDateTimeField, choices

from .labels import CHARGE_MODES
from .models import MAX_INCLUDES


def cents(value, currency="CNY"):
    """'199', '199.5' or '199.00' as integer minor units of `currency` (yen have none);
    money never passes through a float."""
    try:
        amount = Decimal(str(value).strip())
        precision = get_currency_precision((currency or "CNY").upper())
    except (InvalidOperation, ValueError):
        raise ValidationError(_l("Write the price like 199.00.")) from None
    if amount < 0 or amount != amount.quantize(Decimal(1).scaleb(-precision)):
        raise ValidationError(_l("Write the price like 199.00."))
    return int(amount.scaleb(precision))


class TierForm(Form):
    class Meta:
        csrf = False  # the outer form carries the token

    name = StringField(_l("Tier name"))
    price = StringField(_l("Price"))
    currency = StringField(_l("Currency"), default="CNY")
    limit_units = IntegerField(_l("Unit limit (optional)"), validators=[Optional(), NumberRange(min=1)])
    early_until = ZonedDateTimeField(_l("Co-creators and F-codes only until (optional)"),
                                     format="%Y-%m-%dT%H:%M", validators=[Optional()])
    includes = StringField(_l("What it includes (optional)"), validators=[Length(max=MAX_INCLUDES)])

    def validate_price(self, field):
        if (self.name.data or "").strip():
            cents(field.data or "", self.currency.data)


class CampaignForm(Form):
    goal_units = IntegerField(_l("Goal (units)"), validators=[DataRequired(), NumberRange(min=1)])
    cap_units = IntegerField(_l("Stock cap (units)"), validators=[DataRequired(), NumberRange(min=1)])
    per_buyer_limit = IntegerField(_l("Per-buyer limit"), default=2,
                                   validators=[DataRequired(), NumberRange(min=1)])
    starts_at = ZonedDateTimeField(_l("Starts"), validators=[DataRequired()])
    ends_at = ZonedDateTimeField(_l("Ends"), validators=[DataRequired()])
    charge_mode = SelectField(_l("How buyers pay"), choices=choices(CHARGE_MODES.items()),
                              default="full")
    deposit_percent = IntegerField(_l("Deposit (percent of the price)"), default=20,
                                   validators=[Optional(), NumberRange(min=1, max=90)])
    balance_days = IntegerField(_l("Balance due within (days after success)"), default=7,
                                validators=[Optional(), NumberRange(min=1, max=60)])
    deposit_refundable = BooleanField(_l("Refund the deposit if the balance is not paid or the "
                                         "buyer cancels"), default=True)
    tiers = FieldList(FormField(TierForm), min_entries=3, max_entries=10)


class FCodeForm(Form):
    usernames = TextAreaField(_l("Usernames, one per line or separated by commas"))
    reason = StringField(_l("Why they get one"))
    top_n = IntegerField(_l("Or: the top N contributors of the board this month"),
                         validators=[Optional(), NumberRange(min=1, max=500)])
