"""Write docs/reference.md from the code: every command with its options, every setting with its
environment variable and default, every other ``SEER_*`` variable the code reads.

Why: a hand-kept reference drifts from the options it describes. This one is generated from the
Typer app and ``seer_cli/config.py`` (a field's trailing comment is its description), and
``tests/test_reference.py`` fails when the committed file differs from what this prints, or when
the code reads a ``SEER_*`` variable the reference does not name.

    python tools/make_reference.py            # rewrite docs/reference.md
    python tools/make_reference.py --check    # exit 1 when it is out of date
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "reference.md"

# SEER_* variables that are not settings (paths, credentials, a benchmark's data): what they mean
OTHER_VARIABLES = {
    "SEER_HOME": "where pools, practice logs and `config.toml` live (default: the platform's user data directory)",
    "SEER_CACHE_DIR": "per-home caches such as saved KV states (default: `$SEER_HOME/cache`, else the user cache directory); "
                      "also the model cache when `SEER_MODEL_CACHE` is unset",
    "SEER_MODEL_CACHE": "one copy per machine of the assembled models and the CPU probe's verdicts (default: `SEER_CACHE_DIR`, "
                        "else the user cache directory; never under `SEER_HOME`)",
    "SEER_API_KEY": "the key sent to an OpenAI-compatible server (`--llm-url`); `OPENAI_API_KEY` is read when it is unset",
    "SEER_TOOLQA_DIR": "a ToolQA checkout for `--toolkit toolqa` and `seer eval toolqa` (`--toolqa-dir` says the same)",
}


def variables_in_code() -> set[str]:
    """Every ``SEER_*`` name written in the package's source."""
    found = set()
    for path in (REPO / "seer_cli").rglob("*.py"):
        found |= set(re.findall(r"\bSEER_[A-Z][A-Z0-9_]*\b", path.read_text(encoding="utf-8")))
    return found


def _field_comments() -> dict[str, str]:
    """A Settings field's trailing comment (and the comment lines that continue it)."""
    comments, last = {}, None
    for line in (REPO / "seer_cli" / "config.py").read_text(encoding="utf-8").splitlines():
        m = re.match(r"    (\w+): [^=]+=[^#]*(?:#\s*(.*))?$", line)
        if m and not line.strip().startswith("#"):
            last = m.group(1)
            comments[last] = (m.group(2) or "").strip()
        elif last and re.match(r"    #(?! ---)", line):
            comments[last] += " " + line.strip().lstrip("#").strip()
        else:
            last = None
    return comments


def _cell(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def settings_section() -> list[str]:
    from seer_cli import config

    env_of = {field: env for env, field in config._ENV.items()}
    comments = _field_comments()
    lines = ["## Settings", "",
             "In `<seer home>/config.toml` (`name = value`) or, where a variable is named, the environment; "
             "the environment wins, and a command's option wins over both.", "",
             "| setting | variable | default | meaning |", "|---|---|---|---|"]
    for f in dataclasses.fields(config.Settings):
        if f.name in ("home", "cache_dir", "model_cache"):
            continue
        default = f.default if f.default is not dataclasses.MISSING else "(computed)"
        lines.append(f"| `{f.name}` | {('`' + env_of[f.name] + '`') if f.name in env_of else ''} | `{default!r}` | "
                     f"{_cell(comments.get(f.name, ''))} |")
    lines += ["", "## Other variables", "", "| variable | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {_cell(text)} |" for name, text in sorted(OTHER_VARIABLES.items())]
    return lines


def _commands(group, prefix: str = "seer"):
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, path)
        else:
            yield path, cmd


def _param_row(p, ctx) -> str:
    if p.param_type_name == "argument":
        return f"| `{(p.metavar or p.name).upper()}` | argument | {'required' if p.required else 'optional'} | {_cell(getattr(p, 'help', '') or '')} |"
    names = ", ".join(f"`{o}`" for o in [*p.opts, *p.secondary_opts])
    default = "" if p.default is None or p.is_flag and p.default is False else f"`{p.default}`"
    kind = "flag" if p.is_flag else _cell(p.display_type(ctx).strip("<>"))
    return f"| {names} | {kind} | {default} | {_cell(p.help or '')} |"


def commands_section() -> list[str]:
    import typer.main

    from seer_cli.cli import app

    lines = ["## Commands", ""]
    for path, cmd in _commands(typer.main.get_command(app)):
        summary = (cmd.help or "").strip().split("\n\n")[0]
        lines += [f"### `{path}`", "", _cell(summary), "",
                  "| option | type | default | meaning |", "|---|---|---|---|"]
        ctx = cmd.context_class(cmd)
        lines += [_param_row(p, ctx) for p in cmd.params if p.name != "help"]
        lines.append("")
    return lines


def render() -> str:
    head = ["# Reference", "",
            "Generated by `python tools/make_reference.py` from the code (the commands' options and help, "
            "`seer_cli/config.py`); `tests/test_reference.py` fails when it is out of date. Do not edit by hand.", ""]
    return "\n".join(head + commands_section() + settings_section()) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 when docs/reference.md is out of date")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print("docs/reference.md is up to date" if same else "docs/reference.md is out of date: python tools/make_reference.py")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
