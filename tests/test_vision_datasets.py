"""MNIST / FashionMNIST: where the files come from, what an item is, batches, repr."""

import gzip
import hashlib
import os
import subprocess
import sys
import urllib.error

import numpy as np
import pytest

import glasstorch
from glasstorch.utils.data import DataLoader, default_collate
from glasstorch.vision import datasets, transforms
from glasstorch.vision.datasets import idx, sources
from test_vision_idx import idx_bytes

DEBIAN = "/usr/share/datasets/fashion-mnist"
try:
    import PIL.Image
except ImportError:
    PIL = None

N = 7


def make_split(folder, prefix="train", n=N, seed=0, gz=True, labels=None):
    """Write a tiny ``<prefix>-images/labels`` pair into ``folder``; return (images, labels)."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8) if labels is None else labels
    for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
        path = os.path.join(folder, f"{prefix}-{kind}-ubyte" + (".gz" if gz else ""))
        data = idx_bytes(arr)
        with open(path, "wb") as f:
            f.write(gzip.compress(data) if gz else data)
    return images, labels


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """No system folder and no network unless a test provides them."""
    idx.clear_cache()
    for cls in (datasets.MNIST, datasets.FashionMNIST):
        monkeypatch.setattr(cls, "system_folders", (str(tmp_path / "system"),))
        monkeypatch.setattr(cls, "mirrors", ["file:///nonexistent-mirror/"])
    yield
    idx.clear_cache()


@pytest.fixture
def root(tmp_path):
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    make_split(str(raw), "train", seed=1)
    make_split(str(raw), "t10k", n=3, seed=2, gz=False)
    return str(tmp_path / "data")


def test_attributes(root):
    ds = datasets.FashionMNIST(root)
    assert len(ds) == N and ds.train is True and ds.root == root
    assert ds.data.shape == (N, 28, 28) and ds.data.dtype == glasstorch.uint8
    assert ds.targets.shape == (N,) and ds.targets.dtype == glasstorch.int64
    assert ds.raw_folder == os.path.join(root, "FashionMNIST", "raw")
    assert ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"
    assert ds.class_to_idx["Ankle boot"] == 9
    assert isinstance(ds, glasstorch.utils.data.Dataset)
    test = datasets.FashionMNIST(root, train=False)
    assert len(test) == 3 and test.train is False


def test_items(root):
    images, labels = make_split(os.path.join(root, "FashionMNIST", "raw"), "train", seed=1)
    img, label = datasets.FashionMNIST(root)[2]
    assert type(label) is int and label == labels[2]
    if PIL is not None:
        assert isinstance(img, PIL.Image.Image) and img.mode == "L" and img.size == (28, 28)
        np.testing.assert_array_equal(np.asarray(img), images[2])
    else:
        assert img.dtype == glasstorch.uint8 and img.shape == (28, 28)
    x, label = datasets.FashionMNIST(root, transform=transforms.ToTensor())[2]
    assert x.shape == (1, 28, 28) and x.dtype == glasstorch.float32
    np.testing.assert_array_equal(x.numpy()[0], images[2].astype(np.float32) / np.float32(255))
    ds = datasets.FashionMNIST(root, target_transform=lambda y: y + 100)
    assert ds[2][1] == labels[2] + 100


def test_tilde_is_expanded(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    make_split(str(tmp_path / "d" / "MNIST" / "raw"))
    ds = datasets.MNIST("~/d")
    assert ds.root == os.path.join(str(tmp_path), "d") and len(ds) == N
    assert ds.classes[3] == "3 - three"


def test_repr(root):
    ds = datasets.FashionMNIST(root, transform=transforms.ToTensor())
    assert repr(ds) == (f"Dataset FashionMNIST\n    Number of datapoints: {N}\n"
                        f"    Root location: {root}\n    Split: Train\n    StandardTransform\n"
                        "Transform: ToTensor()")
    ds = datasets.FashionMNIST(root, train=False, transform=transforms.Compose(
        [transforms.ToTensor()]), target_transform=transforms.Lambda(int))
    assert repr(ds).endswith("    Split: Test\n    StandardTransform\nTransform: Compose(\n"
                             "               ToTensor()\n           )\n"
                             "Target transform: Lambda()")
    plain = datasets.FashionMNIST(root)
    assert repr(plain).endswith("Split: Train") and plain.transforms is None


# ---- where the files come from -----------------------------------------------------------------
def test_root_only_unless_download_links_the_system_copy(tmp_path, root, capsys):
    system = tmp_path / "system"
    make_split(str(system), "train", n=4, seed=5)
    assert len(datasets.FashionMNIST(root)) == N            # root's files
    assert len(datasets.FashionMNIST(root, download=True)) == N  # ... kept, not replaced
    empty = str(tmp_path / "empty")
    with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True to "):
        datasets.FashionMNIST(empty)  # torchvision: root only, the system copy is not used
    assert len(datasets.FashionMNIST(empty, download=True)) == 4  # the "download": a link
    raw = os.path.join(empty, "FashionMNIST", "raw")
    linked = sorted(os.listdir(raw))
    assert linked == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert all(os.path.samefile(os.path.join(raw, f), system / f) for f in linked)
    assert f"Using {system / linked[0]} (already on this machine)" in capsys.readouterr().err
    assert len(datasets.FashionMNIST(empty)) == 4  # there now, without download=True


def test_not_found_says_torchvisions_words_and_where_it_looked(tmp_path):
    empty = str(tmp_path / "nothing")
    with pytest.raises(RuntimeError) as err:
        datasets.FashionMNIST(empty)
    msg = str(err.value)
    assert msg.startswith("Dataset not found. You can use download=True to download it (")
    assert "train-images-idx3-ubyte[.gz]" in msg
    assert os.path.join(empty, "FashionMNIST", "raw") in msg
    assert "fetches the files from file:///nonexistent-mirror/" in msg  # no system copy here
    make_split(str(tmp_path / "system"), "t10k", n=2)
    with pytest.raises(RuntimeError) as err:
        datasets.MNIST(empty, train=False)
    assert f"it links the copy in {tmp_path / 'system'}" in str(err.value)


def test_offline_download_does_not_advise_download_true(tmp_path):
    with pytest.raises(RuntimeError) as err:
        datasets.FashionMNIST(str(tmp_path / "data"), download=True)
    msg = str(err.value)
    assert "could not download" in msg and "download=True" not in msg
    assert "apt-get install dataset-fashion-mnist" in msg and "network connection" in msg


def serve(folder, files: dict[str, bytes], monkeypatch, cls=datasets.FashionMNIST):
    """Put gzipped files in ``folder`` as a file:// mirror and give ``cls`` their checksums."""
    os.makedirs(folder, exist_ok=True)
    resources = []
    for name, data in files.items():
        blob = gzip.compress(data)
        with open(os.path.join(folder, name), "wb") as f:
            f.write(blob)
        resources.append((name, hashlib.md5(blob).hexdigest()))
    monkeypatch.setattr(cls, "mirrors", ["file:///nonexistent-mirror/", f"file://{folder}/"])
    monkeypatch.setattr(cls, "resources", resources)


