# An independent MetaImage and NRRD writer and reader for the tests, written from the two specifications
# (https://itk.org/Wiki/ITK/MetaIO/Documentation, http://teem.sourceforge.net/nrrd/format.html) with numpy, zlib
# and gzip only; NIfTI goes through nibabel. It shares nothing with the C# code it checks.
#
#   convert SRC.nii[.gz] OUT_PREFIX   writes OUT_PREFIX.mha (raw, little-endian, LPS), OUT_PREFIX_z.mhd + .zraw (zlib,
#                                     big-endian), OUT_PREFIX_ras.nrrd (raw, little, RAS space), OUT_PREFIX_lps.nhdr +
#                                     .raw.gz (gzip, big-endian, LPS); prints the file names as JSON
#   read FILE VALUES                  reads a .mha/.mhd/.nrrd/.nhdr; writes its voxels as float32 (i fastest) to VALUES;
#                                     prints {"sizes": [i, j, k], "affine": RAS 4x4, "dtype": ...} as JSON
#   write SRC OUT [SRC OUT ...]       converts each NIfTI SRC into OUT, the variant chosen by OUT's extension (.mha as
#                                     above, .mhd zlib + .zraw, .nrrd RAS raw, .nhdr LPS gzip + .raw.gz)
#   volume SRC OUT.nii.gz [T]         saves the first 3D volume of SRC (T: also rotates the affine about every axis)
import gzip, json, os, sys, zlib
import numpy as np
import nibabel as nib

LPS = np.diag([-1.0, -1.0, 1.0])   # RAS <-> LPS: flip x and y
MET = {'uint8': 'MET_UCHAR', 'int8': 'MET_CHAR', 'int16': 'MET_SHORT', 'uint16': 'MET_USHORT', 'int32': 'MET_INT',
       'uint32': 'MET_UINT', 'int64': 'MET_LONG_LONG', 'uint64': 'MET_ULONG_LONG', 'float32': 'MET_FLOAT', 'float64': 'MET_DOUBLE'}
MET_BACK = {v: k for k, v in MET.items()}
MET_BACK.update({'MET_LONG': 'int32', 'MET_ULONG': 'uint32'})
NRRD = {'uint8': 'uchar', 'int8': 'signed char', 'int16': 'short', 'uint16': 'ushort', 'int32': 'int', 'uint32': 'uint',
        'int64': 'long long', 'uint64': 'unsigned long long', 'float32': 'float', 'float64': 'double'}
NRRD_BACK = {'uchar': 'uint8', 'unsigned char': 'uint8', 'uint8': 'uint8', 'signed char': 'int8', 'int8': 'int8',
             'short': 'int16', 'int16': 'int16', 'ushort': 'uint16', 'uint16': 'uint16', 'int': 'int32', 'int32': 'int32',
             'uint': 'uint32', 'uint32': 'uint32', 'long long': 'int64', 'int64': 'int64', 'unsigned long long': 'uint64',
             'uint64': 'uint64', 'float': 'float32', 'double': 'float64'}


def num(x):
    return repr(float(x))


def load(src):
    img = nib.load(src)
    h = img.header
    slope, inter = h.get_slope_inter()
    scaled = slope is not None and not (slope == 1 and (inter is None or inter == 0))
    data = np.asarray(img.dataobj)
    if data.ndim > 3:
        data = data[..., 0]
    data = data.reshape(data.shape + (1,) * (3 - data.ndim))
    if scaled:
        data = (data.astype(np.float64) * slope + (inter or 0)).astype(np.float32)
    data = data.astype(data.dtype.newbyteorder('='))
    return data, img.affine


def geometry(affine):
    a = affine[:3, :3]
    spacing = np.sqrt((a * a).sum(axis=0))
    return spacing, a / spacing, affine[:3, 3]


def raw(data, big):
    return np.asfortranarray(data).astype(data.dtype.newbyteorder('>' if big else '<')).tobytes(order='F')


