"""The seed's pattern, for the benchmarks only: a hand-written Gradio app per
service (as grycap/oscar-gradio's examples), here for cowsay on the stand-in.
It fetches the service token with basic auth, POSTs the base64 input to
/run/cowsay and shows the decoded answer.

python gradio_cowsay.py <endpoint> <user> <password> <port>
"""
import base64
import json
import sys
import urllib.request

import gradio as gr

endpoint, user, password, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
basic = base64.b64encode(f"{user}:{password}".encode()).decode()


def call(path, data=None, auth=None):
    req = urllib.request.Request(endpoint + path, data=data, headers={"Authorization": auth or f"Basic {basic}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.read()


def run(message):
    token = json.loads(call("/system/services/cowsay"))["token"]
    body = base64.b64encode(json.dumps({"message": message}).encode())
    out = call("/run/cowsay", data=body, auth=f"Bearer {token}")
    try:
        return base64.b64decode(out, validate=True).decode(errors="replace")
    except ValueError:
        return out.decode(errors="replace")


demo = gr.Interface(fn=run, inputs=gr.Textbox(label="Message"), outputs=gr.Textbox(label="Output"), title="cowsay")
demo.launch(server_name="127.0.0.1", server_port=port, share=False, show_error=True)
