"""The engine's configuration, the one import for callers: the frozen dataclasses and their
loaders (`model.py`), typed values (`coerce.py`), the cross-field checks (`checks.py`), the checks
methods' options share (`option_checks.py`; each method's options sit in its own file) and the one error type (`errors.py`)."""

from papernotes.ssl.config.checks import check_config
from papernotes.ssl.config.coerce import coerce
from papernotes.ssl.config.errors import ConfigError
from papernotes.ssl.config.model import (
    AugConfig,
    DataConfig,
    EvalConfig,
    ModelConfig,
    OptimConfig,
    PretrainConfig,
    TrainConfig,
    config_from_dict,
    config_sections,
    config_to_dict,
    load_config_file,
    plain_sections,
    section_type,
)

__all__ = ["AugConfig", "ConfigError", "DataConfig", "EvalConfig", "ModelConfig", "OptimConfig",
           "PretrainConfig", "TrainConfig", "check_config", "coerce", "config_from_dict",
           "config_sections", "config_to_dict", "load_config_file", "plain_sections", "section_type"]
