"""What the tests share: harnesses, strategies, keys and reference loops. Test files import from here
and never from one another or from benchmarks/."""
