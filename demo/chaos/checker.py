"""Expected vs found: what the driver's successful calls imply, against the rows.

Pure comparison logic (`compare`) is separate from reading the database (`found`), so
its reporting of a missing or duplicate row is tested on its own."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class KindResult:
    """One kind of row (events, milestones, ...): expected and found multisets of keys."""

    kind: str
    expected: Counter
    found: Counter
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def compare(kind: str, expected, found, *, limit: int = 8) -> KindResult:
    """Compare two collections of hashable keys (each key expected exactly as many
    times as listed). Reports missing, duplicate (found more often) and unexpected
    keys, at most `limit` of each."""
    expected, found = Counter(expected), Counter(found)
    result = KindResult(kind, expected, found)
    missing = sorted((key, count - found[key]) for key, count in expected.items() if found[key] < count)
    extra = sorted((key, count - expected[key]) for key, count in found.items() if count > expected[key])
    for key, short in missing[:limit]:
        result.problems.append(f"missing {short}x {key!r}")
    for key, over in extra[:limit]:
        what = "duplicate" if expected[key] else "unexpected"
        result.problems.append(f"{what} {over}x {key!r}")
    if len(missing) > limit or len(extra) > limit:
        result.problems.append(f"... {len(missing)} missing and {len(extra)} extra keys in all")
    return result


def report(results: list[KindResult], *, deadlocks: int = 0) -> tuple[str, bool]:
    """A printable table (kind, expected, found, status) and whether everything
    matched (no problem in any kind and no deadlock)."""
    width = max([len(r.kind) for r in results] + [20])
    lines = [f"{'kind':<{width}}  {'expected':>9}  {'found':>9}  status"]
    for result in results:
        status = "ok" if result.ok else "MISMATCH"
        expected, found = sum(result.expected.values()), sum(result.found.values())
        lines.append(f"{result.kind:<{width}}  {expected:>9}  {found:>9}  {status}")
        lines.extend(f"{'':<{width}}    - {problem}" for problem in result.problems)
    lines.append(
        f"{'deadlocks (PostgreSQL)':<{width}}  {0:>9}  {deadlocks:>9}  {'ok' if not deadlocks else 'MISMATCH'}"
    )
    ok = all(result.ok for result in results) and not deadlocks
    return "\n".join(lines), ok
