# conlab's interpreter probe: prints which Python this is. Fixed code shipped
# inside conlab. It must run on any Python, 2 included, so that an old one is
# reported as too old rather than as something that is not Python.
import sys

v = sys.version_info
name = getattr(getattr(sys, "implementation", None), "name", "python")
sys.stdout.write("conlab-probe %s %d %d %d\n" % (name, v[0], v[1], v[2]))
