"""Distributions: parsing with units, means, seeded batch sampling, refusals."""

import numpy as np
import pytest

from bpengine import ScenarioError
from bpengine.scenario import parse_distribution, parse_minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        (15, 15.0),
        ("15 min", 15.0),
        ("1.5 h", 90.0),
        ("90 s", 1.5),
        ("2 working days", 900.0),
    ],
)
def test_durations_read_with_units(text, minutes):
    assert parse_minutes(text, "tasks.x") == minutes


@pytest.mark.parametrize(
    ("spec", "mean"),
    [
        ({"distribution": "fixed", "value": "10 min"}, 10),
        ({"distribution": "exponential", "mean": "2 h"}, 120),
        ({"distribution": "normal", "mean": 30, "sd": 5}, 30),
        ({"distribution": "lognormal", "mean": 10, "sd": 5}, 10),
        ({"distribution": "triangular", "min": 5, "mode": 10, "max": 30}, 15),
        ({"distribution": "uniform", "low": 10, "high": 20}, 15),
        ({"distribution": "gamma", "mean": 45, "sd": 15}, 45),
        ({"distribution": "empirical", "values": [5, 10, 15]}, 10),
    ],
)
def test_sample_mean_matches_declared_mean(spec, mean):
    dist = parse_distribution(spec, "tasks.x.duration")
    assert dist.mean == pytest.approx(mean)
    sample = dist.sample(np.random.default_rng(3), 200_000)
    assert sample.min() >= 0
    assert sample.mean() == pytest.approx(mean, rel=0.01)


def test_same_seed_same_sample():
    dist = parse_distribution({"distribution": "lognormal", "mean": 10, "sd": 4}, "x")
    a = dist.sample(np.random.default_rng(7), 100)
    b = dist.sample(np.random.default_rng(7), 100)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"distribution": "weibull", "mean": 3}, "unknown distribution 'weibull'"),
        ({"distribution": "normal", "mean": 3}, "needs sd"),
        ({"distribution": "exponential", "mean": -3}, "cannot be negative"),
        ({"distribution": "uniform", "low": 5, "high": 1}, "low <= high"),
        ({"distribution": "fixed", "value": 1, "shape": 2}, "unknown key(s) shape"),
        ("soon", "is not a duration"),
    ],
)
def test_bad_distributions_name_the_key(spec, words):
    with pytest.raises(ScenarioError) as err:
        parse_distribution(spec, "tasks.Task_x.duration")
    assert "tasks.Task_x.duration" in str(err.value)
    assert words in str(err.value)
