"""Networks: the encoders (ResNets in `encoders.py`, ViTs in `vit.py`) and the MLP heads of the
two-view methods (`heads.py`)."""
