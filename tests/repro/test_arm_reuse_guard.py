"""`idea run` never reuses (or resumes) a run whose recorded parameters say it ran another config
than the arm's, whatever its config-hash tag says (issue 23: a resume under an older papernotes
rewrote the tag of an 8-epoch run to the 2-epoch runs' hash, and a verdict rested on it).
A real MLflow store; the runs are made through the client, as a run would leave them."""

from __future__ import annotations

from dataclasses import replace

from mlflow.tracking import MlflowClient

from papernotes.repro.experiment import arm_runs as et
from papernotes.repro.launch.layout import checkpoint_file, write_run_file
from papernotes.repro.spec.config_hash import config_hash
from papernotes.repro.tracking import tags
from papernotes.repro.tracking.events import flatten, param_value
from papernotes.ssl.config import config_to_dict
from papernotes.ssl.config.presets import DEMO_CONFIG


def a_run(client, exp_id, cfg, digest, status, metric=None):
    """A run as `repro` leaves it: its config's parameters, the hash tag it was given."""
    run = client.create_run(exp_id, tags={tags.CONFIG_HASH: digest})
    for key, value in {**flatten(config_to_dict(cfg)), "world_size": 1}.items():
        client.log_param(run.info.run_id, key, param_value(value))
    if metric is not None:
        client.log_metric(run.info.run_id, "eval/linear_top1", metric)
    client.set_terminated(run.info.run_id, status=status)
    return run.info.run_id


def test_a_run_whose_parameters_say_another_config_is_never_reused(ws, tmp_path):
    client = MlflowClient(tracking_uri=f"sqlite:///{ws / 'mlflow.db'}")
    exp_id = client.create_experiment("simclr")
    arm = DEMO_CONFIG
    digest = config_hash(arm)
    longer = replace(arm, train=replace(arm.train, epochs=8))
    # the 8-epoch run's tag was rewritten to the arm's hash: its parameters still say 8 epochs
    lying = a_run(client, exp_id, longer, digest, "FINISHED", 60.0)
    wanted = et.ran_params(arm, 1)
    assert et.params_differ(client.get_run(lying).data.params, wanted) == ["train.epochs"]
    assert et.find_finished(client, exp_id, digest, "eval/linear_top1", wanted) is None
    # without the check (as before) it was taken
    assert et.find_finished(client, exp_id, digest, "eval/linear_top1").info.run_id == lying
    genuine = a_run(client, exp_id, arm, digest, "FINISHED", 55.0)
    assert et.find_finished(client, exp_id, digest, "eval/linear_top1", wanted).info.run_id == genuine
    # a KILLED run in the arm's folder is resumed only if it ran the arm's config
    folder = tmp_path / "arm"
    checkpoint_file(folder).parent.mkdir(parents=True)
    checkpoint_file(folder).write_bytes(b"x")
    killed = a_run(client, exp_id, longer, digest, "KILLED")
    write_run_file(folder, killed, exp_id, "sqlite:///x")
    assert et.find_resumable(client, exp_id, digest, folder, wanted) is None
    assert et.find_resumable(client, exp_id, digest, folder) == killed
    same = a_run(client, exp_id, arm, digest, "KILLED")
    write_run_file(folder, same, exp_id, "sqlite:///x")
    assert et.find_resumable(client, exp_id, digest, folder, wanted) == same