def test_download_from_the_second_mirror(tmp_path, monkeypatch, capsys):
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.array([1, 2, 3, 4], dtype=np.uint8)
    serve(str(tmp_path / "mirror"), {"train-images-idx3-ubyte.gz": idx_bytes(images),
                                     "train-labels-idx1-ubyte.gz": idx_bytes(labels),
                                     "t10k-images-idx3-ubyte.gz": b"",
                                     "t10k-labels-idx1-ubyte.gz": b""}, monkeypatch)
    root = str(tmp_path / "data")
    ds = datasets.FashionMNIST(root, download=True)
    assert ds.targets.tolist() == [1, 2, 3, 4]
    np.testing.assert_array_equal(ds.data.numpy(), images)
    raw = os.path.join(root, "FashionMNIST", "raw")
    assert sorted(os.listdir(raw)) == ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert "Failed to download (trying next)" in capsys.readouterr().out
    # present now: no second download
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [])
    assert len(datasets.FashionMNIST(root, download=True)) == 4


def test_checksum_mismatch_deletes_the_partial_file(tmp_path, monkeypatch):
    serve(str(tmp_path / "mirror"), {"train-images-idx3-ubyte.gz": b"x",
                                     "train-labels-idx1-ubyte.gz": b"y"}, monkeypatch)
    monkeypatch.setattr(datasets.FashionMNIST, "resources",
                        [(n, "0" * 32) for n, _ in datasets.FashionMNIST.resources])
    root = str(tmp_path / "data")
    with pytest.raises(RuntimeError, match="checksum mismatch") as err:
        datasets.FashionMNIST(root, download=True)
    assert "apt-get install dataset-fashion-mnist" in str(err.value)
    assert os.listdir(os.path.join(root, "FashionMNIST", "raw")) == []


