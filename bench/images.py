"""Bytes on disk of the stack's images: each image alone, and all of them together with every
layer they share counted once (what `docker compose build` costs a host).

    python bench/images.py            (after `docker-compose build`; reads Docker's layer store, so root)

Writes build/bench/images.json.
"""

import hashlib
import json
import subprocess
from pathlib import Path

IMAGES = ["dagster_etl/dagster", "dagster_etl/postgres", "dagster_etl/files_location",
          "dagster_etl/api_location", "dagster_etl/replication_location",
          "dagster_etl/maintenance_location"]


def chain_ids(image: str) -> list[str]:
    """Docker's id for each layer with everything below it: the key of its size in the layer store."""
    inspect = ["docker", "image", "inspect", "-f", "{{json .RootFS.Layers}}", image]
    diff_ids = json.loads(subprocess.run(inspect, check=True, capture_output=True, text=True).stdout)
    chain = [diff_ids[0]]
    for diff_id in diff_ids[1:]:
        chain.append("sha256:" + hashlib.sha256(f"{chain[-1]} {diff_id}".encode()).hexdigest())
    return chain


def layer_store() -> Path:
    root, driver = subprocess.run(["docker", "info", "-f", "{{.DockerRootDir}} {{.Driver}}"],
                                  check=True, capture_output=True, text=True).stdout.split()
    return Path(root) / "image" / driver / "layerdb" / "sha256"


LAYERDB = layer_store()


def layer_bytes(chain_id: str) -> int:
    return int((LAYERDB / chain_id.removeprefix("sha256:") / "size").read_text())


def main() -> None:
    per_image, every_layer = {}, set()
    for image in IMAGES:
        layers = chain_ids(f"{image}:latest")
        per_image[image] = sum(layer_bytes(layer) for layer in layers)
        every_layer.update(layers)
    total = sum(layer_bytes(layer) for layer in every_layer)
    result = {"each image (MB)": {image: round(size / 1e6) for image, size in per_image.items()},
              "all images, shared layers once (MB)": round(total / 1e6),
              "sum of image sizes (MB)": round(sum(per_image.values()) / 1e6)}
    print(json.dumps(result, indent=2))
    out = Path(__file__).resolve().parents[1] / "build" / "bench" / "images.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
