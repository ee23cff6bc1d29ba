"""The batches of a run, step by step, built in this process or by worker processes. A step's batch depends only
on (seed, step, phase), so the order of workers, interruptions and resumes never change what a step sees."""
import torch
from torch.utils.data import DataLoader, Dataset

from data import Corpus


class StepBatches(Dataset):
    def __init__(self, seed: int, phases: list[tuple], first_step: int):
        self.seed, self.phases, self.first_step = seed, phases, first_step
        self.corpus = None  # built in each worker: the tokenizer does not cross process boundaries

    def __len__(self) -> int:
        return len(self.phases)

    def __getitem__(self, i: int):
        if self.corpus is None:
            self.corpus = Corpus()
        length, rows, share, mix = self.phases[i]
        return self.corpus.batch(self.seed, self.first_step + i, length, rows, share, mix)


def batch_loader(seed: int, phases: list[tuple], first_step: int, workers: int):
    data = StepBatches(seed, phases, first_step)
    if workers == 0:
        return (data[i] for i in range(len(data)))
    return DataLoader(data, batch_size=None, shuffle=False, num_workers=workers, prefetch_factor=4,
                      pin_memory=torch.cuda.is_available(), persistent_workers=False)


__all__ = ['batch_loader', 'Corpus', 'StepBatches']
