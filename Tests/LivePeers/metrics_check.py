"""Scrapes a running affordd's /metrics twice with prometheus_client's own text parser.

Reads the base URL on stdin. Checks /healthz, that the exposition parses, that the end-to-end
frame counter and the latency histograms move between the scrapes, and that presence is a gauge
per action. Prints one JSON line with what it saw.
"""
import json
import sys
import time
import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape(base):
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        assert response.status == 200
        text = response.read().decode()
    families = {family.name: family for family in text_string_to_metric_families(text)}
    return families


def value(families, name, sample_name, **labels):
    for sample in families[name].samples:
        if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
            return sample.value
    raise AssertionError(f"no {sample_name}{labels}")


def main():
    base = sys.stdin.read().strip()
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        health = (response.status, response.read().decode().strip())
    first = scrape(base)
    deadline = time.time() + 20
    while True:
        time.sleep(1)
        second = scrape(base)
        published = [value(f, "affordd_stage_frames_out", "affordd_stage_frames_out_total", camera="replay", stage="end_to_end")
                     for f in (first, second)]
        if published[1] > published[0] or time.time() > deadline:
            break
    assert first["affordd_stage_frames_out"].type == "counter"
    latency = second["affordd_stage_latency_seconds"]
    assert latency.type == "histogram", latency.type
    counts = [value(f, "affordd_stage_latency_seconds", "affordd_stage_latency_seconds_count", camera="all", stage="inference")
              for f in (first, second)]
    buckets = [s for s in latency.samples if s.name.endswith("_bucket") and s.labels.get("stage") == "inference"]
    assert buckets and buckets[-1].labels["le"] == "+Inf"
    presence = second["affordd_presence"]
    assert presence.type == "gauge"
    print(json.dumps({
        "health": health, "published": published, "inference_count": counts,
        "presence_actions": sorted({s.labels["action"] for s in presence.samples}),
        "healthy": value(second, "affordd_healthy", "affordd_healthy"),
        "families": len(second),
    }))


main()
