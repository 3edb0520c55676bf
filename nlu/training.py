"""Training the Rasa NLU model, only when the training data or config changed."""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from nlu.rasa_env import RASA_REQUIREMENT

PROJECT_DIR = Path(__file__).resolve().parent
Progress = Callable[[str], None]


class TrainingError(RuntimeError):
    pass


def project_files(project: Path = PROJECT_DIR) -> list[Path]:
    files = [project / "config.yml", project / "domain.yml"]
    files += sorted((project / "data").rglob("*.yml"))
    files += sorted((project / "dictionary").glob("*.txt"))
    return [f for f in files if f.is_file()]


def fingerprint(project: Path = PROJECT_DIR) -> str:
    """sha256 over the Rasa version and every training file's name and content."""
    h = hashlib.sha256(RASA_REQUIREMENT.encode())
    for f in project_files(project):
        h.update(str(f.relative_to(project)).encode())
        h.update(b"\0")
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def model_path(models_dir: Path, project: Path = PROJECT_DIR) -> Path:
    return models_dir / f"nlu-{fingerprint(project)}.tar.gz"


def train(
    rasa: Path,
    models_dir: Path,
    *,
    project: Path = PROJECT_DIR,
    force: bool = False,
    use_cache: bool = True,
    progress: Progress = print,
) -> tuple[Path, bool]:
    """(model file, whether it was trained now). Skips training when the fingerprint's model exists."""
    target = model_path(models_dir, project)
    if target.is_file() and not force:
        return target, False
    models_dir.mkdir(parents=True, exist_ok=True)
    progress(f"训练 NLU 模型（约 2–3 分钟）：{target.name}")
    started = time.perf_counter()
    cmd = [
        str(rasa),
        "train",
        "nlu",
        "--config",
        "config.yml",
        "--nlu",
        "data",
        "--domain",
        "domain.yml",
        "--out",
        str(models_dir.resolve()),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    # cwd = the project, so that the tokenizer's dictionary_path resolves the same way at serve time.
    env = _rasa_env()
    if not use_cache:
        env["RASA_MAX_CACHE_SIZE"] = "0"  # measure a cold training, not Rasa's component cache
    result = subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env)
    if result.returncode != 0 or not target.is_file():
        raise TrainingError(f"Rasa 训练失败：\n{(result.stdout + result.stderr)[-3000:]}")
    progress(f"NLU 模型训练完成，用时 {time.perf_counter() - started:.0f} 秒")
    for old in models_dir.glob("nlu-*.tar.gz"):
        if old != target:
            old.unlink(missing_ok=True)
    return target, True


def _rasa_env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    # Rasa's telemetry would try the network; TensorFlow's chatter is noise in our logs.
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="3",
        OMP_NUM_THREADS="1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
    )
    return env
