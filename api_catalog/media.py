"""Media: image, video and audio arithmetic (aspect ratios, resizing, print sizes, bitrates,
file sizes, timecodes, subtitles) and colour (hex/RGB/HSL, WCAG contrast)."""

from __future__ import annotations

import colorsys
import math
import re

from apigen.catalog import api

CATEGORY = "Media"


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if not re.fullmatch(r"[0-9a-fA-F]{6}", h):
        raise ValueError(f"'{hex_color}' is not a hex colour like #1a2b3c")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@api(examples=[{"arguments": {"width": 1920, "height": 1080}, "result": {"ratio": "16:9", "decimal": 1.7778}}])
def aspect_ratio(width: int, height: int) -> dict:
    """Reduce a width and height to their simplest aspect ratio (e.g. 16:9) and decimal ratio.

    Args:
        width: Width in pixels (positive).
        height: Height in pixels (positive).
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    g = math.gcd(width, height)
    return {"ratio": f"{width // g}:{height // g}", "decimal": round(width / height, 4)}


@api(examples=[{"arguments": {"width": 4000, "height": 3000, "target_width": 1200}, "result": {"width": 1200, "height": 900}}])
def resize_keep_aspect(width: int, height: int, target_width: int = 0, target_height: int = 0) -> dict:
    """Compute new image dimensions for a target width or height while keeping the aspect ratio (rounded to whole pixels).

    Args:
        width: Original width in pixels.
        height: Original height in pixels.
        target_width: Desired width (give this or target_height).
        target_height: Desired height (give this or target_width).
    """
    if (target_width > 0) == (target_height > 0) or width <= 0 or height <= 0:
        raise ValueError("give exactly one positive target dimension")
    if target_width:
        return {"width": target_width, "height": round(height * target_width / width)}
    return {"width": round(width * target_height / height), "height": target_height}


@api(examples=[{"arguments": {"width_px": 3000, "height_px": 2400, "dpi": 300}, "result": {"width_in": 10.0, "height_in": 8.0, "width_cm": 25.4, "height_cm": 20.32, "megapixels": 7.2}}])
def print_size(width_px: int, height_px: int, dpi: int = 300) -> dict:
    """Compute the physical print size (inches and cm) and megapixels of an image at a print resolution.

    Args:
        width_px: Image width in pixels.
        height_px: Image height in pixels.
        dpi: Print resolution in dots per inch (300 is photo quality).
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    return {"width_in": round(width_px / dpi, 2), "height_in": round(height_px / dpi, 2), "width_cm": round(width_px / dpi * 2.54, 2),
            "height_cm": round(height_px / dpi * 2.54, 2), "megapixels": round(width_px * height_px / 1e6, 2)}


@api(examples=[{"arguments": {"hex_color": "#1E90FF"}, "result": {"r": 30, "g": 144, "b": 255, "h": 210, "s": 100, "l": 56}}])
def hex_to_rgb_hsl(hex_color: str) -> dict:
    """Convert a hex colour to RGB (0-255) and HSL (hue degrees, saturation and lightness percent).

    Args:
        hex_color: Colour like '#1E90FF' or '#fff'.
    """
    r, g, b = _rgb(hex_color)
    h, l, s = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    return {"r": r, "g": g, "b": b, "h": round(h * 360) % 360, "s": round(s * 100), "l": round(l * 100)}


@api(examples=[{"arguments": {"r": 255, "g": 99, "b": 71}, "result": "#ff6347"}])
def rgb_to_hex(r: int, g: int, b: int) -> str:
    """Convert RGB components (0-255) to a lowercase hex colour code.

    Args:
        r: Red, 0-255.
        g: Green, 0-255.
        b: Blue, 0-255.
    """
    if not all(0 <= c <= 255 for c in (r, g, b)):
        raise ValueError("components must be 0-255")
    return f"#{r:02x}{g:02x}{b:02x}"


@api(examples=[{"arguments": {"foreground": "#777777", "background": "#ffffff"}, "result": {"ratio": 4.48, "aa_normal_text": False, "aa_large_text": True, "aaa_normal_text": False}}])
def color_contrast_ratio(foreground: str, background: str) -> dict:
    """Compute the WCAG 2 contrast ratio of two colours and whether it passes AA (4.5:1, large text 3:1) and AAA (7:1).

    Args:
        foreground: Text colour as hex.
        background: Background colour as hex.
    """
    def luminance(hex_color: str) -> float:
        channels = [c / 255 for c in _rgb(hex_color)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(foreground), luminance(background)), reverse=True)
    ratio = (hi + 0.05) / (lo + 0.05)
    return {"ratio": round(ratio, 2), "aa_normal_text": ratio >= 4.5, "aa_large_text": ratio >= 3, "aaa_normal_text": ratio >= 7}


