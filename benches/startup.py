#!/usr/bin/env python3
"""Issue #6, item 4: time from process start to the first frame of the desktop app.

eframe creates its window hidden and maps it right after the first frame has been painted
(`post_rendering` -> `set_visible(true)`, eframe 0.37 `native/epi_integration.rs`), so the X11
MapNotify of the app's top-level window *is* the first frame on screen. This script starts its
own Xvfb, subscribes to SubstructureNotify on the root window with a few bytes of raw X11
protocol (no Xlib needed, no polling), spawns `target/release/ossguard` (no subcommand = the
app) and timestamps:
  created  CreateNotify: the window exists (eframe and GL are initialising)
  frame    MapNotify:    the first frame is painted and shown
Each run starts from a fresh HOME (first start: the welcome screen; no keyring on the bus, so
the keyring probe fails fast in the background), and the process is killed after its first
frame. Rendering is Mesa's software GL under Xvfb.

Usage: startup.py [--runs N] [--quick] [--json] [--demo]
  --demo  OSSGUARD_DEMO=1: start straight into the demo (embedded dev server + refresh)
Prints one line per run and, with --json, `RESULT {...}` for benches/run.py.
"""
import argparse
import json
import os
import select
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("OSSGUARD_BIN", os.path.join(ROOT, "target", "release", "ossguard"))
CREATE_NOTIFY, MAP_NOTIFY = 16, 19
SUBSTRUCTURE_NOTIFY_MASK = 0x80000
CW_EVENT_MASK = 0x800


def start_xvfb():
    """Xvfb on a free display number (it writes the number to the fd we give it)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    ready, _, _ = select.select([read_fd], [], [], 20)
    if not ready:
        proc.kill()
        raise RuntimeError("Xvfb did not start")
    display = os.read(read_fd, 64).decode().strip()
    # The read end stays open for Xvfb's lifetime (closed when this script exits): Xvfb
    # 21.1 exits with status 1 a moment after its -displayfd pipe loses its reader.
    return proc, display


class RootWatcher:
    """A minimal X11 client: connects, then listens for windows created and mapped on root."""

    def __init__(self, display):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(f"/tmp/.X11-unix/X{display}")
        # Connection setup: little endian, protocol 11.0, no authorisation (local Xvfb).
        self.sock.sendall(struct.pack("<BxHHHHxx", 0x6C, 11, 0, 0, 0))
        head = self._read(8)
        if head[0] != 1:
            raise RuntimeError(f"X server refused the connection (status {head[0]})")
        (extra_words,) = struct.unpack_from("<H", head, 6)
        body = self._read(extra_words * 4)
        vendor_len, = struct.unpack_from("<H", body, 16)
        screens, formats = body[20], body[21]
        offset = 32 + (vendor_len + 3) // 4 * 4 + 8 * formats
        if screens < 1:
            raise RuntimeError("X server has no screen")
        (self.root,) = struct.unpack_from("<I", body, offset)
        # ChangeWindowAttributes(root, event-mask = SubstructureNotify)
        self.sock.sendall(struct.pack("<BxHIII", 2, 4, self.root, CW_EVENT_MASK,
                                      SUBSTRUCTURE_NOTIFY_MASK))
        self.buffer = b""

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("X server closed the connection")
            data += chunk
        return data

    def next_event(self, timeout):
        """(code, window, time of arrival) of the next event, or None on timeout."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            return None
        event = self._read(32)
        arrived = time.perf_counter()
        code = event[0] & 0x7F
        if code == 0:
            raise RuntimeError(f"X error {event[1]}")
        # CreateNotify: parent(4) window(8); MapNotify: event(4) window(8)
        (window,) = struct.unpack_from("<I", event, 8)
        return code, window, arrived

    def close(self):
        self.sock.close()


def one_run(display, demo):
    home = tempfile.mkdtemp(prefix="ossguard-startup-")
    env = {k: v for k, v in os.environ.items()
           if k not in ("DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY", "RUST_LOG")}
    env.update(DISPLAY=f":{display}", HOME=home, XDG_CONFIG_HOME=os.path.join(home, ".config"),
               XDG_DATA_HOME=os.path.join(home, ".local/share"),
               XDG_RUNTIME_DIR=home, RUST_LOG="warn")
    if demo:
        env["OSSGUARD_DEMO"] = "1"
    watcher = RootWatcher(display)
    created = mapped = None
    started = time.perf_counter()
    proc = subprocess.Popen([BIN], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = started + 20
        windows = set()
        while mapped is None and time.perf_counter() < deadline:
            event = watcher.next_event(max(0.0, deadline - time.perf_counter()))
            if event is None:
                break
            code, window, at = event
            if code == CREATE_NOTIFY:
                windows.add(window)
                created = created or at - started
            elif code == MAP_NOTIFY and window in windows:
                mapped = at - started
            if proc.poll() is not None:
                break
    finally:
        proc.kill()
        _, err = proc.communicate()
        watcher.close()
        shutil.rmtree(home, ignore_errors=True)
    if mapped is None:
        raise RuntimeError(f"no window was shown; stderr: {err.decode(errors='replace')[-2000:]}")
    return created, mapped


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--demo", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    if not shutil.which("Xvfb"):
        sys.exit("Xvfb is not installed (apt-get install xvfb)")
    xvfb, display = start_xvfb()
    results = {}
    try:
        for mode in (["demo"] if args.demo else ["welcome", "demo"]):
            one_run(display, mode == "demo")  # warm-up: page cache, Mesa's shader cache
            samples = [one_run(display, mode == "demo") for _ in range(runs)]
            created = [c * 1000 for c, _ in samples if c is not None]
            frames = [m * 1000 for _, m in samples]
            for c, m in samples:
                print(f"  {mode:<8} window created {c * 1000:6.0f} ms, first frame {m * 1000:6.0f} ms")
            results[mode] = {"runs_ms": frames, "median_ms": statistics.median(frames),
                             "created_median_ms": statistics.median(created) if created else None}
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    first = results.get("welcome") or results["demo"]
    summary = dict(first, modes=results, display="Xvfb + Mesa software GL")
    print(f"start-up to first frame: median {first['median_ms']:.0f} ms")
    if args.json:
        print("RESULT " + json.dumps(summary))


if __name__ == "__main__":
    main()
