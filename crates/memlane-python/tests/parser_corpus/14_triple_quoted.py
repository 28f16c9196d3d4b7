doc = """A docstring
spanning lines
"""
other = '''single ' quotes "and" double'''
empty = """"""
raw = r"""\n not escaped
"""
multi = f"""value: {x}
next: {y}"""
q = """has "quote" inside"""


def documented():
    """Docstring."""
    return 1