def write_mha(path, data, affine, compress, big, local):
    spacing, direction, origin = geometry(affine)
    d, o = LPS @ direction, LPS @ origin
    payload = raw(data, big)
    if compress:
        payload = zlib.compress(payload)
    lines = ['ObjectType = Image', 'NDims = 3', 'BinaryData = True',
             'BinaryDataByteOrderMSB = ' + ('True' if big else 'False'),
             'CompressedData = ' + ('True' if compress else 'False')]
    if compress:
        lines.append('CompressedDataSize = %d' % len(payload))
    # TransformMatrix lists the direction of axis i, then of j, then of k.
    lines += ['TransformMatrix = ' + ' '.join(num(d[r, c]) for c in range(3) for r in range(3)),
              'Offset = ' + ' '.join(num(v) for v in o),
              'ElementSpacing = ' + ' '.join(num(v) for v in spacing),
              'DimSize = ' + ' '.join(str(s) for s in data.shape),
              'ElementType = ' + MET[data.dtype.name]]
    if local:
        with open(path, 'wb') as f:
            f.write(('\n'.join(lines) + '\nElementDataFile = LOCAL\n').encode())
            f.write(payload)
    else:
        name = os.path.splitext(os.path.basename(path))[0] + ('.zraw' if compress else '.raw')
        with open(os.path.join(os.path.dirname(path), name), 'wb') as f:
            f.write(payload)
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\nElementDataFile = ' + name + '\n')


def write_nrrd(path, data, affine, space, encoding, big):
    a = affine[:3, :3]
    o = affine[:3, 3]
    if space == 'left-posterior-superior':
        a, o = LPS @ a, LPS @ o
    payload = raw(data, big)
    if encoding == 'gzip':
        payload = gzip.compress(payload)
    vec = lambda v: '(' + ','.join(num(x) for x in v) + ')'
    lines = ['NRRD0004', '# written by the test script', 'type: ' + NRRD[data.dtype.name], 'dimension: 3', 'space: ' + space,
             'sizes: ' + ' '.join(str(s) for s in data.shape), 'space directions: ' + ' '.join(vec(a[:, c]) for c in range(3)),
             'kinds: domain domain domain', 'endian: ' + ('big' if big else 'little'), 'encoding: ' + encoding,
             'space origin: ' + vec(o)]
    if path.endswith('.nhdr'):
        name = os.path.splitext(os.path.basename(path))[0] + ('.raw.gz' if encoding == 'gzip' else '.raw')
        with open(os.path.join(os.path.dirname(path), name), 'wb') as f:
            f.write(payload)
        with open(path, 'w') as f:
            f.write('\n'.join(lines) + '\ndata file: ' + name + '\n')
    else:
        with open(path, 'wb') as f:
            f.write(('\n'.join(lines) + '\n\n').encode())
            f.write(payload)


def read_header(path, first_line_ends):
    with open(path, 'rb') as f:
        blob = f.read()
    lines, pos = [], 0
    while pos < len(blob):
        end = blob.find(b'\n', pos)
        end = len(blob) if end < 0 else end
        line = blob[pos:end].decode().rstrip('\r')
        pos = end + 1
        lines.append(line)
        if first_line_ends(line, len(lines)):
            break
    return lines, blob, pos


def read_mha(path):
    lines, blob, pos = read_header(path, lambda line, n: line.split('=')[0].strip() == 'ElementDataFile')
    h = {l.split('=', 1)[0].strip(): l.split('=', 1)[1].strip() for l in lines if '=' in l}
    n = int(h['NDims'])
    sizes = [int(v) for v in h['DimSize'].split()]
    dtype = np.dtype(MET_BACK[h['ElementType']]).newbyteorder('>' if h.get('BinaryDataByteOrderMSB', h.get('ElementByteOrderMSB', 'False')) == 'True' else '<')
    if h['ElementDataFile'] == 'LOCAL':
        payload = blob[pos:]
    else:
        with open(os.path.join(os.path.dirname(path), h['ElementDataFile']), 'rb') as f:
            payload = f.read()
    if h.get('CompressedData') == 'True':
        payload = zlib.decompress(payload)
    spacing = [float(v) for v in h.get('ElementSpacing', ' '.join(['1'] * n)).split()]
    origin = [float(v) for v in h.get('Offset', h.get('Position', h.get('Origin', ' '.join(['0'] * n)))).split()]
    tm = [float(v) for v in h.get('TransformMatrix', ' '.join('1' if r == c else '0' for c in range(n) for r in range(n))).split()]
    direction = np.array(tm).reshape(n, n).T   # column c = direction of axis c
    affine = np.eye(4)
    affine[:3, :3] = LPS @ direction @ np.diag(spacing)
    affine[:3, 3] = LPS @ np.array(origin)
    return sizes, dtype, payload, affine


