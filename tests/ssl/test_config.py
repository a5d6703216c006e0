import dataclasses
import json

import pydantic
import pytest

from papernotes.ssl.config import ConfigError, PretrainConfig, config_from_dict, config_to_dict, load_config_file


def test_defaults_round_trip_through_json(tmp_path):
    cfg = config_from_dict({"train": {"epochs": 3, "batch_size": 64}, "optim": {"name": "sgd"}})
    assert cfg.train.epochs == 3 and cfg.optim.name == "sgd" and cfg.optim.momentum == 0.9
    p = tmp_path / "c.json"
    p.write_text(json.dumps(config_to_dict(cfg)))
    assert load_config_file(p) == cfg


@pytest.mark.parametrize(
    "data, path",
    [
        ({"train": {"epochz": 1}}, "train.epochz"),
        ({"train": {"epochs": "10"}}, "train.epochs"),
        ({"train": {"epochs": 0}}, "train.epochs"),
        ({"optim": {"name": "adam"}}, "optim.name"),
        ({"model": {"arch": "resnet18", "width": 2}}, "model.width"),
        ({"data": {"name": "cifar10"}}, "data.root"),
        ({"train": {"deterministic": 1}}, "train.deterministic"),
        ({"aug": []}, "aug"),
    ],
)
def test_errors_name_the_dotted_field(data, path):
    with pytest.raises(ConfigError) as err:
        config_from_dict(data)
    assert err.value.field == path


def test_config_is_frozen_and_pydantic_validates_it():
    cfg = PretrainConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.train.epochs = 5  # type: ignore[misc]
    assert pydantic.TypeAdapter(PretrainConfig).validate_python({"train": {"epochs": 7}}).train.epochs == 7
