"""Reading, validating and holding datasets: datapackage.json, Table Schemas, the incident model's rules."""

from ddj.datasets.dataset import Dataset
from ddj.datasets.loading import Inspection, inspect, load, validate_once
from ddj.datasets.registry import data_dir, resolve, shipped_datasets

__all__ = ["Dataset", "Inspection", "data_dir", "inspect", "load", "resolve", "shipped_datasets", "validate_once"]
