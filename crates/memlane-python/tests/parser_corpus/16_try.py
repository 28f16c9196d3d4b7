try:
    risky()
except ValueError:
    handle()
try:
    risky()
except (TypeError, KeyError) as e:
    log(e)
except Exception:
    raise
except:
    pass
else:
    ok()
finally:
    cleanup()
try:
    x = 1
finally:
    y = 2
try:
    pass
except E as err:
    raise RuntimeError("wrapped") from err
try: a()
except: b()
