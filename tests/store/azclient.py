#!/usr/bin/env python3
"""azclient.py: the independent side of tests/store/azure.sh.

  azclient.py client ENDPOINT ACCOUNT KEY CMD ARGS...
      A Blob service client of its own (Python's standard library: Shared Key
      signed with hmac, sent with urllib), to check what the runtime wrote and
      to write what it reads:
        mkcontainer C            create container C
        put C BLOB FILE          Put Blob
        get C BLOB FILE          Get Blob into FILE
        etag C BLOB              print the ETag (no quotes)
        md5 C BLOB               print the blob's Content-MD5 ("" if none)
        blocks C BLOB            print the committed block count
        count C PREFIX           print the number of blobs under PREFIX
        sas                      print an account SAS (read, write, list; 1 h)
  azclient.py ad-server PORTFILE LOGFILE TENANT CLIENT SECRET ASSERTION ACCOUNT
      A stand-in for the Azure AD token endpoint and a Blob service that only
      takes its bearer token: POST /TENANT/oauth2/v2.0/token must carry
      exactly the client-credentials form (client secret SECRET, or the
      federated ASSERTION when SECRET is "-"); GET and HEAD of
      /ACCOUNT/CONTAINER/BLOB answer "bearer ok\\n" when the token is one it
      issued; a blob whose name holds "refuse-first" is refused once (401
      InvalidAuthenticationInfo); List Blobs of a container answers two
      pages (blobs "a", then "b"). Every request is logged (one line) in
      LOGFILE. The port it listens on (127.0.0.1) is written to PORTFILE.
  azclient.py flaky-server PORTFILE LOGFILE FAILS STATUS
      A Blob service that answers its first FAILS requests with STATUS (503:
      ServerBusy, 500: InternalError, 403: AuthenticationFailed), then GETs
      with "flaky ok\n" (logged and PORTFILE as above).
"""
import base64
import datetime
import hashlib
import hmac
import http.server
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

VERSION = "2021-12-02"


def sign(account, key, method, path, query, headers):
    std = ["content-encoding", "content-language", "content-length", "content-md5",
           "content-type", "date", "if-modified-since", "if-match", "if-none-match",
           "if-unmodified-since", "range"]
    low = {k.lower(): v for k, v in headers.items()}
    lines = [method]
    for h in std:
        v = low.get(h, "")
        if h == "content-length" and v == "0":
            v = ""
        lines.append(v)
    canon = "".join("%s:%s\n" % (k, low[k]) for k in sorted(low) if k.startswith("x-ms-"))
    res = "/" + account + path
    for k in sorted(query):
        res += "\n%s:%s" % (k.lower(), query[k])
    sts = "\n".join(lines) + "\n" + canon + res
    mac = hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()
    return "SharedKey %s:%s" % (account, base64.b64encode(mac).decode())


def request(ep, account, key, method, path, query=None, body=None, extra=None):
    query = query or {}
    u = urllib.parse.urlsplit(ep)
    full = u.path.rstrip("/") + urllib.parse.quote(path)
    headers = {
        "x-ms-date": datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "x-ms-version": VERSION,
    }
    headers.update(extra or {})
    if body is not None:
        headers["Content-Length"] = str(len(body))
        headers["Content-Type"] = "application/octet-stream"   # urllib would add another
    headers["Authorization"] = sign(account, key, method, full, query, headers)
    url = "%s://%s%s" % (u.scheme, u.netloc, full)
    if query:
        url += "?" + urllib.parse.urlencode(query)
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def must(status, want, what, body=b""):
    if status != want:
        sys.exit("azclient: %s: HTTP %d %s" % (what, status, body[:300]))


def account_sas(account, key):
    exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sv, ss, srt, sp, spr = "2020-12-06", "b", "sco", "rwdlac", "http,https"
    sts = "\n".join([account, sp, ss, srt, "", exp, "", spr, sv, "", ""])
    sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
    return urllib.parse.urlencode({"sv": sv, "ss": ss, "srt": srt, "sp": sp, "se": exp, "spr": spr, "sig": sig})


def client(ep, account, key, cmd, args):
    if cmd == "mkcontainer":
        s, _, b = request(ep, account, key, "PUT", "/" + args[0], {"restype": "container"}, b"")
        must(s, 201, "create container", b)
    elif cmd == "put":
        with open(args[2], "rb") as f:
            data = f.read()
        s, _, b = request(ep, account, key, "PUT", "/%s/%s" % (args[0], args[1]), body=data,
                          extra={"x-ms-blob-type": "BlockBlob"})
        must(s, 201, "put", b)
    elif cmd in ("get", "etag", "md5"):
        s, h, b = request(ep, account, key, "GET", "/%s/%s" % (args[0], args[1]))
        must(s, 200, "get", b)
        if cmd == "get":
            with open(args[2], "wb") as f:
                f.write(b)
        elif cmd == "etag":
            print(h.get("etag", "").strip('"'))
        else:
            print(h.get("content-md5", ""))
    elif cmd == "blocks":
        s, _, b = request(ep, account, key, "GET", "/%s/%s" % (args[0], args[1]),
                          {"comp": "blocklist", "blocklisttype": "committed"})
        must(s, 200, "get block list", b)
        print(len(ET.fromstring(b).findall("./CommittedBlocks/Block")))
    elif cmd == "count":
        n, marker = 0, None
        while True:
            q = {"restype": "container", "comp": "list", "prefix": args[1]}
            if marker:
                q["marker"] = marker
            s, _, b = request(ep, account, key, "GET", "/" + args[0], q)
            must(s, 200, "list", b)
            root = ET.fromstring(b)
            n += len(root.findall("./Blobs/Blob"))
            marker = root.findtext("NextMarker")
            if not marker:
                break
        print(n)
    elif cmd == "sas":
        print(account_sas(account, key))
    else:
        sys.exit("azclient: unknown command " + cmd)


