import sys

from protocol.codegen import ROOT, stale, write_all


def main(argv: list[str]) -> int:
    if "--check" in argv:
        old = stale()
        for p in old:
            print(f"stale: {p.relative_to(ROOT)} (run: python -m protocol.codegen)", file=sys.stderr)
        return 1 if old else 0
    for p in write_all():
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


sys.exit(main(sys.argv[1:]))
