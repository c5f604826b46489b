"""`icbt content check` and `icbt content list`: exact messages, exit codes, never a traceback."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.cli import ScriptInfo

from icbt.__main__ import main
from icbt.programs import load
from icbt.programs.build import load_content

BROKEN = Path(__file__).parents[1] / "content_broken"
SHIPPED = Path(__file__).parents[2] / "icbt" / "content"

# Every check of the checker, once or more, from the programs in tests/content_broken/.
# Paths start with the program folder; lines are those of the offending key or Markdown line.
EXPECTED = """\
Bad_Folder:1: a program folder's name is its slug: use lower-case letters, digits and hyphens
broken-basics/program.md:2: "audience" is missing
broken-basics/program.md:2: "title" is missing
broken-basics/program.md:2: unknown setting "titel" (allowed: title, therapy, summary, audience, weeks, version, language, unlock, min_gap_days, measures, settings)
broken-basics/program.md:3: "therapy" must be one of: CBT, DBT, IPT (not "CBTT")
broken-basics/program.md:5: "weeks" must be a whole number
broken-basics/program.md:7: "language" must be a language code like en or pt-BR (not "English")
broken-basics/program.md:8: "unlock" must be one of: schedule, completion, feedback (not "sometimes")
broken-basics/program.md:9: "min_gap_days" must be between 0 and 60
broken-basics/program.md:12: unknown measure "bdi" (use phq9 or gad7)
broken-basics/program.md:13: measure "gad7": write how often, like "every 2 weeks"
broken-basics/program.md:15: settings for "journal" must be `name: value` lines
broken-basics/program.md:16: settings: unknown worksheet "jornal" (did you mean "journal"? `icbt content list` shows every worksheet)
broken-basics/program.md:18: "version" is set twice (first on line 6)
broken-basics/program.md:20: raw HTML is not allowed (it would be removed from the page): <b>; write Markdown instead
broken-basics/program.md:22: worksheets can only be placed in lessons
broken-lessons/01-yaml-error.md:4: YAML syntax error: expected ',' or ']', but got ':' (while parsing a flow sequence that starts on line 3)
broken-lessons/02-no-front-matter.md:1: the file must start with front matter: a line with --- , the settings, then another line with ---
broken-lessons/03-unclosed-front-matter.md:1: the front matter is not closed: add a line with --- after the settings
broken-lessons/04-binary.md:1: this is a binary file, not Markdown text
broken-lessons/05-latin1.md:3: the file is not UTF-8 text: save it as UTF-8
broken-lessons/06-empty.md:7: the lesson is empty: write its text below the front matter
broken-lessons/07-callouts.md:7: unknown callout kind "warning" (use tip, example, note, safety)
broken-lessons/07-callouts.md:12: callouts cannot be nested: close the callout opened on line 11 with ::: first
broken-lessons/07-callouts.md:16: ::: closes a callout, but no callout is open here
broken-lessons/07-callouts.md:18: a callout line (:::) must start at the beginning of the line
broken-lessons/07-callouts.md:22: a worksheet cannot be placed inside a callout: close the callout first
broken-lessons/07-callouts.md:26: this callout is not closed: add a line with ::: after its text
broken-lessons/07-callouts.md:28: a callout starts with ::: and a kind, like ::: tip
broken-lessons/08-worksheets.md:9: unknown worksheet "jornal" (did you mean "journal"? `icbt content list` shows every worksheet)
broken-lessons/08-worksheets.md:11: malformed worksheet line: write [[worksheet KEY]] on a line of its own, at the start of the line
broken-lessons/08-worksheets.md:13: malformed worksheet line: write [[worksheet KEY]] on a line of its own, at the start of the line
broken-lessons/08-worksheets.md:15: mood_checkin cannot be placed in a lesson (it is the daily check-in): give it as homework instead
broken-lessons/08-worksheets.md:17: malformed worksheet line: write [[worksheet KEY]] on a line of its own, at the start of the line
broken-lessons/08-worksheets.md:19: malformed worksheet line: write [[worksheet KEY]] on a line of its own, at the start of the line
broken-lessons/09-links.md:7: link to a lesson file that does not exist in this program: "12-nothing.md"
broken-lessons/09-links.md:9: unsafe link: "data:" links are not allowed: "data:text/html;base64,PHNjcmlwdD4="
broken-lessons/09-links.md:9: unsafe link: "javascript:" links are not allowed: "javascript:alert(1)"
broken-lessons/09-links.md:11: link target is not a lesson file of this program (NN-slug.md), crisis:, or a web address (https://...): "/admin"
broken-lessons/09-links.md:11: link target is not a lesson file of this program (NN-slug.md), crisis:, or a web address (https://...): "other.html"
broken-lessons/09-links.md:13: image not found in this program's images/ folder: "images/none.png"
broken-lessons/09-links.md:15: images must come from this program's images/ folder (images/NAME.png): "https://example.org/x.png"
broken-lessons/09-links.md:17: image names use lower-case letters, digits, - and _ and end in .png, .jpg, .jpeg, .gif or .svg: "images/Bad.PNG"
broken-lessons/09-links.md:19: warning: this image has no description: write one between the brackets, ![like this](images/x.png), for screen readers
broken-lessons/09-links.md:21: raw HTML is not allowed (it would be removed from the page): <script>; write Markdown instead
broken-lessons/09-links.md:23: raw HTML is not allowed (it would be removed from the page): <img>; write Markdown instead
broken-lessons/09-links.md:25: raw HTML is not allowed (it would be removed from the page): <iframe>; write Markdown instead
broken-lessons/10-front-matter-types.md:2: "title" is empty
broken-lessons/10-front-matter-types.md:2: "week" is missing
broken-lessons/10-front-matter-types.md:3: "minutes" must be a whole number
broken-lessons/10-front-matter-types.md:4: "summary" must be text, not a list or a mapping
broken-lessons/10-front-matter-types.md:5: unknown setting "colour" (allowed: week, title, minutes, summary, homework)
broken-lessons/10-front-matter-types.md:6: homework must be a list: each item starts with "- worksheet:"
broken-lessons/11-homework.md:7: unknown worksheet "thought_recrod" (did you mean "thought_record"? `icbt content list` shows every worksheet)
broken-lessons/11-homework.md:10: "instruction" is missing
broken-lessons/11-homework.md:11: "times" must be between 1 and 50
broken-lessons/11-homework.md:12: each homework item is a set of settings starting with "- worksheet:"
broken-lessons/11-homework.md:16: unknown setting "when" in homework (allowed: worksheet, times, instruction)
broken-lessons/12-advice.md:2: warning: no "summary": the lesson list will show only the title
broken-lessons/12-advice.md:3: "title" is empty
broken-lessons/12-advice.md:3: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'
broken-lessons/12-advice.md:5: "minutes" is set twice (first on line 4)
broken-lessons/12-advice.md:7: warning: no safety note: add a ::: safety callout with a [Need help now?](crisis:) link
broken-lessons/12-advice.md:7: warning: use ## and smaller headings: the lesson title is the page's only top heading
broken-lessons/program.md:6: week 1 has no lesson (weeks: 12)
broken-lessons/program.md:6: week 2 has no lesson (weeks: 12)
broken-lessons/program.md:6: week 3 has no lesson (weeks: 12)
broken-lessons/program.md:6: week 4 has no lesson (weeks: 12)
broken-lessons/program.md:6: week 5 has no lesson (weeks: 12)
broken-weeks/03-b.md:2: week 3 is also used by 03-a.md
broken-weeks/04-x.md:2: week 5 is after the program's last week (weeks: 4 in program.md)
broken-weeks/04-x.md:2: week is 5 but the file name starts with 04: make them match
broken-weeks/06-extra.md:2: week 6 is after the program's last week (weeks: 4 in program.md)
broken-weeks/1-bad-name.md:1: not a lesson file name: lessons are named NN-slug.md (two digits, a hyphen, lower-case words joined by hyphens), e.g. 03-check-the-facts.md
broken-weeks/drafts:1: warning: ignored folder (a program has only images/ and worksheets/ folders)
broken-weeks/notes.txt:1: warning: ignored file (not part of a program)
broken-weeks/program.md:6: week 2 has no lesson (weeks: 4)
broken-weeks/program.md:6: week 4 has no lesson (weeks: 4)
broken-worksheets/01-uses.md:11: image not found in this program's images/ folder: "images/evil.svg"
broken-worksheets/images/Bad.PNG:1: warning: this image cannot be used: name images in lower-case letters, digits, - and _ ending in .png, .jpg, .jpeg, .gif or .svg
broken-worksheets/images/evil.svg:3: SVG images must not contain scripts, event handlers or links to other sites: "<script"
broken-worksheets/worksheets/Upper.md:1: a worksheet file is named <name>.md in lower-case letters, digits, - and _
broken-worksheets/worksheets/dup_key.md:1: the worksheet key "dup_key" (from the file name) is also used by broken-worksheets/worksheets/dup-key.md: rename one of them
broken-worksheets/worksheets/fields-gone-wrong.md:2: "therapy" is missing
broken-worksheets/worksheets/fields-gone-wrong.md:3: unknown setting "colour" (allowed: title, therapy, fields, summary)
broken-worksheets/worksheets/fields-gone-wrong.md:5: each field is a set of settings starting with "- name:"
broken-worksheets/worksheets/fields-gone-wrong.md:6: field name "Bad Name" must start with a letter and use only lower-case letters, digits and _
broken-worksheets/worksheets/fields-gone-wrong.md:9: "csrf_token" is reserved: choose another field name
broken-worksheets/worksheets/fields-gone-wrong.md:15: field name "twice" is used twice (first on line 12)
broken-worksheets/worksheets/fields-gone-wrong.md:18: "label" is missing
broken-worksheets/worksheets/fields-gone-wrong.md:22: "type" must be one of: short_text, long_text, scale_0_10, scale_0_100, single_choice, multiple_choice, checklist, date, time (not "rating")
broken-worksheets/worksheets/fields-gone-wrong.md:26: "required" must be true or false
broken-worksheets/worksheets/fields-gone-wrong.md:29: a single_choice field needs "choices: [first, second]"
broken-worksheets/worksheets/fields-gone-wrong.md:33: give at least two choices
broken-worksheets/worksheets/fields-gone-wrong.md:37: the choice "A" is listed twice
broken-worksheets/worksheets/fields-gone-wrong.md:41: "choices" only applies to single_choice, multiple_choice and checklist fields
broken-worksheets/worksheets/fields-gone-wrong.md:42: "low" only applies to scale_0_10 and scale_0_100 fields
broken-worksheets/worksheets/fields-gone-wrong.md:46: "max_length" only applies to short_text and long_text fields
broken-worksheets/worksheets/fields-gone-wrong.md:50: "max_length" must be between 1 and 10000
broken-worksheets/worksheets/fields-gone-wrong.md:54: unknown setting "placeholder" in a field (allowed: name, label, type, required, help, choices, low, high, max_length)
broken-worksheets/worksheets/fields-gone-wrong.md:55: summary: there is no field named "nowhere"
broken-worksheets/worksheets/fields-not-list.md:4: "fields" must be a list of fields, each starting with "- name:"
broken-worksheets/worksheets/intro-worksheet.md:9: worksheets can only be placed in lessons
broken-worksheets/worksheets/journal.md:1: the worksheet key "journal" (from the file name) belongs to a built-in worksheet: rename the file
broken-worksheets/worksheets/no-fields.md:2: "fields" is missing: list the questions, each starting with "- name:"
broken-worksheets/worksheets/shared.md:1: the worksheet key "shared" (from the file name) is also used by broken-basics/worksheets/shared.md: rename one of them
no-program/01-orphan.md:2: warning: no "summary": the lesson list will show only the title
no-program/01-orphan.md:6: warning: no safety note: add a ::: safety callout with a [Need help now?](crisis:) link
no-program/program.md:1: missing: every program folder needs a program.md
"""

SUMMARY_RE = re.compile(r"^Checked 5 programs \(14 lessons, 2 worksheets\) in .*content_broken: "
                        r"(\d+) errors, (\d+) warnings\.$")


def run(app: Flask, *args: str):  # type: ignore[no-untyped-def]
    """Invoke `icbt ...` against the test app."""
    return app.test_cli_runner().invoke(main, list(args))


def test_shipped_content_is_clean(app: Flask) -> None:
    result = run(app, "content", "check")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("in " + app.config["CONTENT_DIR"] + ": no problems.")


def test_list_json_lists_the_three_programs_and_every_worksheet(app: Flask) -> None:
    result = run(app, "content", "list", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"programs", "worksheets"}
    slugs = [p["slug"] for p in data["programs"]]
    assert slugs == ["cbt-low-mood", "dbt-emotion-regulation", "ipt-relationships"]
    cbt = data["programs"][0]
    assert set(cbt) == {"slug", "title", "therapy", "version", "lessons"}
    assert (cbt["therapy"], cbt["version"], len(cbt["lessons"])) == ("CBT", "1", 8)
    first = cbt["lessons"][0]
    assert set(first) == {"week", "slug", "title", "file", "homework"}
    assert (first["week"], first["slug"], first["file"]) == (1, "getting-started",
                                                             "01-getting-started.md")
    assert first["homework"][0] == {"worksheet": "journal", "times": 3, "instruction": (
        "On three days this week, write a few lines about how your day went. On one of those "
        "days, write down two or three goals.")}
    assert [len(p["lessons"]) for p in data["programs"]] == [8, 6, 6]
    by_key = {w["key"]: w for w in data["worksheets"]}
    assert set(by_key["thought_record"]) == {"key", "title", "therapy", "source"}
    assert by_key["thought_record"]["source"] == "builtin"
    assert by_key["problem_solving"] == {"key": "problem_solving", "title": "Problem solving",
                                         "therapy": "CBT",
                                         "source": "cbt-low-mood/worksheets/problem-solving.md"}
    assert {"crisis_survival_plan", "conversation_plan", "my_focus"} <= set(by_key)


def test_list_as_text(app: Flask) -> None:
    result = run(app, "content", "list")
    assert result.exit_code == 0
    assert "cbt-low-mood: CBT for low mood and anxiety (CBT, version 1, 8 lessons)" in result.output
    assert "   7. Solving problems and core beliefs  [07-problem-solving.md]  homework: " \
           "problem_solving x1, mood_checkin x5" in result.output


def test_broken_programs_give_the_exact_messages_and_exit_1(app: Flask) -> None:
    result = run(app, "content", "check", str(BROKEN))
    assert result.exit_code == 1
    lines = result.output.rstrip("\n").split("\n")
    assert lines[:-1] == EXPECTED.rstrip("\n").split("\n")
    summary = SUMMARY_RE.match(lines[-1])
    assert summary, lines[-1]
    errors = sum(1 for x in lines[:-1] if ": warning: " not in x)
    assert summary.groups() == (str(errors), str(len(lines) - 1 - errors))
    assert "Traceback" not in result.output
    assert "01-start.fr.md" not in result.output  # translations are reserved, not checked


def test_a_single_program_folder_reports_the_same_paths(app: Flask) -> None:
    result = run(app, "content", "check", str(BROKEN / "broken-weeks"))
    assert result.exit_code == 1
    mine = [x for x in EXPECTED.split("\n") if x.startswith("broken-weeks/")]
    assert result.output.rstrip("\n").split("\n")[:-1] == mine


def test_list_exits_1_on_broken_content(app: Flask) -> None:
    result = run(app, "content", "list", "--json", str(BROKEN))
    assert result.exit_code == 1
    assert "run `icbt content check`" in result.output


def test_check_runs_when_the_configured_content_stops_the_app(app_config: dict) -> None:
    from icbt import create_app

    app_config["CONTENT_DIR"] = str(BROKEN)
    info = ScriptInfo(create_app=lambda: create_app(app_config))
    result = CliRunner().invoke(main, ["content", "check"], obj=info)
    assert result.exit_code == 1, result.output
    assert "broken-lessons/09-links.md:21: raw HTML is not allowed" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(Exception, match="Refusing to start"):
        create_app(app_config)  # outside the checker, the same content stops the app


def test_the_real_command_prints_messages_not_a_traceback(tmp_path: Path) -> None:
    env = dict(os.environ, ICBT_CONTENT_DIR=str(BROKEN), ICBT_INSTANCE_PATH=str(tmp_path),
               ICBT_SECRET_KEY="x" * 40, MPLCONFIGDIR=str(tmp_path))
    icbt = Path(sys.executable).with_name("icbt")
    done = subprocess.run([str(icbt), "content", "check"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "broken-weeks/03-b.md:2: week 3 is also used by 03-a.md" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_unreadable_and_oversized_files_are_messages(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    root = tmp_path / "content"
    shutil.copytree(SHIPPED / "ipt-relationships", root / "ipt-relationships")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "02-the-interpersonal-inventory.md":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(load, "MAX_TEXT_BYTES", 6000)
    found = [str(p) for p in load_content(root).problems]
    assert "ipt-relationships/02-the-interpersonal-inventory.md:1: cannot read the file: " \
           "Permission denied" in found
    assert "ipt-relationships/03-choosing-a-focus.md:1: the file is too large (over 5 KB)" in found


def test_odd_files_and_folders(tmp_path: Path) -> None:
    import shutil

    root = tmp_path / "content"
    shutil.copytree(SHIPPED / "ipt-relationships", root / "ipt-relationships")
    program = root / "ipt-relationships"
    (program / "01-mood-and-relationships.md").write_text("---\n- a list\n---\nText.\n")
    (program / "07-link.md").symlink_to(program / "06-ending-and-keeping-gains.md")
    os.mkfifo(program / "08-pipe.md")
    found = [str(p) for p in load_content(root).problems]
    assert "ipt-relationships/01-mood-and-relationships.md:2: the front matter must be a list " \
           "of `key: value` settings" in found
    assert "ipt-relationships/07-link.md:1: warning: symbolic links are not followed; copy the " \
           "file instead" in found
    assert "ipt-relationships/08-pipe.md:1: warning: ignored: not a plain file" in found
    assert [str(p) for p in load_content(tmp_path / "nowhere").problems] == [
        f"{tmp_path / 'nowhere'}:1: not a folder"]


def test_problems_are_sorted_and_have_a_line(app: Flask) -> None:
    problems = load_content(BROKEN).problems
    assert problems == sorted(problems)
    assert all(p.line >= 1 for p in problems)


def test_the_readme_example_passes_the_checker(tmp_path: Path) -> None:
    readme = (SHIPPED / "README.md").read_text()
    example = readme[readme.index("## A complete example"):]
    blocks = re.findall(r"```markdown\n(.*?)```", example, re.S)
    folder = tmp_path / "sleep-basics"
    (folder / "worksheets").mkdir(parents=True)
    (folder / "images").mkdir()
    for name, text in zip(["program.md", "01-sleep-habits.md", "worksheets/sleep-diary.md"],
                          blocks, strict=True):
        (folder / name).write_text(text)
    shutil.copy(BROKEN / "broken-lessons" / "images" / "ok.png", folder / "images" / "sleep-week.png")
    result = load_content(tmp_path)
    assert [str(p) for p in result.problems] == []
    assert result.programs["sleep-basics"].lesson(1).segments[-2] == ("worksheet", "sleep_diary")  # type: ignore[union-attr]
