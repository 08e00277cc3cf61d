#!/usr/bin/env python3
"""pty.py - run a command on a pseudo-terminal of its own, as a user at a
terminal would, for the suites that test terminal handling.

    pty.py [STEP...] -- COMMAND [ARG...]

The command runs in a new session with the terminal's slave as its
controlling terminal and fds 0-2; its window is 24x80. Each STEP runs in
turn on the master side:
    expect:TEXT   wait (at most 60 s) for TEXT in the output after the
                  last match
    send:TEXT     type TEXT (Python escapes: \\n, \\x03 for ^C, \\x1a for ^Z)
    size:RxC      set the window to R rows and C columns (the kernel sends
                  SIGWINCH to the terminal's foreground process group)
Then the output is read to the end and printed (carriage returns kept),
and pty.py exits with the command's status (128+N when killed by signal N),
or 124 when an expect timed out (the transcript then goes to stderr).
"""
import fcntl
import os
import select
import struct
import sys
import termios
import time

TIMEOUT = 60


def set_size(fd, spec):
    rows, cols = (int(x) for x in spec.split("x"))
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    args = sys.argv[1:]
    if "--" not in args:
        sys.exit("usage: pty.py [STEP...] -- COMMAND [ARG...]")
    steps, cmd = args[:args.index("--")], args[args.index("--") + 1:]
    master, slave = os.openpty()
    set_size(master, "24x80")
    pid = os.fork()
    if pid == 0:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in range(3):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    out, seen = b"", 0

    def read_some(deadline):
        nonlocal out
        r, _, _ = select.select([master], [], [], max(0.0, deadline - time.time()))
        if not r:
            return True
        try:
            data = os.read(master, 4096)
        except OSError:		# EIO: every slave fd closed
            data = b""
        out += data
        return bool(data)

    for step in steps:
        kind, _, arg = step.partition(":")
        if kind == "expect":
            deadline = time.time() + TIMEOUT
            while arg.encode() not in out[seen:]:
                if not read_some(deadline) or time.time() >= deadline:
                    sys.stderr.write(out.decode(errors="replace"))
                    sys.stderr.write("\npty.py: timed out waiting for %r\n" % arg)
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    sys.exit(124)
            seen = out.index(arg.encode(), seen) + len(arg)
        elif kind == "send":
            os.write(master, arg.encode().decode("unicode_escape").encode("latin-1"))
        elif kind == "size":
            set_size(master, arg)
        else:
            sys.exit("pty.py: unknown step %r" % step)
    deadline = time.time() + TIMEOUT
    while read_some(deadline) and time.time() < deadline:
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace"))
    sys.stdout.flush()
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
