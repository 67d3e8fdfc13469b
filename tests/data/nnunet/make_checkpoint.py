"""Writes tests/data/nnunet/checkpoint_final.pth: a checkpoint laid out as nnU-Net v2's trainer saves it
(nnUNetTrainer.save_checkpoint: network_weights, optimizer_state, grad_scaler_state, logging with numpy scalars, _best_ema,
current_epoch, init_args with a torch.device, trainer_name, inference_allowed_mirroring_axes), whose network_weights are the
golden unet_iso_small state dict (PlainConvUNet, all_modules.* and decoder.encoder.* views included).

Run with Debian's python3-torch from the repository root: /usr/bin/python3 tests/data/nnunet/make_checkpoint.py
"""
import time

import numpy as np
import torch

state = torch.load("tests/data/golden/unet_iso_small.weights.pt")
params = [torch.nn.Parameter(v.clone()) for k, v in state.items() if "all_modules" not in k and not k.startswith("decoder.encoder")]
optimizer = torch.optim.SGD(params, lr=0.01, momentum=0.99, nesterov=True, weight_decay=3e-5)
sum((p * p).sum() for p in params).backward()
optimizer.step()
checkpoint = {
    "network_weights": state,
    "optimizer_state": optimizer.state_dict(),
    "grad_scaler_state": None,
    "logging": {
        "mean_fg_dice": [np.float64(0.51), np.float64(0.62)],
        "ema_fg_dice": [np.float64(0.51), np.float64(0.52)],
        "dice_per_class_or_region": [[np.float64(0.4), np.float64(0.6)], [np.float64(0.5), np.float64(0.7)]],
        "train_losses": [np.float64(-0.2), np.float64(-0.3)],
        "val_losses": [np.float64(-0.1), np.float64(-0.2)],
        "lrs": [0.01, 0.0099],
        "epoch_start_timestamps": [time.time()],
        "epoch_end_timestamps": [time.time()],
    },
    "_best_ema": np.float64(0.52),
    "current_epoch": 2,
    "init_args": {
        "plans": {"dataset_name": "Dataset999_Golden", "configurations": {"3d_fullres": {"patch_size": [32, 32, 32]}}},
        "configuration": "3d_fullres",
        "fold": 0,
        "dataset_json": {"labels": {"background": 0, "a": 1, "b": 2}},
        "unpack_dataset": True,
        "device": torch.device("cpu"),
    },
    "trainer_name": "nnUNetTrainer",
    "inference_allowed_mirroring_axes": (0, 1, 2),
}
torch.save(checkpoint, "tests/data/nnunet/checkpoint_final.pth")
