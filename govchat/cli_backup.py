"""``govchat backup --out FILE`` and ``govchat restore FILE --data-dir DIR`` (docs/operations.md)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from govchat.cli_common import progress, settings_of
from kernel.clock import SystemClock


def cmd_backup(args: argparse.Namespace) -> int:
    from govchat.backup import BackupError, make_backup

    settings = settings_of(args)
    out = Path(args.out)
    if out.is_dir():
        out = out / f"govchat-{SystemClock().now().strftime('%Y%m%d-%H%M%S')}.tar.gz"
    try:
        manifest = asyncio.run(make_backup(settings, out, SystemClock().now(), progress))
    except BackupError as exc:
        progress(f"备份失败：{exc}")
        return 2
    progress(f"备份完成：{out}（数据库版本 {manifest.revision}，{len(manifest.files)} 个条目）")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from govchat.backup import BackupError, restore_backup

    settings = settings_of(args)
    try:
        report = asyncio.run(restore_backup(settings, Path(args.file), progress, force=args.force))
    except BackupError as exc:
        progress(f"恢复失败：{exc}")
        return 2
    progress(f"恢复完成：数据目录 {settings.data_dir}，数据库版本 {report['revision']}。启动 govchat serve 即可。")
    return 0


def add_backup_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    b = sub.add_parser("backup", help="备份数据库、索引、密钥和模型到一个 tar.gz 文件")
    b.add_argument("--out", required=True, help="备份文件名（或目录：自动按时间命名）")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="从备份恢复到（空的）数据目录和数据库")
    r.add_argument("file", help="govchat backup 生成的 tar.gz 文件")
    r.add_argument("--force", action="store_true", help="目标已有数据时也覆盖（先清空其全部表）")
    r.set_defaults(func=cmd_restore)