def test_download_file_with_an_injected_opener(tmp_path):
    blob = b"payload" * 1000
    calls = []

    class Response:
        def __init__(self, data):
            self.data = data

        def read(self, n):
            chunk, self.data = self.data[:n], self.data[n:]
            return chunk

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def opener(url):
        calls.append(url)
        if url.startswith("http://down/"):
            raise urllib.error.URLError("host unreachable")
        return Response(blob)

    path = sources.download_file(["http://down/", "http://up/"], "f.gz",
                                 hashlib.md5(blob).hexdigest(), str(tmp_path / "dl"),
                                 opener=opener, quiet=True)
    assert calls == ["http://down/f.gz", "http://up/f.gz"]
    assert open(path, "rb").read() == blob and os.listdir(tmp_path / "dl") == ["f.gz"]
    with pytest.raises(sources.DownloadError, match="host unreachable"):
        sources.download_file(["http://down/"], "g.gz", "0" * 32, str(tmp_path / "dl"),
                              opener=opener, quiet=True)


def test_images_and_labels_must_agree(tmp_path):
    raw = str(tmp_path / "FashionMNIST" / "raw")
    make_split(raw, labels=np.zeros(N - 1, dtype=np.uint8))
    with pytest.raises(RuntimeError, match=f"holds {N} images but .* holds {N - 1} labels"):
        datasets.FashionMNIST(str(tmp_path))
    make_split(raw, labels=np.full(N, 12, dtype=np.uint8))
    with pytest.raises(RuntimeError, match="label 12 out of range for 10 classes"):
        datasets.FashionMNIST(str(tmp_path))