@api(examples=[{"arguments": {"bitrate_kbps": 5000, "duration_seconds": 600}, "result": {"megabytes": 375.0, "gigabytes": 0.375}}])
def media_file_size(bitrate_kbps: float, duration_seconds: float) -> dict:
    """Estimate a video or audio file's size from its total bitrate (kilobits per second) and duration (decimal MB/GB).

    Args:
        bitrate_kbps: Total bitrate (video + audio) in kbit/s.
        duration_seconds: Duration in seconds.
    """
    mb = bitrate_kbps * duration_seconds / 8 / 1000
    return {"megabytes": round(mb, 3), "gigabytes": round(mb / 1000, 3)}


@api(examples=[{"arguments": {"target_size_mb": 100, "duration_seconds": 300, "audio_kbps": 128}, "result": 2538.67}])
def video_bitrate_for_size(target_size_mb: float, duration_seconds: float, audio_kbps: float = 128) -> float:
    """Compute the video bitrate (kbit/s) that makes an encode hit a target file size, after the audio bitrate.

    Args:
        target_size_mb: Desired file size in megabytes (10^6 bytes).
        duration_seconds: Duration in seconds (positive).
        audio_kbps: Audio bitrate in kbit/s.
    """
    if duration_seconds <= 0:
        raise ValueError("duration must be positive")
    total = target_size_mb * 8000 / duration_seconds
    if total <= audio_kbps:
        raise ValueError("the target size leaves no room for video")
    return round(total - audio_kbps, 2)


@api(examples=[{"arguments": {"sample_rate_hz": 44100, "bit_depth": 16, "channels": 2, "duration_seconds": 60}, "result": {"bytes": 10584000, "megabytes": 10.584, "bitrate_kbps": 1411.2}}])
def uncompressed_audio_size(sample_rate_hz: int, bit_depth: int, channels: int, duration_seconds: float) -> dict:
    """Compute the size and bitrate of uncompressed PCM audio (e.g. WAV, CD quality 44.1 kHz / 16-bit / stereo).

    Args:
        sample_rate_hz: Samples per second.
        bit_depth: Bits per sample (8, 16, 24 or 32).
        channels: Number of channels.
        duration_seconds: Duration in seconds.
    """
    bps = sample_rate_hz * bit_depth * channels
    size = round(bps * duration_seconds / 8)
    return {"bytes": size, "megabytes": round(size / 1e6, 3), "bitrate_kbps": bps / 1000}


@api(examples=[{"arguments": {"frames": 90125, "fps": 25}, "result": "01:00:05:00"}])
def frames_to_timecode(frames: int, fps: int) -> str:
    """Convert a frame count to an SMPTE non-drop-frame timecode HH:MM:SS:FF at an integer frame rate.

    Args:
        frames: Frame number (non-negative).
        fps: Frames per second, e.g. 24, 25, 30.
    """
    if frames < 0 or fps <= 0:
        raise ValueError("frames must be non-negative and fps positive")
    seconds, ff = divmod(frames, fps)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}:{ff:02d}"


@api(examples=[{"arguments": {"timecode": "00:01:30:12", "fps": 24}, "result": 2172}])
def timecode_to_frames(timecode: str, fps: int) -> int:
    """Convert an SMPTE non-drop-frame timecode HH:MM:SS:FF to a frame count.

    Args:
        timecode: Timecode such as '00:01:30:12'.
        fps: Frames per second.
    """
    m = re.fullmatch(r"(\d{2}):(\d{2}):(\d{2})[:;](\d{2})", timecode.strip())
    if not m or int(m.group(4)) >= fps:
        raise ValueError("timecode must be HH:MM:SS:FF with FF below fps")
    h, mi, s, f = map(int, m.groups())
    return ((h * 60 + mi) * 60 + s) * fps + f


@api(examples=[{"arguments": {"start_seconds": 75.5, "end_seconds": 78.25, "text": "Hello there.", "index": 3}, "result": "3\n00:01:15,500 --> 00:01:18,250\nHello there.\n"}])
def srt_subtitle_entry(start_seconds: float, end_seconds: float, text: str, index: int = 1) -> str:
    """Format one SubRip (.srt) subtitle entry with its index and 'HH:MM:SS,mmm --> HH:MM:SS,mmm' timing line.

    Args:
        start_seconds: Start time in seconds.
        end_seconds: End time in seconds (after the start).
        text: Subtitle text (may contain line breaks).
        index: Sequence number of the entry.
    """
    if not 0 <= start_seconds < end_seconds:
        raise ValueError("need 0 <= start < end")

    def stamp(t: float) -> str:
        ms = round(t * 1000)
        return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return f"{index}\n{stamp(start_seconds)} --> {stamp(end_seconds)}\n{text}\n"
