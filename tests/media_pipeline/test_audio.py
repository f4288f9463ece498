from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from PIL import Image

from media_pipeline import KindMismatch, RenderOptions, make_proxy, make_waveform, probe
from media_pipeline.audio import PeakAccumulator

# lavfi sine has amplitude 1/8 of full scale.
SINE_PEAK = 32768 // 8


def _pcm(samples: list[int]) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


def test_the_proxy_is_aac_in_an_m4a(media: dict[str, Path], tmp_path: Path) -> None:
    proxy = make_proxy(media["wav"], tmp_path / "proxy.m4a", probe(media["wav"]))
    info = probe(proxy.path)

    assert proxy.mime == "audio/mp4"
    assert info.mime == "audio/mp4"
    assert info.audio_codec == "aac"
    assert info.duration_s == pytest.approx(3.0, abs=0.1)


def test_aac_sources_are_remuxed_rather_than_reencoded(media: dict[str, Path], tmp_path: Path) -> None:
    source = probe(media["m4a"])
    proxy = probe(make_proxy(media["m4a"], tmp_path / "proxy.m4a", source).path)

    assert proxy.audio_codec == "aac"
    assert proxy.bit_rate == pytest.approx(source.bit_rate, rel=0.1)


def test_the_waveform_has_the_requested_number_of_buckets(media: dict[str, Path], tmp_path: Path) -> None:
    options = RenderOptions(waveform_buckets=200, waveform_png_size=(400, 100))
    made = make_waveform(
        media["wav"], tmp_path / "waveform.json", tmp_path / "waveform.png", probe(media["wav"]), options=options
    )
    doc = json.loads((tmp_path / "waveform.json").read_text())

    assert [d.name for d in made] == ["waveform", "waveform_png"]
    assert doc["length"] == 200
    assert len(doc["data"]) == 400
    assert doc["sample_rate"] == 8000
    assert doc["duration_s"] == pytest.approx(3.0, abs=0.05)
    mins, maxs = doc["data"][0::2], doc["data"][1::2]
    # A steady sine: every bucket spans roughly -peak..+peak.
    assert all(mx == pytest.approx(SINE_PEAK, rel=0.1) for mx in maxs)
    assert all(mn == pytest.approx(-SINE_PEAK, rel=0.1) for mn in mins)


def test_the_waveform_png_has_the_configured_size(media: dict[str, Path], tmp_path: Path) -> None:
    options = RenderOptions(waveform_png_size=(500, 120))
    made = make_waveform(media["mp3"], tmp_path / "w.json", tmp_path / "w.png", probe(media["mp3"]), options=options)

    png = next(d for d in made if d.name == "waveform_png")
    with Image.open(png.path) as im:
        assert im.format == "PNG"
        assert im.size == (500, 120)
        assert im.getpixel((250, 60)) != (255, 255, 255)  # the wave crosses the middle


def test_audio_derivatives_need_an_audio_stream(media: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(KindMismatch):
        make_proxy(media["video_rotated"], tmp_path / "proxy.m4a", probe(media["video_rotated"]))


def test_peaks_do_not_depend_on_how_the_stream_is_chunked() -> None:
    samples = [((i * 37) % 2001) - 1000 for i in range(10_000)]
    data = _pcm(samples)
    whole = PeakAccumulator(expected_samples=10_000, buckets=50)
    whole.feed(data)
    pieces = PeakAccumulator(expected_samples=10_000, buckets=50)
    for i in range(0, len(data), 333):  # odd sizes split samples across chunks
        pieces.feed(data[i : i + 333])

    assert whole.finish() == pieces.finish()
    assert pieces.samples == 10_000


def test_peaks_track_where_the_loud_part_is() -> None:
    acc = PeakAccumulator(expected_samples=960, buckets=10)  # 96 samples per bucket
    acc.feed(_pcm([0] * 480 + [30000, -30000] * 240))

    peaks = acc.finish()

    assert peaks[:5] == [(0, 0)] * 5
    assert peaks[5:] == [(-30000, 30000)] * 5


def test_fewer_samples_than_buckets_still_gives_every_bucket_a_value() -> None:
    acc = PeakAccumulator(expected_samples=0, buckets=8)
    acc.feed(_pcm([100, -200, 300]))

    peaks = acc.finish()

    assert len(peaks) == 8
    assert min(p[0] for p in peaks) == -200
    assert max(p[1] for p in peaks) == 300


def test_silence_or_no_audio_gives_flat_peaks() -> None:
    assert PeakAccumulator(expected_samples=100, buckets=4).finish() == [(0, 0)] * 4
