"""My address book over the JSON API: the caller's own addresses only (anyone else's is a
404, staff included)."""

from community.api.core import api_blueprint, iso, json_body, require_user, token_required
from community.api.openapi import api_doc, define_schema

from . import service
from .models import CITY_MAX, NAME_MAX, POSTAL_MAX, REGION_MAX, STREET_MAX

bp = api_blueprint("addresses_api", __name__)


def _text(limit, nullable=False):
    return {"type": ["string", "null"] if nullable else "string", "maxLength": limit}


ADDRESS = define_schema("Address", {
    "type": "object",
    "required": ["id", "recipient", "phone", "country", "region", "city", "district", "street",
                 "street2", "postal_code", "is_default", "lines", "created_at", "updated_at"],
    "properties": {
        "id": {"type": "integer"},
        "recipient": {"type": "string"}, "phone": {"type": "string"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2,
                    "description": "ISO 3166-1 alpha-2"},
        "region": {"type": "string"}, "city": {"type": "string"},
        "district": {"type": ["string", "null"]}, "street": {"type": "string"},
        "street2": {"type": ["string", "null"]}, "postal_code": {"type": ["string", "null"]},
        "is_default": {"type": "boolean"},
        "lines": {"type": "array", "items": {"type": "string"},
                  "description": "The address as written on a parcel."},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
})
_FIELDS = {
    "recipient": _text(NAME_MAX), "phone": _text(32),
    "country": {"type": "string", "minLength": 2, "maxLength": 2,
                "description": "ISO 3166-1 alpha-2; CN when left out."},
    "region": _text(REGION_MAX), "city": _text(CITY_MAX), "district": _text(CITY_MAX, True),
    "street": _text(STREET_MAX), "street2": _text(STREET_MAX, True),
    "postal_code": _text(POSTAL_MAX, True),
    "is_default": {"type": "boolean", "description": "Make this the default address."},
}
NEW_ADDRESS = {"type": "object", "additionalProperties": False,
               "required": ["recipient", "phone", "region", "city", "street"],
               "properties": _FIELDS}
ADDRESS_CHANGE = {"type": "object", "additionalProperties": False, "properties": _FIELDS}
RULES = ("In China (CN) the phone is a mobile number (1[3-9] and 9 digits, +86 optional) "
         "and a postal code is 6 digits; elsewhere the phone has 6 to 15 digits with its "
         "country code. 422 names the field at fault.")


def address_json(address):
    return {"id": address.id, "recipient": address.recipient, "phone": address.phone,
            "country": address.country, "region": address.region, "city": address.city,
            "district": address.district, "street": address.street, "street2": address.street2,
            "postal_code": address.postal_code, "is_default": address.is_default,
            "lines": address.lines(), "created_at": iso(address.created_at),
            "updated_at": iso(address.updated_at)}


@bp.get("/me/addresses")
@api_doc("My addresses, the default first", tag="addresses", responses={200: {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": ADDRESS}}}})
@token_required
def index():
    return {"items": [address_json(a) for a in service.addresses_of(require_user())]}


@bp.post("/me/addresses")
@api_doc("Add an address to my book", tag="addresses", request=NEW_ADDRESS,
         responses={201: ADDRESS}, errors=(409,),
         description=RULES + f" 409 address_book_full past {service.MAX_ADDRESSES} addresses.")
@token_required
def create():
    body = json_body()
    address = service.add_address(require_user(), body, make_default=body.get("is_default", False))
    return address_json(address), 201


@bp.get("/me/addresses/<int:address_id>")
@api_doc("One of my addresses (anyone else's is a 404)", tag="addresses",
         responses={200: ADDRESS}, errors=(404,))
@token_required
def show(address_id):
    return address_json(service.get_address(address_id, require_user()))


@bp.patch("/me/addresses/<int:address_id>")
@api_doc("Change some fields of my address; orders placed before keep their copy",
         tag="addresses", request=ADDRESS_CHANGE, responses={200: ADDRESS}, errors=(404,),
         description=RULES)
@token_required
def change(address_id):
    body = json_body()
    address = service.update_address(address_id, require_user(), body,
                                     make_default=bool(body.get("is_default")))
    return address_json(address)


@bp.delete("/me/addresses/<int:address_id>")
@api_doc("Delete my address; orders keep their copy", tag="addresses",
         responses={204: None}, errors=(404,))
@token_required
def delete(address_id):
    service.delete_address(address_id, require_user())
    return "", 204
