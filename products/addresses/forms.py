"""The address form: fields only; the service checks and normalises them (service.clean)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField

from community.web.forms import Form, choices

from .countries import country_choices
from .models import CITY_MAX, NAME_MAX, POSTAL_MAX, REGION_MAX, STREET_MAX


class AddressForm(Form):
    recipient = StringField(_l("Recipient"), render_kw={"maxlength": NAME_MAX,
                                                        "autocomplete": "name"})
    phone = StringField(_l("Phone"), render_kw={"maxlength": 32, "autocomplete": "tel",
                                                "inputmode": "tel"})
    country = SelectField(_l("Country or region"), default="CN")
    region = StringField(_l("Province or state"), render_kw={"maxlength": REGION_MAX})
    city = StringField(_l("City"), render_kw={"maxlength": CITY_MAX})
    district = StringField(_l("District (optional)"), render_kw={"maxlength": CITY_MAX})
    street = StringField(_l("Street address"), render_kw={"maxlength": STREET_MAX,
                                                          "autocomplete": "address-line1"})
    street2 = StringField(_l("Building, unit (optional)"),
                          render_kw={"maxlength": STREET_MAX, "autocomplete": "address-line2"})
    postal_code = StringField(_l("Postal code"), render_kw={"maxlength": POSTAL_MAX,
                                                            "autocomplete": "postal-code"})
    is_default = BooleanField(_l("Use as my default address"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices(country_choices())
        # An unknown country is the service's to refuse, with its own message.
        self.country.validate_choice = False

    def values(self):
        return {name: getattr(self, name).data for name in
                ("recipient", "phone", "country", "region", "city", "district", "street",
                 "street2", "postal_code")}
