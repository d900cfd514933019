"""Countermark's matching engine: pure Python, plain data in, plain data out.

Nothing here imports a web framework, an ORM or the service settings; thresholds,
weights and exchange rates are passed in as arguments.
"""

# 0.3.0 (2026-12-02): brand-level findings name their brand; an expired registration's
# genuine-trade findings no longer count; the photo index verifies up to 32 candidates
# until one settles; the nearest product sets the risk; matched_unverified; party
# sentences name no party.
# 0.4.0 (2026-12-03): photo verification keeps only matches that agree on the dominant
# rotation and scale before RANSAC; the photo confidence is refitted on the tuning photos;
# identity is a log-odds model (not a noisy-OR); same brand packaging; commercial quantity
# by kind of goods; shape-alike brands; the brand penalty, model numbers and the text lead
# (see matchers/features/identity.py).
# 0.5.0 (2026-12-04): GTIN sentences quote the GTIN as declared and name each product once;
# a resized or re-encoded copy is called one in words, a match on a reference's mirrored
# view is called mirrored, a trimmed view's match no longer claims padding (near-copy
# meanings); an authorised party's name and a declared origin weigh
# little beside a price far below the genuine range (weights 2026-12-04.1).
# 0.6.0 (2026-12-03): a declaration with a brand declared has its best text candidates
# re-ranked by a learned model (matchers/text/rerank.py, weights matchers/text/data/rerank.json
# 2026-12-03.2); their similarity is the re-ranker's, its first choice keeping the first
# stage's similarity when that was higher.
# 0.7.0 (2026-12-03): a check whose photo verifies no reference tries it again at simulated
# tilts (stretched 1.7 times along 45, 90, 0 then 135 degrees; matchers/images/local_features
# `tilted_features`) and shows the first view's verified references as possible matches.
# In screenings, a count written as one hyphenated word ("2-meter", "5-tab", "3-in-1")
# is a quantity, no longer a model number. Text re-ranker weights 2026-12-03.3 over 36 features
# (sizes and colours that differ, squeezed letter trigrams, a differing brand by its rarity).
ENGINE_VERSION = "0.7.0"
