# conlab's interpreter probe: prints which Python this is, whether it runs
# its threads under a GIL and, for each module named after the program
# (`-c <probe> gevent`), whether it imports and its version. Fixed code
# shipped inside conlab. It must run on any Python, 2 included, so that an
# old one is reported as too old rather than as something that is not
# Python.
import sys

v = sys.version_info
name = getattr(getattr(sys, "implementation", None), "name", "python")
# sys._is_gil_enabled exists from CPython 3.13 on; before it every CPython
# and every PyPy has a GIL.
gil_enabled = getattr(sys, "_is_gil_enabled", None)
gil = 1 if gil_enabled is None else int(bool(gil_enabled()))
line = "conlab-probe %s %d %d %d gil=%d" % (name, v[0], v[1], v[2], gil)
# The runner runs with -I, which leaves the current directory out of the
# module path: so does this.
if sys.path and sys.path[0] == "":
    del sys.path[0]
for module in sys.argv[1:]:
    try:
        found = __import__(module)
        line += " %s=%s" % (module, getattr(found, "__version__", "unknown"))
    except Exception:
        line += " %s=-" % module
sys.stdout.write(line + "\n")
