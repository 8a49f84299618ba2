#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/,
from the repository's own fixtures and a few hand-made cases. Files are
named by their content's hash, so re-running adds nothing twice."""
import hashlib, io, json, pathlib, sys, zipfile

root = pathlib.Path(__file__).resolve().parents[2]
fx = root / "tests" / "fixtures"
corpus = root / "fuzz" / "corpus"
SEP = "\x01"  # field separator of the multi-field targets (src/fuzzing.rs)


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(*globs):
    for g in globs:
        for p in sorted(fx.glob(g)):
            if p.is_file() and p.stat().st_size <= 64 * 1024:
                yield p.read_bytes()


def zips():
    out = []
    for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        b = io.BytesIO()
        with zipfile.ZipFile(b, "w", method) as z:
            z.writestr("a.txt", "hello\n" * 20)
            z.writestr("dir/", "")
            z.writestr("../evil.png", b"\x89PNG\r\n\x1a\n")
        out.append(b.getvalue())
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * 200_000)
    out.append(b.getvalue())
    out.append(b"PK\x05\x06" + b"\0" * 18)  # an empty archive
    return out


for data in files("decode/*"):
    put("run_body", data)
import base64
for data in files("decode/tiny.png", "decode/table.csv"):
    put("run_body", b"[2024-01-01 10:00:00] INFO supervisor: ok\n" + base64.b64encode(data) + b"\n")

for data in files("decode/*.json", "decode/plants-*.txt"):
    put("labels", data)
# batch: an output's bytes, or "<batch id>\x01<key or logs>\x01<input name>", or a saved batch.
put("batch", '{"labels":["rose","tulip"],"probabilities":[0.91,0.09]}')
put("batch", "bk3x9a1q2" + SEP + "plants/output/bk3x9a1q2-00007-leaf.json" + SEP + "leaf.png")
put("batch", "bk3x9a1q2" + SEP + "INFO - Downloading file 'input/bk3x9a1q2/bk3x9a1q2-00042-x.png' from bucket 'plants'" + SEP + "x.png")
put("batch", '{"id":"b1","service":"s","sync":true,"started_unix":0,"items":[{"index":0,"name":"a","size":1,"status":"Waiting"}]}')
put("batch", '{"message": "hello"}\n{"message": 1}\n\n[2]\n{oops')
put("batch", "b" + SEP + "output.json" + SEP + "../../etc/passwd")
put("labels", "{'labels': ['cat', 'dog'], 'probabilities': [0.9, 0.1]}")
put("labels", "[{'label': 'rose', 'score': 97.5}, {'label': 'tulip', 'score': 2.5}]")
put("labels", '{"predictions": {"labels": ["a"], "probabilities": [1e-3]}}')
put("labels", "(True, None, 1.5e3, 'x\\'y', [1, (2,)])")

for data in list(files("decode/*.zip")) + zips():
    put("zip", data)

for data in files("async/*.xml"):
    put("s3", data)
put("s3", "<Error><Code>SignatureDoesNotMatch</Code><Message>a &amp; b &#x41;</Message></Error>")
put("s3", "2024-01-02T03:04:05Z\nTue, 15 Nov 1994 08:12:31 GMT\n2024-02-29T23:59:59.123+02:00")

for data in files("async/jobs-*.json"):
    put("jobs", data + SEP.encode() + b"grayify")
put("jobs", '{"cowsay-abc": {"status": "Succeeded", "creation_time": "2024-01-01T00:00:00Z", "finish_time": "2024-01-01T00:00:09Z"}, "x": 1}' + SEP + "cowsay")
put("jobs", '{"jobs": {"a-1": {"status": "Failed"}, "a-2": null}, "next_page": "tok", "remaining_jobs": 9}' + SEP + "a")
put("jobs", '{"jobs": null, "next_page": "", "remaining_jobs": 0}' + SEP + "cowsay")

for data in files("service-*.json", "vllm_llama.json"):
    put("services", b"[" + data + b"]")
put("services", "null")
put("services", '[{"name":"a<b>"},{"name":"ok","image":"<img src=x onerror=alert(1)>","cpu":1}]')

put("config", '{"config":{"name":"oscar","serverless_backend":"knative"},"minio_provider":{"endpoint":"http://127.0.0.1:9000","verify":true,"access_key":"k","secret_key":"s","region":"us-east-1"}}')
put("config", '{"name":"oscar","namespace":"oscar","gpu_available":false,"serverless_backend":""}')
put("config", '{"endpoint":"http://127.0.0.1:8080","fixed_endpoint":true,"embed_origins":["http://127.0.0.1:3000"],"interfaces":"interfaces.json","title":"T","logo":"l.svg"}')
put("config", '{"embed_origins": "*"}')
put("config", "[]")

for data in files("spec/*.json"):
    put("spec", data)
put("spec", '{"visor":1,"inputs":[{"id":"a","kind":"text"}],"request":{"encoding":"template","template":{"x":"{{a}} {{b}}","y":["{{a}}"]}}}')
put("spec", '{"visor":99,"inputs":[{"id":"n","kind":"number","control":"dial","min":1,"max":0}],"outputs":[{"kind":"hologram"}]}')

for data in files("spec/hub/*/ro-crate-metadata.json"):
    put("ro_crate", data)
put("ro_crate", '{"@graph":[{"@id":"./","hasPart":[{"@id":"#in"}]},{"@id":"#in","encodingFormat":["image/png","image/png"]}]}')

for data in files("decode/table.*"):
    put("table", data)
put("table", 'a,"b ""q""",c\r\n1,,"x\ny"\n')
put("table", "x\ty\tz\n1\t2\n")
put("table", '"unterminated,1\n2')

for fields in [
    ("in/photo 1.png", "http://127.0.0.1:9000", "grayify"),
    ("ünïcode/☃/~a_b-c.d", "https://minio.example.org:9443/base", "b"),
    ("%2F/../a?b#c", "http://[::1]:9000", "bucket.name"),
    ("", "ftp://x", ""),
    ("a+b=c&d", "http://user:pw@127.0.0.1", "x"),
]:
    put("sigv4", SEP.join(fields))

for fields in [
    ("https://oscar.example.org", "/services/cowsay"),
    ("http://127.0.0.1:8080/path/", "/ui/services/x?y=1"),
    ("oscar.example.org", "//evil.example.org"),
    ("https://u:p@h/?q#f", "/embed/services/a/b"),
    ("  http://h:99999 ", "/visor/index.html"),
]:
    put("endpoint", SEP.join(fields))

print(f"seeds in {corpus.relative_to(root)}:", ", ".join(
    f"{d.name} {len(list(d.iterdir()))}" for d in sorted(corpus.iterdir()) if d.is_dir()))
