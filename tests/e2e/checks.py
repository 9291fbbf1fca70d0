"""The ok/FAIL bookkeeping the Python end-to-end tests share (fit.py, behaviour.py): each check is a
function that raises on failure; `check` prints one line for it, `finish` the totals and exits."""
import sys

passed = failed = 0


def check(what, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   - {what}")
    except Exception as e:  # an assertion or a failed run
        failed += 1
        print(f"FAIL - {what}: {e}")


def finish(name):
    print(f"{name}: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
