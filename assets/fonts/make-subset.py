#!/usr/bin/env python3
"""Regenerates NotoSansSC-subset.woff: Noto Sans SC (SIL Open Font License 1.1, see OFL.txt)
cut down to exactly the glyphs the report and the classroom page can show, so that Chinese
renders on a machine without a CJK font. Run from the repository root after changing any
Chinese text in assets/page, src/output, src/serve, src/experiment, docs/findings.toml (report.html's
caveats) or the bundled scenarios:

    python3 assets/fonts/make-subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

(Debian package fonts-noto-cjk; font number 2 of the collection is Noto Sans CJK SC.)
Needs fontTools (Debian python3-fonttools). glyphs.txt lists the characters; tests/page.rs
checks that every character the program can show is in it."""
import glob, subprocess, sys
sources = sorted(glob.glob("assets/page/*") + glob.glob("src/output/*.rs") + glob.glob("src/serve/*.rs")
                 + glob.glob("src/experiment/*.rs")
                 + ["src/metrics/regime.rs", "docs/findings.toml"] + glob.glob("scenarios/**/*.toml", recursive=True))
chars = set(chr(c) for c in range(0x20, 0x7F)) | set("±–—…·→←×−≥≤“”‘’「」")
for path in sources:
    with open(path, encoding="utf-8") as f:
        chars |= {c for c in f.read() if ord(c) > 0x7F and not c.isspace()}
text = "".join(sorted(chars))
with open("assets/fonts/glyphs.txt", "w", encoding="utf-8") as f:
    f.write(text + "\n")
src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
subprocess.run([sys.executable, "-m", "fontTools.subset", src, "--font-number=2", "--text-file=assets/fonts/glyphs.txt",
                "--flavor=woff", "--layout-features=*", "--no-hinting", "--desubroutinize",
                "--output-file=assets/fonts/NotoSansSC-subset.woff"], check=True)
print(f"{len(text)} characters -> assets/fonts/NotoSansSC-subset.woff")
