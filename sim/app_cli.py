"""The ``youthcare app`` and ``youthcare animate`` commands (wired into ``sim.cli``).

``add_parsers(subparsers)`` adds both subcommands to the ``youthcare`` parser, using the
subparsers' own ``parser_class`` (one-line errors, exit 2); ``COMMANDS`` maps their names to the
functions that run them. Errors are raised as ``sim.cli.UserError`` (one line, exit 2).

``python -m sim.app_cli app|animate ...`` runs them without ``sim.cli`` (used by the tests).
"""

from __future__ import annotations

import errno
import importlib.util
import os
import socket
import sys
from pathlib import Path

from sim.cliargs import DEFAULT_WARMUP_YEARS, float_in, int_in

SOLARA_VERSION = "1.58.2"  # the only solara whose front-end solara-assets bundles (DESIGN §7)
DEFAULT_PORT = 8765
DEFAULT_FAMILIES = 5000
SPEEDS = ("2", "5", "10", "25", "max")  # weeks per second in the app
DEFAULT_SPEED = "10"
# Settings handed to the page (sim.app) through the environment of the server process.
ENV_FAMILIES = "YOUTHCARE_APP_FAMILIES"
ENV_SEED = "YOUTHCARE_APP_SEED"
ENV_WARMUP = "YOUTHCARE_APP_WARMUP_YEARS"
ENV_LANG = "YOUTHCARE_APP_LANG"
ENV_SPEED = "YOUTHCARE_APP_SPEED"


def _user_error(message: str) -> Exception:
    from sim.cli import UserError

    return UserError(message)


def add_parsers(subparsers) -> None:
    """Add ``app`` and ``animate`` to ``subparsers`` (an argparse subparsers action)."""
    # add_parser uses the subparsers' parser_class (sim.cli's one-line errors, exit 2).
    a = subparsers.add_parser(
        "app", help="start the workshop's visual simulation in the browser (works offline)"
    )
    a.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine)"
    )
    a.add_argument(
        "--port", type=int_in("--port", 1, 65535), default=DEFAULT_PORT, help="default 8765"
    )
    a.add_argument(
        "--families",
        type=int_in("--families", 100, 1_000_000),
        default=DEFAULT_FAMILIES,
        help=f"families in the simulated region (default {DEFAULT_FAMILIES})",
    )
    a.add_argument("--seed", type=int_in("--seed", 0, 2**63 - 1), default=0)
    a.add_argument(
        "--warmup-years",
        type=float_in("--warmup-years", 0, 20),
        default=None,
        help="warm-up before the page shows the model (default 3)",
    )
    a.add_argument("--lang", choices=("nl", "en"), default="nl", help="first language (nl)")
    a.add_argument("--speed", choices=SPEEDS, default=DEFAULT_SPEED, help="weeks per second")

    g = subparsers.add_parser("animate", help="write an animation of a run (GIF, for slides)")
    g.add_argument("scenario", help="scenario name, path or composition a+b")
    g.add_argument("--out", type=Path, required=True, help="the GIF file to write")
    g.add_argument("--families", type=int_in("--families", 100, 1_000_000), default=5000)
    g.add_argument(
        "--weeks", type=int_in("--weeks", 1, 5200), default=104, help="weeks shown (default 104)"
    )
    g.add_argument(
        "--weeks-per-frame", type=int_in("--weeks-per-frame", 1, 520), default=2, help="default 2"
    )
    g.add_argument("--fps", type=int_in("--fps", 1, 50), default=8, help="frames per second (8)")
    g.add_argument("--warmup-years", type=float_in("--warmup-years", 0, 50), default=None)
    g.add_argument("--seed", type=int_in("--seed", 0, 2**63 - 1), default=0)
    g.add_argument("--lang", choices=("nl", "en"), default="nl")
    g.add_argument("--dpi", type=int_in("--dpi", 30, 300), default=80, help="default 80")


# -- app ------------------------------------------------------------------------------------------
def _check_app_stack() -> Path:
    """The app's packages are installed and match; returns the bundled front-end folder."""
    missing = [m for m in ("solara", "solara_assets") if importlib.util.find_spec(m) is None]
    if missing:
        raise _user_error(
            f"the app needs the 'app' extra ({', '.join(missing)} missing): "
            f"pip install -e '.[app]' (solara=={SOLARA_VERSION} with solara-assets=={SOLARA_VERSION})"
        )
    from importlib.metadata import version

    have = {p: version(p) for p in ("solara", "solara-assets")}
    if have["solara"] != have["solara-assets"]:
        raise _user_error(
            f"solara {have['solara']} and solara-assets {have['solara-assets']} differ; the page "
            f"would stay blank offline: pip install solara=={SOLARA_VERSION} "
            f"solara-assets=={SOLARA_VERSION}"
        )
    cdn = assets_dir()
    if not (cdn / "@widgetti").is_dir():
        raise _user_error(
            f"Solara's bundled front-end is missing in {cdn}: "
            f"pip install --force-reinstall solara-assets=={have['solara']}"
        )
    return cdn


