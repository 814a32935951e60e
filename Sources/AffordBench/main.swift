// Benchmarks land with the engine work (issue 2).
print("{}")
