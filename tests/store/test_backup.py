"""``surplus backup`` and ``surplus restore``: SQLite's online backup, consistent while the database is written."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from surplus import cli
from surplus.store import backup as backup_module
from surplus.store.backup import BackupError, backup, in_use, restore
from surplus.store.database import Database


def rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT id, vehicle, charged_kwh FROM sessions ORDER BY id").fetchall()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


async def filled(path: Path, sessions: int) -> Database:
    database = await Database.open(path)
    await database.run(
        lambda connection: connection.executemany(
            "INSERT INTO sessions (created, finished, loadpoint, vehicle, charged_kwh) VALUES "
            "('2024-05-01 10:00:00+02:00', '2024-05-01 12:00:00+02:00', 'Carport', ?, ?)",
            [(f"car {n} " + "x" * 200, n / 10) for n in range(sessions)],
        )
    )
    return database


async def test_a_backup_of_a_database_in_use_is_a_consistent_single_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "live.db"
    database = await filled(live, 2000)
    monkeypatch.setattr(backup_module, "STEP_PAGES", 16)  # many steps, so a write lands in the middle
    writer = sqlite3.connect(live)
    progress: list[tuple[int, int]] = []

    def step(copied: int, total: int) -> None:
        if not progress:  # another connection commits a session while the copy is half done
            with writer:
                writer.execute("INSERT INTO sessions (loadpoint, vehicle, charged_kwh) VALUES ('Carport', 'late', 1)")
        progress.append((copied, total))

    try:
        pages = backup(live, tmp_path / "copy.db", step)
    finally:
        writer.close()
        await database.close()
    copy = tmp_path / "copy.db"
    assert integrity(copy) == "ok"
    assert rows(copy) == rows(live)  # the late session too: SQLite started the copy over after it
    assert rows(copy)[-1][1] == "late"
    assert len(progress) > 2
    assert progress[-1] == (pages, pages)
    assert not (tmp_path / "copy.db-wal").exists()
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)


async def test_restore_puts_the_backup_back_and_keeps_what_it_replaced(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await (await filled(live, 10)).close()
    backup(live, tmp_path / "copy.db")
    saved = rows(live)
    with sqlite3.connect(live) as connection:
        connection.execute("DELETE FROM sessions WHERE id > 3")
    kept = tmp_path / "live.db.before-restore"
    restore(tmp_path / "copy.db", live, keep=kept)
    assert rows(live) == saved
    assert len(rows(kept)) == 3
    assert integrity(live) == "ok"
    with sqlite3.connect(live) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    database = await Database.open(live)  # and Surplus opens it as usual
    assert len(await database.fetchall("SELECT id FROM sessions")) == 10
    await database.close()


@contextmanager
def held_open(path: Path) -> Iterator[None]:
    """Another process with the database open, as a running Surplus has it."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM sessions').fetchall()\n"
            "print('open', flush=True); sys.stdin.read()",
            str(path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "open\n"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=10)


async def test_restore_refuses_while_the_database_is_in_use(tmp_path: Path) -> None:
    live = tmp_path / "live.db"
    await (await filled(live, 10)).close()
    backup(live, tmp_path / "copy.db")
    with held_open(live):
        assert in_use(live)
        with pytest.raises(BackupError, match=f"{live} is in use; stop Surplus"):
            restore(tmp_path / "copy.db", live, keep=tmp_path / "kept.db")
        assert not (tmp_path / "kept.db").exists()
    assert not in_use(live)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["backup", "{tmp}/copy.db", "--database", "{tmp}/missing.db"], "there is no database at {tmp}/missing.db"),
        (["backup", "{tmp}/no/such/dir/copy.db", "--database", "{tmp}/live.db"], "cannot write {tmp}/no/such/dir"),
        (["restore", "{tmp}/missing.db", "--database", "{tmp}/live.db"], "there is no backup at {tmp}/missing.db"),
        (["restore", "{tmp}/notes.txt", "--database", "{tmp}/live.db"], "{tmp}/notes.txt is not a usable database"),
        (["restore", "{tmp}/other.db", "--database", "{tmp}/live.db"], "{tmp}/other.db is not a Surplus or evcc"),
    ],
)
async def test_errors_are_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str], message: str
) -> None:
    await (await filled(tmp_path / "live.db", 1)).close()
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    with sqlite3.connect(tmp_path / "other.db") as connection:
        connection.execute("CREATE TABLE photos (name text)")
    arguments = [part.format(tmp=tmp_path) for part in command]
    assert cli.main(arguments, env={}) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith(f"surplus {command[0]}: {message.format(tmp=tmp_path)}")


def test_a_failed_backup_leaves_no_partial_copy(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a database " * 100)
    with pytest.raises(BackupError, match="file is not a database"):
        backup(tmp_path / "notes.txt", tmp_path / "copy.db")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


async def test_the_commands_report_what_they_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    live = tmp_path / "live.db"
    await (await filled(live, 5)).close()
    env = {"SURPLUS_DATABASE": str(live)}  # the database the server would use
    assert cli.main(["backup", str(tmp_path / "copy.db")], env=env) == 0
    assert capsys.readouterr().err.startswith(f"surplus backup: copied {live} to {tmp_path / 'copy.db'} (")
    assert cli.main(["restore", str(tmp_path / "copy.db"), "--database", str(live)], env={}) == 0
    assert capsys.readouterr().err.endswith(f"the database it replaced is in {live}.before-restore\n")
    assert rows(live) == rows(tmp_path / "copy.db")
