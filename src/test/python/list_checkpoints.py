#!/usr/bin/env python3
"""Independent oracle for the checkpoint reader tests (standard library only, no torch).

For each PyTorch zip checkpoint given on the command line, unpickles data.pkl exactly as
torch.load does (Python's own pickle machinery, with persistent_load for storages), walks the
result the way state_dict() / torch.jit.load(f).state_dict() would list it, and prints JSON:
{file: [{"name", "dtype", "shape", "sha256"}]} where sha256 is over the tensor's C-ordered
little-endian bytes. Run from the repository root:

    python3 src/test/python/list_checkpoints.py src/test/resources/fixtures/*/*.pt \
        > src/test/resources/expected/checkpoint_listing.json
"""
import hashlib
import json
import pickle
import sys
import zipfile

DTYPES = {"FloatStorage": ("float32", 4), "HalfStorage": ("float16", 2), "BFloat16Storage": ("bfloat16", 2),
          "DoubleStorage": ("float64", 8), "LongStorage": ("int64", 8), "IntStorage": ("int32", 4),
          "ByteStorage": ("uint8", 1), "BoolStorage": ("bool", 1)}


class Storage:
    def __init__(self, kind, key):
        self.kind, self.key = kind, key


class Tensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


class ScriptModule:
    def __init__(self, *args):
        self.state = {}

    def __setstate__(self, state):
        self.state = state


class Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            import collections
            return collections.OrderedDict
        if module == "torch" and name in DTYPES:
            return name
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return lambda storage, offset, size, stride, *rest: Tensor(storage, offset, size, stride)
        if module.startswith("__torch__"):
            return type(name, (ScriptModule,), {})
        raise pickle.UnpicklingError(f"unexpected global {module}.{name}")

    def persistent_load(self, pid):
        return Storage(pid[1], pid[2])


def walk(prefix, obj, out):
    if isinstance(obj, Tensor):
        out.append((prefix, obj))
    elif isinstance(obj, ScriptModule):
        for k, v in obj.state.items():
            walk(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            walk(f"{prefix}.{k}" if prefix else str(k), v, out)


def tensor_bytes(z, root, t):
    dtype, item = DTYPES[t.storage.kind]
    raw = z.read(f"{root}/data/{t.storage.key}")
    n = 1
    for d in t.size:
        n *= d
    out = bytearray()
    idx = [0] * len(t.size)
    for _ in range(n):
        off = t.offset + sum(i * s for i, s in zip(idx, t.stride))
        out += raw[off * item:(off + 1) * item]
        for d in reversed(range(len(idx))):
            idx[d] += 1
            if idx[d] < t.size[d]:
                break
            idx[d] = 0
    return dtype, bytes(out)


def main():
    result = {}
    for path in sys.argv[1:]:
        z = zipfile.ZipFile(path)
        pkl = next(n for n in z.namelist() if n.count("/") == 1 and n.endswith("/data.pkl"))
        root = pkl.split("/")[0]
        obj = Unpickler(z.open(pkl)).load()
        items = []
        walk("", obj, items)
        rows = []
        for name, t in items:
            dtype, data = tensor_bytes(z, root, t)
            rows.append({"name": name, "dtype": dtype, "shape": list(t.size),
                         "sha256": hashlib.sha256(data).hexdigest()})
        key = "/".join(path.split("/")[-2:])
        result[key] = rows
    json.dump(result, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
