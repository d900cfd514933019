"""The evidence packet as a PDF (fpdf2): the same content as the JSON view, laid out to read."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MONO = 7.0


class _Doc(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        self.unicode = (FONT_DIR / "DejaVuSans.ttf").exists()
        if self.unicode:  # Unicode text (look-alike brands) needs a TTF font
            self.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
            self.add_font("mono", "", str(FONT_DIR / "DejaVuSansMono.ttf"))
        self.add_page()

    def font(self, style: str = "", size: float = 9.0, *, mono: bool = False) -> None:
        family = (
            ("mono" if mono else "body") if self.unicode else ("Courier" if mono else "Helvetica")
        )
        self.set_font(family, style, size)

    def text_line(
        self, text: str, *, size: float = 9.0, style: str = "", mono: bool = False
    ) -> None:
        self.font(style, size, mono=mono)
        safe = text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")
        self.multi_cell(0, size * 0.5, safe, align="L", new_x="LMARGIN", new_y="NEXT")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.text_line(text, size=12, style="B")
        self.ln(1)


def render_pdf(packet: Mapping[str, Any]) -> bytes:
    """Lay out an evidence packet as a PDF document."""
    doc = _Doc()
    screening = packet["screening"]
    view = "rights holder" if packet["view"] == "rights_holder" else "declarant"
    doc.text_line(f"Countermark evidence packet ({view} view)", size=15, style="B")
    doc.text_line(f"Screening {screening['id']}  reference {screening.get('reference') or '-'}")
    doc.text_line(
        f"Decision: lane {screening['lane']}, verdict {screening['verdict']}, "
        f"risk {screening['risk']:.3f}, at {screening.get('created_at')}"
    )
    doc.heading("Versions")
    doc.text_line(", ".join(f"{k} {v}" for k, v in packet["versions"].items()))
    doc.heading("Declaration as received (minimised)")
    for name, value in packet["declaration"].items():
        if name == "unit_value" and value:
            doc.text_line(f"unit_value: {value['amount']} {value['currency']}")
        elif name != "images" and value is not None:
            doc.text_line(f"{name}: {value}")
    for n, image in enumerate(packet["declaration"].get("images", []), 1):
        hashes = ", ".join(f"{k} {v}" for k, v in (image.get("hashes") or {}).items())
        doc.text_line(f"declared image {n} (pixels not kept): {hashes}", mono=True, size=MONO)
    doc.heading("Registered products as they were then")
    for product in packet["products"]:
        _product(doc, product)
    doc.heading("Signals and their contributions (log-odds)")
    for match in packet["matches"]:
        doc.text_line(
            f"{match['brand']} {match['name']}: similarity {match['similarity']:.3f}, "
            f"risk {match['risk']:.3f}",
            style="B",
        )
        for signal in match["signals"]:
            doc.text_line(f"{signal['contribution']:+.2f}  {signal['name']}: {signal['detail']}")
    shown = [s for m in packet["matches"] for s in m["signals"]]
    rest = [s for s in packet["signals"] if s not in shown]  # item-level, not per product
    if rest:
        doc.text_line("Item-level signals", style="B")
    for signal in rest:
        doc.text_line(f"{signal['contribution']:+.2f}  {signal['name']}: {signal['detail']}")
    if packet["outcomes"]:
        doc.heading("Inspection outcomes")
        for outcome in packet["outcomes"]:
            note = f" - {outcome['note']}" if outcome.get("note") else ""
            doc.text_line(f"{outcome['recorded_at']}: {outcome['outcome']}{note}")
    _proof(doc, packet.get("proof"))
    return bytes(doc.output())


def _product(doc: _Doc, product: Mapping[str, Any]) -> None:
    facts = product["facts"]
    doc.text_line(f"{facts['brand']} {facts['name']} ({facts['id']})", style="B")
    for name, value in facts.items():
        if name not in ("brand", "name", "id") and value not in (None, [], ""):
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            doc.text_line(f"{name}: {shown}")
    x, top = doc.l_margin, doc.get_y() + 1
    for reference in product["references"]:
        data = reference.get("thumbnail")
        if not data:
            continue
        raw = base64.b64decode(data.split(",", 1)[1])
        if x + 32 > doc.w - doc.r_margin:
            x, top = doc.l_margin, top + 38
        doc.image(io.BytesIO(raw), x=x, y=top, w=30)
        doc.set_xy(x, top + 31)
        doc.font(size=6)
        doc.cell(30, 3, f"{reference['kind']} {reference['id'][:8]}")
        x += 34
    if product["references"]:
        doc.set_xy(doc.l_margin, top + 36)


def _proof(doc: _Doc, proof: Mapping[str, Any] | None) -> None:
    doc.heading("Log proof")
    if proof is None:
        doc.text_line("this screening is not in the decision log")
        return
    head, leaf = proof["head"], proof.get("leaf")
    place = f"entry {proof['position']} of the decision log"
    if leaf is not None:
        place = f"record {leaf['index'] + 1} of the {proof['entry']['leaf_count']} in " + place
    doc.text_line(f"{place}, logged at {proof['entry']['logged_at']}")
    rows = [("record digest", (leaf or proof["entry"])["digest"])]
    if leaf is not None:
        rows.append(("entry's Merkle root", proof["entry"]["digest"]))
        rows.extend(("audit path", step) for step in proof["audit_path"])
    rows += [
        ("previous hash", proof["entry"]["prev_hash"]),
        ("record hash", proof["record_hash"]),
        ("head signed at", f"{head['time']} (size {head['size']})"),
        ("public key", head["public_key"]),
        ("signature", head["signature"]),
    ]
    for label, value in rows:
        doc.text_line(f"{label}: {value}", mono=True, size=MONO)
    doc.ln(1)
    doc.text_line(
        "Check offline: save the JSON packet (GET with Accept: application/json) and run "
        f"`{proof['check']}`."
    )
