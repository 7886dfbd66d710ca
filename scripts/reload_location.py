"""Reloads one code location in the webserver's workspace and waits until it is loaded.

Runs inside the webserver container (stdlib only). After a code server restarts, the webserver
can keep the location "unavailable" until it is reloaded; reloading until it reports LOADED
without an error is what clears that.
"""

import json
import sys
import time
import urllib.request

GRAPHQL_URL = "http://127.0.0.1:3000/graphql"
RELOAD = """
mutation Reload($name: String!) {
  reloadRepositoryLocation(repositoryLocationName: $name) {
    __typename
    ... on WorkspaceLocationEntry {
      loadStatus
      locationOrLoadError { __typename ... on PythonError { message } }
    }
    ... on PythonError { message }
    ... on ReloadNotSupported { message }
    ... on RepositoryLocationNotFound { message }
  }
}
"""


def reload(name: str) -> tuple[bool, str]:
    body = json.dumps({"query": RELOAD, "variables": {"name": name}}).encode()
    request = urllib.request.Request(GRAPHQL_URL, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        result = json.load(response)["data"]["reloadRepositoryLocation"]
    if result["__typename"] != "WorkspaceLocationEntry":
        return False, result.get("message", result["__typename"])
    location = result["locationOrLoadError"] or {}
    if result["loadStatus"] == "LOADED" and location.get("__typename") == "RepositoryLocation":
        return True, "loaded"
    return False, location.get("message", result["loadStatus"])


def main(name: str, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            ok, detail = reload(name)
        except OSError as error:
            ok, detail = False, str(error)
        if ok:
            print(f"reload: {name} loaded")
            return 0
        if time.monotonic() > deadline:
            print(f"reload: {name} did not load within {timeout:.0f}s: {detail}", file=sys.stderr)
            return 1
        time.sleep(2)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
