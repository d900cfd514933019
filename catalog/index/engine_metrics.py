"""Prometheus figures of the screening engine: each worker's index, screenings, image pool.

The per-worker gauges use multiprocess mode "all": under several workers
(`PROMETHEUS_MULTIPROC_DIR` set) every worker's value is exposed with a `pid` label.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

INDEX_CATALOG_VERSION = Gauge(
    "countermark_index_catalog_version",
    "Catalogue version this worker's index reflects in full",
    multiprocess_mode="all",
)
INDEX_LAG = Gauge(
    "countermark_index_lag_versions",
    "Catalogue versions the database was ahead of this worker's index at its last check",
    multiprocess_mode="all",
)
INDEX_PRODUCTS = Gauge(
    "countermark_index_products", "Active products in this worker's index", multiprocess_mode="all"
)
INDEX_IMAGES = Gauge(
    "countermark_index_images", "Reference images in this worker's index", multiprocess_mode="all"
)
IMAGE_POOL_JOBS = Gauge(
    "countermark_image_pool_jobs",
    "Declared images sent to this worker's image pool and not yet described (queued or running)",
    multiprocess_mode="all",
)
SCREENINGS = Counter(
    "countermark_screenings_total", "Screenings scored, by lane and verdict", ["lane", "verdict"]
)
ENGINE_SECONDS = Histogram(
    "countermark_engine_seconds",
    "Time the engine took to assess one declared item against the index",
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
)


def record_index(
    *, catalog_version: int, database_version: int, products: int, images: int
) -> None:
    """Publish the state of this worker's index after a load, a check or an applied change."""
    INDEX_CATALOG_VERSION.set(catalog_version)
    INDEX_LAG.set(max(0, database_version - catalog_version))
    INDEX_PRODUCTS.set(products)
    INDEX_IMAGES.set(images)