def ad_server(portfile, logfile, tenant, client_id, secret, assertion, account):
    stem = "tok-" + base64.b16encode(hashlib.sha256(client_id.encode()).digest()[:8]).decode()
    issued = []
    refused = set()
    if secret == "-":
        want = {"grant_type": ["client_credentials"], "client_id": [client_id],
                "scope": ["https://storage.azure.com/.default"],
                "client_assertion_type": ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"],
                "client_assertion": [assertion]}
    else:
        want = {"grant_type": ["client_credentials"], "client_id": [client_id],
                "scope": ["https://storage.azure.com/.default"], "client_secret": [secret]}

    class H(http.server.BaseHTTPRequestHandler):
        def log(self, what):
            with open(logfile, "a") as f:
                f.write("%s %s %s\n" % (self.command, self.path, what))

        def answer(self, code, body, ctype="application/json", extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(n).decode()
            form = urllib.parse.parse_qs(raw, keep_blank_values=True)
            ok = (self.path == "/%s/oauth2/v2.0/token" % tenant and form == want and
                  self.headers.get("Content-Type") == "application/x-www-form-urlencoded")
            self.log("form-ok" if ok else "form-bad " + raw)
            if ok:
                issued.append("%s-%d" % (stem, len(issued) + 1))
                self.answer(200, ('{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,'
                                  '"access_token":"%s"}' % issued[-1]).encode())
            else:
                self.answer(401, b'{"error":"invalid_client","error_description":"AADSTS7000215: '
                                 b'Invalid client secret provided.\\r\\nTrace ID: 1"}')

        def blob(self):
            auth = self.headers.get("Authorization", "")
            tok = auth[7:] if auth.startswith("Bearer ") else ""
            good = tok in issued and self.headers.get("x-ms-version") == VERSION
            if good and "refuse-first" in self.path and self.path not in refused:
                refused.add(self.path)
                self.log("bearer-refused " + tok)
                self.answer(401, b'<?xml version="1.0"?><Error><Code>InvalidAuthenticationInfo</Code>'
                                 b'<Message>Token expired.</Message></Error>', "application/xml",
                            {"x-ms-error-code": "InvalidAuthenticationInfo"})
                return
            self.log(("bearer-ok " + tok) if good else "bearer-bad " + auth)
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            if not self.path.startswith("/%s/" % account):
                self.answer(404, b"", "application/xml", {"x-ms-error-code": "ResourceNotFound"})
            elif good and q.get("comp") == ["list"]:
                c = u.path.split("/")[2]
                name, nxt = ("b", "") if q.get("marker") == ["m1"] else ("a", "m1")
                body = ('<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="%s">'
                        '<Blobs><Blob><Name>%s</Name></Blob></Blobs><NextMarker>%s</NextMarker>'
                        '</EnumerationResults>' % (c, q.get("prefix", [""])[0] + name, nxt)).encode()
                self.answer(200, body, "application/xml")
            elif good:
                self.answer(200, b"bearer ok\n", "application/octet-stream", {"ETag": '"0x1"'})
            else:
                self.answer(403, b'<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code>'
                                 b'<Message>Bearer token refused.</Message></Error>', "application/xml",
                            {"x-ms-error-code": "AuthenticationFailed"})

        do_GET = blob
        do_HEAD = blob

        def log_message(self, *a):
            pass

    serve(H, portfile)


def flaky_server(portfile, logfile, fails, status):
    state = {"n": 0}
    status = int(status)
    code = {503: "ServerBusy", 500: "InternalError", 403: "AuthenticationFailed"}.get(status, "Error")

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["n"] += 1
            with open(logfile, "a") as f:
                f.write("%s %s\n" % (self.command, self.path))
            if state["n"] <= int(fails):
                body = ('<?xml version="1.0"?><Error><Code>%s</Code><Message>Flaky on purpose.\n'
                        'RequestId:1</Message></Error>' % code).encode()
                self.send_response(status)
                self.send_header("x-ms-error-code", code)
            else:
                body = b"flaky ok\n"
                self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    serve(H, portfile)


def serve(handler, portfile):
    import os
    srv = http.server.HTTPServer(("127.0.0.1", 0), handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "client":
        client(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:])
    elif len(sys.argv) == 9 and sys.argv[1] == "ad-server":
        ad_server(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "flaky-server":
        flaky_server(*sys.argv[2:])
    else:
        sys.exit(__doc__)
