"""The ModelArts error codes this project speaks, each written once.

The server answers with these codes and HTTP statuses, the client's pre-flight check reports
them, and the exception tree maps them to classes. Messages are the ones ModelArts documents
(error-code page modelarts_03_0095); ``{}`` placeholders are filled by :meth:`ErrorCode.format`.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ErrorCode", "ERROR_CODES", "by_code"]


@dataclass(frozen=True)
class ErrorCode:
    """One documented error: its code, the HTTP status it comes with, and its message template."""

    code: str
    http_status: int
    template: str

    def format(self, *args: object) -> str:
        """The documented message with its ``{}`` placeholders filled (missing ones left blank)."""
        needed = self.template.count("{}")
        values = list(args)[:needed] + [""] * max(0, needed - len(args))
        return self.template.format(*values)


def _table(*rows: tuple[str, int, str]) -> dict[str, ErrorCode]:
    return {code: ErrorCode(code, status, template) for code, status, template in rows}


ERROR_CODES: dict[str, ErrorCode] = _table(
    # generic
    ("ModelArts.6100", 408, "The request timed out. Please try again."),
    ("ModelArts.6101", 429, "The system is busy now. Please try again later."),
    ("ModelArts.6102", 500, "The server has encountered an error and fails to process the request. "
                            "Please try again later or submit a service ticket."),
    ("ModelArts.6200", 500, "No resources available. Please try again later or submit a service ticket."),
    # DevEnviron (old API); most of them the Notebook API answers too
    ("ModelArts.6301", 400, "The instance already exists."),
    ("ModelArts.6302", 400, "The instance count already reaches the maximum value."),
    ("ModelArts.6303", 400, "The field does not support sorting."),
    ("ModelArts.6304", 400, "Please stop the instance before deleting."),
    ("ModelArts.6305", 400, "The instance is already running."),
    ("ModelArts.6306", 400, "The instance is starting."),
    ("ModelArts.6307", 400, "The instance has already been stopped."),
    ("ModelArts.6308", 400, "The instance is stopping."),
    ("ModelArts.6309", 400, "The instance does not exist."),
    ("ModelArts.6316", 400, "The param 'storage' is needed for creating notebook instance."),
    ("ModelArts.6317", 400, "The 'path' parameter is required when the storage type is OBS."),
    ("ModelArts.6318", 400, "The param 'path' needs to end with /."),
    ("ModelArts.6323", 400, "The flavor is not supported, please check it."),
    ("ModelArts.6324", 400, "This location type is not supported. Please check it."),
    ("ModelArts.6326", 400, "The instance is frozen. Check whether your account is in arrears in Billing Center."),
    ("ModelArts.6327", 400, "The instance is not in running. Please refresh the page and start it."),
    ("ModelArts.6328", 400, "Sorry, you currently do not have permission for this flavor. "
                            "Please apply it firstly."),
    ("ModelArts.6329", 400, "Sorry, this flavor specification is sold out. Please try others."),
    ("ModelArts.6330", 400, "The flavor type of profile does not match the type of flavor. Please check it."),
    ("ModelArts.6331", 400, "The evs volume size ranges from {} GB to {} GB."),
    ("ModelArts.6332", 400, "Incorrect parameter type. The '{}' parameter must be of the '{}' type."),
    ("ModelArts.6334", 400, "Invalid value for name or description. The character `{}` is not allowed."),
    ("ModelArts.6335", 400, "'{}' is a required property."),
    ("ModelArts.6336", 400, "'{}' property value is incorrect."),
    ("ModelArts.6346", 400, "The timestamp of auto stop must be later than the current timestamp."),
    ("ModelArts.6347", 400, "When the instance is in the '{}' status, the '{}' parameter cannot be modified."),
    ("ModelArts.6348", 400, "The 'duration' parameter is mandatory for enabling auto stop."),
    ("ModelArts.6349", 400, "The 'duration' parameter is incorrect. The value ranges from {} to {}."),
    ("ModelArts.6357", 400, "The operation is not allowed because another operation is being performed "
                            "on the instance or the instance is in the target state."),
    ("ModelArts.6358", 400, "The path parameter is incorrect. It cannot be the root directory of an OBS "
                            "bucket, but must be a specific directory in the OBS bucket."),
    ("ModelArts.6400", 400, "Invalid request payload {}, please check."),
    # Notebook (new API)
    ("ModelArts.6797", 400, "Specified image {} cannot be found."),
    ("ModelArts.6870", 400, "Specified flavor {} does not support current instance feature {}."),
    # authentication and authorisation
    ("ModelArts.0108", 403, "You are not authorized to perform the ({}) operation."),
    ("ModelArts.0201", 401, "Token header cannot be empty. No key X-Auth-Token in header."),
    ("ModelArts.0202", 401, "Invalid Token header. Token expired, please refresh it."),
    ("ModelArts.0203", 401, "Invalid Token header. Can't decode the Token."),
    ("ModelArts.0210", 403, "The project id in the request URL does not match the token."),
    ("APIGW.0101", 404, "The API does not exist or has not been published in the environment."),
    ("APIGW.0102", 405, "The method is not allowed for the requested API."),
    ("APIGW.0201", 413, "Request entity too large."),
    ("APIGW.0301", 401, "Incorrect IAM authentication information: {}"),
    ("IAM.0001", 401, "The username or password is wrong."),
    ("IAM.0002", 400, "The request body is invalid: {}"),
)


def by_code(code: str) -> ErrorCode:
    """Look up a documented error code; unknown codes are a programming error."""
    return ERROR_CODES[code]
