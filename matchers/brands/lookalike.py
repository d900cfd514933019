"""Look-alike brand names: a weighted edit distance that knows how knock-offs are made.

Knock-off names change a registered name in a few typical ways ("Adidas" -> "Adidoss",
"Abibas"; "Nike" -> "Nkie"): swapped vowels, doubled or dropped letters, two letters
transposed, letters that look alike ("b"/"d", "rn"/"m"), a short suffix. Those edits cost
less than an arbitrary change, so they stay look-alikes while an unrelated word does not.
"""

from __future__ import annotations

from dataclasses import dataclass

VOWELS = frozenset("aeiouy")
# Pairs of letters that read alike at a glance (shape or sound).
SIMILAR = frozenset(
    frozenset(p)
    for p in ("bd", "bp", "dp", "pq", "bq", "mn", "uv", "vw", "ck", "kq", "il", "lt", "sz", "ce",
              "gq", "hn", "rn", "ft", "ao", "ij", "xk", "nu", "cg")
)  # fmt: skip

COST_SUBSTITUTE = 1.0
COST_VOWEL = 0.5
COST_SIMILAR = 0.6
COST_INDEL = 1.0
COST_DOUBLE = 0.4
COST_TRANSPOSE = 0.6
COST_SUFFIX = 0.35
MAX_SUFFIX = 3
CHEAPEST_EDIT = min(COST_VOWEL, COST_SIMILAR, COST_DOUBLE, COST_TRANSPOSE, COST_SUFFIX)


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit turning the registered name into the observed one."""

    kind: str
    detail: str
    cost: float


def _sub_cost(a: str, b: str) -> tuple[float, str]:
    if a == b:
        return 0.0, ""
    if a in VOWELS and b in VOWELS:
        return COST_VOWEL, "vowel swapped"
    if frozenset((a, b)) in SIMILAR:
        return COST_SIMILAR, "look-alike letter"
    return COST_SUBSTITUTE, "letter changed"


def edits(brand: str, seen: str) -> list[Edit]:
    """The cheapest list of edits from `brand` to `seen` (weighted optimal string alignment)."""
    n, m = len(brand), len(seen)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, Edit | None]]] = [
        [(0, 0, None)] * (m + 1) for _ in range(n + 1)
    ]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i][j]
            if here == inf:
                continue
            steps: list[tuple[int, int, Edit | None]] = []
            if i < n and j < m:
                c, why = _sub_cost(brand[i], seen[j])
                steps.append(
                    (i + 1, j + 1, Edit(why, f"'{brand[i]}' -> '{seen[j]}'", c) if c else None)
                )
            if i < n:
                doubled = (i > 0 and brand[i] == brand[i - 1]) or (
                    i + 1 < n and brand[i] == brand[i + 1]
                )
                steps.append(
                    (
                        i + 1,
                        j,
                        Edit(
                            "letter dropped" if not doubled else "double letter made single",
                            f"'{brand[i]}'",
                            COST_DOUBLE if doubled else COST_INDEL,
                        ),
                    )
                )
            if j < m:
                if i == n and m - n <= MAX_SUFFIX and seen[j] != seen[j - 1]:
                    steps.append((i, j + 1, Edit("suffix added", f"'{seen[j]}'", COST_SUFFIX)))
                doubled = (j > 0 and seen[j] == seen[j - 1]) or (
                    j + 1 < m and seen[j] == seen[j + 1]
                )
                steps.append(
                    (
                        i,
                        j + 1,
                        Edit(
                            "letter doubled" if doubled else "letter added",
                            f"'{seen[j]}'",
                            COST_DOUBLE if doubled else COST_INDEL,
                        ),
                    )
                )
            if (
                i + 1 < n
                and j + 1 < m
                and brand[i] == seen[j + 1]
                and brand[i + 1] == seen[j]
                and brand[i] != brand[i + 1]
            ):
                steps.append(
                    (
                        i + 2,
                        j + 2,
                        Edit(
                            "letters transposed",
                            f"'{brand[i : i + 2]}' -> '{seen[j : j + 2]}'",
                            COST_TRANSPOSE,
                        ),
                    )
                )
            for ni, nj, edit in steps:
                total = here + (edit.cost if edit else 0.0)
                if total < cost[ni][nj] - 1e-12:
                    cost[ni][nj] = total
                    back[ni][nj] = (i, j, edit)
    out: list[Edit] = []
    i, j = n, m
    while i or j:
        pi, pj, edit = back[i][j]
        if edit is not None:
            out.append(edit)
        i, j = pi, pj
    return out[::-1]


def edit_cost(brand: str, seen: str) -> float:
    """The total cost of `edits(brand, seen)`, computed without building the edit list."""
    n, m = len(brand), len(seen)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        row = cost[i]
        for j in range(m + 1):
            here = row[j]
            if here == inf:
                continue
            if i < n and j < m:
                c = here + _sub_cost(brand[i], seen[j])[0]
                if c < cost[i + 1][j + 1]:
                    cost[i + 1][j + 1] = c
            if i < n:
                doubled = (i > 0 and brand[i] == brand[i - 1]) or (
                    i + 1 < n and brand[i] == brand[i + 1]
                )
                c = here + (COST_DOUBLE if doubled else COST_INDEL)
                if c < cost[i + 1][j]:
                    cost[i + 1][j] = c
            if j < m:
                doubled = (j > 0 and seen[j] == seen[j - 1]) or (
                    j + 1 < m and seen[j] == seen[j + 1]
                )
                step = COST_DOUBLE if doubled else COST_INDEL
                if i == n and m - n <= MAX_SUFFIX and seen[j] != seen[j - 1]:
                    step = min(step, COST_SUFFIX)
                if here + step < row[j + 1]:
                    row[j + 1] = here + step
            if (
                i + 1 < n
                and j + 1 < m
                and brand[i] == seen[j + 1]
                and brand[i + 1] == seen[j]
                and brand[i] != brand[i + 1]
                and here + COST_TRANSPOSE < cost[i + 2][j + 2]
            ):
                cost[i + 2][j + 2] = here + COST_TRANSPOSE
    return cost[n][m]


def lookalike_score(
    brand: str, seen: str, *, homoglyphs: bool = False, explain: bool = True
) -> tuple[float, list[Edit]]:
    """How strongly `seen` imitates `brand` (compact, normalised names), in [0, 1), and why."""
    found = edits(brand, seen) if explain else []
    total = sum(e.cost for e in found) if explain else edit_cost(brand, seen)
    if homoglyphs:
        total *= 0.5  # mixed scripts are deliberate: the spelling itself is evidence
    # Short names tolerate less: one change to a four-letter name is already a different word.
    score = 1.0 - total / max(len(brand), 4)
    return max(0.0, min(0.97, score)), found


def deletes(word: str, depth: int) -> set[str]:
    """`word` and every string made by deleting up to `depth` of its characters."""
    out = {word}
    frontier = {word}
    for _ in range(min(depth, len(word) - 1)):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def max_edits(length: int) -> int:
    """How many deletions the look-alike neighbourhood of a name this long allows."""
    if length < 4:
        return 0
    return 1 if length < 6 else 2


def describe(edit_list: list[Edit]) -> str:
    """A short human description of the edits ("vowel swapped 'a' -> 'o', letter doubled 's'"),
    an edit made more than once said once with its count ("'d' -> 'b' twice")."""
    said = [f"{e.kind} {e.detail}" for e in edit_list]
    times = {1: "", 2: " twice"}
    return ", ".join(
        f"{s}{times.get(said.count(s), f' {said.count(s)} times')}" for s in dict.fromkeys(said)
    )
