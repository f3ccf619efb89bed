import sys
from pathlib import Path

# the repository root on sys.path: tests import their shared helpers as tests.support
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
