#!/usr/bin/env python3
"""Writes swagger_shapes.json: the response schemas of the Edgegap paths edgegap-sim serves,
taken from edgegap-swagger.yaml with every $ref inlined, keyed "<METHOD> <path> <status>".

The C++ test (swagger_shape_test.cpp) reads that JSON, because the project's C++ dependencies
have no YAML parser. Rerun after updating the spec:  python3 extract_swagger_shapes.py
Needs python3-yaml. Only `type`, `required`, `properties`, `items` and `additionalProperties`
are kept: they are what the test checks.
"""
import json
import os

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
OPERATIONS = [
    ("post", "/v1/deploy"),
    ("get", "/v1/status/{request_id}"),
    ("delete", "/v1/stop/{request_id}"),
    ("get", "/v1/deployments"),
    ("get", "/v1/deployment/{request_id}/container-logs"),
    ("post", "/v1/session"),
    ("get", "/v1/session/{session_id}"),
    ("delete", "/v1/session/{session_id}"),
    ("get", "/v1/sessions"),
    ("get", "/v1/session/{session_id}/users"),
    ("put", "/v1/session/{session_id}/users"),
    ("delete", "/v1/session/{session_id}/users"),
    ("get", "/v1/context/{request_id}/{security_number}"),
    ("delete", "/v1/self/stop/{request_id}/{access_point_id}"),
    ("post", "/v1/app/{app_name}/version"),
    ("get", "/v1/app/{app_name}/version/{version_name}"),
    ("patch", "/v1/app/{app_name}/version/{version_name}"),
]
KEPT = ("type", "required", "properties", "items", "additionalProperties")


def inline(schema, definitions, depth=0):
    if depth > 12:
        return {}
    if "$ref" in schema:
        return inline(definitions[schema["$ref"].split("/")[-1]], definitions, depth + 1)
    out = {key: schema[key] for key in ("type", "required") if key in schema}
    if "properties" in schema:
        out["properties"] = {k: inline(v, definitions, depth + 1) for k, v in schema["properties"].items()}
    if isinstance(schema.get("items"), dict):
        out["items"] = inline(schema["items"], definitions, depth + 1)
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = inline(schema["additionalProperties"], definitions, depth + 1)
    return out


def main():
    with open(os.path.join(HERE, "edgegap-swagger.yaml")) as f:
        spec = yaml.safe_load(f)
    shapes = {}
    for method, path in OPERATIONS:
        for status, response in spec["paths"][path][method]["responses"].items():
            if "schema" in response:
                shapes[f"{method.upper()} {path} {status}"] = inline(response["schema"], spec["definitions"])
    with open(os.path.join(HERE, "swagger_shapes.json"), "w") as f:
        json.dump(shapes, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
