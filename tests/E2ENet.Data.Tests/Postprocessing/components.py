# The oracle for the connected-component tests: scipy.ndimage.label with a 3x3x3 structure of ones (26-connectivity).
# Arrays are in the C# volumes' order, (k, j, i): a NIfTI array from nibabel is transposed first, so the labels' numbering
# (raster order of each component's first voxel) is comparable.
#
#   label MASK.u8 D H W OUT.i32           labels a mask (uint8, C order); writes int32 labels; prints count and sizes
#   classes SEG.f32 D H W                 per non-zero value of a label map: the count and sorted sizes of its components
#   largest SEG.f32 D H W MODE OUT.f32    nnU-Net's rule: keep the largest component per class (MODE perclass) or of the
#                                         foreground (MODE foreground); removed voxels become 0; the first among equals wins
import json, sys
import numpy as np
from scipy import ndimage

STRUCTURE = np.ones((3, 3, 3), dtype=bool)


def shape(args):
    return tuple(int(a) for a in args)


def main():
    command = sys.argv[1]
    if command == 'label':
        mask = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(shape(sys.argv[3:6])).astype(bool)
        labels, count = ndimage.label(mask, structure=STRUCTURE)
        labels.astype(np.int32).tofile(sys.argv[6])
        print(json.dumps({'count': int(count), 'sizes': np.bincount(labels.ravel())[1:].tolist()}))
    elif command == 'classes':
        seg = np.fromfile(sys.argv[2], dtype=np.float32).reshape(shape(sys.argv[3:6]))
        result = {}
        for value in np.unique(seg):
            if value == 0:
                continue
            labels, count = ndimage.label(seg == value, structure=STRUCTURE)
            result[str(int(value))] = sorted(np.bincount(labels.ravel())[1:].tolist())
        print(json.dumps(result))
    elif command == 'largest':
        seg = np.fromfile(sys.argv[2], dtype=np.float32).reshape(shape(sys.argv[3:6]))
        out = seg.copy()
        masks = [seg > 0] if sys.argv[6] == 'foreground' else [seg == v for v in np.unique(seg) if v != 0]
        for mask in masks:
            labels, count = ndimage.label(mask, structure=STRUCTURE)
            if count == 0:
                continue
            sizes = np.bincount(labels.ravel())[1:]
            keep = int(np.argmax(sizes)) + 1
            out[mask & (labels != keep)] = 0
        out.astype(np.float32).tofile(sys.argv[7])
        print(json.dumps({'removed': int((out != seg).sum())}))


main()