def read_nrrd(path):
    lines, blob, pos = read_header(path, lambda line, n: n > 1 and line == '')
    h = {}
    for l in lines[1:]:
        if l.startswith('#') or ': ' not in l:
            continue
        k, v = l.split(': ', 1)
        h[k] = v.strip()
    sizes = [int(v) for v in h['sizes'].split()]
    dtype = np.dtype(NRRD_BACK[h['type']]).newbyteorder('>' if h.get('endian') == 'big' else '<')
    if 'data file' in h:
        with open(os.path.join(os.path.dirname(path), h['data file']), 'rb') as f:
            payload = f.read()
    else:
        payload = blob[pos:]
    if h['encoding'] in ('gzip', 'gz'):
        payload = gzip.decompress(payload)
    vecs = [np.array([float(x) for x in v.strip('()').split(',')]) for v in h['space directions'].split()]
    origin = np.array([float(x) for x in h['space origin'].strip('()').split(',')])
    a = np.stack(vecs, axis=1)
    flip = {'left-posterior-superior': LPS, 'right-anterior-superior': np.eye(3), 'left-anterior-superior': np.diag([-1.0, 1.0, 1.0])}[h['space']]
    affine = np.eye(4)
    affine[:3, :3] = flip @ a
    affine[:3, 3] = flip @ origin
    return sizes, dtype, payload, affine


def main():
    command = sys.argv[1]
    if command == 'volume':
        data, affine = load(sys.argv[2])
        if len(sys.argv) > 4:
            # An oblique grid: rotate about x, y and z (20, -35 and 50 degrees) and shift.
            def rot(axis, deg):
                t = np.radians(deg)
                c, s = np.cos(t), np.sin(t)
                m = np.eye(4)
                i, j = [(1, 2), (0, 2), (0, 1)][axis]
                m[i, i], m[i, j], m[j, i], m[j, j] = c, -s, s, c
                return m
            affine = rot(2, 50) @ rot(1, -35) @ rot(0, 20) @ affine
            affine[:3, 3] += [12.5, -7.25, 3.0]
        img = nib.Nifti1Image(data, affine)
        img.set_qform(affine, 1)
        img.set_sform(affine, 1)
        nib.save(img, sys.argv[3])
        print(json.dumps({'written': sys.argv[3]}))
    elif command == 'convert':
        data, affine = load(sys.argv[2])
        prefix = sys.argv[3]
        files = [prefix + '.mha', prefix + '_z.mhd', prefix + '_ras.nrrd', prefix + '_lps.nhdr']
        write_mha(files[0], data, affine, compress=False, big=False, local=True)
        write_mha(files[1], data, affine, compress=True, big=True, local=False)
        write_nrrd(files[2], data, affine, 'right-anterior-superior', 'raw', big=False)
        write_nrrd(files[3], data, affine, 'left-posterior-superior', 'gzip', big=True)
        print(json.dumps({'files': files}))
    elif command == 'write':
        pairs = sys.argv[2:]
        for src, out in zip(pairs[0::2], pairs[1::2]):
            data, affine = load(src)
            if out.endswith('.mha'):
                write_mha(out, data, affine, compress=False, big=False, local=True)
            elif out.endswith('.mhd'):
                write_mha(out, data, affine, compress=True, big=True, local=False)
            elif out.endswith('.nrrd'):
                write_nrrd(out, data, affine, 'right-anterior-superior', 'raw', big=False)
            else:
                write_nrrd(out, data, affine, 'left-posterior-superior', 'gzip', big=True)
        print(json.dumps({'written': len(pairs) // 2}))
    elif command == 'read':
        path = sys.argv[2]
        sizes, dtype, payload, affine = (read_mha if path.endswith(('.mha', '.mhd')) else read_nrrd)(path)
        values = np.frombuffer(payload, dtype=dtype, count=int(np.prod(sizes)))
        values.astype(np.float32).tofile(sys.argv[3])
        print(json.dumps({'sizes': sizes, 'affine': affine.tolist(), 'dtype': dtype.newbyteorder('=').name}))


main()
