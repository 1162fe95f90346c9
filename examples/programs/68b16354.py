# Rule: the output is the input flipped upside down.


def transform(grid):
    return grid[::-1]
