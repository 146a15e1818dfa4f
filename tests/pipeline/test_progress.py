"""Progress reporting: plain log lines off a terminal, a rich bar on one."""

from __future__ import annotations

from reward_kit.pipeline import _progress
from reward_kit.pipeline._progress import RunProgress


def test_plain_mode_prints_done_total_errors_and_cache_hits(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "_PLAIN_INTERVAL_S", 0.0)
    progress = RunProgress(total=4, done=1, mode="plain")
    progress.advance(error=True, cached=False)
    progress.advance(error=False, cached=True)
    progress.close()

    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[1].startswith("reward-kit run: 3/4 done")
    assert "errors 1, cached 1" in lines[1]


def test_auto_mode_is_plain_off_a_terminal_and_none_is_silent(capsys):
    assert RunProgress(total=1, done=0, mode="auto").mode == "plain"
    quiet = RunProgress(total=1, done=0, mode="none")
    quiet.advance(error=False, cached=False)
    quiet.close()
    assert capsys.readouterr().err == ""


def test_rich_mode_draws_a_bar(capsys):
    progress = RunProgress(total=2, done=0, mode="rich")
    progress.advance(error=False, cached=True)
    progress.advance(error=True, cached=False)
    progress.close()
    err = capsys.readouterr().err
    assert "2/2" in err and "errors 1" in err and "cached 1" in err
