"""The real `practicebot` process, driven through a pipe like a newcomer's first try."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINI_PACK

PRACTICEBOT = str(Path(sys.executable).with_name("practicebot"))


def _run(args: list[str], stdin: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("PRACTICEBOT_", "SLACK_", "DISCORD_"))
    }
    environ |= {
        "PRACTICEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "PRACTICEBOT_CONSOLE_USER": "ana",
    }
    environ |= env
    return subprocess.run(
        [PRACTICEBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=60,
        cwd=tmp_path,
    )


SCRIPT = """\
/practice help
/practice question technical
We would start with a canary on a small percentage of traffic and roll back automatically.
/as ben
I think we just deploy it
/vote ana
/vote ben
/practice reveal
/practice leaderboard
/practice stats
/practice quiz
"""


def test_whole_loop_through_a_pipe(tmp_path: Path) -> None:
    result = _run(
        ["console"],
        SCRIPT,
        tmp_path,
        PRACTICEBOT_BUNDLED_CONTENT="false",
        PRACTICEBOT_CONTENT_PATHS=str(MINI_PACK),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b[" not in out  # plain text when piped
    assert "How does a canary release of a model work?" in out
    assert "ana's answer to round #1 (mini-canary) saved" in out and "ben's answer to round #1" in out
    assert "-- Model answer" in out and "-- Pitfalls" in out and "-- Follow-ups" in out
    assert "ana: 2/3 key points" in out and "ben: 0/3 key points" in out
    assert "[only ana sees this] == Your feedback: 67% of key points ==" in out
    assert "(+6 points)" in out
    assert "ben upvoted ana's answer." in out and "You cannot vote for your own answer." in out
    assert "1. ana · 6 pts" in out and "2. ben · 2 pts" in out  # ana: 2 answered + 3 coverage + 1 vote
    assert "Stats · ben" in out and "Points: 2" in out
    chart = next(line for line in out.splitlines() if "chart saved to" in line)
    assert Path(chart.split("chart saved to ")[1].rstrip(")")).read_bytes().startswith(b"\x89PNG")
    assert "Sorry, unknown command 'quiz'." in out
    assert out.rstrip().endswith("Bye.")
    assert "Traceback" not in result.stderr


def test_open_question_survives_a_restart(tmp_path: Path) -> None:
    env = {"PRACTICEBOT_BUNDLED_CONTENT": "false", "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK)}
    first = _run(["console"], "/practice question technical\n", tmp_path, **env)
    assert first.returncode == 0, first.stderr
    second = _run(["console"], "canary and rollback\n/practice reveal\n", tmp_path, **env)
    assert "is still open" in second.stdout
    assert "ana: 2/3 key points" in second.stdout


def test_console_on_the_bundled_pack_from_a_pipe(tmp_path: Path) -> None:
    result = _run(["console"], "/practice question\nmy answer\n/practice reveal\n", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "-- Model answer" in result.stdout
    assert (tmp_path / "bot.db").exists()


def test_run_without_tokens_and_without_a_terminal_says_what_to_set(tmp_path: Path) -> None:
    """A container started without tokens must not exit 0 at once (it would be restarted forever)."""
    result = _run(["run"], "", tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "DISCORD_TOKEN" in result.stderr
    assert "practicebot console" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"PRACTICEBOT_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"},
            "practicebot: PRACTICEBOT_DATABASE_URL: cannot open the database",
        ),
        (
            {"PRACTICEBOT_DATABASE_URL": "::nonsense::"},
            "practicebot: PRACTICEBOT_DATABASE_URL: not a database URL",
        ),
        (
            {"PRACTICEBOT_CONTENT_PATHS": "/nonexistent/pack"},
            "practicebot: PRACTICEBOT_CONTENT_PATHS: /nonexistent/pack:1: path: is not a readable folder",
        ),
    ],
)
def test_bad_configuration_is_one_clear_line(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = _run(["console"], "", tmp_path, **env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]  # exactly one line
    assert result.stderr.startswith(expected)
    assert "Traceback" not in result.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    result = _run(["db", "upgrade"], "", tmp_path)
    assert result.returncode == 0, result.stderr
    from storage.migrate import head_revision

    assert f"database at revision {head_revision()}" in result.stdout


def test_grade_reads_an_answer_from_stdin(tmp_path: Path) -> None:
    env = {"PRACTICEBOT_BUNDLED_CONTENT": "false", "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK)}
    answer = "Shift a small percentage of traffic to the canary, and roll back automatically if it is worse."
    text = _run(["grade", "mini-canary"], answer, tmp_path, **env)
    assert text.returncode == 0, text.stderr
    assert text.stdout.splitlines() == [
        "mini-canary: 2/3 key points (67%), graded by lexical",
        '  covered: Small share of traffic first  <- "Shift a small percentage of traffic to the canary, and '
        'roll back automatically if it is worse."',
        '  covered: Automatic rollback  <- "Shift a small percentage of traffic to the canary, and roll back '
        'automatically if it is worse."',
        "  missed:  Compare metrics against the current model",
        "  tip: Next time, say what you would do about "
        "\u201cCompare metrics against the current model\u201d, and why.",
    ]
    import json

    as_json = json.loads(_run(["grade", "mini-canary", "--format", "json"], answer, tmp_path, **env).stdout)
    assert as_json["coverage"] == 0.6667 and as_json["missed"] == [
        "Compare metrics against the current model"
    ]
    assert as_json["name_dropping"] is False
    assert as_json["grader"] == "lexical" and as_json["fallback"] is None and as_json["partial"] == []
    assert as_json["points"][0] == {
        "label": "Small share of traffic first",
        "verdict": "covered",
        "evidence": answer,
    }
    assert as_json["misconceptions"] == []
    assert as_json["tip"].startswith("Next time, say what you would do about")
    dismissive = _run(
        ["grade", "mini-canary", "--format", "json"],
        "A canary on a small percentage of traffic. Rolling back is pointless.",
        tmp_path,
        **env,
    )
    assert json.loads(dismissive.stdout)["misconceptions"] == ["Rolling back is pointless."]
    dropped = "Argo Rollouts, Flagger, Istio, Prometheus and Grafana. Then a canary with a rollback."
    text = _run(["grade", "mini-canary"], dropped, tmp_path, **env)
    assert text.stdout.splitlines()[:2] == [
        "mini-canary: 0/3 key points (0%), graded by lexical",
        "  tip: Most of your answer names tools, techniques or buzzwords. A key point counts when you say "
        "what you would do with one and why, the way you would in an interview.",
    ]
    empty = _run(["grade", "mini-canary"], "  \n", tmp_path, **env)
    assert empty.returncode == 2 and "the answer is empty" in empty.stderr
    unknown = _run(["grade", "no-such-question"], answer, tmp_path, **env)
    assert unknown.returncode == 2
    assert (
        unknown.stderr.strip()
        == "practicebot: QUESTION_ID: no question 'no-such-question' in the loaded packs; "
        "`practicebot content list` shows every id"
    )


def test_every_card_action_has_a_console_way(tmp_path: Path) -> None:
    """The console has no buttons: each card lists its actions with what to type, and typing it works."""
    from adapters.console.app import action_hint
    from bot.actions import ACTIONS

    assert all(action_hint(action.value).startswith(("/practice", "type")) for action in ACTIONS)
    script = "/practice review\n/practice grade good\n/practice reveal\n/practice grade good\n"
    done = _run(["console"], script, tmp_path, PRACTICEBOT_CONTENT_PATHS=str(MINI_PACK))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[Reveal] /practice reveal" in out and "[Good] /practice grade good" in out
    assert out.index("Reveal the answer first") < out.index("Graded good")


def test_a_plain_line_answers_the_open_review_question_first(tmp_path: Path) -> None:
    env = {"PRACTICEBOT_BUNDLED_CONTENT": "false", "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK)}
    script = (
        "/practice question technical\n"  # a channel round stays open meanwhile
        "/practice review\n"
        "canary on a small share of traffic with automatic rollback\n"
        "/practice reveal\n"
        "and this line goes to the channel's round\n"
    )
    done = _run(["console"], script, tmp_path, **env)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "ana's answer to question mini-" in out and "privately." in out
    assert "Your feedback" in out  # the review's reveal graded the private answer
    assert out.rindex("ana's answer to round #") > out.index("privately.")  # then the channel's round again


def test_ctrl_c_leaves_the_console_at_once_with_bye_and_status_0(tmp_path: Path) -> None:
    import signal
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRACTICEBOT_", "SLACK_", "DISCORD_"))}
    env |= {"PRACTICEBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}", "PRACTICEBOT_CONSOLE_USER": "ana"}
    process = subprocess.Popen(
        [PRACTICEBOT, "console"],
        stdin=subprocess.PIPE,  # kept open: the console is waiting for a line when Ctrl-C comes
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert process.stdout is not None
        assert "practicebot console" in process.stdout.readline()  # started and waiting for input
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Bye." in out and "Traceback" not in err


def test_content_list_filters_and_grade_suggests_a_near_id(tmp_path: Path) -> None:
    import json

    env = {"PRACTICEBOT_BUNDLED_CONTENT": "false", "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK)}
    listed = _run(["content", "list", "--category", "technical", "--format", "json"], "", tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert (
        rows and {r["category"] for r in rows} == {"technical"} and "mini-canary" in {r["id"] for r in rows}
    )
    near = _run(["grade", "mini-canry"], "an answer", tmp_path, **env)
    assert near.returncode == 2 and "did you mean mini-canary?" in near.stderr
    wrong = _run(["content", "list", "--category", "fundamentls"], "", tmp_path, **env)
    assert wrong.returncode == 2 and "did you mean fundamentals?" in wrong.stderr


def test_contest_a_missed_point_then_export_it_as_labelled_data(tmp_path: Path) -> None:
    env = {
        "PRACTICEBOT_BUNDLED_CONTENT": "false",
        "PRACTICEBOT_CONTENT_PATHS": str(MINI_PACK),
        "PRACTICEBOT_ADMINS": "ana",
    }
    script = (
        "/practice question technical\n"
        "/as ben\n"
        "Send a small percentage of traffic to the new model first.\n"
        "/as ana\n"
        "/practice reveal\n"
        "/as ben\n"
        "/practice contest 3\n"
        "/as ana\n"
        "/practice contests\n"
        "/practice contest accept 1 compared error rates\n"
    )
    result = _run(["console"], script, tmp_path, **env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "#3 Compare metrics against the current model" in out
    assert "[contest 3] /practice contest 3" in out or "/practice contest 3" in out
    assert "Contest #1 recorded" in out and "Open contests (1)" in out
    assert "Contest #1 (ben, \u201cCompare metrics against the current model\u201d) accepted" in out

    exported = _run(["grading", "export"], "", tmp_path, **env)
    assert exported.returncode == 0, exported.stderr
    import yaml

    [entry] = yaml.safe_load(exported.stdout)["answers"]
    assert entry["question"] == "mini-canary" and entry["kind"] == "contested"
    assert entry["points"] == {
        "Small share of traffic first": True,
        "Automatic rollback": False,
        "Compare metrics against the current model": True,
    }
    assert "accepted by a channel admin (compared error rates)" in entry["note"]


@pytest.mark.parametrize(
    ("env", "platform"),
    [
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PRACTICEBOT_SLACK_API_URL": "http://127.0.0.1:9/api/",
            },
            "slack",
        ),
        ({"DISCORD_TOKEN": "abc", "PRACTICEBOT_DISCORD_API_URL": "http://127.0.0.1:9/api/v10"}, "discord"),
    ],
)
def test_an_unreachable_platform_at_start_is_one_line_and_exit_1(
    tmp_path: Path, env: dict[str, str], platform: str
) -> None:
    result = _run(["run"], "", tmp_path, **env)  # fails before any port is bound
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[-1]] and lines[0].startswith(
        f"practicebot: could not start {platform}: Cannot connect"
    )
    assert "Unclosed" not in result.stderr and "Traceback" not in result.stderr
