#!/usr/bin/env python3
"""Runs every console example of the docs and compares its output, so they cannot drift.

In README.md, docs/*.md and contracts/README.md:

- a ```console block holds commands (lines starting with `$ `, continued while a
  line ends with a backslash) each followed by the output it prints (stdout and
  stderr together), up to the next command;
- a code block right after `<!-- doc-test: setup -->` is shell run before the
  page's console blocks (variables the examples use);
- a code block right after `<!-- doc-test: file NAME -->` is written to NAME first.

Each page runs in one bash process in a fresh temporary directory, so variables
set by one command are seen by the next, with `target/debug` (where the test
command builds `warp`) first on PATH. Outputs are compared line by line after
removing trailing spaces. Exits 1 on any difference, printing it.
`--bless` rewrites the console blocks with what the commands print instead.
"""
import difflib
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "contracts" / "README.md"]
MARKER = "@@doc-test-output@@"
FENCE = re.compile(r"^```(\S*)")
DIRECTIVE = re.compile(r"^<!-- doc-test: (setup|file (\S+)) -->$")


def blocks(text):
    """(directive, language, body) for each fenced block, in order."""
    lines = text.split("\n")
    i, pending = 0, None
    while i < len(lines):
        d = DIRECTIVE.match(lines[i].strip())
        if d:
            pending = d
            i += 1
            continue
        f = FENCE.match(lines[i])
        if f:
            lang = f.group(1)
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield pending, lang, lines[i + 1 : j], (i + 1, j)
            pending = None
            i = j + 1
            continue
        if lines[i].strip():
            pending = None
        i += 1


def examples(body):
    """(command, expected output lines) for each `$ ` command of a console block."""
    out, i = [], 0
    while i < len(body):
        if not body[i].startswith("$ "):
            i += 1
            continue
        command = [body[i][2:]]
        while command[-1].endswith("\\") and i + 1 < len(body):
            i += 1
            command.append(body[i])
        i += 1
        expected = []
        while i < len(body) and not body[i].startswith("$ "):
            expected.append(body[i])
            i += 1
        while expected and not expected[-1].strip():
            expected.pop()
        out.append(("\n".join(command), expected))
    return out


def check(page, bless=False):
    text = page.read_text()
    setup, files, cases, spans = [], {}, [], []
    for directive, lang, body, span in blocks(text):
        if directive and directive.group(1) == "setup":
            setup.extend(body)
        elif directive and directive.group(2):
            files[directive.group(2)] = "\n".join(body) + "\n"
        elif lang == "console":
            found = examples(body)
            spans.append((span, len(cases), len(found)))
            cases.extend(found)
    if not cases:
        return 0, []
    script = ["set +e", *setup]
    for n, (command, _) in enumerate(cases):
        script.append(f"echo {MARKER}{n}")
        script.append(f"{{ {command}\n}} 2>&1")
    with tempfile.TemporaryDirectory() as tmp:
        for name, contents in files.items():
            (pathlib.Path(tmp) / name).write_text(contents)
        env_path = f"{ROOT / 'target' / 'debug'}:{subprocess.os.environ.get('PATH', '')}"
        run = subprocess.run(
            ["bash", "-c", "\n".join(script)],
            cwd=tmp,
            capture_output=True,
            text=True,
            env={**subprocess.os.environ, "PATH": env_path},
            timeout=600,
        )
    outputs = re.split(rf"^{MARKER}\d+\n", run.stdout, flags=re.M)[1:]
    failures, actual = [], []
    for n, (command, expected) in enumerate(cases):
        got = outputs[n].rstrip("\n").split("\n") if n < len(outputs) and outputs[n] else []
        got = [l.rstrip() for l in got]
        actual.append(got)
        want = [l.rstrip() for l in expected]
        if got != want:
            diff = "\n".join(difflib.unified_diff(want, got, "documented", "actual", lineterm=""))
            failures.append(f"{page.relative_to(ROOT)}: $ {command}\n{diff}")
    if bless and failures:
        lines = text.split("\n")
        for (start, end), first, count in reversed(spans):
            body = []
            for n in range(first, first + count):
                if body:
                    body.append("")
                body.extend(f"$ {l}" if k == 0 else l for k, l in enumerate(cases[n][0].split("\n")))
                body.extend(actual[n])
            lines[start:end] = body
        page.write_text("\n".join(lines))
    return len(cases), failures


def main():
    bless = "--bless" in sys.argv[1:]
    total, failures = 0, []
    for page in PAGES:
        if page.exists():
            n, f = check(page, bless)
            total += n
            failures.extend(f)
            if n:
                print(f"{page.relative_to(ROOT)}: {n - len(f)} of {n} console examples match")
    for f in failures:
        print(f"\n{f}", file=sys.stderr)
    if total == 0:
        print("no console examples found", file=sys.stderr)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