def assets_dir() -> Path:
    """Where solara-assets put the front-end (the folder Solara's asset proxy serves from)."""
    import site

    # solara.server.settings: the user base for --user installs, else sys.prefix.
    user = Path(site.getuserbase()) / "share" / "solara" / "cdn"
    prefix = Path(sys.prefix) / "share" / "solara" / "cdn"
    return prefix if prefix.is_dir() or not user.is_dir() else user


def offline_environment(base: dict | None = None) -> dict:
    """Environment for an offline Solara server: the asset proxy on (it serves the bundled
    front-end from ``assets_dir()``; files it lacks would be fetched from the CDN), the CDN
    pointed nowhere, telemetry off."""
    env = dict(os.environ if base is None else base)
    env["SOLARA_ASSETS_PROXY"] = "true"
    env["SOLARA_ASSETS_CDN"] = "http://127.0.0.1:9/"  # never the public CDN
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    env.setdefault("MPLBACKEND", "Agg")
    # A closed tab's session (its model and the thread that steps it) ends a minute later,
    # not after Solara's default of a day: a workshop reloads the page often.
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "60s")
    # Solara warns on every page load over http://127.0.0.1 (cookies fall back to samesite=lax,
    # which is what a local server wants): keep the terminal quiet.
    quiet = "ignore::UserWarning:solara.server.starlette"
    env["PYTHONWARNINGS"] = ",".join(x for x in (env.get("PYTHONWARNINGS"), quiet) if x)
    return env


def server_command(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--no-access-log",
        "--log-level",
        "warning",
    ]


def _check_port(host: str, port: int) -> None:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise _user_error(f"--host {host!r}: unknown address ({e.strerror})") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise _user_error(
                    f"--port {port}: already in use on {host}; choose another port"
                ) from None
            raise _user_error(
                f"--host {host} --port {port}: cannot listen ({e.strerror})"
            ) from None


def cmd_app(args) -> int:
    _check_app_stack()
    _check_port(args.host, args.port)
    env = offline_environment()
    env[ENV_FAMILIES] = str(args.families)
    env[ENV_SEED] = str(args.seed)
    env[ENV_LANG] = args.lang
    env[ENV_SPEED] = args.speed
    if args.warmup_years is not None:
        env[ENV_WARMUP] = str(args.warmup_years)
    host = f"[{args.host}]" if ":" in args.host else args.host
    sys.stderr.write(
        f"youthcare app: http://{host}:{args.port}/  ({args.families} families; Ctrl-C stops)\n"
    )
    sys.stderr.flush()
    cmd = server_command(args.host, args.port)
    os.execve(cmd[0], cmd, env)  # the server replaces this process (signals go straight to it)
    return 0  # pragma: no cover


# -- animate --------------------------------------------------------------------------------------
def cmd_animate(args) -> int:
    out: Path = args.out
    if out.suffix.lower() != ".gif":
        raise _user_error(f"--out {out}: the animation is a GIF; use a name ending in .gif")
    if out.exists() and out.is_dir():
        raise _user_error(f"--out {out}: is a directory")
    parent = out.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise _user_error(f"--out {out}: {parent} is not a writable folder")
    from sim import animate as an

    an.require_pillow()
    warm = args.warmup_years if args.warmup_years is not None else DEFAULT_WARMUP_YEARS
    progress = sys.stderr.isatty()
    path = an.animate(
        args.scenario,
        out,
        families=args.families,
        weeks=args.weeks,
        weeks_per_frame=args.weeks_per_frame,
        fps=args.fps,
        warmup_years=warm,
        seed=args.seed,
        lang=args.lang,
        dpi=args.dpi,
        progress=progress,
    )
    print(f"animation in {path}")
    return 0


COMMANDS = {"app": cmd_app, "animate": cmd_animate}


def main(argv: list[str] | None = None) -> int:
    """Run ``app`` or ``animate`` as ``sim.cli.main`` would (one-line errors, exit 2)."""
    from sim.cli import main as cli_main  # the same parser, errors and exit codes

    return cli_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
