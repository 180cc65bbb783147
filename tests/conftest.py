"""Shared test set-up: headless plotting, no GPU, quiet TensorFlow; notebook fixtures are not nbval tests."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

collect_ignore = ["fixtures"]
