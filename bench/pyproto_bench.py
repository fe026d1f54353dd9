"""pyproto_bench.py: the reference for runtime_bench's part 3, in its run:
Python protobuf (Debian's python3-protobuf, with flyteidl classes that
protoc --python_out generated from the pinned protos) parsing a serialized
list[int] Literal, turning it into a Python list of ints and back (what
flytekit does with a list[int] input or output), and serializing it.

usage: python3 pyproto_bench.py GENERATED_DIR LITERAL_FILE
Prints one line per step (CPU time, best of 3, in ms) and the total."""
import sys
import time

sys.path.insert(0, sys.argv[1])
from google.protobuf.internal import api_implementation  # noqa: E402
from flyteidl.core import literals_pb2  # noqa: E402

data = open(sys.argv[2], "rb").read()
best = [1e30] * 4
for _ in range(3):
    t0 = time.process_time()
    lit = literals_pb2.Literal()
    lit.ParseFromString(data)
    t1 = time.process_time()
    xs = [e.scalar.primitive.integer for e in lit.collection.literals]
    t2 = time.process_time()
    out = literals_pb2.Literal()
    coll = out.collection.literals
    for x in xs:
        coll.add().scalar.primitive.integer = x
    t3 = time.process_time()
    back = out.SerializeToString()
    t4 = time.process_time()
    if back != data:
        sys.exit("pyproto_bench: the round trip changed the bytes")
    for i, t in enumerate((t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
        best[i] = min(best[i], t)
print("   python3-protobuf %s (%s implementation), %d elements:" % (
    __import__("google.protobuf").protobuf.__version__, api_implementation.Type(), len(xs)))
print("     ParseFromString %.2f ms, to a list of ints %.2f ms, back to a Literal %.2f ms, "
      "SerializeToString %.2f ms" % tuple(b * 1e3 for b in best))
print("     total %.2f ms" % (sum(best) * 1e3))
