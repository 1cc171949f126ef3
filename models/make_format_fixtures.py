#!/usr/bin/env python3
"""Writes the format fixtures that Sift's reader tests compare against, with the reference
writers: gguf-py's GGUFWriter and the safetensors package.

    python3 models/make_format_fixtures.py

Outputs (Tests/SiftTests/Fixtures/formats/):
  reference.gguf            every metadata value type, arrays (incl. nested), general.alignment
                            64, tensors in F32, F16, BF16, Q8_0, I32 of 1-3 dimensions
  reference.gguf.json       what gguf-py reads back: metadata and tensor infos, and each
                            tensor's values as float (dequantized with gguf.quants)
  reference.safetensors     F32, F16, BF16, I8, U8, I32, I64 tensors with __metadata__
  sharded/                  the same tensors split over two shards with an index
  reference.safetensors.json  names, dtypes, shapes and values
"""
import json
import os
import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
import torch
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "SiftTests", "Fixtures", "formats")
os.makedirs(os.path.join(OUT, "sharded"), exist_ok=True)
rng = np.random.default_rng(7)


def gguf_fixture():
    path = os.path.join(OUT, "reference.gguf")
    w = gguf.GGUFWriter(path, arch="llama")
    w.add_uint32("general.alignment", 64)
    w.data_alignment = 64
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -100)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_uint32("test.u32", 4_000_000_000)
    w.add_int32("test.i32", -2_000_000_000)
    w.add_float32("test.f32", 3.25)
    w.add_bool("test.bool", True)
    w.add_string("test.string", "héllo ▁world 👋")
    w.add_uint64("test.u64", 2**63 + 5)
    w.add_int64("test.i64", -(2**62))
    w.add_float64("test.f64", -1.0e-300)
    w.add_array("test.strings", ["a", "", "ü", "<0x0A>"])
    w.add_array("test.ints", [1, -2, 3])
    w.add_array("test.floats", [0.5, -1.5])
    w.add_array("test.bools", [True, False, True])
    w.add_array("test.nested", [[1, 2], [3]])
    tensors = {}
    tensors["f32.matrix"] = (rng.standard_normal((3, 64)).astype(np.float32), T.F32)
    tensors["f32.vector"] = (rng.standard_normal(5).astype(np.float32), T.F32)
    tensors["f16.matrix"] = (rng.standard_normal((4, 32)).astype(np.float32), T.F16)
    tensors["bf16.matrix"] = (rng.standard_normal((2, 32)).astype(np.float32), T.BF16)
    tensors["q8_0.matrix"] = (rng.standard_normal((4, 96)).astype(np.float32), T.Q8_0)
    tensors["q8_0.cube"] = (rng.standard_normal((2, 3, 64)).astype(np.float32), T.Q8_0)
    ints = np.arange(-6, 6, dtype=np.int32).reshape(3, 4)
    read_back = {}
    for name, (values, qtype) in tensors.items():
        q = gguf.quants.quantize(values, qtype)
        w.add_tensor(name, q, raw_shape=q.shape, raw_dtype=qtype)
        read_back[name] = gguf.quants.dequantize(q, qtype).reshape(-1).tolist()
    w.add_tensor("i32.matrix", ints)
    read_back["i32.matrix"] = ints.reshape(-1).astype(float).tolist()
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()

    r = gguf.GGUFReader(path)
    summary = {"tensors": [], "metadata": {}}
    for t in r.tensors:
        summary["tensors"].append({
            "name": t.name, "type": t.tensor_type.name.lower(), "ne": [int(x) for x in t.shape],
            "offset": int(t.data_offset), "bytes": int(t.n_bytes), "values": read_back[t.name],
        })
    for k, f in r.fields.items():
        if k.startswith("test.") or k.startswith("general."):
            summary["metadata"][k] = f.contents()
    with open(path + ".json", "w") as fh:
        json.dump(summary, fh, indent=1, default=float)


def safetensors_fixture():
    g = torch.Generator().manual_seed(3)
    t = {
        "a.f32": torch.randn(3, 4, generator=g),
        "b.f16": torch.randn(2, 8, generator=g).half(),
        "c.bf16": torch.randn(5, generator=g).bfloat16(),
        "d.i8": torch.arange(-4, 4, dtype=torch.int8).reshape(2, 4),
        "e.u8": torch.arange(250, 256, dtype=torch.uint8),
        "f.i32": torch.tensor([[-7, 8, 2**31 - 1]], dtype=torch.int32),
        "g.i64": torch.tensor([2**40, -3], dtype=torch.int64),
        "h.scalar": torch.tensor(2.5),
    }
    save_file(t, os.path.join(OUT, "reference.safetensors"), metadata={"format": "pt", "note": "fixture"})
    first = {k: v for k, v in t.items() if k < "e"}
    second = {k: v for k, v in t.items() if k >= "e"}
    names = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    save_file(first, os.path.join(OUT, "sharded", names[0]))
    save_file(second, os.path.join(OUT, "sharded", names[1]))
    index = {"metadata": {"total_size": 0}, "weight_map": {**{k: names[0] for k in first}, **{k: names[1] for k in second}}}
    with open(os.path.join(OUT, "sharded", "model.safetensors.index.json"), "w") as fh:
        json.dump(index, fh, indent=1)
    summary = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                   "values": v.float().reshape(-1).tolist() if v.is_floating_point() else [int(x) for x in v.reshape(-1)]}
               for k, v in t.items()}
    with open(os.path.join(OUT, "reference.safetensors.json"), "w") as fh:
        json.dump(summary, fh, indent=1)


if __name__ == "__main__":
    gguf_fixture()
    safetensors_fixture()
    print("wrote", sorted(os.listdir(OUT)))
