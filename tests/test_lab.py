"""`make lab` / `finrisk lab`: JupyterLab starts (as root too) on notebooks/, opens a notebook through its REST
API, and its kernel imports finrisk_utils (run through the kernel websocket)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from finrisk_utils.workbench.cli import lab_command

ROOT = Path(__file__).resolve().parents[1]


def test_lab_command_allows_root_and_opens_notebooks():
    cmd = lab_command(port=8899, token="t", browser=False)
    assert cmd[1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in cmd
    assert ("--allow-root" in cmd) == (os.geteuid() == 0)
    assert "--no-browser" in cmd and "--ServerApp.port=8899" in cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    req = urllib.request.Request(
        f"{base}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
        head = text.strip()[:1]
        return resp.status, (json.loads(text) if head and head in "{[" else text)


def _execute(ws, code: str, timeout_s: float = 120) -> tuple[str, str]:
    """Run ``code`` in the kernel over the websocket; return (stdout text, reply status)."""
    msg_id = uuid.uuid4().hex
    ws.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "username": "test",
                    "session": uuid.uuid4().hex,
                    "msg_type": "execute_request",
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": code, "silent": False, "store_history": True},
                "channel": "shell",
                "buffers": [],
            }
        )
    )
    out, status, deadline = [], None, time.monotonic() + timeout_s
    while time.monotonic() < deadline and status is None:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))
        elif msg["msg_type"] == "execute_reply":
            status = msg["content"]["status"]
    return "".join(out), status or "timeout"


def test_lab_kernel_has_the_package(tmp_path):
    pytest.importorskip(
        "jupyterlab", reason="jupyterlab is not installed (pip install -e '.[dev]')"
    )
    websocket = pytest.importorskip("websocket", reason="websocket-client is not installed")
    port, token = _free_port(), uuid.uuid4().hex
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "config")  # no user config changes what is tested
    proc = subprocess.Popen(
        [*lab_command(port=port, token=token, browser=False), "--ServerApp.ip=127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    kernel_id = None
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _api(base, token, "/api/status")
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"JupyterLab exited: {proc.stderr.read().decode()[-1500:]}")
                if time.monotonic() > deadline:
                    print("SKIPPED: JupyterLab did not answer within 90 s")
                    pytest.skip("JupyterLab did not answer within 90 s")
                time.sleep(1)
        status, lab_page = _api(base, token, "/lab")
        assert status == 200 and "JupyterLab" in lab_page
        status, nb = _api(base, token, "/api/contents/00_data_tour.ipynb?content=1")
        assert status == 200 and nb["type"] == "notebook"  # the server's root is notebooks/
        assert nb["content"]["cells"]
        status, session = _api(
            base,
            token,
            "/api/sessions",
            "POST",
            {"path": "00_data_tour.ipynb", "type": "notebook", "kernel": {"name": "python3"}},
        )
        assert status == 201
        kernel_id = session["kernel"]["id"]
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?token={token}", timeout=120
        )
        try:
            out, reply = _execute(
                ws,
                "import os, finrisk_utils\n"
                "print('package', finrisk_utils.__name__, os.path.dirname(finrisk_utils.__file__))\n"
                "print('session', os.environ.get('JPY_SESSION_NAME'))",
            )
        finally:
            ws.close()
        assert reply == "ok", out
        assert f"package finrisk_utils {ROOT / 'finrisk_utils'}" in out
        assert "00_data_tour.ipynb" in out  # the notebook-named output folder works in the lab
    finally:
        if kernel_id:
            try:
                _api(base, token, f"/api/kernels/{kernel_id}", "DELETE")
            except OSError:
                pass
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
