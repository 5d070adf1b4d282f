"""The CPU time of each `conclave trustee` command in a real 3-of-5 ceremony
against a real server on loopback (make bench-ceremony): user + system time
of each command's process (start-up, TLS-less HTTP, JSON and the
cryptography), averaged over the five trustees, and the server's CPU time for
the whole ceremony. Not a test: it prints a Markdown table."""
import os
import resource
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import Server, members_with_tokens, run_cli, trustee_cli  # noqa: E402

NAMES = ["ada", "grace", "barbara", "edsger", "frances"]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def server_cpu(srv):
    with open(f"/proc/{srv.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    with Server() as srv:
        tokens = members_with_tokens(srv, NAMES)
        args = ["council", "create", "Bench", "--threshold", "3"]
        for n in NAMES:
            args += ["--trustee", n]
        council = run_cli(args, srv.data_dir)[1].strip()
        homes = {n: tempfile.mkdtemp(prefix="conclave-bench-trustee-") for n in NAMES}
        cpu = {}
        s0 = server_cpu(srv)
        lines = []

        def step(name, n, argv):
            c0 = children_cpu()
            rc, out, err = trustee_cli(srv, argv, homes[n], tokens[n])
            if rc != 0:
                raise SystemExit(f"{name} failed for {n}: {err}")
            cpu[name] = cpu.get(name, 0.0) + children_cpu() - c0
            return out

        for n in NAMES:
            lines.append(step("keygen", n, ["keygen", "--server", "{server}", council]).strip())
        for n in NAMES:
            with open(os.path.join(homes[n], "t.txt"), "w") as f:
                f.write("threshold 3\n" + "\n".join(lines) + "\n")
        for n in NAMES:
            step("deal", n, ["deal", "--server", "{server}", council, "--trustees",
                             os.path.join(homes[n], "t.txt")])
        for n in NAMES:
            step("verdict", n, ["verdict", "--server", "{server}", council])
        for n in NAMES[:4]:
            step("verdict (the end)", n, ["verdict", "--server", "{server}", council])
        s1 = server_cpu(srv)
        print("\nThe real commands, 3 of 5, one server on loopback (CPU time, user + system):\n")
        print("| command | ms per trustee |\n|---|---|")
        for name in ["keygen", "deal", "verdict", "verdict (the end)"]:
            k = 4 if name == "verdict (the end)" else 5
            label = ("`conclave trustee verdict` again, once complete" if k == 4
                     else f"`conclave trustee {name}`")
            print(f"| {label} | {cpu[name] / k * 1e3:.1f} |")
        print(f"| the server, for the whole ceremony (every request, the tick) | "
              f"{(s1 - s0) * 1e3:.0f} in all |")
        for h in homes.values():
            shutil.rmtree(h, ignore_errors=True)


if __name__ == "__main__":
    main()
