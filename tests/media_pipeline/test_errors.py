from __future__ import annotations

import re

import pytest

from media_pipeline import MediaError, PermanentMediaError, ToolFailed, TransientMediaError
from media_pipeline.errors import ALL_ERRORS


def test_every_error_has_a_unique_snake_case_code() -> None:
    codes = [cls.code for cls in ALL_ERRORS]

    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"media_[a-z_]+", code) for code in codes)


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_has_a_chinese_and_an_english_reason(cls: type[MediaError]) -> None:
    err = cls("detail here")

    assert re.search(r"[\u4e00-\u9fff]", err.message_zh)
    assert err.message_en.isascii()
    assert err.reason == f"{err.message_zh} / {err.message_en}: detail here"
    assert str(err) == err.reason


@pytest.mark.parametrize("cls", ALL_ERRORS)
def test_every_error_is_either_permanent_or_transient(cls: type[MediaError]) -> None:
    assert issubclass(cls, PermanentMediaError) != issubclass(cls, TransientMediaError)
    assert cls.transient is issubclass(cls, TransientMediaError)


def test_only_environment_failures_are_transient() -> None:
    transient = {cls.code for cls in ALL_ERRORS if cls.transient}

    assert transient == {"media_tool_unavailable", "media_output_write_failed"}


def test_to_dict_carries_code_messages_and_stderr() -> None:
    err = ToolFailed("ffmpeg exited with status 1", stderr_tail="boom", returncode=1)

    assert err.to_dict() == {
        "code": "media_tool_failed",
        "message": err.message_zh,
        "message_en": err.message_en,
        "detail": "ffmpeg exited with status 1",
        "transient": False,
        "stderr_tail": "boom",
        "returncode": 1,
    }
