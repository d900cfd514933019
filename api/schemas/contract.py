"""The input rules the service enforces, stated in its OpenAPI document where JSON Schema can.

Pydantic publishes types and lengths; the rules below are enforced by validators it
cannot see into, so they are added to the document after FastAPI builds it:

- text in a request body or a path refuses control characters (`TEXT_PATTERN`);
- a GTIN is `format: gtin` (8, 12, 13 or 14 digits with a valid GS1 check digit);
- a currency is `format: currency` (an ISO 4217 code), a country `format: country` (ISO
  3166-1 alpha-2), either in upper or lower case;
- a page `cursor` is `format: cursor`: only a `next_cursor` the service returned;
- a multipart part (file or field) is omitted when absent, never `null`;
- per-schema rules (`RULES`): which fields go together and which exclude each other;
- fields that may be left out but not sent as `null` (`NOT_NULL`).

Rules JSON Schema cannot state (one field before another, who may name a rights
holder, what a file must contain) are written in each operation's description.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pycountry

from catalog.products.validation import clean_gtin

# The characters catalog.products.validation.clean_text refuses, as an ECMA-262 pattern.
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
CURSOR_NOTE = "the `next_cursor` of the previous page; any other cursor is refused with 422"
GTIN_NOTE = "A GTIN: 8, 12, 13 or 14 digits ending in a valid GS1 check digit."
_HASHES = ("phash", "dhash", "whash", "colorhash")
COUNTRY_NOTE = "An ISO 3166-1 alpha-2 country code, in upper or lower case (`format: country`)."
CURRENCY_NOTE = "An ISO 4217 currency code, in upper or lower case (`format: currency`)."
# Field name -> (format, length, description). A format, not an `enum` of every code in
# both cases: ~500 and ~360 values that every client generator and fuzzer would enumerate.
CODE_FORMATS: dict[str, tuple[str, int, str]] = {
    "currency": ("currency", 3, CURRENCY_NOTE),
    "quote": ("currency", 3, CURRENCY_NOTE),
    "origin_country": ("country", 2, COUNTRY_NOTE),
    "authorized_origins": ("country", 2, COUNTRY_NOTE),
}


def _text(name: str) -> dict[str, Any]:
    return {"properties": {name: {"type": "string"}}, "required": [name]}


RULES: dict[str, dict[str, Any]] = {
    # An image is its bytes or the hashes a client computed, not both and not neither.
    "DeclaredImageIn": {
        "anyOf": [_text("data"), *(_text(h) for h in _HASHES)],
        "not": {"allOf": [_text("data"), {"anyOf": [_text(h) for h in _HASHES]}]},
    },
    # An officer's check sends at least one of: a photo, label text, a GTIN read by eye.
    "Body_check_v1_checks_post": {
        "description": (
            "Send at least one of `photo` (not empty), `text` (not blank) and `gtin`. "
            "The photo must be an image: other files are a 422."
        ),
        "anyOf": [
            {"required": ["photo"], "properties": {"photo": {"minLength": 1}}},
            {"required": ["text"], "properties": {"text": {"pattern": r"\S"}}},
            {"required": ["gtin"]},
        ],
    },
    # A rights holder's key names its holder; no other key does. A key rotates one key
    # or joins one client, not both.
    "ApiKeyCreate": {
        "if": {"properties": {"role": {"const": "rights_holder"}}, "required": ["role"]},
        "then": _text("rights_holder_id"),
        "else": {"properties": {"rights_holder_id": {"type": "null"}}},
        "not": {"allOf": [_text("rotates"), _text("client_of")]},
    },
}


# Fields that may be left out but not sent as null (a product keeps its brand and name).
NOT_NULL: dict[str, tuple[str, ...]] = {"ProductUpdate": ("brand", "name")}


@cache
def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-2 code, upper case then lower case (either is accepted)."""
    codes = sorted(c.alpha_2 for c in pycountry.countries)
    return codes + [c.lower() for c in codes]


@cache
def currency_codes() -> list[str]:
    """Every ISO 4217 code, upper case then lower case (the service accepts either)."""
    codes = sorted(c.alpha_3 for c in pycountry.currencies)
    return codes + [c.lower() for c in codes]


def state_input_rules(document: dict[str, Any]) -> dict[str, Any]:
    """Add the rules above to an OpenAPI document built by FastAPI (in place; returned)."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for name in _request_schemas(document):
        schema = schemas[name]
        for prop, sub in schema.get("properties", {}).items():
            _state_property(prop, sub, multipart=name.startswith("Body_"))
        schema.update(RULES.get(name, {}))
        for prop in NOT_NULL.get(name, ()):
            _not_null(schema["properties"][prop])
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    _state_parameter(parameter)
    return document


def _request_schemas(document: dict[str, Any]) -> set[str]:
    """Names of the component schemas a request body refers to, directly or not."""
    schemas = document.get("components", {}).get("schemas", {})
    found: set[str] = set()
    todo: list[Any] = [
        operation.get("requestBody", {})
        for path_item in document.get("paths", {}).values()
        for operation in path_item.values()
        if isinstance(operation, dict)
    ]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found and name in schemas:
                    found.add(name)
                    todo.append(schemas[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found


def _strings(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The string schemas a property may be: itself, its anyOf branches, its items."""
    out: list[dict[str, Any]] = []
    for branch in schema.get("anyOf", [schema]):
        if branch.get("type") == "string":
            out.append(branch)
        elif branch.get("type") == "array" and branch.get("items", {}).get("type") == "string":
            out.append(branch["items"])
    return out


def _state_property(name: str, schema: dict[str, Any], *, multipart: bool) -> None:
    if multipart and "anyOf" in schema:
        # An optional part (a file or a field) is left out: a form has no `null`, and
        # the text "null" in a field is that text, not "none".
        _not_null(schema)
    for string in _strings(schema):
        if name in ("gtin", "gtins"):
            string["format"] = "gtin"
            schema.setdefault("description", GTIN_NOTE)
            _valid_gtin_examples(schema)
        elif name in CODE_FORMATS:
            fmt, length, note = CODE_FORMATS[name]
            string.update(format=fmt, minLength=length, maxLength=length)
            schema.setdefault("description", note)
        if multipart:  # form fields are read as they come (see the lead's notes)
            continue
        if "pattern" in string and string["pattern"] != TEXT_PATTERN:  # e.g. an e-mail address
            string.setdefault("allOf", []).append({"pattern": TEXT_PATTERN})
        elif not ({"pattern", "enum", "format", "contentMediaType"} & set(string)):
            string["pattern"] = TEXT_PATTERN


def _not_null(schema: dict[str, Any]) -> None:
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches


def _valid_gtin_examples(schema: dict[str, Any]) -> None:
    # An example is a request a client may copy: one with a wrong check digit is dropped.
    examples = schema.get("examples")
    if isinstance(examples, list):
        schema["examples"] = [e for e in examples if all(map(_is_gtin, _listed(e)))]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_gtin(value: Any) -> bool:
    try:
        clean_gtin(str(value))
    except ValueError:
        return False
    return True


def _state_parameter(parameter: dict[str, Any]) -> None:
    schema = parameter.get("schema", {})
    if parameter.get("name") == "cursor":
        for string in _strings(schema):
            string.update(format="cursor", pattern=CURSOR_PATTERN)
        parameter["description"] = CURSOR_NOTE
        schema["description"] = CURSOR_NOTE
    elif parameter.get("in") == "path":
        for string in _strings(schema):
            string.setdefault("pattern", TEXT_PATTERN)
