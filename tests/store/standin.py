#!/usr/bin/env python3
"""standin.py: small local servers standing in for AWS services, and an
independent S3 client (boto3), for tests/store/s3.sh.

  standin.py imds DIR ACCESS SECRET EXPIRES_IN
  standin.py container DIR ACCESS SECRET EXPIRES_IN AUTH_TOKEN
  standin.py sts DIR ACCESS SECRET EXPIRES_IN WEB_IDENTITY_TOKEN
      credential services handing out ACCESS/SECRET (the real gateway
      user's keys), expiring EXPIRES_IN seconds from each answer
  standin.py proxy DIR UPSTREAM MODE N
      forwards to UPSTREAM (http://host:port); MODE 503: the first N
      requests get 503 SlowDown; drop: the first N GETs are cut off halfway
      through the body; corrupt: the first N GETs get their first byte
      flipped; failpart: the PUT of part 2 gets 403 AccessDenied; region: requests not signed for eu-west-1 get a 301
      PermanentRedirect naming eu-west-1
  standin.py client ENDPOINT ACCESS SECRET OP ARGS...
      OP: mkbucket B | put B K FILE | get B K FILE | etag B K | uploads B |
          verify-keys B PREFIX KEYS DIR

A server binds 127.0.0.1 on a free port, writes it to DIR/port once it
listens, and logs one line per request to DIR/log ("METHOD PATH" and what it
checked). It runs until killed.
"""
import datetime
import http.client
import http.server
import json
import os
import socketserver
import sys
import urllib.parse


def log(d, line):
    with open(os.path.join(d, "log"), "a") as f:
        f.write(line + "\n")


def expiry(seconds):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(seconds))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(d, handler):
    srv = Server(("127.0.0.1", 0), handler)
    tmp = os.path.join(d, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(d, "port"))
    srv.serve_forever()


