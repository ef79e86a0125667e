"""glasstorch.utils.data: datasets, samplers, collation and the DataLoader (``torch.utils.data``).

Reading order for a learner: ``dataset.py`` (what a dataset is), ``sampler.py`` (in which order it
is visited), ``_collate.py`` (how samples become a batch), ``dataloader.py`` (the loop that ties
them together), then ``_worker.py`` and ``_multiprocess.py`` (the same loop spread over worker
processes).
"""

from ..._missing import module_getattr as _module_getattr
from ._collate import default_collate, default_convert
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "WorkerInfo",
    "default_collate", "default_convert", "get_worker_info", "random_split",
]

__getattr__ = _module_getattr(__name__)  # a torch name not here yet says so
