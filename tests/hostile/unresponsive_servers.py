#!/usr/bin/env python3
"""Wall time of `conform run --contract ucloud-uhub` against four servers that stop answering
(issue 16): each on an ephemeral loopback port, each run with default flags.

    tests/hostile/unresponsive_servers.py build-dev/runner/cli/conform [server ...]

  silent     accepts, reads the request, never answers
  trickle    sends a valid answer one byte a second
  short      Content-Length: 1000, sends 13 bytes of body, keeps the connection open
  late-body  the head at once, the body after 60 s (longer than --timeout)

Prints one line per server: its name, the exit status and the wall time. The engine tests
(tests/hostile/unresponsive_test.cpp) prove the same behaviour with small timeouts; this is the
measurement with the defaults.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

BODY = b'{"RetCode":0,"TotalCount":0,"RepoSet":[]}'


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    return True


def hold(conn, stop, seconds=3600):
    """Waits until the client closes, the server stops, or seconds pass."""
    conn.settimeout(0.1)
    end = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < end:
        try:
            if conn.recv(4096) == b"":
                return False
        except socket.timeout:
            continue
        except OSError:
            return False
    return not stop.is_set()


def answer(head_extra=b""):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(BODY)).encode() + b"\r\n" + head_extra + b"\r\n")


def silent(conn, stop):
    hold(conn, stop)


def trickle(conn, stop):
    for byte in answer() + BODY:
        if stop.wait(1.0):
            return
        try:
            conn.sendall(bytes([byte]))
        except OSError:
            return


def short(conn, stop):
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n" + BODY[:13])
    hold(conn, stop)


def late_body(conn, stop):
    conn.sendall(answer())
    if hold(conn, stop, 60):
        conn.sendall(BODY)
        hold(conn, stop)


SERVERS = {"silent": silent, "trickle": trickle, "short": short, "late-body": late_body}


class Server:
    def __init__(self, script):
        self.script = script
        self.stop = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        with conn:
            try:
                if read_head(conn):
                    self.script(conn, self.stop)
            except OSError:
                pass

    def close(self):
        self.stop.set()
        self.thread.join()
        self.listener.close()


def measure(conform, name):
    server = Server(SERVERS[name])
    env = dict(os.environ, UCLOUD_PUBLIC_KEY="measure-public", UCLOUD_PRIVATE_KEY="measure-private")
    with tempfile.TemporaryDirectory() as report:
        start = time.monotonic()
        done = subprocess.run([conform, "run", "--contract", "ucloud-uhub", "--target",
                               f"http://127.0.0.1:{server.port}/", "--report-dir", report,
                               "--quiet"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        elapsed = time.monotonic() - start
    server.close()
    totals = [line for line in done.stdout.splitlines() if " cases: " in line]
    return f"{name:10} exit {done.returncode}  {elapsed:6.1f} s  {totals[-1] if totals else ''}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    names = sys.argv[2:] or list(SERVERS)
    results = {}
    threads = [threading.Thread(target=lambda n=n: results.update({n: measure(sys.argv[1], n)}))
               for n in names]
    for t in threads:  # at once: each run mostly waits on its timeouts
        t.start()
    for t in threads:
        t.join()
    for n in names:
        print(results[n])


if __name__ == "__main__":
    main()
