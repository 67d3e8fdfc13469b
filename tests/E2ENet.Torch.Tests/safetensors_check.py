# An independent safetensors writer and reader for the tests, written from the format's description
# (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON header, the data. Only json,
# struct and numpy touch the format; torch.save/torch.load give the same tensors in PyTorch's own format to compare with.
#
#   write OUT.safetensors OUT.pt   writes tensors of every dtype read (header keys in an order unlike the data's, with
#                                  __metadata__), and the same tensors with torch.save
#   read IN.safetensors IN.pt      parses IN.safetensors (offsets must tile the data), compares every tensor bit for bit
#                                  with torch.load(IN.pt); prints {"tensors": N} or fails
import json, struct, sys
import numpy as np
import torch

NUMPY = {'F32': np.float32, 'F64': np.float64, 'F16': np.float16, 'I64': np.int64, 'I32': np.int32, 'I16': np.int16,
         'I8': np.int8, 'U8': np.uint8, 'BOOL': np.bool_, 'BF16': np.uint16}
TORCH = {'F32': torch.float32, 'F64': torch.float64, 'F16': torch.float16, 'I64': torch.int64, 'I32': torch.int32,
         'I16': torch.int16, 'I8': torch.int8, 'U8': torch.uint8, 'BOOL': torch.bool, 'BF16': torch.bfloat16}


def tensors():
    rng = np.random.RandomState(0)
    out = {}
    out['conv.weight'] = ('F32', rng.randn(4, 3, 1, 3, 3).astype(np.float32))
    out['double'] = ('F64', rng.randn(5, 2))
    out['half'] = ('F16', rng.randn(7).astype(np.float16))
    out['long'] = ('I64', rng.randint(-2**40, 2**40, size=(3, 2)).astype(np.int64))
    out['int'] = ('I32', rng.randint(-2**30, 2**30, size=6).astype(np.int32))
    out['short'] = ('I16', rng.randint(-30000, 30000, size=(2, 2, 2)).astype(np.int16))
    out['char'] = ('I8', rng.randint(-128, 128, size=9).astype(np.int8))
    out['byte'] = ('U8', rng.randint(0, 256, size=(3, 3)).astype(np.uint8))
    out['mask'] = ('BOOL', rng.rand(11) > 0.5)
    # bfloat16: the top 16 bits of float32 values (exactly representable ones).
    out['brain'] = ('BF16', (rng.randn(2, 5).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16))
    out['scalar'] = ('F32', np.array(3.5, dtype=np.float32))
    out['empty'] = ('F32', np.zeros((0, 4), dtype=np.float32))
    return out


def to_torch(dtype, array):
    if dtype == 'BF16':
        return torch.from_numpy((array.astype(np.uint32) << 16).view(np.float32).copy()).to(torch.bfloat16)
    return torch.from_numpy(np.array(array, copy=True, order='C'))


def write(path, pt):
    items = tensors()
    header, blobs, offset = {}, [], 0
    for name, (dtype, array) in items.items():
        blob = np.ascontiguousarray(array).astype(np.dtype(NUMPY[dtype]).newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(array.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    ordered = {'__metadata__': {'source': 'test script'}}
    for name in reversed(list(header)):   # JSON order unlike the data's order
        ordered[name] = header[name]
    text = json.dumps(ordered).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    torch.save({name: to_torch(dtype, array) for name, (dtype, array) in items.items()}, pt)
    print(json.dumps({'tensors': len(items)}))


def read(path, pt):
    with open(path, 'rb') as f:
        blob = f.read()
    (length,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + length].decode())
    data = blob[8 + length:]
    header.pop('__metadata__', None)
    spans = sorted((info['data_offsets'][0], info['data_offsets'][1], name) for name, info in header.items())
    at = 0
    for begin, end, name in spans:
        assert begin == at, 'gap or overlap before %s' % name
        at = end
    assert at == len(data), 'the data does not end with the last tensor'
    expected = torch.load(pt)
    assert sorted(expected) == sorted(header), (sorted(expected), sorted(header))
    for name, info in header.items():
        begin, end = info['data_offsets']
        raw = np.frombuffer(data[begin:end], dtype=np.dtype(NUMPY[info['dtype']]).newbyteorder('<')).reshape(info['shape'])
        want = expected[name]
        assert TORCH[info['dtype']] == want.dtype, (name, info['dtype'], want.dtype)
        if info['dtype'] == 'BF16':
            want = (want.float().numpy().view(np.uint32) >> 16).astype(np.uint16)
        else:
            want = want.numpy()
        assert list(want.shape) == info['shape'], (name, want.shape, info['shape'])
        assert raw.tobytes() == np.array(want, order='C').astype(raw.dtype).tobytes(), name
    print(json.dumps({'tensors': len(header)}))


(write if sys.argv[1] == 'write' else read)(sys.argv[2], sys.argv[3])
