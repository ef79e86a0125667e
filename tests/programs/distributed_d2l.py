"""d2l 13.6, "Concise Implementation for Multiple GPUs", as CPU processes: the same training
function, with DistributedDataParallel in place of nn.DataParallel and one process per "GPU".

    glasstorch run --nproc 2 tests/programs/distributed_d2l.py
    torchrun --nproc_per_node 2 tests/programs/distributed_d2l.py      # the same on PyTorch

Each process trains on its share of every batch (DistributedSampler); DDP averages the gradients,
so every process makes the same step. d2l's LeNet with batch normalization on the first 4,096
Fashion-MNIST images keeps it to seconds (the book's ResNet-18 runs the same way, only longer)."""

import torch
import torch.distributed as dist
from d2l import torch as d2l
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, Subset

dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()


def lenet():
    """d2l 8.5's LeNet with batch normalization (trains in few steps)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.BatchNorm2d(16), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
        nn.Linear(256, 120), nn.BatchNorm1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.BatchNorm1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


def train(net, batch_size, lr, num_epochs=2):
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)
    train_set = Subset(train_iter.dataset, range(4096))
    sampler = DistributedSampler(train_set, shuffle=True, seed=0)
    # each process reads batch_size / world images per step: the global batch stays batch_size
    train_iter = DataLoader(train_set, batch_size // world, sampler=sampler)
    test_iter = DataLoader(Subset(test_iter.dataset, range(1024)), 256)

    def init_weights(module):
        if type(module) in [nn.Linear, nn.Conv2d]:
            nn.init.normal_(module.weight, std=0.01)

    torch.manual_seed(rank)  # different on each process: DDP starts them all from rank 0's
    net.apply(init_weights)
    net = DistributedDataParallel(net)
    trainer = torch.optim.SGD(net.parameters(), lr)
    loss = nn.CrossEntropyLoss()
    timer = d2l.Timer()
    for epoch in range(num_epochs):
        sampler.set_epoch(epoch)
        net.train()
        timer.start()
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.backward()
            trainer.step()
        timer.stop()
    acc = d2l.evaluate_accuracy_gpu(net, test_iter)
    if rank == 0:
        print(f"test acc: {acc:.2f}, {timer.avg():.1f} sec/epoch on {world} processes")
    return net


net = train(lenet(), batch_size=256, lr=1.0)
checksums = [None] * world
dist.all_gather_object(checksums, sum(p.detach().double().sum().item()
                                      for p in net.module.parameters()))
if rank == 0:
    print("every process holds the same model:", len(set(checksums)) == 1)
dist.destroy_process_group()
