# Only containers that might form cycles are tracked by the GC.
import gc
print(gc.is_tracked(1), gc.is_tracked("s"), gc.is_tracked(1.5))
print(gc.is_tracked([]), gc.is_tracked([1, 2]))
print(gc.is_tracked({}), gc.is_tracked({"a": 1}), gc.is_tracked({"a": []}))
print(gc.is_tracked(()), gc.is_tracked(None))
class C:
    pass
print(gc.is_tracked(C()))
