#!/usr/bin/env python3
"""Checks that gguf-py reads a GGUF file written by Sift, and that it holds the same
metadata and tensor values as the gguf-py-written fixture it was copied from.

    SIFT_KEEP_GGUF=/tmp/sift-copy.gguf swift test --filter GGUFWriterTests
    python3 models/check_sift_gguf.py /tmp/sift-copy.gguf
"""
import os
import sys
import numpy as np
import gguf

copy = gguf.GGUFReader(sys.argv[1])
reference = gguf.GGUFReader(os.path.join(os.path.dirname(__file__), "..", "Tests", "SiftTests", "Fixtures", "formats", "reference.gguf"))
assert [f for f in copy.fields] == [f for f in reference.fields], "metadata keys differ"
for key, field in reference.fields.items():
    if key.startswith("GGUF."):
        continue
    a, b = field.contents(), copy.fields[key].contents()
    assert a == b, f"{key}: {a!r} != {b!r}"
assert [t.name for t in copy.tensors] == [t.name for t in reference.tensors]
for t, u in zip(reference.tensors, copy.tensors):
    assert t.tensor_type == u.tensor_type and list(t.shape) == list(u.shape), t.name
    assert np.array_equal(np.asarray(t.data).view(np.uint8), np.asarray(u.data).view(np.uint8)), t.name
print(f"gguf-py {gguf.__name__} read {sys.argv[1]}: {len(copy.fields)} fields, {len(copy.tensors)} tensors, identical to the reference")
