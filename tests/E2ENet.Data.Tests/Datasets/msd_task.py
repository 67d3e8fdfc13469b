# Makes a small Medical Segmentation Decathlon-like task with nibabel (as the MSD archives are laid out: 4D multi-modal
# images without a _0000 suffix, dataset.json with "modality", "labels" value -> name, "training" and "test" lists, and
# macOS "._" files), and checks a conversion of it independently.
#
#   make TASK_DIR        writes the task: 3 training cases, 1 test case, 2 modalities, int16 with a scaling, oblique affine
#   verify TASK_DIR OUT  checks every OUT/imagesT?/NAME_000C.nii.gz is the 4D image's volume C (same dtype, values, scaling,
#                        affine, codes) and every label is the same; prints {"checked": N}
import json, os, sys
import numpy as np
import nibabel as nib


def make(task):
    rng = np.random.RandomState(4)
    for folder in ('imagesTr', 'labelsTr', 'imagesTs'):
        os.makedirs(os.path.join(task, folder), exist_ok=True)
    affine = np.array([[0.0, -1.2, 0.1, 40.0], [1.1, 0.0, 0.0, -20.0], [0.0, 0.05, 2.5, 7.0], [0, 0, 0, 1]])
    names = ['SYN_001', 'SYN_002', 'SYN_003', 'SYN_010']
    for n, name in enumerate(names):
        shape = (20 + n, 18, 12)
        label = np.zeros(shape, dtype=np.uint8)
        label[4:12, 5:13, 3:9] = 1
        label[6:9, 7:10, 4:7] = 2
        image = np.stack([label * 100 + rng.randint(0, 50, shape), label * -40 + rng.randint(0, 30, shape) + 500], axis=-1).astype(np.int16)
        img = nib.Nifti1Image(image, affine)
        img.header.set_slope_inter(0.5, -10)
        img.header.set_xyzt_units('mm', 'sec')
        img.set_qform(affine, 1)
        img.set_sform(affine, 2)
        test = name == 'SYN_010'
        nib.save(img, os.path.join(task, 'imagesTs' if test else 'imagesTr', name + '.nii.gz'))
        if not test:
            nib.save(nib.Nifti1Image(label, affine), os.path.join(task, 'labelsTr', name + '.nii.gz'))
    # The MSD archives carry macOS resource forks; they are not cases.
    open(os.path.join(task, 'imagesTr', '._SYN_001.nii.gz'), 'wb').write(b'\x00\x05\x16\x07junk')
    meta = {'name': 'Synth', 'description': 'synthetic', 'tensorImageSize': '4D',
            'modality': {'0': 'FLAIR', '1': 'T1w'}, 'labels': {'0': 'background', '1': 'outer', '2': 'inner'},
            'numTraining': 3, 'numTest': 1,
            'training': [{'image': './imagesTr/%s.nii.gz' % n, 'label': './labelsTr/%s.nii.gz' % n} for n in names[:3]],
            'test': ['./imagesTs/SYN_010.nii.gz']}
    json.dump(meta, open(os.path.join(task, 'dataset.json'), 'w'), indent=4)
    print(json.dumps({'cases': len(names)}))


def verify(task, out):
    checked = 0
    for folder in ('imagesTr', 'imagesTs'):
        for file in sorted(os.listdir(os.path.join(task, folder))):
            if file.startswith('.'):
                continue
            name = file[:-len('.nii.gz')]
            source = nib.load(os.path.join(task, folder, file))
            raw = np.asarray(source.dataobj)
            for c in range(raw.shape[3]):
                part = nib.load(os.path.join(out, folder, '%s_%04d.nii.gz' % (name, c)))
                assert part.shape == raw.shape[:3], (name, c, part.shape)
                assert part.get_data_dtype() == source.get_data_dtype(), (name, c)
                assert np.array_equal(np.asarray(part.dataobj), raw[..., c]), (name, c)
                assert part.header.get_slope_inter() == source.header.get_slope_inter(), (name, c)
                assert np.allclose(part.affine, source.affine, atol=1e-6), (name, c)
                assert int(part.header['sform_code']) == int(source.header['sform_code']) and int(part.header['qform_code']) == int(source.header['qform_code'])
                assert np.allclose(part.header.get_zooms(), source.header.get_zooms()[:3])
                checked += 1
    for file in os.listdir(os.path.join(task, 'labelsTr')):
        a = nib.load(os.path.join(task, 'labelsTr', file))
        b = nib.load(os.path.join(out, 'labelsTr', file))
        assert np.array_equal(np.asarray(a.dataobj), np.asarray(b.dataobj)) and np.allclose(a.affine, b.affine)
        checked += 1
    print(json.dumps({'checked': checked}))


(make if sys.argv[1] == 'make' else verify)(*sys.argv[2:])
