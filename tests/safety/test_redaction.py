"""Redaction covers environment assignments, secret URL parameters, run parameters and
command-line arguments that look like secrets (reproduction 8), but not artifact keys."""

from __future__ import annotations

import pytest

from biolake._redact import (
    REDACTED,
    is_secret_name,
    redact_argv,
    redact_mapping,
    redact_text,
)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ('os.environ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI"', 'os.environ["AWS_SECRET_ACCESS_KEY"] = '),
        ("os.environ.setdefault('GITHUB_TOKEN', 'wJalrXUtnFEMI')", "os.environ.setdefault('GITHUB_TOKEN', "),
        ('os.putenv("DB_PASSWORD", "wJalrXUtnFEMI")', 'os.putenv("DB_PASSWORD", '),
        ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI", "export AWS_SECRET_ACCESS_KEY="),
        ("AWS_SESSION_TOKEN=wJalrXUtnFEMI python run.py", "AWS_SESSION_TOKEN="),
        ("s3://b/x?endpoint_url=http://h:9000&secret=wJalrXUtnFEMI", "s3://b/x?endpoint_url=http://h:9000&secret="),
        ("https://h/f.csv?X-Amz-Credential=wJalrXUtnFEMI&sig=wJalrXUtnFEMI", "https://h/f.csv?X-Amz-Credential="),
        ("postgresql://me:wJalrXUtnFEMI@db/x", "postgresql://me:"),
        ('api_key = "wJalrXUtnFEMI"', "api_key = "),
        ("run.py --token wJalrXUtnFEMI --api-key=wJalrXUtnFEMI", "run.py --token "),
    ],
)
def test_secrets_in_text_are_redacted(text, kept):
    redacted = redact_text(text)
    assert "wJalrXUtnFEMI" not in redacted and REDACTED in redacted and redacted.startswith(kept)


@pytest.mark.parametrize(
    "text",
    [
        'ln.Artifact(df, key="tables/a.csv").save()',
        'artifact = ln.Artifact.get(key="raw/secret_lab/x.parquet")',
        'author = "Jane"',
        'tokenizer = "bert-base"',
        "export PATH=/usr/bin",
        "s3://bucket/x?endpoint_url=http://h:9000&region=eu",
        "python run.py --key tables/a.csv --lr 0.1",
        'db_password = os.environ["DB_PASSWORD"]',  # no literal secret
    ],
)
def test_what_is_not_a_secret_is_kept(text):
    assert redact_text(text) == text


def test_names_mappings_and_arguments():
    assert [is_secret_name(n) for n in ("api_token", "AWS_SECRET_ACCESS_KEY", "--password", "key", "lr", "author")] == [
        True, True, True, False, False, False,
    ]
    params = {"lr": 0.1, "key": "a/b.csv", "api_token": "t0k", "db": {"password": "pw", "host": "h"}, "urls": ["s3://b?token=t0k"]}
    assert redact_mapping(params) == {
        "lr": 0.1, "key": "a/b.csv", "api_token": REDACTED, "db": {"password": REDACTED, "host": "h"},
        "urls": [f"s3://b?token={REDACTED}"],
    }
    assert redact_argv(["--token", "t0k", "--key", "a/b.csv", "--secret=s", "-v", "--password"]) == [
        "--token", REDACTED, "--key", "a/b.csv", f"--secret={REDACTED}", "-v", "--password",
    ]


def test_run_params_and_cli_args_are_stored_redacted(ln):
    transform = ln.Transform(key="redaction-check", type="pipeline").save()
    run = ln.Run(
        transform, params={"lr": 0.1, "key": "a/b.csv", "hf_token": "t0k-secret"},
        cli_args="--input a.csv --token t0k-secret --password=t0k-secret",
    ).save()
    stored = ln.Run.get(run.uid)
    assert stored.params == {"lr": 0.1, "key": "a/b.csv", "hf_token": REDACTED}
    assert stored.cli_args == f"--input a.csv --token {REDACTED} --password={REDACTED}"
    assert ln.Run.filter(params__lr=0.1, uid=run.uid).exists()  # other parameters stay queryable


def test_log_lines_are_redacted(capsys, monkeypatch):
    from biolake import _logging as log

    monkeypatch.setenv("BIOLAKE_QUIET", "0")
    log.reset_console()
    log.info("reading s3://AKIA:wJalrXUtnFEMI@bucket/x?secret=wJalrXUtnFEMI")
    out = capsys.readouterr().out
    assert "wJalrXUtnFEMI" not in out and "bucket/x" in out
    log.reset_console()