class Base(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""


def creds_json(access, secret, expires_in):
    return json.dumps({"AccessKeyId": access, "SecretAccessKey": secret,
                       "Expiration": expiry(expires_in), "Code": "Success"})


def imds(d, access, secret, expires_in):
    class H(Base):
        def do_PUT(self):
            self.body()
            if self.path != "/latest/api/token" or "X-aws-ec2-metadata-token-ttl-seconds" not in self.headers:
                log(d, "PUT %s refused" % self.path)
                return self.reply(400, "")
            log(d, "PUT %s token" % self.path)
            self.reply(200, "imds-session-token", "text/plain")

        def do_GET(self):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                log(d, "GET %s no-token" % self.path)
                return self.reply(401, "")
            base = "/latest/meta-data/iam/security-credentials/"
            if self.path == base:
                log(d, "GET %s role" % self.path)
                return self.reply(200, "flytec-role", "text/plain")
            if self.path == base + "flytec-role":
                log(d, "GET %s creds" % self.path)
                return self.reply(200, creds_json(access, secret, expires_in))
            log(d, "GET %s unknown" % self.path)
            self.reply(404, "")
    serve(d, H)


def container(d, access, secret, expires_in, token):
    class H(Base):
        def do_GET(self):
            if self.headers.get("Authorization") != token:
                log(d, "GET %s bad-authorization" % self.path)
                return self.reply(401, '{"message":"bad token"}')
            log(d, "GET %s creds" % self.path)
            self.reply(200, creds_json(access, secret, expires_in))
    serve(d, H)


def sts(d, access, secret, expires_in, token):
    class H(Base):
        def do_POST(self):
            form = urllib.parse.parse_qs(self.body().decode())
            get = lambda k: (form.get(k) or [""])[0]
            if get("Action") != "AssumeRoleWithWebIdentity" or get("WebIdentityToken") != token:
                log(d, "POST %s refused action=%s" % (self.path, get("Action")))
                return self.reply(403, "<ErrorResponse><Error><Code>InvalidIdentityToken</Code>"
                                  "<Message>bad token</Message></Error></ErrorResponse>", "text/xml")
            log(d, "POST %s action=%s role=%s session=%s" % (self.path, get("Action"), get("RoleArn"),
                                                              get("RoleSessionName")))
            self.reply(200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult>"
                       "<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey>"
                       "<SessionToken></SessionToken><Expiration>%s</Expiration></Credentials>"
                       "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"
                       % (access, secret, expiry(expires_in)), "text/xml")
    serve(d, H)


def proxy(d, upstream, mode, n):
    u = urllib.parse.urlparse(upstream)
    state = {"seen": 0}

    class H(Base):
        def forward(self):
            body = self.body()
            state["seen"] += 1
            k = state["seen"]
            auth = self.headers.get("Authorization") or ""
            log(d, "%s %s %s" % (self.command, self.path, auth.split(",")[0]))
            if mode == "503" and k <= n:
                return self.reply(503, "<Error><Code>SlowDown</Code><Message>slow down</Message></Error>",
                                  "application/xml")
            if mode == "failpart" and self.command == "PUT" and "partNumber=2&" in self.path:
                return self.reply(403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
                                  "application/xml")
            if mode == "region" and "/eu-west-1/" not in auth:
                return self.reply(301, "<Error><Code>PermanentRedirect</Code><Message>elsewhere</Message>"
                                  "<Region>eu-west-1</Region></Error>", "application/xml",
                                  [("x-amz-bucket-region", "eu-west-1")])
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
            hdrs = {k2: v for k2, v in self.headers.items()}
            c.request(self.command, self.path, body=body if body or self.command in ("PUT", "POST") else None,
                      headers=hdrs)
            r = c.getresponse()
            data = r.read()
            self.send_response(r.status)
            for k2, v in r.getheaders():
                if k2.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(k2, v)
            self.send_header("Content-Length", r.getheader("Content-Length") or str(len(data)))
            self.end_headers()
            if self.command == "HEAD":
                return
            if mode == "corrupt" and self.command == "GET" and k <= n and len(data) > 1:
                data = bytes([data[0] ^ 1]) + data[1:]
            if mode == "drop" and self.command == "GET" and k <= n and len(data) > 1:
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = forward
    serve(d, H)


def client(endpoint, access, secret, op, args):
    os.environ["AWS_REQUEST_CHECKSUM_CALCULATION"] = "when_required"
    os.environ["AWS_RESPONSE_CHECKSUM_VALIDATION"] = "when_required"
    import boto3
    import botocore.config
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access, aws_secret_access_key=secret,
                      region_name="us-east-1",
                      config=botocore.config.Config(s3={"addressing_style": "path"}))
    if op == "mkbucket":
        s3.create_bucket(Bucket=args[0])
    elif op == "put":
        with open(args[2], "rb") as f:
            s3.put_object(Bucket=args[0], Key=args[1], Body=f.read())
    elif op == "get":
        with open(args[2], "wb") as f:
            f.write(s3.get_object(Bucket=args[0], Key=args[1])["Body"].read())
    elif op == "etag":
        print(s3.head_object(Bucket=args[0], Key=args[1])["ETag"].strip('"'))
    elif op == "list":
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=args[0], Prefix=args[1]):
            for o in page.get("Contents", []):
                print(o["Key"])
    elif op == "uploads":
        for u in s3.list_multipart_uploads(Bucket=args[0]).get("Uploads", []):
            print(u["Key"], u["UploadId"])
    elif op == "verify-keys":
        # B PREFIX KEYS DIR: for key i (line i of KEYS) checks that PREFIX+key
        # is listed by its exact name and holds DIR/k<i>; writes DIR/kb<i>
        # as PREFIX+"b-"+key
        bucket, prefix, keys, d = args
        listed = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            listed.update(o["Key"] for o in page.get("Contents", []))
        bad = 0
        with open(keys, encoding="utf-8") as f:
            names = f.read().split("\n")[:-1]
        for i, key in enumerate(names, 1):
            with open(os.path.join(d, "k%d" % i), "rb") as f:
                want = f.read()
            if prefix + key not in listed:
                print("not listed: %r (listed: %r)" % (prefix + key, sorted(listed)))
                bad += 1
            elif s3.get_object(Bucket=bucket, Key=prefix + key)["Body"].read() != want:
                print("other bytes: %r" % key)
                bad += 1
            with open(os.path.join(d, "kb%d" % i), "rb") as f:
                s3.put_object(Bucket=bucket, Key=prefix + "b-" + key, Body=f.read())
        sys.exit(1 if bad else 0)
    else:
        sys.exit("standin.py: unknown client operation " + op)


def main(argv):
    what = argv[1]
    if what == "imds":
        imds(argv[2], argv[3], argv[4], argv[5])
    elif what == "container":
        container(argv[2], argv[3], argv[4], argv[5], argv[6])
    elif what == "sts":
        sts(argv[2], argv[3], argv[4], argv[5], argv[6])
    elif what == "proxy":
        proxy(argv[2], argv[3], argv[4], int(argv[5]))
    elif what == "client":
        client(argv[2], argv[3], argv[4], argv[5], argv[6:])
    else:
        sys.exit("standin.py: unknown command " + what)


if __name__ == "__main__":
    main(sys.argv)
