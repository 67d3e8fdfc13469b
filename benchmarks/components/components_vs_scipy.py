# scipy.ndimage.label on the mask components.cs wrote (26-connectivity), and nnU-Net's largest-component rule with it.
import sys, time
import numpy as np
from scipy import ndimage

folder, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
shape = (300, 512, 512)
mask = np.fromfile(folder + '/mask.u8', dtype=np.uint8).reshape(shape).astype(bool)
seg = np.fromfile(folder + '/seg.f32', dtype=np.float32).reshape(shape)
structure = np.ones((3, 3, 3), dtype=bool)


def median(run):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return sorted(times)[rounds // 2]


def largest(masks):
    out = seg.copy()
    for m in masks:
        labels, count = ndimage.label(m, structure=structure)
        keep = int(np.argmax(np.bincount(labels.ravel())[1:])) + 1
        out[m & (labels != keep)] = 0
    return out


labels, count = ndimage.label(mask, structure=structure)
print('scipy components: %d (largest %d)' % (count, np.bincount(labels.ravel())[1:].max()))
print('scipy label (foreground mask): %.3f s' % median(lambda: ndimage.label(mask, structure=structure)))
print('scipy largest component, foreground: %.3f s' % median(lambda: largest([seg > 0])))
print('scipy largest component, per class (3): %.3f s' % median(lambda: largest([seg == v for v in (1, 2, 3)])))
