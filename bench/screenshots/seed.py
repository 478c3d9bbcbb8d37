#!/usr/bin/python3
# SPDX-FileCopyrightText: 2026 Mouse Gateway developers
# SPDX-License-Identifier: GPL-3.0-or-later
"""The seed's screenshot compression, as the original gateway did it (cache_manager.py,
_compress_screenshot): originals under 100 KiB pass through unchanged; otherwise Pillow opens
the PNG, converts to RGB, thumbnail() with LANCZOS into the preset's box, and saves JPEG with
optimize=True at the preset's quality. Run with Debian's /usr/bin/python3 (python3-pil).

Usage: seed.py DATA_DIR OUT_JSON [RUNS] [OUT_DIR]
Writes {"presets": {name: {file: {"bytes", "width", "height", "ms", "passthrough"}}}} and,
with OUT_DIR, the seed's answers as files for the SSIM comparison."""
import io
import json
import os
import sys
import time

from PIL import Image

PRESETS = {"low": ((640, 480), 60), "medium": ((1024, 768), 75), "high": ((1920, 1080), 85)}
PASSTHROUGH_BELOW = 100 * 1024


def compress(data, box, quality):
    if len(data) < PASSTHROUGH_BELOW:
        image = Image.open(io.BytesIO(data))
        return data, image.size, True
    image = Image.open(io.BytesIO(data))
    if image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail(box, Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue(), image.size, False


def main():
    data_dir, out_json = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    out_dir = sys.argv[4] if len(sys.argv) > 4 else None
    result = {"presets": {}}
    files = sorted(f for f in os.listdir(data_dir) if f.endswith(".png"))
    for name, (box, quality) in PRESETS.items():
        per_file = {}
        for f in files:
            data = open(os.path.join(data_dir, f), "rb").read()
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                answer, size, passthrough = compress(data, box, quality)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            per_file[f] = {"bytes": len(answer), "width": size[0], "height": size[1],
                           "ms": times[len(times) // 2], "passthrough": passthrough}
            if out_dir:
                os.makedirs(out_dir, exist_ok=True)
                ext = "png" if passthrough else "jpg"
                with open(os.path.join(out_dir, f"{name}-{f[:-4]}.{ext}"), "wb") as fh:
                    fh.write(answer)
        result["presets"][name] = per_file
    with open(out_json, "w") as fh:
        json.dump(result, fh, indent=1)


if __name__ == "__main__":
    main()