def test_truncated_file_in_root_is_an_error(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    make_split(str(raw), gz=False)
    path = raw / "train-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-28])
    with pytest.raises(RuntimeError, match="truncated"):
        datasets.FashionMNIST(str(tmp_path))


# ---- batches -----------------------------------------------------------------------------------
def same_batch(ds, indices):
    batch = ds.__getbatch__(indices)
    expected = default_collate([ds[i] for i in indices])
    for got, want in zip(batch, expected):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    return batch


T = transforms
PIPELINES = [
    T.ToTensor(),
    T.Compose([T.ToTensor(), T.Normalize((0.2860,), (0.3530,))]),
    T.Compose([T.Resize(64), T.ToTensor()]),
    T.Compose([T.Resize((10, 40)), T.ToTensor()]),
    T.Compose([T.Resize(14), T.ToTensor(), T.Normalize([0.5], [0.5])]),
    T.Compose([T.Resize((13, 9)), T.ToTensor()]),
    T.Compose([T.ToTensor(), T.Resize((20, 33))]),
    T.Compose([T.ToTensor(), T.Resize(12, antialias=False)]),
    T.Compose([T.CenterCrop(20), T.ToTensor()]),
    T.Compose([T.ToTensor(), T.CenterCrop((31, 26))]),
    T.Compose([T.ToTensor(), T.Lambda(lambda x: x.reshape(-1))]),
    T.Compose([T.Lambda(lambda x: x), T.ToTensor()]),
]


@pytest.mark.parametrize("transform", PIPELINES, ids=lambda t: repr(t).replace("\n", ""))
def test_getbatch_equals_collated_items(root, transform):
    ds = datasets.FashionMNIST(root, transform=transform)
    batch = same_batch(ds, [4, 0, 6, 6, 2])
    assert batch[1].tolist() == [int(ds.targets[i]) for i in [4, 0, 6, 6, 2]]


def test_getbatch_with_random_flip_under_seed(root):
    flip = T.Compose([T.ToTensor(), T.RandomHorizontalFlip()])
    ds = datasets.FashionMNIST(root, transform=flip)
    glasstorch.manual_seed(1)
    batch = ds.__getbatch__(list(range(N)))
    glasstorch.manual_seed(1)
    items = [ds[i][0] for i in range(N)]
    np.testing.assert_array_equal(batch[0].numpy(), np.stack([x.numpy() for x in items]))
    glasstorch.manual_seed(1)
    coins = (glasstorch.rand(N) < 0.5).tolist()
    assert 0 < sum(coins) < N  # this seed flips some images and not others
    raw = ds.data.numpy() / np.float32(255)
    for i, coin in enumerate(coins):
        np.testing.assert_array_equal(batch[0].numpy()[i, 0], raw[i][:, ::-1] if coin else raw[i])


def test_getbatch_with_target_transform_and_no_transform(root):
    ds = datasets.FashionMNIST(root, transform=T.ToTensor(), target_transform=lambda y: -y)
    batch = same_batch(ds, [1, 2])
    assert batch[1].tolist() == [-int(ds.targets[1]), -int(ds.targets[2])]
    ds = datasets.FashionMNIST(root)
    if PIL is not None:  # PIL images do not collate, in torch either
        with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
            ds.__getbatch__([0, 1])
    else:
        same_batch(ds, [0, 1])


def test_dataloader_uses_getbatch(root, monkeypatch):
    ds = datasets.FashionMNIST(root, transform=T.ToTensor())
    monkeypatch.setattr(type(ds), "__getitem__", None)  # only the batch path is left
    batches = list(DataLoader(ds, batch_size=3))
    assert [tuple(x.shape) for x, _ in batches] == [(3, 1, 28, 28), (3, 1, 28, 28), (1, 1, 28, 28)]
    assert all(y.dtype == glasstorch.int64 for _, y in batches)


def test_torchvision_alias_under_glasstorch_run(tmp_path, root):
    script = tmp_path / "s.py"
    script.write_text(
        "import torchvision, torch\n"
        "from torchvision import transforms\n"
        "import torchvision.transforms.functional as TF\n"
        f"ds = torchvision.datasets.FashionMNIST({root!r}, transform=transforms.ToTensor())\n"
        "x, y = ds[0]\n"
        "assert isinstance(x, torch.Tensor) and TF.hflip(x).shape == (1, 28, 28)\n"
        "print(type(ds).__module__, tuple(x.shape), x.dtype)\n")
    done = subprocess.run([sys.executable, "-m", "glasstorch", "run", str(script)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "glasstorch.vision.datasets.mnist (1, 28, 28) torch.float32"


# ---- the real files ----------------------------------------------------------------------------
@pytest.mark.skipif(not os.path.isdir(DEBIAN), reason="dataset-fashion-mnist is not installed")
def test_real_fashion_mnist(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.FashionMNIST, "system_folders", (DEBIAN,))
    train = datasets.FashionMNIST(str(tmp_path), transform=T.ToTensor(), download=True)
    test = datasets.FashionMNIST(str(tmp_path), train=False, transform=T.ToTensor(),
                                   download=True)
    assert (len(train), len(test)) == (60000, 10000)
    x, y = train[0]
    assert x.shape == (1, 28, 28) and x.dtype == glasstorch.float32 and y == 9
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    assert np.bincount(train.targets.numpy()).tolist() == [6000] * 10
    X, y = next(iter(DataLoader(train, batch_size=256, shuffle=True)))
    assert X.shape == (256, 1, 28, 28) and y.shape == (256,) and y.dtype == glasstorch.int64
    same_batch(train, list(range(0, 60000, 997)))


def test_system_folder_comes_before_download(tmp_path, monkeypatch):
    make_split(str(tmp_path / "system"), "train", n=5, seed=8)
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", [])  # a download attempt would fail
    ds = datasets.FashionMNIST(str(tmp_path / "data"), download=True)
    raw = tmp_path / "data" / "FashionMNIST" / "raw"
    assert len(ds) == 5 and all(os.path.islink(raw / f) for f in os.listdir(raw))


def test_a_real_download_shows_a_progress_bar(tmp_path, capsys, monkeypatch):
    blob = os.urandom(3 << 20)

    class Response:
        headers = {"Content-Length": str(len(blob))}

        def __init__(self):
            self.data = blob

        def read(self, n):
            chunk, self.data = self.data[:n], self.data[n:]
            return chunk

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    sources.download_file(["http://up/"], "f.gz", hashlib.md5(blob).hexdigest(),
                          str(tmp_path / "dl"), opener=lambda url: Response())
    err = capsys.readouterr().err
    assert "f.gz" in err and "100%" in err
    import builtins

    real_import = builtins.__import__

    def without_tqdm(name, *args, **kwargs):
        if name == "tqdm":
            raise ImportError("no tqdm")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", without_tqdm)  # the plain percentage instead
    sources.download_file(["http://up/"], "g.gz", hashlib.md5(blob).hexdigest(),
                          str(tmp_path / "dl"), opener=lambda url: Response())
    err = capsys.readouterr().err
    assert "g.gz:  33%" in err and err.rstrip().endswith("g.gz: 100%")  # 1 MiB chunks of 3


def test_index_out_of_range(root):
    with pytest.raises(IndexError, match=f"index {N} is out of bounds for dimension 0"):
        datasets.FashionMNIST(root)[N]


def test_without_pillow_items_are_uint8_tensors(root, monkeypatch):
    from glasstorch.vision.datasets import mnist

    monkeypatch.setattr(mnist, "_pil_image_module", lambda: None)
    images, labels = make_split(os.path.join(root, "FashionMNIST", "raw"), "train", seed=1)
    img, label = datasets.FashionMNIST(root)[3]
    assert img.dtype == glasstorch.uint8 and img.shape == (28, 28) and label == labels[3]
    np.testing.assert_array_equal(img.numpy(), images[3])
    for transform in [None, T.ToTensor(), T.Compose([T.Resize(64), T.ToTensor()]),
                      T.Compose([T.CenterCrop(30), T.ToTensor(), T.Normalize((0.5,), (0.2,))])]:
        batch = same_batch(datasets.FashionMNIST(root, transform=transform), [5, 1, 3])
        assert batch[0].shape[0] == 3


def test_download_method_fetches_all_missing_files(tmp_path, monkeypatch):
    files = {name: idx_bytes(np.zeros(1, dtype=np.uint8)) for name in
             ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
              "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]}
    serve(str(tmp_path / "mirror"), files, monkeypatch, cls=datasets.MNIST)
    root = tmp_path / "data"
    make_split(str(root / "MNIST" / "raw"), "train")
    ds = datasets.MNIST(str(root))
    assert not ds._check_exists()
    ds.download()
    assert ds._check_exists()
    assert sorted(os.listdir(root / "MNIST" / "raw")) == [
        "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]
    assert len(datasets.MNIST(str(root))) == N  # the train files were kept, not replaced
