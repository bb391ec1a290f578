"""The lecture's MLP recipe in PyTorch, for bench/sections/training/measure.ts to time against ours.

Flatten -> Linear(784, 128) -> ReLU -> Linear(128, 10), cross-entropy from the logits, Adam with
learning rate 1e-3 (betas 0.9, 0.999 and epsilon 1e-7, as Keras and tfjs), batch 32, a fresh
shuffle per epoch, pixels scaled to 0-1, the test set evaluated after the epoch. One thread.
Batches are cut from tensors by index (faster than a DataLoader over a TensorDataset, which
collates sample by sample), so the comparison is with PyTorch at its quickest for this loop.

    python3 mnist_mlp.py TRAIN_IMAGES TRAIN_LABELS TEST_IMAGES TEST_LABELS

prints {"ready": ...} and then answers each line on stdin: "warmup N" (N untimed steps) or
"epoch" (a fresh model, one timed epoch and the test evaluation), with one JSON line each.
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

BATCH = 32


def read_idx(path):
    data = open(path, 'rb').read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(images_path, labels_path):
    images = torch.from_numpy(read_idx(images_path).astype(np.float32) / 255).reshape(-1, 1, 28, 28)
    labels = torch.from_numpy(read_idx(labels_path).astype(np.int64))
    return images, labels


def fresh_model():
    torch.manual_seed(2)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return model, torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)


def train_steps(model, optimizer, images, labels, steps=None):
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(labels))
    total_loss, correct, seen = 0.0, 0, 0
    model.train()
    for step, start in enumerate(range(0, len(labels), BATCH)):
        if steps is not None and step >= steps:
            break
        index = order[start:start + BATCH]
        x, y = images[index], labels[index]
        optimizer.zero_grad()
        logits = model(x)
        loss = loss_fn(logits, y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)
        correct += (logits.argmax(1) == y).sum().item()
        seen += len(y)
    return total_loss / seen, correct / seen


def evaluate(model, images, labels):
    model.eval()
    with torch.no_grad():
        logits = model(images)
        return nn.functional.cross_entropy(logits, labels).item(), (logits.argmax(1) == labels).float().mean().item()


def main():
    torch.set_num_threads(1)
    train_images, train_labels = load(sys.argv[1], sys.argv[2])
    test_images, test_labels = load(sys.argv[3], sys.argv[4])
    print(json.dumps({'ready': True, 'torch': torch.__version__, 'threads': torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        model, optimizer = fresh_model()
        if command[0] == 'warmup':
            train_steps(model, optimizer, train_images, train_labels, int(command[1]))
            print(json.dumps({'warmup': int(command[1])}), flush=True)
        elif command[0] == 'epoch':
            started = time.perf_counter()
            loss, accuracy = train_steps(model, optimizer, train_images, train_labels)
            test_loss, test_accuracy = evaluate(model, test_images, test_labels)
            seconds = time.perf_counter() - started
            print(json.dumps({'seconds': seconds, 'loss': loss, 'accuracy': accuracy, 'test_loss': test_loss, 'test_accuracy': test_accuracy}), flush=True)


main()
