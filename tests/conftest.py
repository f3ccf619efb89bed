import sys
from pathlib import Path

# the benchmarks' reference loops double as test oracles
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
