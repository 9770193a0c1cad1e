"""Benchmarks run by `cuecard bench <name>`: each module has `main(args)`."""
