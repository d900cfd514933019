"""Photometric check after geometric verification: do the aligned images share their colours?

Sibling products of one brand share logos and layout, so their keypoints match
(hundreds of RANSAC inliers), but usually differ in colour (apple vs orange
juice, blue vs red milk carton). A small colour thumbnail rides in each blob;
once a homography is found, the query thumbnail is warped onto the reference's
and their chroma compared over the reference's non-background pixels.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

THUMB_SIDE = 48
ByteArray = npt.NDArray[np.uint8]


def thumbnail(im: Image.Image) -> ByteArray:
    """A (h, w, 3) uint8 RGB thumbnail, longest side THUMB_SIDE."""
    scale = THUMB_SIDE / max(im.size)
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    small = im.convert("RGB").resize(size, Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8).copy()


def chroma_distance(
    query: ByteArray,
    query_size: tuple[int, int],
    reference: ByteArray,
    reference_size: tuple[int, int],
    homography: npt.NDArray[np.float64],
) -> float:
    """Median a*b* distance (CIELAB units) between the aligned thumbnails; NaN if undecidable.

    `homography` maps reference working-image coordinates to the query's; the sizes
    are the working-image (width, height) each thumbnail was made from.
    """
    rh, rw = reference.shape[:2]
    qh, qw = query.shape[:2]
    if rh == 0 or qh == 0:
        return float("nan")
    to_ref = np.diag([reference_size[0] / rw, reference_size[1] / rh, 1.0])
    to_qthumb = np.diag([qw / query_size[0], qh / query_size[1], 1.0])
    # reference thumbnail pixel -> reference working image -> query working -> query thumbnail
    m = to_qthumb @ homography @ to_ref
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    warped = cv2.warpPerspective(query, m, (rw, rh), flags=flags)
    inside = cv2.warpPerspective(np.full((qh, qw), 255, np.uint8), m, (rw, rh), flags=flags)
    # The catalogue picture's white or flat backdrop says nothing about the product.
    foreground = reference.min(axis=2) < 235
    valid = (inside == 255) & foreground
    if valid.sum() < 0.1 * rw * rh:
        return float("nan")
    lab_q = cv2.cvtColor(warped.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[valid][:, 1:]
    lab_r = cv2.cvtColor(reference.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab)[valid][:, 1:]
    return float(np.median(np.linalg.norm(lab_q - lab_r, axis=1)))
