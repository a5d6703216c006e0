"""Views: the batched augmentations on the device, and multi-crop."""
