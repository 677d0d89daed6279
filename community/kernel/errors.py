"""Domain errors: what a service raises when a use case cannot go ahead.

Each carries a machine code, a human message and optionally the form field it is
about, so a view can put it next to the field and the API can return it as JSON.
"""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message, field=None, code=None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class ValidationError(DomainError):
    status = 422
    code = "invalid"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class HeldForApproval(DomainError):
    """Not an error to its author: the post was kept for staff to approve (it is saved,
    and nobody else sees it until then). `held_id` names the kept row."""

    status = 202
    code = "held_for_approval"

    def __init__(self, message, held_id):
        super().__init__(message)
        self.held_id = held_id
