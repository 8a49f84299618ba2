#!/usr/bin/env python3
"""Prints, as JSON, the wasm files each split point needs: {"run_page": [...]}.

Read off the link module that wasm-split-cli writes (`__wasm_split.js`):
each `__wasm_split_load_<split>` fetches its own module after the shared
`__chunk_<n>` modules it lists. The loader (scripts/build-wasm.sh) preloads
these files for a deep link, while the main module loads.
"""
import json
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
fetched = r'new URL\("\./([^"]+\.wasm)"'
chunks = {
    m.group(1): m.group(2)
    for m in re.finditer(r"const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(" + fetched, text)
}
needs = {}
for m in re.finditer(r"export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\((.*?), \[([^\]]*)\]\)\);", text, re.S):
    split, body, deps = m.groups()
    names = [d.strip() for d in deps.split(",") if d.strip()]
    missing = [d for d in names if d not in chunks]
    if missing:
        sys.exit(f"split-manifest: {split} needs {missing}, which the link module does not fetch as expected")
    files = [chunks[d] for d in names]
    own = re.search(fetched, body)
    if own:
        files.append(own.group(1))
    needs[split] = files
if not needs and "__wasm_split_load_" in text:
    sys.exit("split-manifest: the link module has loaders but none could be read; wasm-split-cli changed its output")
print(json.dumps(needs, sort_keys=True))
