"""The `stance` command: thin over the same functions the API uses."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from stance.paths import default_path

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="STANCE_DB",
    default="stance.db",
    show_default=True,
    help="SQLite database file.",
)
PARTIES_OPTION = click.option(
    "--parties", "parties_file", type=click.Path(exists=True, dir_okay=False), default=None,
    help="Party registry JSON ({id: {name, aliases}}); default: seeds/parties.json.",
)  # fmt: skip
MODEL_OPTION = click.option(
    "--model", "model_path", envvar="STANCE_MODEL", default=None,
    help="Model file (.joblib with its .json card); default: models/stance-relations.joblib.",
)  # fmt: skip


def _model(model_path: str | None, required: bool = False) -> Any:
    from stance.modelfile import ModelError, load_model

    path = model_path or default_path("models", "stance-relations.joblib")
    if not Path(path).exists() and not required and model_path is None:
        return None
    try:
        model, _ = load_model(path)
    except ModelError as error:
        raise click.ClickException(str(error)) from None
    return model


def _registry(parties_file: str | None) -> Any:
    from stance.parties import RegistryError, load_registry

    try:
        return load_registry(parties_file or default_path("seeds", "parties.json"))
    except (RegistryError, ValueError, OSError) as error:
        raise click.ClickException(f"cannot read the party registry: {error}") from None


def _read_article(path: Path) -> Any:
    from stance.ingest import InputError, read_article_file

    try:
        return read_article_file(path)
    except (InputError, OSError) as error:
        raise click.ClickException(f"{path}: {error}") from None


@click.group()
@click.version_option(package_name="stance")
def main() -> None:
    """stance: where the parties in news stories give conflicting accounts of the same thing."""


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@PARTIES_OPTION
@MODEL_OPTION
@click.option(
    "--json", "as_json", is_flag=True, help="Print the analysis document (JSON Lines for several files)."
)
def analyze(files: tuple[Path, ...], parties_file: str | None, model_path: str | None, as_json: bool) -> None:
    """Analyse article files (text or HTML) without a server or a database."""
    from stance.analysis import analyze as analyze_article

    registry = _registry(parties_file)
    model = _model(model_path)
    for path in files:
        article = _read_article(path)
        article.id = path.stem
        doc = analyze_article(article, registry, model).to_dict()
        if as_json:
            indent = 2 if len(files) == 1 else None
            click.echo(json.dumps(doc, ensure_ascii=False, indent=indent))
        else:
            click.echo(summary(path, doc))


def summary(path: Path, doc: dict[str, Any]) -> str:
    lines = [f"{path}: {len(doc['claims'])} claims, {len(doc['comparisons'])} comparisons"]
    for claim in doc["claims"]:
        text = " ".join(claim["text"].split())
        text = text if len(text) < 90 else text[:87] + "..."
        lines.append(f"  [{claim['party'] or '-'}] {claim['speaker'] or '?'}: {text}")
    claims = {c["id"]: c for c in doc["claims"]}
    for k in doc["comparisons"]:
        a = "; ".join(" ".join(claims[c]["text"].split())[:60] for c in k["a"]["claims"])
        b = "; ".join(" ".join(claims[c]["text"].split())[:60] for c in k["b"]["claims"])
        lines.append(
            f"  {k['relation'].upper()} ({k['score']:.2f}) {k['a']['party']}: {a}  <>  {k['b']['party']}: {b}"
        )
    return "\n".join(lines)


@main.command("init-db")
@DB_OPTION
@PARTIES_OPTION
def init_db(db_path: str, parties_file: str | None) -> None:
    """Create the database (or bring its schema up to date)."""
    from stance.store import Store

    store = Store.open(db_path)
    version = store.migrate()
    if parties_file or store.get_setting("parties") is None:
        store.put_setting("parties", json.dumps(_registry(parties_file).to_dict()))
    store.close()
    click.echo(f"{db_path}: schema version {version}")


@main.command()
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@DB_OPTION
@PARTIES_OPTION
@MODEL_OPTION
def load(files: tuple[Path, ...], db_path: str, parties_file: str | None, model_path: str | None) -> None:
    """Analyse article files and store them."""
    service = _service(db_path, parties_file, model_path)
    for path in files:
        doc, created = service.ingest(_read_article(path))
        state = "stored" if created else "already stored"
        click.echo(f"{path}: {state} as {doc['article']['id']} ({len(doc['claims'])} claims)")
    service.store.close()


def _service(db_path: str, parties_file: str | None, model_path: str | None) -> Any:
    from stance.parties import Registry
    from stance.service import Service
    from stance.store import Store

    store = Store.open(db_path)
    if parties_file or store.get_setting("parties") is None:
        store.put_setting("parties", json.dumps(_registry(parties_file).to_dict()))
    registry = Registry(json.loads(store.get_setting("parties") or "{}"))
    return Service(store, registry, _model(model_path))


@main.command()
@DB_OPTION
@PARTIES_OPTION
@MODEL_OPTION
def reanalyse(db_path: str, parties_file: str | None, model_path: str | None) -> None:
    """Analyse every stored article again (after a new model or registry)."""
    service = _service(db_path, parties_file, model_path)
    ids = service.store.all_article_ids()
    for article_id in ids:
        service.reanalyse(article_id)
    click.echo(f"re-analysed {len(ids)} articles")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn workers (default: STANCE_WORKERS or 2).")
@DB_OPTION
@PARTIES_OPTION
@MODEL_OPTION
@click.option(
    "--load-seed/--no-load-seed", default=False, help="Load the seed article into an empty database."
)
def serve(
    host: str, port: int, workers: int | None, db_path: str, parties_file: str | None,
    model_path: str | None, load_seed: bool,
) -> None:  # fmt: skip
    """Run the service under gunicorn."""
    env = os.environ
    env["STANCE_DB"] = db_path
    if workers:
        env["STANCE_WORKERS"] = str(workers)
    if parties_file:
        env["STANCE_PARTIES"] = str(Path(parties_file).resolve())
    if model_path:
        env["STANCE_MODEL"] = str(Path(model_path).resolve())
    if load_seed:
        env["STANCE_LOAD_SEED"] = "1"
    conf = Path(__file__).with_name("gunicorn_conf.py")
    args = [sys.executable, "-m", "gunicorn", "-c", str(conf), "-b", f"{host}:{port}", "stance.wsgi:app"]
    click.echo(f"serving on http://{host}:{port}")
    os.execv(sys.executable, args)


@main.command()
@click.argument(
    "golds", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@MODEL_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def evaluate(golds: tuple[Path, ...], model_path: str | None, as_json: bool) -> None:
    """Score the analysis against reference annotations (X.gold.json beside X.txt or X.html)."""
    from stance.evaluate import evaluate_files, table

    try:
        result = evaluate_files(list(golds), _model(model_path))
    except (OSError, ValueError, KeyError) as error:  # a missing article, bad JSON or registry
        raise click.ClickException(f"cannot evaluate: {error}") from None
    click.echo(json.dumps(result, indent=2) if as_json else table(result))


@main.command()
@click.option(
    "--out", default="models/stance-relations", show_default=True, help="Model path (without suffix)."
)
@click.option("--pairs", "pairs_files", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Labelled pairs (JSON Lines); default: seeds/pairs.jsonl.")  # fmt: skip
@click.option("--fnc1", "fnc1_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="FNC-1 folder (train_bodies.csv, train_stances.csv) to add to the training data.")  # fmt: skip
@click.option(
    "--no-fnc1", is_flag=True, help="Train from the labelled pairs alone, even when FNC-1 is beside."
)
@click.option(
    "--feedback-db", "feedback_db", default=None, help="Use readers' feedback stored in this database."
)
def train(
    out: str, pairs_files: tuple[Path, ...], fnc1_dir: Path | None, no_fnc1: bool, feedback_db: str | None
) -> None:
    """Train the grouping and relation model and write it with its card."""
    from stance.train import train_model

    feedback = None
    if feedback_db:
        from stance.store import Store

        store = Store.open(feedback_db)
        feedback = [
            {"a": f["text_a"], "b": f["text_b"], "relation": f["relation"]}
            for f in store.list_feedback()
            if f["target"] == "comparison" and f["text_a"] and f["text_b"]
        ]
        store.close()
    pairs = list(pairs_files) or [Path(default_path("seeds", "pairs.jsonl"))]
    shared_fnc1 = Path(default_path("..", "shared", "data", "fnc1"))
    if fnc1_dir is None and not no_fnc1 and shared_fnc1.exists():
        fnc1_dir = shared_fnc1
    card = train_model(out, pairs, fnc1_dir=fnc1_dir, feedback=feedback)
    click.echo(
        json.dumps({k: card.get(k) for k in ("name", "version", "metrics", "training_data")}, indent=2)
    )


@main.group()
def fnc1() -> None:
    """The FNC-1 headline/body stance benchmark of the model family."""


@fnc1.command("train")
@click.option(
    "--data", "data_dir", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option("--model", "model_out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="Train on all the data (no dev hold-out).")
def fnc1_train(data_dir: Path, model_out: Path, full: bool) -> None:
    """Train on FNC-1 (80/20 hold-out by body, as the official baseline) and report the dev score."""
    from stance.fnc1 import train_fnc1

    card = train_fnc1(data_dir, model_out, holdout=not full)
    click.echo(json.dumps(card.get("metrics", {}), indent=2))


@fnc1.command("predict")
@click.option(
    "--model", "model_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--bodies", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stances", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def fnc1_predict(model_path: Path, bodies: Path, stances: Path, out: Path) -> None:
    """Write Headline, Body ID, Stance for each row of a stances file."""
    from stance.fnc1 import predict_fnc1

    count = predict_fnc1(model_path, bodies, stances, out)
    click.echo(f"{out}: {count} rows")


if __name__ == "__main__":
    main()
