#!/usr/bin/env bash
# Prints the CA certificates this host trusts beyond Debian's default (Mozilla) set, e.g. a
# corporate TLS proxy's. Image builds add them so that apt/pip/uv work behind such a proxy.
# Certificates are public; nothing secret is printed.
set -euo pipefail
bundle=${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -r "$bundle" ] || exit 0
python3 - "$bundle" <<'PY'
import glob, re, sys
pem = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
known = {c for f in glob.glob("/usr/share/ca-certificates/mozilla/*.crt") for c in pem.findall(open(f).read())}
for cert in pem.findall(open(sys.argv[1]).read()):
    if cert not in known:
        print(cert)
PY
