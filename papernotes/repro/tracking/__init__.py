"""MLflow: the client and its errors, making a new store while training starts, engine events as
metrics, the tag schema scripts rely on, reading runs back, and the UI server."""
